import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { RoleDto } from '@tessera/domain';
import { LIMITS } from '@tessera/domain';
import { RolesApi } from '../api/roles.api';
import { readProblem } from '../core/problem';
import { CatalogResource, GRANT_ANYTHING, MayGrant } from '../shared/permission-logic';
import { PermissionPicker } from '../shared/permission-picker';

export interface RoleDialogData {
  role: RoleDto | null;
  catalog: CatalogResource[];
  /** Shown, not edited: a built-in role, or one the caller may not change. */
  readOnly?: boolean;
  /** The permissions the caller may put in a role (Caller.mayGrant). */
  mayGrant?: MayGrant;
}

/** Create or edit a role; built-in roles open read-only. */
@Component({
  selector: 'app-role-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatDialogModule, MatFormFieldModule, MatInputModule, PermissionPicker],
  template: `
    <h2 mat-dialog-title>{{ readOnly ? 'Role: ' + data.role?.name : data.role ? 'Edit role' : 'New role' }}</h2>
    <mat-dialog-content [attr.tabindex]="readOnly ? 0 : null" [attr.role]="readOnly ? 'region' : null" [attr.aria-label]="readOnly ? 'Role details' : null">
      @if (readOnly) {
        <p class="note">{{ data.role?.builtIn ? 'Built-in roles are read-only.' : 'You may view this role but not change it.' }}</p>
      }
      @if (error(); as e) {
        <p class="error" role="alert">{{ e }}</p>
      }
      <form [formGroup]="form" id="role-form" (ngSubmit)="save()">
        <mat-form-field class="full">
          <mat-label>Role name</mat-label>
          <input matInput formControlName="name" required [maxlength]="limits.nameMax" />
          @if (fieldError('name'); as e) {
            <mat-error>{{ e }}</mat-error>
          } @else {
            <mat-error>A name is required</mat-error>
          }
        </mat-form-field>
        <mat-form-field class="full">
          <mat-label>Description</mat-label>
          <input matInput formControlName="description" [maxlength]="limits.descriptionMax" />
        </mat-form-field>
      </form>
      <h3>Permissions</h3>
      <app-permission-picker [catalog]="data.catalog" [selected]="permissions()" (selectedChange)="permissions.set($event)" [disabled]="readOnly" [mayGrant]="readOnly ? grantAnything : (data.mayGrant ?? grantAnything)" label="Role permissions" />
      @if (fieldError('permissions'); as e) {
        <p class="error" role="alert">{{ e }}</p>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close>{{ readOnly ? 'Close' : 'Cancel' }}</button>
      @if (!readOnly) {
        <button mat-flat-button type="submit" form="role-form" [disabled]="form.invalid || permissions().length === 0 || busy()">Save role</button>
      }
    </mat-dialog-actions>
  `,
  styles: `
    form { padding-top: 8px; }
    .full { width: 100%; }
    h3 { font: var(--mat-sys-title-small); margin: 8px 0; }
    .note { color: var(--mat-sys-on-surface-variant); }
    .error { color: var(--mat-sys-error); }
  `,
})
export class RoleDialog {
  protected readonly data = inject<RoleDialogData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<RoleDialog, RoleDto>>(MatDialogRef);
  private readonly api = inject(RolesApi);
  protected readonly limits = LIMITS;
  protected readonly readOnly = !!this.data.role?.builtIn || !!this.data.readOnly;
  protected readonly grantAnything = GRANT_ANYTHING;
  protected readonly permissions = signal<string[]>([...(this.data.role?.permissions ?? [])]);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  private readonly fieldErrors = signal<Record<string, string>>({});
  protected readonly form = inject(FormBuilder).nonNullable.group({
    name: [this.data.role?.name ?? '', [Validators.required, Validators.maxLength(LIMITS.nameMax)]],
    description: [this.data.role?.description ?? '', Validators.maxLength(LIMITS.descriptionMax)],
  });

  constructor() {
    if (this.readOnly) this.form.disable();
  }

  protected fieldError(field: string): string | null {
    return this.fieldErrors()[field] ?? null;
  }

  save(): void {
    if (this.readOnly || this.form.invalid) return;
    const body = { ...this.form.getRawValue(), permissions: this.permissions() };
    this.busy.set(true);
    const role = this.data.role;
    (role ? this.api.update(role.id, body) : this.api.create(body)).subscribe({
      next: (saved) => this.ref.close(saved),
      error: (e: unknown) => {
        const p = readProblem(e);
        this.busy.set(false);
        this.error.set(p.message);
        this.fieldErrors.set(Object.fromEntries(p.errors.map((x) => [x.field.split('.')[0] ?? x.field, x.message])));
        const nameError = p.errors.find((x) => x.field === 'name');
        if (nameError) this.form.controls.name.setErrors({ server: nameError.message });
      },
    });
  }
}
