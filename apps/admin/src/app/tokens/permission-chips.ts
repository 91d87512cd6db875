import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';
import { MatChipsModule } from '@angular/material/chips';

/** Permission chips with "+N more" that expands in place. */
@Component({
  selector: 'app-permission-chips',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatChipsModule],
  template: `
    <mat-chip-set [attr.aria-label]="'Permissions of ' + owner()">
      @for (p of shown(); track p) {
        <mat-chip>{{ p }}</mat-chip>
      }
    </mat-chip-set>
    @if (hidden() > 0) {
      <button type="button" class="more" (click)="expanded.set(true)" [attr.aria-label]="'Show ' + hidden() + ' more permissions of ' + owner()">
        +{{ hidden() }} more
      </button>
    } @else if (expanded() && permissions().length > max()) {
      <button type="button" class="more" (click)="expanded.set(false)" [attr.aria-label]="'Show fewer permissions of ' + owner()">Show less</button>
    }
  `,
  styles: `
    :host { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; --mat-chip-container-height: 24px; }
    mat-chip { font-size: 12px; }
    .more {
      border: 0; background: none; color: var(--mat-sys-primary); cursor: pointer; font: var(--mat-sys-label-medium); padding: 2px 4px;
    }
    .more:hover { text-decoration: underline; }
  `,
})
export class PermissionChips {
  readonly permissions = input.required<readonly string[]>();
  readonly owner = input('');
  readonly max = input(2);
  protected readonly expanded = signal(false);
  protected readonly shown = computed(() => (this.expanded() ? this.permissions() : this.permissions().slice(0, this.max())));
  protected readonly hidden = computed(() => this.permissions().length - this.shown().length);
}
