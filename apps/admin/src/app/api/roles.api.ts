import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { CreateRoleInput, Page, RoleDto, UpdateRoleInput } from '@tessera/domain';
import { Observable, map } from 'rxjs';
import { API } from './http-params';

@Injectable({ providedIn: 'root' })
export class RolesApi {
  private readonly http = inject(HttpClient);
  private readonly base = `${API}/roles`;

  /** All roles of the organization (accepts a bare array or a page from the api). */
  list(): Observable<RoleDto[]> {
    return this.http
      .get<RoleDto[] | Page<RoleDto>>(this.base, { params: { pageSize: 100 } })
      .pipe(map((r) => (Array.isArray(r) ? r : r.items)));
  }
  create(input: CreateRoleInput): Observable<RoleDto> {
    return this.http.post<RoleDto>(this.base, input);
  }
  update(id: string, input: UpdateRoleInput): Observable<RoleDto> {
    return this.http.patch<RoleDto>(`${this.base}/${id}`, input);
  }
  delete(id: string): Observable<void> {
    return this.http.delete<void>(`${this.base}/${id}`);
  }
}
