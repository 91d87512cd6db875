import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { RoleDto, UserDto } from '@tessera/domain';
import { LIMITS } from '@tessera/domain';
import { UsersApi } from '../api/users.api';
import { readProblem } from '../core/problem';

export interface UserDialogData {
  roles: RoleDto[];
  /** Why the caller may not give a role with these permissions (Caller.roleRefusal), or null. */
  roleRefusal?: (rolePermissions: readonly string[]) => string | null;
}

/** Adds a user to the organization. */
@Component({
  selector: 'app-user-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatDialogModule, MatFormFieldModule, MatInputModule, MatSelectModule],
  template: `
    <h2 mat-dialog-title>Add user</h2>
    <mat-dialog-content>
      @if (error(); as e) {
        <p class="error" role="alert">{{ e }}</p>
      }
      <form [formGroup]="form" id="user-form" (ngSubmit)="save()">
        <mat-form-field class="full">
          <mat-label>Email</mat-label>
          <input matInput type="email" formControlName="email" required autocomplete="off" />
          <mat-error>{{ errors()['email'] ?? 'A valid email is required' }}</mat-error>
        </mat-form-field>
        <mat-form-field class="full">
          <mat-label>Display name</mat-label>
          <input matInput formControlName="displayName" required />
          <mat-error>{{ errors()['displayName'] ?? 'A name is required' }}</mat-error>
        </mat-form-field>
        <mat-form-field class="full">
          <mat-label>Initial password</mat-label>
          <input matInput type="password" formControlName="password" required autocomplete="new-password" />
          <mat-hint>At least {{ limits.passwordMin }} characters</mat-hint>
          <mat-error>{{ errors()['password'] ?? 'At least ' + limits.passwordMin + ' characters' }}</mat-error>
        </mat-form-field>
        <mat-form-field class="full">
          <mat-label>Role</mat-label>
          <mat-select formControlName="roleId" required>
            @for (o of roleOptions; track o.role.id) {
              <mat-option [value]="o.role.id" [disabled]="!!o.refused">
                {{ o.role.name }}
                @if (o.refused) {
                  <span class="refused">· {{ o.refused }}</span>
                }
              </mat-option>
            }
          </mat-select>
          <mat-error>{{ errors()['roleId'] ?? 'Choose a role' }}</mat-error>
        </mat-form-field>
      </form>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close>Cancel</button>
      <button mat-flat-button type="submit" form="user-form" [disabled]="form.invalid || busy()">Add user</button>
    </mat-dialog-actions>
  `,
  styles: `
    form { padding-top: 8px; }
    .full { width: 100%; }
    .error { color: var(--mat-sys-error); }
    .refused { margin-left: 4px; font: var(--mat-sys-body-small); }
  `,
})
export class UserDialog {
  protected readonly data = inject<UserDialogData>(MAT_DIALOG_DATA);
  protected readonly roleOptions = this.data.roles.map((role) => ({ role, refused: this.data.roleRefusal?.(role.permissions) ?? null }));
  private readonly ref = inject<MatDialogRef<UserDialog, UserDto>>(MatDialogRef);
  private readonly api = inject(UsersApi);
  protected readonly limits = LIMITS;
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly errors = signal<Record<string, string>>({});
  protected readonly form = inject(FormBuilder).nonNullable.group({
    email: ['', [Validators.required, Validators.email, Validators.maxLength(LIMITS.emailMax)]],
    displayName: ['', [Validators.required, Validators.maxLength(LIMITS.nameMax)]],
    password: ['', [Validators.required, Validators.minLength(LIMITS.passwordMin), Validators.maxLength(LIMITS.passwordMax)]],
    roleId: ['', Validators.required],
  });

  save(): void {
    if (this.form.invalid) return;
    this.busy.set(true);
    const v = this.form.getRawValue();
    this.api.create({ ...v, email: v.email.trim(), displayName: v.displayName.trim() }).subscribe({
      next: (u) => this.ref.close(u),
      error: (e: unknown) => {
        const p = readProblem(e);
        this.busy.set(false);
        this.error.set(p.message);
        this.errors.set(Object.fromEntries(p.errors.map((x) => [x.field, x.message])));
        for (const x of p.errors) {
          const c = this.form.get(x.field);
          if (c) {
            c.setErrors({ server: x.message });
            c.markAsTouched();
          }
        }
      },
    });
  }
}
