import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatListModule } from '@angular/material/list';
import { MatSidenavModule } from '@angular/material/sidenav';
import { MatToolbarModule } from '@angular/material/toolbar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { map } from 'rxjs';
import { AuthApi } from '../api/auth.api';
import { ChangePasswordDialog, type ChangePasswordResult } from '../account/change-password-dialog';
import { Notify } from '../core/notify.service';
import { Caller } from '../core/caller';
import { SessionStore } from '../core/session.store';
import { readableNav } from './nav';


/** The signed-in layout: toolbar with the user and "Log out", sidebar navigation, and the page. */
@Component({
  selector: 'app-shell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatIconModule, MatListModule, MatSidenavModule, MatToolbarModule, MatTooltipModule, RouterLink, RouterLinkActive, RouterOutlet],
  template: `
    <header class="toolbar-wrap">
      <mat-toolbar class="toolbar">
        <span class="brand"><mat-icon svgIcon="key" /> Tessera</span>
        @if (session.me(); as me) {
          <span class="org">{{ me.organization.name }}</span>
        }
        <span class="spacer"></span>
        @if (session.me(); as me) {
          <span class="user"><span class="cdk-visually-hidden">Signed in as </span>{{ me.name }}</span>
          @if (me.kind === 'user') {
            <button mat-button type="button" (click)="changePassword()"><mat-icon svgIcon="password" />Change password</button>
          }
        }
        <button mat-button type="button" (click)="logout()"><mat-icon svgIcon="logout" />Log out</button>
      </mat-toolbar>
    </header>
    <mat-sidenav-container class="container" autosize>
      <mat-sidenav mode="side" opened class="nav" [class.rail]="narrow()" [disableClose]="true">
        <nav aria-label="Main">
          <mat-nav-list>
            @for (item of nav(); track item.path) {
              <a
                mat-list-item
                [routerLink]="item.path"
                routerLinkActive
                #rla="routerLinkActive"
                [activated]="rla.isActive"
                [attr.aria-current]="rla.isActive ? 'page' : null"
                [matTooltip]="narrow() ? item.label : ''"
                matTooltipPosition="right"
              >
                <mat-icon matListItemIcon [svgIcon]="item.icon" />
                <span matListItemTitle [class.cdk-visually-hidden]="narrow()">{{ item.label }}</span>
              </a>
            }
          </mat-nav-list>
        </nav>
      </mat-sidenav>
      <mat-sidenav-content class="main">
        <main><router-outlet /></main>
      </mat-sidenav-content>
    </mat-sidenav-container>
  `,
  styles: `
    :host { display: flex; flex-direction: column; height: 100vh; }
    .toolbar-wrap { position: relative; z-index: 3; }
    .toolbar { position: relative; z-index: 3; background: var(--mat-sys-primary); color: var(--mat-sys-on-primary); gap: 12px; height: 56px; }
    .toolbar button { color: inherit; }
    .brand { display: inline-flex; align-items: center; gap: 8px; font: var(--mat-sys-title-large); }
    .org { font: var(--mat-sys-body-medium); opacity: 0.8; }
    .spacer { flex: 1; }
    .user { font: var(--mat-sys-body-medium); }
    .container { flex: 1; }
    .nav { width: 200px; border-right: 1px solid var(--mat-sys-outline-variant); background: var(--mat-sys-surface-container-low); }
    .nav.rail { width: 64px; }
    .nav.rail .mat-mdc-list-item { padding-left: 12px; padding-right: 12px; }
    .main, main { height: 100%; }
  `,
})
export class Shell {
  protected readonly session = inject(SessionStore);
  private readonly api = inject(AuthApi);
  private readonly router = inject(Router);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(Notify);
  private readonly caller = inject(Caller);
  /** Only the pages the caller may read (the routes are guarded too). */
  protected readonly nav = computed(() => readableNav(this.caller.permissions()));
  /** Below 1280 px the sidebar shrinks to an icon rail so the token table keeps its columns. */
  protected readonly narrow = toSignal(inject(BreakpointObserver).observe('(max-width: 1279.98px)').pipe(map((s) => s.matches)), { initialValue: false });

  changePassword(): void {
    this.dialog
      .open<ChangePasswordDialog, void, ChangePasswordResult>(ChangePasswordDialog, { width: '440px' })
      .afterClosed()
      .subscribe((r) => {
        if (!r) return;
        const ended = r.endedSessions === 0 ? '' : ` ${r.endedSessions} other session${r.endedSessions === 1 ? '' : 's'} ended.`;
        this.notify.success(`Password changed.${ended}`);
      });
  }

  logout(): void {
    const done = () => {
      this.session.clear();
      void this.router.navigateByUrl('/login');
    };
    this.api.logout().subscribe({ next: done, error: done });
  }
}
