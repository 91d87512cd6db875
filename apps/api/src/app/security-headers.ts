import type { FastifyHelmetOptions } from '@fastify/helmet';

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

/** @fastify/helmet options: the CSP above, Referrer-Policy no-referrer, X-Frame-Options DENY. */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  referrerPolicy: { policy: 'no-referrer' },
  frameguard: { action: 'deny' },
};
