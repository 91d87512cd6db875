import { config } from 'zod';

/**
 * The console runs under `script-src 'self'` (no 'unsafe-eval'). Zod compiles object parsers with
 * `new Function` unless told not to, and even its probe for that is reported as a CSP violation:
 * parse without it. Built as the app's polyfills (project.json), so it runs before main.js, whose
 * modules build their schemas as they load: an import at the top of main.ts is not enough, the
 * bundler may place the modules of @tessera/domain ahead of it. Zod keeps this setting on
 * globalThis, so the copy of zod in main.js sees it.
 */
config({ jitless: true });
