import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatRadioModule } from '@angular/material/radio';
import type { UserDto } from '@tessera/domain';
import { UsersApi } from '../api/users.api';
import { readProblem } from '../core/problem';
import { PASSWORD_HINT, generatePassword, newPasswordError, newPasswordValidators, sameAs } from './password.logic';

export interface ResetPasswordData {
  user: UserDto;
}

/**
 * An admin gives another user a new password: generated (shown once, here) or chosen. The api
 * ends the user's sessions and refuses (403) a user the admin does not cover.
 */
@Component({
  selector: 'app-reset-password-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatDialogModule, MatFormFieldModule, MatIconModule, MatInputModule, MatRadioModule],
  template: `
    <h2 mat-dialog-title>Reset password of {{ data.user.email }}</h2>
    <mat-dialog-content>
      @if (shown(); as password) {
        <p><strong>Give this password to {{ data.user.displayName }} now.</strong> It is shown only once; they can change it after logging in.</p>
        <div class="secret-row">
          <mat-form-field appearance="outline" class="secret" subscriptSizing="dynamic">
            <mat-label>New password</mat-label>
            <input matInput readonly [value]="password" (focus)="$any($event.target).select()" />
          </mat-form-field>
          <button mat-stroked-button type="button" (click)="copy(password)">
            <mat-icon svgIcon="copy" />
            {{ copied() ? 'Copied' : 'Copy' }}
          </button>
        </div>
      } @else {
        @if (error(); as e) {
          <p class="error" role="alert">{{ e }}</p>
        }
        <form [formGroup]="form" id="reset-password-form" (ngSubmit)="save()">
          <mat-radio-group formControlName="mode" aria-label="How to set the new password" class="modes">
            <mat-radio-button value="generate">Generate a password</mat-radio-button>
            <mat-radio-button value="choose">Choose a password</mat-radio-button>
          </mat-radio-group>
          @if (form.controls.mode.value === 'choose') {
            <mat-form-field class="full">
              <mat-label>New password</mat-label>
              <input matInput type="password" formControlName="password" required autocomplete="new-password" />
              <mat-hint>{{ hint }}</mat-hint>
              <mat-error>{{ passwordError() }}</mat-error>
            </mat-form-field>
            <mat-form-field class="full">
              <mat-label>Confirm new password</mat-label>
              <input matInput type="password" formControlName="confirm" required autocomplete="new-password" />
              @if (form.hasError('mismatch') && form.controls.confirm.touched) {
                <mat-hint class="mismatch" role="alert">The passwords do not match</mat-hint>
              }
            </mat-form-field>
          }
          <p class="muted">Their open sessions end.</p>
        </form>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      @if (shown()) {
        <button mat-flat-button type="button" (click)="done()">Done</button>
      } @else {
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" form="reset-password-form" [disabled]="invalid() || busy()">Reset password</button>
      }
    </mat-dialog-actions>
  `,
  styles: `
    form { padding-top: 8px; }
    .full { width: 100%; }
    .modes { display: flex; flex-direction: column; margin-bottom: 12px; }
    .error, .mismatch { color: var(--mat-sys-error); }
    .muted { color: var(--mat-sys-on-surface-variant); font: var(--mat-sys-body-small); }
    .secret-row { display: flex; align-items: center; gap: 8px; margin: 8px 0 16px; }
    .secret { flex: 1; }
    .secret input { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 14px; }
  `,
})
export class ResetPasswordDialog {
  protected readonly data = inject<ResetPasswordData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<ResetPasswordDialog, boolean>>(MatDialogRef);
  private readonly api = inject(UsersApi);
  private readonly clipboard = inject(Clipboard);
  protected readonly hint = PASSWORD_HINT;
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  /** The generated password once it is set, shown until the dialog closes. */
  protected readonly shown = signal<string | null>(null);
  protected readonly copied = signal(false);
  protected readonly form = inject(FormBuilder).nonNullable.group(
    {
      mode: ['generate' as 'generate' | 'choose'],
      password: ['', newPasswordValidators],
      confirm: ['', Validators.required],
    },
    { validators: sameAs('password', 'confirm') },
  );

  protected invalid(): boolean {
    const f = this.form;
    return f.controls.mode.value === 'choose' && (f.controls.password.invalid || f.controls.confirm.invalid || f.hasError('mismatch'));
  }

  protected passwordError(): string {
    return newPasswordError(this.form.controls.password.errors);
  }

  save(): void {
    if (this.invalid()) return;
    const generated = this.form.controls.mode.value === 'generate';
    const password = generated ? generatePassword() : this.form.controls.password.value;
    this.busy.set(true);
    this.error.set(null);
    this.api.update(this.data.user.id, { password }).subscribe({
      next: () => {
        this.busy.set(false);
        if (generated) {
          this.ref.disableClose = true;
          this.shown.set(password);
        } else {
          this.ref.close(true);
        }
      },
      error: (e: unknown) => {
        const p = readProblem(e);
        this.busy.set(false);
        this.error.set(p.message);
        const bad = p.errors.find((x) => x.field === 'password');
        if (bad && !generated) {
          this.form.controls.password.setErrors({ server: bad.message });
          this.form.controls.password.markAsTouched();
        }
      },
    });
  }

  copy(password: string): void {
    this.copied.set(this.clipboard.copy(password));
  }

  done(): void {
    this.ref.close(true);
  }
}
