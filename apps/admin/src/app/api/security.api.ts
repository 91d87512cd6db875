import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { IpAllowlistDto } from '@tessera/domain';
import { Observable } from 'rxjs';
import { API } from './http-params';

export interface IpAllowlistEntry {
  cidr: string;
  note: string;
}

@Injectable({ providedIn: 'root' })
export class SecurityApi {
  private readonly http = inject(HttpClient);
  private readonly base = `${API}/security/ip-allowlist`;

  getAllowlist(): Observable<IpAllowlistDto> {
    return this.http.get<IpAllowlistDto>(this.base);
  }
  saveAllowlist(entries: IpAllowlistEntry[], force = false): Observable<IpAllowlistDto> {
    return this.http.put<IpAllowlistDto>(this.base, force ? { entries, force } : { entries });
  }
}
