import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Router } from '@angular/router';
import type { SessionDto } from '@tessera/domain';
import { AuthApi } from '../api/auth.api';
import { Notify } from '../core/notify.service';
import { SessionStore } from '../core/session.store';
import { ConfirmDialog, ConfirmDialogData, ConfirmDialogResult } from '../shared/confirm-dialog';

@Component({
  selector: 'app-sessions-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, MatButtonModule, MatProgressBarModule, MatTableModule, MatTooltipModule],
  template: `
    <div class="page">
      <header class="page-head">
        <div>
          <h1>Sessions</h1>
          <p class="sub">Your recent logins. A session lasts 3 hours; end any you do not recognise.</p>
        </div>
      </header>
      <div class="table-card">
        @if (loading()) {
          <mat-progress-bar mode="indeterminate" aria-label="Loading sessions" />
        }
        <table mat-table [dataSource]="sessions()" aria-label="My sessions">
          <ng-container matColumnDef="createdAt">
            <th mat-header-cell *matHeaderCellDef>Started</th>
            <td mat-cell *matCellDef="let s" class="nowrap">
              {{ s.createdAt | date: 'yyyy-MM-dd HH:mm' }}
              @if (s.current) {
                <span class="current">This session</span>
              }
            </td>
          </ng-container>
          <ng-container matColumnDef="lastUsedAt">
            <th mat-header-cell *matHeaderCellDef>Last used</th>
            <td mat-cell *matCellDef="let s" class="nowrap">{{ s.lastUsedAt ? (s.lastUsedAt | date: 'yyyy-MM-dd HH:mm') : '—' }}</td>
          </ng-container>
          <ng-container matColumnDef="expiresAt">
            <th mat-header-cell *matHeaderCellDef>Expires</th>
            <td mat-cell *matCellDef="let s" class="nowrap">{{ s.expiresAt | date: 'yyyy-MM-dd HH:mm' }}</td>
          </ng-container>
          <ng-container matColumnDef="ip">
            <th mat-header-cell *matHeaderCellDef>IP</th>
            <td mat-cell *matCellDef="let s"><code>{{ s.ip ?? '—' }}</code></td>
          </ng-container>
          <ng-container matColumnDef="userAgent">
            <th mat-header-cell *matHeaderCellDef>Browser</th>
            <td mat-cell *matCellDef="let s"><span class="ua" [matTooltip]="s.userAgent ?? ''">{{ s.userAgent ?? '—' }}</span></td>
          </ng-container>
          <ng-container matColumnDef="state">
            <th mat-header-cell *matHeaderCellDef><span class="cdk-visually-hidden">Actions</span></th>
            <td mat-cell *matCellDef="let s" class="right nowrap">
              @if (isOver(s)) {
                <span class="muted">{{ s.endedAt ? 'Ended' : 'Expired' }}</span>
              } @else {
                <button mat-stroked-button type="button" (click)="end(s)" [attr.aria-label]="'End session started ' + (s.createdAt | date: 'yyyy-MM-dd HH:mm:ss') + (s.current ? ' (this session)' : '')">End session</button>
              }
            </td>
          </ng-container>
          <tr mat-header-row *matHeaderRowDef="columns"></tr>
          <tr mat-row *matRowDef="let row; columns: columns"></tr>
          <tr class="mat-mdc-row" *matNoDataRow>
            <td class="empty" [attr.colspan]="columns.length">{{ loading() ? 'Loading…' : 'No sessions.' }}</td>
          </tr>
        </table>
      </div>
    </div>
  `,
  styles: `
    .current { display: inline-block; white-space: nowrap; margin-left: 8px; padding: 2px 8px; border-radius: 10px; background: var(--mat-sys-primary-container); color: var(--mat-sys-on-primary-container); font: var(--mat-sys-label-small); }
    .ua { display: inline-block; max-width: 260px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: middle; }
    .right { text-align: right; }
    code { font-size: 12px; }
  `,
})
export class SessionsPage implements OnInit {
  private readonly api = inject(AuthApi);
  private readonly session = inject(SessionStore);
  private readonly router = inject(Router);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(Notify);
  protected readonly columns = ['createdAt', 'lastUsedAt', 'expiresAt', 'ip', 'userAgent', 'state'];
  protected readonly sessions = signal<SessionDto[]>([]);
  protected readonly loading = signal(false);

  ngOnInit(): void {
    this.load();
  }

  load(): void {
    this.loading.set(true);
    this.api.sessions().subscribe({
      next: (s) => {
        this.sessions.set(s);
        this.loading.set(false);
      },
      error: (e: unknown) => {
        this.loading.set(false);
        this.notify.failure('Could not load sessions', e);
      },
    });
  }

  protected isOver(s: SessionDto): boolean {
    return !!s.endedAt || new Date(s.expiresAt).getTime() <= Date.now();
  }

  end(s: SessionDto): void {
    const data: ConfirmDialogData = {
      title: s.current ? 'End this session?' : 'End session?',
      message: s.current ? 'You are using this session: ending it logs you out.' : 'Whoever uses this session is logged out at once.',
      confirmLabel: 'End session',
    };
    this.dialog
      .open<ConfirmDialog, ConfirmDialogData, ConfirmDialogResult>(ConfirmDialog, { data, width: '440px' })
      .afterClosed()
      .subscribe((ok) => {
        if (!ok) return;
        this.api.endSession(s.id).subscribe({
          next: () => {
            if (s.current) {
              this.session.clear();
              void this.router.navigateByUrl('/login');
              return;
            }
            this.notify.success('Session ended');
            this.load();
          },
          error: (e: unknown) => this.notify.failure('Could not end the session', e),
        });
      });
  }
}
