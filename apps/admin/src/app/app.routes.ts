import { Route } from '@angular/router';
import { authGuard, landingGuard, pageGuard } from './core/auth.guard';

export const appRoutes: Route[] = [
  { path: 'login', title: 'Log in · Tessera', loadComponent: () => import('./login/login.page').then((m) => m.LoginPage) },
  {
    path: 'invitations/accept',
    title: 'Accept invitation · Tessera',
    loadComponent: () => import('./invitations/accept-invitation.page').then((m) => m.AcceptInvitationPage),
  },
  {
    path: '',
    canActivate: [authGuard],
    loadComponent: () => import('./shell/shell').then((m) => m.Shell),
    children: [
      { path: '', pathMatch: 'full', canActivate: [landingGuard], children: [] },
      { path: 'tokens', canActivate: [pageGuard('/tokens')], title: 'API tokens · Tessera', loadComponent: () => import('./tokens/tokens.page').then((m) => m.TokensPage) },
      { path: 'roles', canActivate: [pageGuard('/roles')], title: 'Roles · Tessera', loadComponent: () => import('./roles/roles.page').then((m) => m.RolesPage) },
      { path: 'users', canActivate: [pageGuard('/users')], title: 'Users · Tessera', loadComponent: () => import('./users/users.page').then((m) => m.UsersPage) },
      { path: 'ip-allowlist', canActivate: [pageGuard('/ip-allowlist')], title: 'IP allowlist · Tessera', loadComponent: () => import('./security/ip-allowlist.page').then((m) => m.IpAllowlistPage) },
      { path: 'audit', canActivate: [pageGuard('/audit')], title: 'Audit log · Tessera', loadComponent: () => import('./audit/audit.page').then((m) => m.AuditPage) },
      { path: 'sessions', title: 'Sessions · Tessera', loadComponent: () => import('./sessions/sessions.page').then((m) => m.SessionsPage) },
    ],
  },
  { path: '**', redirectTo: '' },
];
