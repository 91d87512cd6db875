import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * The console is a single-page app: a GET for an unknown path outside /api answers index.html
 * so client-side routes survive a reload. /api/* never falls back.
 */
@Injectable()
export class SpaFallback {
  private html: Buffer | null | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get root(): string | null {
    return this.config.serveAdmin && existsSync(join(this.config.adminDist, 'index.html')) ? this.config.adminDist : null;
  }

  indexFor(method: string, path: string): Buffer | null {
    if (method !== 'GET' && method !== 'HEAD') return null;
    if (path === '/api' || path.startsWith('/api/')) return null;
    if (this.html === undefined) {
      const root = this.root;
      this.html = root ? readFileSync(join(root, 'index.html')) : null;
    }
    return this.html;
  }
}
