import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatSelectModule } from '@angular/material/select';

export interface ConfirmDialogData {
  title: string;
  message: string;
  confirmLabel: string;
  /** Offer a grace period for the old secret (regenerate). */
  askGrace?: boolean;
  danger?: boolean;
}

export interface ConfirmDialogResult {
  graceSeconds: number;
}

export const GRACE_OPTIONS = [
  { seconds: 0, label: 'None: the old secret stops working now' },
  { seconds: 300, label: '5 minutes' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 21600, label: '6 hours' },
  { seconds: 86400, label: '24 hours' },
] as const;

/** "Are you sure? This action cannot be undone." Closes with a result only when confirmed. */
@Component({
  selector: 'app-confirm-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatButtonModule, MatDialogModule, MatFormFieldModule, MatSelectModule],
  template: `
    <h2 mat-dialog-title>{{ data.title }}</h2>
    <mat-dialog-content>
      <p>{{ data.message }}</p>
      <p><strong>This action cannot be undone.</strong></p>
      @if (data.askGrace) {
        <mat-form-field appearance="outline" class="grace">
          <mat-label>Grace period for the old secret</mat-label>
          <mat-select [ngModel]="grace()" (ngModelChange)="grace.set($event)">
            @for (o of options; track o.seconds) {
              <mat-option [value]="o.seconds">{{ o.label }}</mat-option>
            }
          </mat-select>
        </mat-form-field>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close>Cancel</button>
      <button mat-flat-button type="button" [class.danger]="data.danger !== false" (click)="confirm()">{{ data.confirmLabel }}</button>
    </mat-dialog-actions>
  `,
  styles: `
    .grace { width: 100%; margin-top: 8px; }
    .danger { --mat-button-filled-container-color: var(--mat-sys-error); --mat-button-filled-label-text-color: var(--mat-sys-on-error); }
  `,
})
export class ConfirmDialog {
  protected readonly data = inject<ConfirmDialogData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<ConfirmDialog, ConfirmDialogResult>>(MatDialogRef);
  protected readonly options = GRACE_OPTIONS;
  protected readonly grace = signal(0);

  confirm(): void {
    this.ref.close({ graceSeconds: this.grace() });
  }
}
