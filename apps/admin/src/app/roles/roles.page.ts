import { ChangeDetectionStrategy, Component, OnInit, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { RoleDto } from '@tessera/domain';
import { PermissionsApi } from '../api/permissions.api';
import { RolesApi } from '../api/roles.api';
import { Caller } from '../core/caller';
import { Notify } from '../core/notify.service';
import { readProblem } from '../core/problem';
import { ConfirmDialog, ConfirmDialogData, ConfirmDialogResult } from '../shared/confirm-dialog';
import { CatalogResource } from '../shared/permission-logic';
import { PermissionChips } from '../tokens/permission-chips';
import { RoleDialog, RoleDialogData } from './role-dialog';

@Component({
  selector: 'app-roles-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatIconModule, MatProgressBarModule, MatTableModule, MatTooltipModule, PermissionChips],
  template: `
    <div class="page">
      <header class="page-head">
        <div>
          <h1>Roles</h1>
          <p class="sub">A role groups permissions; tokens and users get them by role. Built-in roles cannot be changed.</p>
        </div>
        <button mat-flat-button type="button" (click)="open(null)" [disabled]="!!addBlock()" [disabledInteractive]="true" [matTooltip]="addBlock() ?? ''">
          <mat-icon svgIcon="add" />New role
        </button>
      </header>
      <div class="table-card">
        @if (loading()) {
          <mat-progress-bar mode="indeterminate" aria-label="Loading roles" />
        }
        <table mat-table [dataSource]="roles()" aria-label="Roles">
          <ng-container matColumnDef="name">
            <th mat-header-cell *matHeaderCellDef>Name</th>
            <td mat-cell *matCellDef="let r">
              <strong>{{ r.name }}</strong>
              @if (r.builtIn) {
                <span class="badge">Built-in</span>
              }
            </td>
          </ng-container>
          <ng-container matColumnDef="description">
            <th mat-header-cell *matHeaderCellDef>Description</th>
            <td mat-cell *matCellDef="let r">{{ r.description }}</td>
          </ng-container>
          <ng-container matColumnDef="permissions">
            <th mat-header-cell *matHeaderCellDef>Permissions</th>
            <td mat-cell *matCellDef="let r"><app-permission-chips [permissions]="r.permissions" [owner]="r.name" [max]="4" /></td>
          </ng-container>
          <ng-container matColumnDef="actions">
            <th mat-header-cell *matHeaderCellDef><span class="cdk-visually-hidden">Actions</span></th>
            <td mat-cell *matCellDef="let r" class="actions">
              @let why = block(r);
              @if (r.builtIn || why) {
                <button mat-button type="button" (click)="open(r)" [attr.aria-label]="'View role ' + r.name">View</button>
              } @else {
                <button mat-icon-button type="button" (click)="open(r)" [attr.aria-label]="'Edit role ' + r.name" matTooltip="Edit"><mat-icon svgIcon="edit" /></button>
              }
              @if (!r.builtIn) {
                <button
                  mat-icon-button
                  type="button"
                  (click)="remove(r)"
                  [attr.aria-label]="'Delete role ' + r.name"
                  [disabled]="!!why"
                  [disabledInteractive]="true"
                  [matTooltip]="why ?? 'Delete'"
                >
                  <mat-icon svgIcon="delete" />
                </button>
              }
            </td>
          </ng-container>
          <tr mat-header-row *matHeaderRowDef="columns"></tr>
          <tr mat-row *matRowDef="let row; columns: columns"></tr>
          <tr class="mat-mdc-row" *matNoDataRow>
            <td class="empty" [attr.colspan]="columns.length">{{ loading() ? 'Loading roles…' : 'No roles.' }}</td>
          </tr>
        </table>
      </div>
    </div>
  `,
  styles: `
    .badge { margin-left: 8px; padding: 2px 8px; border-radius: 10px; background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); font: var(--mat-sys-label-small); }
    .actions { text-align: right; white-space: nowrap; }
  `,
})
export class RolesPage implements OnInit {
  private readonly api = inject(RolesApi);
  private readonly permissionsApi = inject(PermissionsApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(Notify);
  protected readonly columns = ['name', 'description', 'permissions', 'actions'];
  protected readonly roles = signal<RoleDto[]>([]);
  protected readonly loading = signal(false);
  private catalog: CatalogResource[] = [];
  private readonly caller = inject(Caller);
  protected readonly addBlock = computed(() => this.caller.missing('roles:write'));

  /** Why the caller may not change or delete this role (no roles:write, or permissions beyond its own), or null. */
  protected block(role: RoleDto): string | null {
    return this.caller.missing('roles:write') ?? this.caller.roleRefusal(role.permissions);
  }

  ngOnInit(): void {
    // The catalog is a tokens:read route: without it the dialog lists a role's permissions as chips.
    if (this.caller.holds('tokens:read')) this.permissionsApi.catalog().subscribe({ next: (c) => {
        this.catalog = c.resources;
        this.caller.useCatalog(c.resources);
      }, error: () => undefined });
    this.load();
  }

  load(): void {
    this.loading.set(true);
    this.api.list().subscribe({
      next: (r) => {
        this.roles.set(r);
        this.loading.set(false);
      },
      error: (e: unknown) => {
        this.loading.set(false);
        this.notify.failure('Could not load roles', e);
      },
    });
  }

  open(role: RoleDto | null): void {
    if (!role && this.addBlock()) return;
    const data: RoleDialogData = {
      role,
      catalog: this.catalog,
      readOnly: !!role && (role.builtIn || !!this.block(role)),
      mayGrant: (p) => this.caller.mayGrant(p),
    };
    this.dialog
      .open<RoleDialog, RoleDialogData, RoleDto>(RoleDialog, { data, width: '720px', maxHeight: '90vh' })
      .afterClosed()
      .subscribe((saved) => {
        if (!saved) return;
        this.notify.success(`Role "${saved.name}" saved`);
        this.load();
      });
  }

  remove(role: RoleDto): void {
    if (this.block(role)) return;
    this.dialog
      .open<ConfirmDialog, ConfirmDialogData, ConfirmDialogResult>(ConfirmDialog, {
        data: { title: `Delete role "${role.name}"?`, message: 'A role still used by a token or a user cannot be deleted.', confirmLabel: 'Delete' },
        width: '440px',
      })
      .afterClosed()
      .subscribe((ok) => {
        if (!ok) return;
        this.api.delete(role.id).subscribe({
          next: () => {
            this.notify.success(`Role "${role.name}" deleted`);
            this.load();
          },
          error: (e: unknown) => {
            const p = readProblem(e);
            this.notify.failure(p.status === 409 ? `Role "${role.name}" is in use and cannot be deleted` : `Could not delete "${role.name}"`, p.status === 409 ? undefined : e);
          },
        });
      });
  }
}
