import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { LIMITS } from '@tessera/domain';
import { AuthApi } from '../api/auth.api';
import { readProblem } from '../core/problem';
import { PASSWORD_HINT, newPasswordError, newPasswordValidators, sameAs } from './password.logic';

export interface ChangePasswordResult {
  endedSessions: number;
}

/** The signed-in user changes their own password (current + new + confirmation). */
@Component({
  selector: 'app-change-password-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatDialogModule, MatFormFieldModule, MatInputModule],
  template: `
    <h2 mat-dialog-title>Change password</h2>
    <mat-dialog-content>
      @if (error(); as e) {
        <p class="error" role="alert">{{ e }}</p>
      }
      <form [formGroup]="form" id="change-password-form" (ngSubmit)="save()">
        <mat-form-field class="full">
          <mat-label>Current password</mat-label>
          <input matInput type="password" formControlName="currentPassword" required autocomplete="current-password" />
          <mat-error>{{ form.controls.currentPassword.errors?.['server'] ?? 'Your current password is required' }}</mat-error>
        </mat-form-field>
        <mat-form-field class="full">
          <mat-label>New password</mat-label>
          <input matInput type="password" formControlName="newPassword" required autocomplete="new-password" />
          <mat-hint>{{ hint }}</mat-hint>
          <mat-error>{{ newError() }}</mat-error>
        </mat-form-field>
        <mat-form-field class="full">
          <mat-label>Confirm new password</mat-label>
          <input matInput type="password" formControlName="confirm" required autocomplete="new-password" />
          @if (form.hasError('mismatch') && form.controls.confirm.touched) {
            <mat-hint class="mismatch" role="alert">The passwords do not match</mat-hint>
          }
        </mat-form-field>
        <p class="muted">Your other sessions end; this one stays signed in.</p>
      </form>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close>Cancel</button>
      <button mat-flat-button type="submit" form="change-password-form" [disabled]="form.invalid || busy()">Change password</button>
    </mat-dialog-actions>
  `,
  styles: `
    form { padding-top: 8px; }
    .full { width: 100%; }
    .error, .mismatch { color: var(--mat-sys-error); }
    .muted { color: var(--mat-sys-on-surface-variant); font: var(--mat-sys-body-small); }
  `,
})
export class ChangePasswordDialog {
  private readonly ref = inject<MatDialogRef<ChangePasswordDialog, ChangePasswordResult>>(MatDialogRef);
  private readonly api = inject(AuthApi);
  protected readonly hint = PASSWORD_HINT;
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly form = inject(FormBuilder).nonNullable.group(
    {
      currentPassword: ['', [Validators.required, Validators.maxLength(LIMITS.passwordMax)]],
      newPassword: ['', newPasswordValidators],
      confirm: ['', Validators.required],
    },
    { validators: sameAs('newPassword', 'confirm') },
  );

  protected newError(): string {
    return newPasswordError(this.form.controls.newPassword.errors);
  }

  save(): void {
    if (this.form.invalid) return;
    this.busy.set(true);
    this.error.set(null);
    const { currentPassword, newPassword } = this.form.getRawValue();
    this.api.changePassword({ currentPassword, newPassword }).subscribe({
      next: (r) => this.ref.close(r),
      error: (e: unknown) => {
        const p = readProblem(e);
        this.busy.set(false);
        this.error.set(p.message);
        for (const x of p.errors) {
          const c = this.form.get(x.field);
          if (c) {
            c.setErrors({ server: x.field === 'currentPassword' ? 'This is not your current password' : x.message });
            c.markAsTouched();
          }
        }
      },
    });
  }
}
