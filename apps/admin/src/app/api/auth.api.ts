import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { ChangePasswordInput, LoginInput, LoginResponseDto, MeDto, Page, SessionDto } from '@tessera/domain';
import { Observable, map } from 'rxjs';
import { API } from './http-params';

@Injectable({ providedIn: 'root' })
export class AuthApi {
  private readonly http = inject(HttpClient);
  private readonly base = `${API}/auth`;

  login(input: LoginInput): Observable<LoginResponseDto> {
    return this.http.post<LoginResponseDto>(`${this.base}/login`, input);
  }
  logout(): Observable<void> {
    return this.http.post<void>(`${this.base}/logout`, {});
  }
  /** The signed-in user's own password; the api ends their other sessions. */
  changePassword(input: ChangePasswordInput): Observable<{ endedSessions: number }> {
    return this.http.post<{ endedSessions: number }>(`${this.base}/password`, input);
  }
  me(): Observable<MeDto> {
    return this.http.get<MeDto>(`${this.base}/me`);
  }
  sessions(): Observable<SessionDto[]> {
    return this.http
      .get<SessionDto[] | Page<SessionDto>>(`${this.base}/sessions`)
      .pipe(map((r) => (Array.isArray(r) ? r : r.items)));
  }
  endSession(id: string): Observable<void> {
    return this.http.delete<void>(`${this.base}/sessions/${id}`);
  }
}
