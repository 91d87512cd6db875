import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { AcceptInvitationInput, AcceptedInvitationDto, CreateInvitationInput, CreatedInvitationDto, InvitationDto, Page } from '@tessera/domain';
import { Observable } from 'rxjs';
import { API, toParams } from './http-params';

@Injectable({ providedIn: 'root' })
export class InvitationsApi {
  private readonly http = inject(HttpClient);
  private readonly base = `${API}/invitations`;

  /** Pending and expired invitations, newest first. */
  list(page = 1, pageSize = 100): Observable<Page<InvitationDto>> {
    return this.http.get<Page<InvitationDto>>(this.base, { params: toParams({ page, pageSize }) });
  }
  create(input: CreateInvitationInput): Observable<CreatedInvitationDto> {
    return this.http.post<CreatedInvitationDto>(this.base, input);
  }
  resend(id: string): Observable<CreatedInvitationDto> {
    return this.http.post<CreatedInvitationDto>(`${this.base}/${id}/resend`, {});
  }
  remove(id: string): Observable<void> {
    return this.http.delete<void>(`${this.base}/${id}`);
  }
  /** Public: no session needed. */
  accept(input: AcceptInvitationInput): Observable<AcceptedInvitationDto> {
    return this.http.post<AcceptedInvitationDto>(`${this.base}/accept`, input);
  }
}
