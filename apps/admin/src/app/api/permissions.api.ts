import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { PermissionCatalogDto } from '@tessera/domain';
import { Observable, shareReplay } from 'rxjs';
import { API } from './http-params';

@Injectable({ providedIn: 'root' })
export class PermissionsApi {
  private readonly http = inject(HttpClient);
  private cached: Observable<PermissionCatalogDto> | null = null;

  /** The permission catalog (resources and their actions); fetched once per page load. */
  catalog(): Observable<PermissionCatalogDto> {
    this.cached ??= this.http.get<PermissionCatalogDto>(`${API}/permissions`).pipe(shareReplay({ bufferSize: 1, refCount: false }));
    return this.cached;
  }
}
