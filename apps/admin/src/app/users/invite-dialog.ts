import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { CreatedInvitationDto, RoleDto } from '@tessera/domain';
import { INVITATION_TTL_HOURS, LIMITS } from '@tessera/domain';
import { InvitationsApi } from '../api/invitations.api';
import { readProblem } from '../core/problem';

export interface InviteDialogData {
  roles: RoleDto[];
  /** Why the caller may not invite into a role with these permissions (Caller.roleRefusal), or null. */
  roleRefusal?: (rolePermissions: readonly string[]) => string | null;
}

/** Invites someone by e-mail into a role; closes with the created invitation and its link. */
@Component({
  selector: 'app-invite-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatDialogModule, MatFormFieldModule, MatInputModule, MatSelectModule],
  template: `
    <h2 mat-dialog-title>Invite user</h2>
    <mat-dialog-content>
      <p class="sub">They get a link to choose their name and password. The link works once and expires after {{ ttlHours }} hours.</p>
      @if (error(); as e) {
        <p class="error" role="alert">{{ e }}</p>
      }
      <form [formGroup]="form" id="invite-form" (ngSubmit)="save()">
        <mat-form-field class="full">
          <mat-label>Email</mat-label>
          <input matInput type="email" formControlName="email" required autocomplete="off" />
          <mat-error>{{ errors()['email'] ?? 'A valid email is required' }}</mat-error>
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
      <button mat-flat-button type="submit" form="invite-form" [disabled]="form.invalid || busy()">Send invitation</button>
    </mat-dialog-actions>
  `,
  styles: `
    form { padding-top: 8px; }
    .full { width: 100%; }
    .sub { color: var(--mat-sys-on-surface-variant); }
    .error { color: var(--mat-sys-error); }
    .refused { margin-left: 4px; font: var(--mat-sys-body-small); }
  `,
})
export class InviteDialog {
  protected readonly data = inject<InviteDialogData>(MAT_DIALOG_DATA);
  protected readonly roleOptions = this.data.roles.map((role) => ({ role, refused: this.data.roleRefusal?.(role.permissions) ?? null }));
  private readonly ref = inject<MatDialogRef<InviteDialog, CreatedInvitationDto>>(MatDialogRef);
  private readonly api = inject(InvitationsApi);
  protected readonly ttlHours = INVITATION_TTL_HOURS;
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly errors = signal<Record<string, string>>({});
  protected readonly form = inject(FormBuilder).nonNullable.group({
    email: ['', [Validators.required, Validators.email, Validators.maxLength(LIMITS.emailMax)]],
    roleId: ['', Validators.required],
  });

  save(): void {
    if (this.form.invalid) return;
    this.busy.set(true);
    const v = this.form.getRawValue();
    this.api.create({ email: v.email.trim(), roleId: v.roleId }).subscribe({
      next: (created) => this.ref.close(created),
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
