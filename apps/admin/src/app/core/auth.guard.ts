import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import { callerHolds } from '@tessera/domain';
import { map } from 'rxjs';
import { NAV_ITEMS, landingPath } from '../shell/nav';
import { Caller } from './caller';
import { SessionStore } from './session.store';

/** Lets signed-in users through (once the console knows who they are); everyone else goes to the login page. */
export const authGuard: CanActivateFn = () => {
  const session = inject(SessionStore);
  if (!session.signedIn()) return inject(Router).createUrlTree(['/login']);
  return inject(Caller)
    .load()
    .pipe(map(() => true));
};

/**
 * A page the caller may not read sends it to one it may (the api would answer 403 anyway). When the
 * caller could not be read, the page opens and the api decides.
 */
export function pageGuard(path: string): CanActivateFn {
  const requires = NAV_ITEMS.find((item) => item.path === path)?.requires;
  return () => {
    const router = inject(Router);
    return inject(Caller)
      .load()
      .pipe(map((me) => (!me || !requires || callerHolds(me.permissions, requires) ? true : router.createUrlTree([landingPath(me.permissions)]))));
  };
}

/** `/`: the first page the caller may read. */
export const landingGuard: CanActivateFn = () => {
  const router = inject(Router);
  return inject(Caller)
    .load()
    .pipe(map((me) => router.createUrlTree([me ? landingPath(me.permissions) : NAV_ITEMS[0]?.path ?? '/sessions'])));
};
