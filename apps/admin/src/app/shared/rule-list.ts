import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { FormArray, FormControl, ReactiveFormsModule, ValidatorFn } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { LIMITS } from '@tessera/domain';
import { ruleError } from './validators';

/** An editable list of rules (IPs, endpoints, origins): one input per entry, "+ New …" and remove. */
@Component({
  selector: 'app-rule-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatIconModule, MatInputModule],
  template: `
    <fieldset class="rule-list">
      <legend>{{ label() }}</legend>
      @if (hint()) {
        <p class="hint">{{ hint() }}</p>
      }
      @for (control of list().controls; track control; let i = $index) {
        <div class="entry">
          <mat-form-field appearance="outline" subscriptSizing="dynamic" class="grow">
            <input matInput [formControl]="control" [attr.aria-label]="itemLabel() + ' ' + (i + 1)" [placeholder]="placeholder()" />
            @if (control.invalid) {
              <mat-error>{{ error(control) }}</mat-error>
            }
          </mat-form-field>
          @if (!readOnly()) {
            <button mat-icon-button type="button" (click)="remove(i)" [attr.aria-label]="'Remove ' + itemLabel() + ' ' + (i + 1)">
              <mat-icon svgIcon="delete" />
            </button>
          }
        </div>
      } @empty {
        @if (readOnly()) {
          <p class="hint">None</p>
        }
      }
      @if (!readOnly()) {
        <button mat-button type="button" (click)="add()" [disabled]="list().length >= max" [attr.aria-label]="addAriaLabel()">
          {{ addLabel() }}
        </button>
      }
    </fieldset>
  `,
  styles: `
    .rule-list { border: 0; padding: 0; margin: 0 0 12px; }
    legend { font: var(--mat-sys-title-small); padding: 0; margin-bottom: 4px; }
    .hint { margin: 0 0 4px; color: var(--mat-sys-on-surface-variant); font: var(--mat-sys-body-small); }
    .entry { display: flex; align-items: flex-start; gap: 4px; margin-bottom: 6px; }
    .grow { flex: 1; }
  `,
})
export class RuleList {
  readonly list = input.required<FormArray<FormControl<string>>>();
  readonly validator = input.required<ValidatorFn>();
  readonly label = input.required<string>();
  readonly itemLabel = input.required<string>();
  readonly addLabel = input('+ New');
  readonly addAriaLabel = input<string | null>(null);
  readonly placeholder = input('');
  readonly hint = input('');
  /** Shown, not edited: no add and remove buttons (the controls are disabled by their form). */
  readonly readOnly = input(false);
  protected readonly max = LIMITS.listMax;

  add(): void {
    this.list().push(new FormControl('', { nonNullable: true, validators: this.validator() }));
    this.list().markAsDirty();
  }

  remove(index: number): void {
    this.list().removeAt(index);
    this.list().markAsDirty();
  }

  protected error(control: FormControl<string>): string {
    return ruleError(control.errors);
  }
}
