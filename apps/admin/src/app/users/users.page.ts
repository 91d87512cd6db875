import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectChange, MatSelectModule } from '@angular/material/select';
import { MatSlideToggleChange, MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { RoleDto, UserDto } from '@tessera/domain';
import { PermissionsApi } from '../api/permissions.api';
import { RolesApi } from '../api/roles.api';
import { UsersApi } from '../api/users.api';
import { ResetPasswordDialog, type ResetPasswordData } from '../account/reset-password-dialog';
import { Caller } from '../core/caller';
import { Notify } from '../core/notify.service';
import { SessionStore } from '../core/session.store';
import { InvitationsPanel } from './invitations-panel';
import { UserDialog, UserDialogData } from './user-dialog';

@Component({
  selector: 'app-users-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, InvitationsPanel, MatButtonModule, MatFormFieldModule, MatIconModule, MatProgressBarModule, MatSelectModule, MatSlideToggleModule, MatTableModule, MatTooltipModule],
  template: `
    <div class="page">
      <header class="page-head">
        <div>
          <h1>Users</h1>
          <p class="sub">People who can sign in to this console. Their role decides what they may do.</p>
        </div>
        <div class="head-actions">
          <button
            mat-stroked-button
            type="button"
            (click)="invitations.invite()"
            [disabled]="!!addBlock()"
            [disabledInteractive]="true"
            [matTooltip]="addBlock() ?? ''"
          >
            <mat-icon svgIcon="add" />Invite user
          </button>
          <button mat-flat-button type="button" (click)="add()" [disabled]="!!addBlock()" [disabledInteractive]="true" [matTooltip]="addBlock() ?? ''">
            <mat-icon svgIcon="add" />Add user
          </button>
        </div>
      </header>
      <div class="table-card">
        @if (loading()) {
          <mat-progress-bar mode="indeterminate" aria-label="Loading users" />
        }
        <table mat-table [dataSource]="users()" aria-label="Users">
          <ng-container matColumnDef="displayName">
            <th mat-header-cell *matHeaderCellDef>Name</th>
            <td mat-cell *matCellDef="let u"><strong>{{ u.displayName }}</strong></td>
          </ng-container>
          <ng-container matColumnDef="email">
            <th mat-header-cell *matHeaderCellDef>Email</th>
            <td mat-cell *matCellDef="let u">{{ u.email }}</td>
          </ng-container>
          <ng-container matColumnDef="role">
            <th mat-header-cell *matHeaderCellDef>Role</th>
            <td mat-cell *matCellDef="let u">
              @let why = block(u);
              <mat-form-field subscriptSizing="dynamic" class="role compact-field" [matTooltip]="why ?? ''">
                <mat-select [value]="u.roleId" (selectionChange)="changeRole(u, $event)" [aria-label]="'Role of ' + u.email" [disabled]="!!why">
                  @for (o of roleOptions(); track o.role.id) {
                    <mat-option [value]="o.role.id" [disabled]="!!o.refused">
                      {{ o.role.name }}
                      @if (o.refused) {
                        <span class="refused">· {{ o.refused }}</span>
                      }
                    </mat-option>
                  } @empty {
                    <mat-option [value]="u.roleId">{{ u.roleName }}</mat-option>
                  }
                </mat-select>
              </mat-form-field>
            </td>
          </ng-container>
          <ng-container matColumnDef="active">
            <th mat-header-cell *matHeaderCellDef>Active</th>
            <td mat-cell *matCellDef="let u">
              <mat-slide-toggle
                [checked]="u.active"
                (change)="toggleActive(u, $event)"
                [aria-label]="'Active: ' + u.email"
                [disabled]="!!block(u)"
                [disabledInteractive]="true"
                [matTooltip]="block(u) ?? ''"
              />
            </td>
          </ng-container>
          <ng-container matColumnDef="lastLoginAt">
            <th mat-header-cell *matHeaderCellDef>Last login</th>
            <td mat-cell *matCellDef="let u" class="nowrap">
              @if (u.lastLoginAt) {
                {{ u.lastLoginAt | date: 'yyyy-MM-dd HH:mm' }}
              } @else {
                <span class="muted">Never</span>
              }
            </td>
          </ng-container>
          <ng-container matColumnDef="createdAt">
            <th mat-header-cell *matHeaderCellDef>Added</th>
            <td mat-cell *matCellDef="let u">{{ u.createdAt | date: 'yyyy-MM-dd' }}</td>
          </ng-container>
          <ng-container matColumnDef="actions">
            <th mat-header-cell *matHeaderCellDef><span class="cdk-visually-hidden">Actions</span></th>
            <td mat-cell *matCellDef="let u" class="nowrap">
              @if (u.id !== session.me()?.id) {
                <button
                  mat-icon-button
                  type="button"
                  (click)="resetPassword(u)"
                  [attr.aria-label]="'Reset password of ' + u.email"
                  [disabled]="!!block(u)"
                  [disabledInteractive]="true"
                  [matTooltip]="block(u) ?? 'Reset password'"
                >
                  <mat-icon svgIcon="lockReset" />
                </button>
              }
            </td>
          </ng-container>
          <tr mat-header-row *matHeaderRowDef="columns"></tr>
          <tr mat-row *matRowDef="let row; columns: columns"></tr>
          <tr class="mat-mdc-row" *matNoDataRow>
            <td class="empty" [attr.colspan]="columns.length">{{ loading() ? 'Loading users…' : 'No users.' }}</td>
          </tr>
        </table>
      </div>
      <app-invitations-panel #invitations [roles]="roles()" />
    </div>
  `,
  styles: `
    .role { width: 200px; }
    .head-actions { display: flex; gap: 8px; }
    .refused { margin-left: 4px; font: var(--mat-sys-body-small); }
  `,
})
export class UsersPage implements OnInit {
  private readonly api = inject(UsersApi);
  private readonly rolesApi = inject(RolesApi);
  private readonly permissionsApi = inject(PermissionsApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(Notify);
  protected readonly session = inject(SessionStore);
  protected readonly columns = ['displayName', 'email', 'role', 'active', 'lastLoginAt', 'createdAt', 'actions'];
  protected readonly users = signal<UserDto[]>([]);
  protected readonly roles = signal<RoleDto[]>([]);
  protected readonly loading = signal(false);
  private readonly caller = inject(Caller);
  protected readonly addBlock = computed(() => this.caller.missing('users:write'));
  /** Roles the caller may give (others disabled with the permissions it lacks). */
  protected readonly roleOptions = computed(() => this.roles().map((role) => ({ role, refused: this.caller.roleRefusal(role.permissions) })));
  /** Per user: why the caller may not change it (no users:write, or the user is wider), or null. */
  private readonly blocks = computed(() => {
    const permissionsOf = new Map(this.roles().map((r) => [r.id, r.permissions]));
    const me = this.caller.me();
    return new Map(
      this.users().map((u) => [u.id, this.caller.changeRefusal('users:write', { permissions: permissionsOf.get(u.roleId) ?? [] }, u.id === me?.id)]),
    );
  });

  protected block(user: UserDto): string | null {
    return this.blocks().get(user.id) ?? null;
  }

  ngOnInit(): void {
    if (this.caller.holds('roles:read')) this.rolesApi.list().subscribe({ next: (r) => this.roles.set(r), error: () => undefined });
    // The catalog (a tokens:read route) expands tag grants such as the CLI developer role's `@cli`.
    if (this.caller.holds('tokens:read')) this.permissionsApi.catalog().subscribe({ next: (c) => this.caller.useCatalog(c.resources), error: () => undefined });
    this.load();
  }

  load(): void {
    this.loading.set(true);
    this.api.list().subscribe({
      next: (u) => {
        this.users.set(u);
        this.loading.set(false);
      },
      error: (e: unknown) => {
        this.loading.set(false);
        this.notify.failure('Could not load users', e);
      },
    });
  }

  add(): void {
    if (this.addBlock()) return;
    this.dialog
      .open<UserDialog, UserDialogData, UserDto>(UserDialog, { data: { roles: this.roles(), roleRefusal: (p) => this.caller.roleRefusal(p) }, width: '480px' })
      .afterClosed()
      .subscribe((u) => {
        if (!u) return;
        this.notify.success(`User ${u.email} added`);
        this.load();
      });
  }

  /** Your own password is changed from the toolbar (it asks for the current one). */
  resetPassword(user: UserDto): void {
    this.dialog
      .open<ResetPasswordDialog, ResetPasswordData, boolean>(ResetPasswordDialog, { data: { user }, width: '520px' })
      .afterClosed()
      .subscribe((done) => {
        if (done) this.notify.success(`Password of ${user.email} reset; their sessions ended`);
      });
  }

  changeRole(user: UserDto, event: MatSelectChange): void {
    this.api.update(user.id, { roleId: event.value as string }).subscribe({
      next: () => {
        this.notify.success(`Role of ${user.email} changed`);
        this.load();
      },
      error: (e: unknown) => {
        this.notify.failure(`Could not change the role of ${user.email}`, e);
        this.load();
      },
    });
  }

  toggleActive(user: UserDto, event: MatSlideToggleChange): void {
    this.api.update(user.id, { active: event.checked }).subscribe({
      next: () => {
        this.notify.success(`${user.email} ${event.checked ? 'activated' : 'deactivated'}`);
        this.load();
      },
      error: (e: unknown) => {
        event.source.checked = !event.checked;
        this.notify.failure(`Could not change ${user.email}`, e);
      },
    });
  }
}
