import { HttpParams } from '@angular/common/http';

/** Builds query parameters, leaving out empty values. */
export function toParams(query: object): HttpParams {
  let params = new HttpParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params = params.set(key, String(value));
  }
  return params;
}

export const API = '/api/v1';
