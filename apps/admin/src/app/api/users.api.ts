import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { CreateUserInput, Page, UpdateUserInput, UserDto } from '@tessera/domain';
import { Observable, map } from 'rxjs';
import { API } from './http-params';

@Injectable({ providedIn: 'root' })
export class UsersApi {
  private readonly http = inject(HttpClient);
  private readonly base = `${API}/users`;

  list(): Observable<UserDto[]> {
    return this.http
      .get<UserDto[] | Page<UserDto>>(this.base, { params: { pageSize: 100 } })
      .pipe(map((r) => (Array.isArray(r) ? r : r.items)));
  }
  create(input: CreateUserInput): Observable<UserDto> {
    return this.http.post<UserDto>(this.base, input);
  }
  update(id: string, input: UpdateUserInput): Observable<UserDto> {
    return this.http.patch<UserDto>(`${this.base}/${id}`, input);
  }
}
