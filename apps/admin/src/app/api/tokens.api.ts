import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { CreateTokenInput, CreatedTokenDto, Page, TokenDto, TokenStatus, UpdateTokenInput } from '@tessera/domain';
import { Observable } from 'rxjs';
import { API, toParams } from './http-params';

export interface TokenListQuery {
  q?: string;
  guid?: string;
  scope?: string;
  status?: TokenStatus | '';
  sort?: string;
  page: number;
  pageSize: number;
}

@Injectable({ providedIn: 'root' })
export class TokensApi {
  private readonly http = inject(HttpClient);
  private readonly base = `${API}/tokens`;

  list(query: TokenListQuery): Observable<Page<TokenDto>> {
    return this.http.get<Page<TokenDto>>(this.base, { params: toParams(query) });
  }
  get(id: string): Observable<TokenDto> {
    return this.http.get<TokenDto>(`${this.base}/${id}`);
  }
  create(input: CreateTokenInput): Observable<CreatedTokenDto> {
    return this.http.post<CreatedTokenDto>(this.base, input);
  }
  update(id: string, input: UpdateTokenInput, version?: number): Observable<TokenDto> {
    const headers: Record<string, string> = version === undefined ? {} : { 'If-Match': `"${version}"` };
    return this.http.patch<TokenDto>(`${this.base}/${id}`, input, { headers });
  }
  delete(id: string): Observable<void> {
    return this.http.delete<void>(`${this.base}/${id}`);
  }
  activate(id: string): Observable<TokenDto> {
    return this.http.post<TokenDto>(`${this.base}/${id}/activate`, {});
  }
  deactivate(id: string): Observable<TokenDto> {
    return this.http.post<TokenDto>(`${this.base}/${id}/deactivate`, {});
  }
  revoke(id: string): Observable<TokenDto> {
    return this.http.post<TokenDto>(`${this.base}/${id}/revoke`, {});
  }
  regenerate(id: string, graceSeconds: number): Observable<CreatedTokenDto> {
    return this.http.post<CreatedTokenDto>(`${this.base}/${id}/regenerate`, { graceSeconds });
  }
}
