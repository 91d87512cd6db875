import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { ExplainRequestInput, ExplainResponseDto } from '@tessera/domain';
import { Observable } from 'rxjs';
import { API } from './http-params';

@Injectable({ providedIn: 'root' })
export class AccessApi {
  private readonly http = inject(HttpClient);

  explain(input: ExplainRequestInput): Observable<ExplainResponseDto> {
    return this.http.post<ExplainResponseDto>(`${API}/access/explain`, input);
  }
}
