import type { FastifyReply } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The Content-Security-Policy of everything the api serves: the console (Angular + Material),
 * Swagger UI and the JSON answers. Scripts only from this origin, nothing may frame the pages,
 * no plugins, no <base> elsewhere. Styles also inline: Angular adds component styles as <style>
 * elements at run time and Swagger UI's page has a <style> block (no script runs inline).
 * Images and fonts may be data: URLs (Material and Swagger UI icons in CSS). No
 * upgrade-insecure-requests: Tessera is often reached over plain http on a private network, where
 * it would send the console's own requests to an https port that is not there.
 */
export const CONTENT_SECURITY_POLICY: Record<string, string[]> = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
  'form-action': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
};

/** helmet's options: the CSP above, Referrer-Policy no-referrer, X-Frame-Options DENY, its other defaults. */
export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  referrerPolicy: { policy: 'no-referrer' },
  frameguard: { action: 'deny' },
};

/**
 * The headers helmet sets with HELMET_OPTIONS, computed once: helmet's middleware is run at start-up
 * against a recorder. None of them depends on the request (no CSP nonces), so every answer gets
 * this same object. @fastify/helmet rebuilt helmet's middleware (parsing the CSP directives) and ran
 * it for every request through two hooks, one of them async: ≈ 8 % of the api's CPU under load
 * (docs/performance.md).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze(headersOf(HELMET_OPTIONS));

function headersOf(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]): void {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string): void {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as never, recorder as never, (error?: unknown) => {
    failure = error;
  });
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return headers;
}

/** Puts the security headers on an answer (before any handler, so errors and 404s carry them too). */
export function setSecurityHeaders(reply: FastifyReply): void {
  void reply.headers(SECURITY_HEADERS);
}
