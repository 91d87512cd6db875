import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { MeDto } from '@tessera/domain';
import { aMe, aToken } from '../testing';
import { Caller } from './caller';
import { SessionStore } from './session.store';

describe('Caller', () => {
  let caller: Caller;
  let session: SessionStore;

  beforeEach(() => {
    sessionStorage.clear();
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
    caller = TestBed.inject(Caller);
    session = TestBed.inject(SessionStore);
  });

  it('asks the api who is looking once, and answers from memory afterwards', () => {
    const backend = TestBed.inject(HttpTestingController);
    const seen: (MeDto | null)[] = [];
    caller.load().subscribe((me) => seen.push(me));
    caller.load().subscribe((me) => seen.push(me));
    backend.expectOne('/api/v1/auth/me').flush(aMe(['*:read']));
    caller.load().subscribe((me) => seen.push(me));
    backend.expectNone('/api/v1/auth/me');
    expect(seen.map((m) => m?.permissions)).toEqual([['*:read'], ['*:read'], ['*:read']]);
    expect(caller.holds('audit:read')).toBe(true);
  });

  it('after a reload answers from sessionStorage at once and asks the api behind it, once', () => {
    session.setToken('tss_x');
    session.setMe(aMe(['*:read']));
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
    const reloaded = TestBed.inject(Caller);
    const backend = TestBed.inject(HttpTestingController);
    const seen: (MeDto | null)[] = [];
    reloaded.load().subscribe((me) => seen.push(me));
    expect(seen.map((m) => m?.permissions)).toEqual([['*:read']]);
    backend.expectOne('/api/v1/auth/me').flush(aMe(['tokens:read']));
    expect(reloaded.permissions()).toEqual(['tokens:read']);
    reloaded.load().subscribe();
    backend.expectNone('/api/v1/auth/me');
  });

  it('forgets the caller when another session starts', () => {
    session.setToken('tss_x');
    session.setMe(aMe(['*:*']));
    session.setToken('tss_y');
    expect(caller.me()).toBeNull();
    expect(sessionStorage.getItem('tessera.me')).toBeNull();
  });

  it('answers null when the caller cannot be read, and asks again next time', () => {
    const backend = TestBed.inject(HttpTestingController);
    let seen: MeDto | null | undefined;
    caller.load().subscribe((me) => (seen = me));
    backend.expectOne('/api/v1/auth/me').flush({ title: 'oops' }, { status: 500, statusText: 'Server Error' });
    expect(seen).toBeNull();
    caller.load().subscribe();
    backend.expectOne('/api/v1/auth/me');
  });

  it('names the permission a Read only user lacks for a write action', () => {
    session.setMe(aMe(['*:read']));
    expect(caller.missing('tokens:read')).toBeNull();
    expect(caller.missing('tokens:write')).toBe('Requires tokens:write');
    expect(caller.changeRefusal('tokens:write', aToken())).toBe('Requires tokens:write');
  });

  it('offers a tokens:read+write user only what it holds', () => {
    session.setMe(aMe(['tokens:read', 'tokens:write']));
    expect(['tokens:read', 'tokens:write', 'tokens:introspect', 'roles:write', '*:read'].filter((p) => caller.mayGrant(p))).toEqual(['tokens:read', 'tokens:write']);
    expect(caller.roleRefusal(['*:read'])).toBe('Requires *:read');
    expect(caller.roleRefusal(['tokens:read'])).toBeNull();
  });

  it('lets it change a token it covers, and names what a wider one holds beyond it', () => {
    session.setMe(aMe(['tokens:read', 'tokens:write']));
    expect(caller.changeRefusal('tokens:write', aToken({ permissions: ['tokens:read'] }))).toBeNull();
    expect(caller.changeRefusal('tokens:write', aToken({ permissions: ['*:*'] }))).toBe('Requires *:*');
    expect(caller.changeRefusal('tokens:write', aToken({ permissions: ['tokens:read', 'audit:read', 'users:write'] }))).toBe('Requires audit:read, users:write');
  });

  it('does not hold a user acting on itself to the coverage rule (the api exempts it too)', () => {
    session.setMe(aMe(['users:write']));
    expect(caller.changeRefusal('users:write', { permissions: ['*:*'] }, true)).toBeNull();
    expect(caller.changeRefusal('users:write', { permissions: ['*:*'] }, false)).toBe('Requires *:*');
  });

  it('allows nothing before it knows who is looking', () => {
    expect(caller.holds('tokens:read')).toBe(false);
    expect(caller.mayGrant('tokens:read')).toBe(false);
  });
  it('compares a role holding a tag grant (the CLI developer role, @cli) over its expansion once the catalog is known', () => {
    const catalog = [
      { resource: 'tokens', actions: ['read', 'write'], tags: { read: ['cli'], write: ['cli'] } },
      { resource: 'users', actions: ['read', 'write'] },
    ];
    session.setMe(aMe(['*:*']));
    expect(caller.roleRefusal(['@cli'])).toBe('Requires @cli'); // unknown expansion: refused, never widened
    caller.useCatalog(catalog as never);
    expect(caller.roleRefusal(['@cli'])).toBeNull();
    expect(caller.changeRefusal('users:write', { permissions: ['@cli'] })).toBeNull();
    session.setMe(aMe(['tokens:read', 'users:write']));
    expect(caller.roleRefusal(['@cli'])).toBe('Requires tokens:write');
    expect(caller.changeRefusal('users:write', { permissions: ['@cli'] })).toBe('Requires tokens:write');
  });
});
