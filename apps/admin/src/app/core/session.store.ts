import { Injectable, computed, signal } from '@angular/core';
import type { MeDto } from '@tessera/domain';

const TOKEN_KEY = 'tessera.session';
const ME_KEY = 'tessera.me';

/**
 * Holds the session bearer token and the signed-in principal (`auth/me`), both in sessionStorage:
 * a reload shows the console at once and asks `auth/me` again behind it (Caller).
 */
@Injectable({ providedIn: 'root' })
export class SessionStore {
  private readonly tokenState = signal<string | null>(readToken());
  readonly token = this.tokenState.asReadonly();
  private readonly meState = signal<MeDto | null>(readMe());
  readonly me = this.meState.asReadonly();
  readonly signedIn = computed(() => this.tokenState() !== null);

  setToken(token: string): void {
    try {
      sessionStorage.removeItem(ME_KEY);
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch {
      /* storage unavailable: keep it in memory only */
    }
    this.tokenState.set(token);
    this.meState.set(null);
  }

  setMe(me: MeDto): void {
    try {
      sessionStorage.setItem(ME_KEY, JSON.stringify(me));
    } catch {
      /* storage unavailable: keep it in memory only */
    }
    this.meState.set(me);
  }

  clear(): void {
    try {
      sessionStorage.removeItem(TOKEN_KEY);
      sessionStorage.removeItem(ME_KEY);
    } catch {
      /* ignore */
    }
    this.tokenState.set(null);
    this.meState.set(null);
  }
}

function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function readMe(): MeDto | null {
  try {
    const raw = sessionStorage.getItem(TOKEN_KEY) ? sessionStorage.getItem(ME_KEY) : null;
    return raw ? (JSON.parse(raw) as MeDto) : null;
  } catch {
    return null;
  }
}
