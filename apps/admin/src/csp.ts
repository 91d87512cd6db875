import { config } from 'zod';

/**
 * The console runs under `script-src 'self'` (no 'unsafe-eval'). Zod compiles object parsers with
 * `new Function` unless told not to, and even its probe for that is reported as a CSP violation:
 * parse without it. Imported first by main.ts, before any schema parses.
 */
config({ jitless: true });
