import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { EnvironmentInjector, runInInjectionContext } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { ActivatedRouteSnapshot, Router, RouterStateSnapshot, UrlTree, provideRouter } from '@angular/router';
import { Observable, firstValueFrom, isObservable, of } from 'rxjs';
import { aMe } from '../testing';
import { landingGuard, pageGuard } from './auth.guard';
import { SessionStore } from './session.store';

describe('page guards', () => {
  beforeEach(() => {
    sessionStorage.clear();
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
    TestBed.inject(SessionStore).setToken('tss_x');
  });

  async function run(guard: typeof landingGuard, permissions: string[]): Promise<string | true> {
    TestBed.inject(SessionStore).setMe(aMe(permissions));
    const result = runInInjectionContext(TestBed.inject(EnvironmentInjector), () =>
      guard({} as ActivatedRouteSnapshot, {} as RouterStateSnapshot),
    );
    const value = await firstValueFrom(isObservable(result) ? result : of(result as boolean | UrlTree) as Observable<boolean | UrlTree>);
    if (value instanceof UrlTree) return TestBed.inject(Router).serializeUrl(value);
    expect(value).toBe(true);
    return true;
  }

  it('opens a page the caller may read and sends it elsewhere from one it may not', async () => {
    expect(await run(pageGuard('/roles'), ['*:read'])).toBe(true);
    expect(await run(pageGuard('/roles'), ['tokens:read', 'tokens:write'])).toBe('/tokens');
    expect(await run(pageGuard('/tokens'), ['audit:read'])).toBe('/audit');
    expect(await run(pageGuard('/sessions'), [])).toBe(true);
  });

  it('starts on the first page the caller may read', async () => {
    expect(await run(landingGuard, ['*:*'])).toBe('/tokens');
    expect(await run(landingGuard, ['users:read'])).toBe('/users');
  });
});
