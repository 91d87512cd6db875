import { Injectable, computed, inject, signal } from '@angular/core';
import {
  type CatalogResource,
  effectivePermissions,
  type MeDto,
  type RightsJson,
  callerHolds,
  mayGrantPermission,
  permissionsBeyond,
  refusalsToChange,
  rightsFromJson,
  roleBeyondCaller,
} from '@tessera/domain';
import { Observable, catchError, finalize, of, shareReplay, tap } from 'rxjs';
import { AuthApi } from '../api/auth.api';
import { SessionStore } from './session.store';

/** The text of a disabled control: the permission(s) the caller lacks, e.g. "Requires tokens:write". */
export function requiresText(permissions: readonly string[]): string {
  return `Requires ${permissions.join(', ')}`;
}

/**
 * Who is looking: `GET auth/me`, asked once per sign-in, and what the authorization rules of
 * @tessera/domain let this caller do. Screens use it to disable or hide what the api would refuse;
 * the api still decides every request.
 */
@Injectable({ providedIn: 'root' })
export class Caller {
  private readonly session = inject(SessionStore);
  private readonly api = inject(AuthApi);
  private pending: Observable<MeDto | null> | null = null;
  /** Asked the api since this page loaded (or since the last sign-in). */
  private asked = false;

  readonly me = this.session.me;
  readonly permissions = computed<readonly string[]>(() => this.me()?.permissions ?? []);
  /**
   * The permission catalog, once a page has read it: a role may hold a tag grant (`@cli`, the
   * "CLI developer" role) that stands for the catalog's actions with that tag, so roles and
   * principals are compared over their expansion (effectivePermissions), as the api compares them.
   */
  private readonly catalog = signal<readonly CatalogResource[] | null>(null);
  /** A console caller is a user: its role's permissions and no limits of its own. */
  private readonly rights = computed(() => rightsFromJson({ permissions: this.permissions() }));

  /**
   * The signed-in caller: asked from the api once per sign-in and once per page load. After a
   * reload the answer kept in sessionStorage is used at once and the api is asked behind it (a role
   * changed meanwhile shows as soon as it answers). null when it cannot be read.
   */
  load(): Observable<MeDto | null> {
    const known = this.session.me();
    if (known) {
      if (!this.asked) this.ask().subscribe();
      return of(known);
    }
    return this.ask();
  }

  private ask(): Observable<MeDto | null> {
    this.asked = true;
    this.pending ??= this.api.me().pipe(
      tap((me) => this.session.setMe(me)),
      catchError(() => {
        this.asked = false;
        return of(null);
      }),
      finalize(() => (this.pending = null)),
      shareReplay(1),
    );
    return this.pending;
  }

  /** Pages that read the catalog hand it over (tokens, roles, users). */
  useCatalog(catalog: readonly CatalogResource[]): void {
    this.catalog.set(catalog);
  }

  /** A role's or principal's permissions with tag grants expanded over the catalog (when known). */
  private expand(permissions: readonly string[]): readonly string[] {
    const catalog = this.catalog();
    return catalog ? effectivePermissions(permissions, [], catalog) : permissions;
  }

  /** Does the caller hold `permission` (what the route's guard checks)? */
  holds(permission: string): boolean {
    return callerHolds(this.permissions(), permission);
  }

  /** null when the caller holds `permission`, else the reason to show on the disabled control. */
  missing(permission: string): string | null {
    return this.holds(permission) ? null : requiresText([permission]);
  }

  /** May the caller hand `permission` out (permission picker, scope filter)? */
  mayGrant(permission: string): boolean {
    return mayGrantPermission(this.permissions(), permission);
  }

  /** null when the caller may give a role with these permissions to a token or user, else why not. */
  roleRefusal(rolePermissions: readonly string[]): string | null {
    const beyond = roleBeyondCaller(this.permissions(), this.expand(rolePermissions));
    return beyond.length ? requiresText(beyond) : null;
  }

  /**
   * null when the caller may change (edit, toggle, revoke, regenerate, delete, reset) a principal
   * as it is, else why not: `permission` missing, or the principal wider than the caller.
   */
  changeRefusal(permission: string, target: RightsJson, self = false): string | null {
    const missing = this.missing(permission);
    if (missing) return missing;
    const expanded = { ...target, permissions: [...this.expand(target.permissions ?? [])] };
    const refusals = refusalsToChange(this.rights(), rightsFromJson(expanded), self);
    if (refusals.length === 0) return null;
    const beyond = permissionsBeyond(this.permissions(), expanded.permissions);
    if (beyond.length) return requiresText(beyond);
    return `Wider than you: ${refusals.map((r) => `${r.field} ${r.message}`).join('; ')}`;
  }
}
