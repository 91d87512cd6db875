import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { authInterceptor } from './auth.interceptor';
import { SessionStore } from './session.store';

describe('authInterceptor', () => {
  let http: HttpClient;
  let backend: HttpTestingController;
  let session: SessionStore;

  beforeEach(() => {
    sessionStorage.clear();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(withInterceptors([authInterceptor])), provideHttpClientTesting(), provideRouter([])],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
    session = TestBed.inject(SessionStore);
  });

  it('sends the session token as a Bearer to the api', () => {
    session.setToken('tss_abc');
    http.get('/api/v1/tokens').subscribe();
    expect(backend.expectOne('/api/v1/tokens').request.headers.get('Authorization')).toBe('Bearer tss_abc');
  });

  it('sends the user back to login with "session expired" on 401', () => {
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    session.setToken('tss_abc');
    http.get('/api/v1/tokens').subscribe({ error: () => undefined });
    backend.expectOne('/api/v1/tokens').flush({ title: 'Unauthorized' }, { status: 401, statusText: 'Unauthorized' });
    expect(session.token()).toBeNull();
    expect(navigate).toHaveBeenCalledWith(['/login'], { queryParams: { expired: 1 } });
  });
});
