import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { AuditEventDto, Page } from '@tessera/domain';
import { Observable } from 'rxjs';
import { API, toParams } from './http-params';

export interface AuditQuery {
  actor?: string;
  action?: string;
  target?: string;
  outcome?: 'success' | 'failure' | '';
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

@Injectable({ providedIn: 'root' })
export class AuditApi {
  private readonly http = inject(HttpClient);

  list(query: AuditQuery): Observable<Page<AuditEventDto>> {
    return this.http.get<Page<AuditEventDto>>(`${API}/audit`, { params: toParams(query) });
  }
}
