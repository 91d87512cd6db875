import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import { SessionStore } from './session.store';

/** Lets signed-in users through; everyone else goes to the login page. */
export const authGuard: CanActivateFn = () => {
  const session = inject(SessionStore);
  return session.signedIn() ? true : inject(Router).createUrlTree(['/login']);
};
