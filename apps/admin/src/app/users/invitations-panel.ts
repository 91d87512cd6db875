import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, computed, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { CreatedInvitationDto, InvitationDto, RoleDto } from '@tessera/domain';
import { InvitationsApi } from '../api/invitations.api';
import { Caller } from '../core/caller';
import { Notify } from '../core/notify.service';
import { ConfirmDialog, type ConfirmDialogData, type ConfirmDialogResult } from '../shared/confirm-dialog';
import { InvitationLinkDialog } from './invitation-link-dialog';
import { InviteDialog, type InviteDialogData } from './invite-dialog';

/** Pending and expired invitations of the organization, with Resend and Delete; `invite()` opens the dialog. */
@Component({
  selector: 'app-invitations-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, MatButtonModule, MatIconModule, MatTableModule, MatTooltipModule],
  template: `
    <section class="invitations" aria-labelledby="invitations-title">
      <h2 id="invitations-title">Invitations</h2>
      <div class="table-card">
        <table mat-table [dataSource]="invitations()" aria-labelledby="invitations-title">
          <ng-container matColumnDef="email">
            <th mat-header-cell *matHeaderCellDef>Email</th>
            <td mat-cell *matCellDef="let i">{{ i.email }}</td>
          </ng-container>
          <ng-container matColumnDef="role">
            <th mat-header-cell *matHeaderCellDef>Role</th>
            <td mat-cell *matCellDef="let i">{{ i.roleName }}</td>
          </ng-container>
          <ng-container matColumnDef="status">
            <th mat-header-cell *matHeaderCellDef>Status</th>
            <td mat-cell *matCellDef="let i">
              <span class="status" [class.expired]="i.status === 'expired'">{{ i.status === 'expired' ? 'Expired' : 'Pending' }}</span>
            </td>
          </ng-container>
          <ng-container matColumnDef="expiresAt">
            <th mat-header-cell *matHeaderCellDef>Link expires</th>
            <td mat-cell *matCellDef="let i" class="nowrap">{{ i.expiresAt | date: 'yyyy-MM-dd HH:mm' }}</td>
          </ng-container>
          <ng-container matColumnDef="invitedBy">
            <th mat-header-cell *matHeaderCellDef>Invited by</th>
            <td mat-cell *matCellDef="let i">{{ i.invitedBy.name }}</td>
          </ng-container>
          <ng-container matColumnDef="actions">
            <th mat-header-cell *matHeaderCellDef><span class="cdk-visually-hidden">Actions</span></th>
            <td mat-cell *matCellDef="let i" class="nowrap">
              <button
                mat-stroked-button
                type="button"
                (click)="resend(i)"
                [attr.aria-label]="'Resend invitation to ' + i.email"
                [disabled]="!!writeBlock()"
                [disabledInteractive]="true"
                [matTooltip]="writeBlock() ?? ''"
              >
                <mat-icon svgIcon="refresh" />Resend
              </button>
              <button
                mat-icon-button
                type="button"
                (click)="remove(i)"
                [attr.aria-label]="'Delete invitation to ' + i.email"
                [disabled]="!!writeBlock()"
                [disabledInteractive]="true"
                [matTooltip]="writeBlock() ?? 'Delete invitation'"
              >
                <mat-icon svgIcon="delete" />
              </button>
            </td>
          </ng-container>
          <tr mat-header-row *matHeaderRowDef="columns"></tr>
          <tr mat-row *matRowDef="let row; columns: columns"></tr>
          <tr class="mat-mdc-row" *matNoDataRow>
            <td class="empty" [attr.colspan]="columns.length">{{ loading() ? 'Loading invitations…' : 'No pending invitations.' }}</td>
          </tr>
        </table>
      </div>
    </section>
  `,
  styles: `
    .invitations { margin-top: 24px; }
    h2 { font: var(--mat-sys-title-medium); margin: 0 0 8px; }
    .status { padding: 2px 8px; border-radius: 8px; background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .status.expired { background: var(--mat-sys-error-container); color: var(--mat-sys-on-error-container); }
  `,
})
export class InvitationsPanel implements OnInit {
  readonly roles = input<RoleDto[]>([]);
  private readonly api = inject(InvitationsApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(Notify);
  protected readonly columns = ['email', 'role', 'status', 'expiresAt', 'invitedBy', 'actions'];
  protected readonly invitations = signal<InvitationDto[]>([]);
  protected readonly loading = signal(false);
  private readonly caller = inject(Caller);
  /** Inviting, resending and deleting need users:write (reading the list, users:read). */
  protected readonly writeBlock = computed(() => this.caller.missing('users:write'));

  ngOnInit(): void {
    this.load();
  }

  load(): void {
    this.loading.set(true);
    this.api.list().subscribe({
      next: (page) => {
        this.invitations.set(page.items);
        this.loading.set(false);
      },
      error: (e: unknown) => {
        this.loading.set(false);
        this.notify.failure('Could not load invitations', e);
      },
    });
  }

  invite(): void {
    if (this.writeBlock()) return;
    const data: InviteDialogData = { roles: this.roles(), roleRefusal: (p) => this.caller.roleRefusal(p) };
    this.dialog
      .open<InviteDialog, InviteDialogData, CreatedInvitationDto>(InviteDialog, { data, width: '480px' })
      .afterClosed()
      .subscribe((created) => {
        if (!created) return;
        this.delivered(created, 'Invitation sent');
        this.load();
      });
  }

  resend(invitation: InvitationDto): void {
    if (this.writeBlock()) return;
    this.api.resend(invitation.id).subscribe({
      next: (created) => {
        this.delivered(created, 'Invitation sent again');
        this.load();
      },
      error: (e: unknown) => this.notify.failure(`Could not resend the invitation to ${invitation.email}`, e),
    });
  }

  remove(invitation: InvitationDto): void {
    if (this.writeBlock()) return;
    this.dialog
      .open<ConfirmDialog, ConfirmDialogData, ConfirmDialogResult>(ConfirmDialog, {
        data: { title: 'Delete invitation?', message: `The link sent to ${invitation.email} will stop working.`, confirmLabel: 'Delete' },
      })
      .afterClosed()
      .subscribe((ok) => {
        if (!ok) return;
        this.api.remove(invitation.id).subscribe({
          next: () => {
            this.notify.success(`Invitation to ${invitation.email} deleted`);
            this.load();
          },
          error: (e: unknown) => this.notify.failure(`Could not delete the invitation to ${invitation.email}`, e),
        });
      });
  }

  /** E-mailed: say so. Otherwise the link is shown once to be passed on by hand. */
  private delivered(created: CreatedInvitationDto, what: string): void {
    if (created.emailed) {
      this.notify.success(`${what} to ${created.invitation.email}`);
      return;
    }
    this.dialog.open(InvitationLinkDialog, { data: created, width: '560px' });
  }
}
