import { Injectable, computed, signal } from '@angular/core';
import type { MeDto } from '@tessera/domain';

const TOKEN_KEY = 'tessera.session';

/** Holds the session bearer token (sessionStorage) and the signed-in principal. */
@Injectable({ providedIn: 'root' })
export class SessionStore {
  private readonly tokenState = signal<string | null>(readToken());
  readonly token = this.tokenState.asReadonly();
  readonly me = signal<MeDto | null>(null);
  readonly signedIn = computed(() => this.tokenState() !== null);

  setToken(token: string): void {
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch {
      /* storage unavailable: keep it in memory only */
    }
    this.tokenState.set(token);
  }

  clear(): void {
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      /* ignore */
    }
    this.tokenState.set(null);
    this.me.set(null);
  }
}

function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}
