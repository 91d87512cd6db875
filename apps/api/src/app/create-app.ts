import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { CHANGES_PATH } from '../changes/changes.controller';
import { METRICS_PATH } from '../metrics/metrics.controller';
import { AppModule, type AppOptions } from './app.module';
import { createRootLogger, logRequest, nestLoggerFor, requestId, SampledRequestLines } from './logging';
import { collectRoutes, frameworkError, isApiPath, refuseUnparseableTarget, ROUTER_OPTIONS } from './request-target.hook';
import { setSecurityHeaders } from './security-headers';

export const API_PREFIX = 'api/v1';
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface CreateAppOptions extends AppOptions {
  /** false: no Nest bootstrap logs (tests). */
  bootLogs?: boolean;
  /**
   * false: no @fastify/static (console files, Swagger UI assets); the OpenAPI JSON stays. Tests use
   * false because jest cannot load @fastify/static's ESM dependencies.
   */
  serveStatic?: boolean;
}

/**
 * Builds the whole Tessera api (Fastify adapter): /api/v1 routes, OpenAPI at /api/docs, the
 * console at / with SPA fallback, 64 KiB body limit. Initialised but not listening.
 * main.ts and the test harness both use it, so tests run the real app.
 */
export async function createTesseraApp(options: CreateAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: false, // the client IP is resolved by auth/client-ip.ts under TRUST_PROXY
    genReqId: requestId,
    // `//` and a trailing slash route like the path without them, as the guard's canonical target reads them.
    routerOptions: { ...ROUTER_OPTIONS },
    frameworkErrors: frameworkError,
  });
  const fastify = adapter.getInstance();
  collectRoutes(fastify);
  // Every answer, errors and 404s included: the security headers (CSP, X-Frame-Options DENY,
  // Referrer-Policy no-referrer, nosniff, ...: computed once at start-up), and for the api (login
  // and token creation carry secrets) no caching (RFC 6749 §5.1), the path read as the router does
  // (`//api/v1/auth/login` is routed too). Then a target the guard cannot read exactly as the
  // router routes it is a 400, before anything else. One callback hook: no promise per request.
  fastify.addHook('onRequest', (request, reply, done) => {
    setSecurityHeaders(reply);
    if (isApiPath(request)) reply.header('cache-control', 'no-store');
    refuseUnparseableTarget(request, reply, done);
  });
  // One logger for Nest, the services and the request lines (main.ts makes it before anything).
  const root = options.logger ?? createRootLogger(options.config);
  const nestLogger = nestLoggerFor(root);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    logger: options.bootLogs === false ? false : nestLogger,
  });
  app.useLogger(nestLogger);
  app.setGlobalPrefix(API_PREFIX, { exclude: [{ path: METRICS_PATH, method: RequestMethod.GET }] });

  // The request line, written by Fastify's onResponse (after the answer went out): a level check
  // and nothing else when LOG_LEVEL is above the line's level.
  const sampledLines = new SampledRequestLines(root); // refusals and 503s: at most 20 lines a second
  fastify.addHook('onResponse', (request, reply, done) => {
    logRequest(root, request, reply.statusCode, reply.elapsedTime, sampledLines);
    done();
  });
  // A Server-Sent Events answer is written to the raw response (Nest's @Sse), so onResponse never
  // runs for it: its line is written when the stream closes. (A refusal goes the usual way.)
  fastify.addHook('onRoute', (route) => {
    if (route.url !== `/${API_PREFIX}/${CHANGES_PATH}`) return;
    const logStream = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      reply.raw.once('close', () => {
        if (reply.raw.headersSent && reply.raw.statusCode === 200) logRequest(root, request, 200, reply.elapsedTime, sampledLines);
      });
      done();
    };
    const existing = route.onRequest;
    route.onRequest = existing === undefined ? [logStream] : [...(Array.isArray(existing) ? existing : [existing]), logStream];
  });
  const config = options.config;
  const adminRoot = resolve(config.adminDist);
  const serveStatic = options.serveStatic !== false;
  if (serveStatic && config.serveAdmin && existsSync(resolve(adminRoot, 'index.html'))) {
    app.useStaticAssets({ root: adminRoot, prefix: '/', wildcard: true, index: ['index.html'] });
  }

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tessera API')
      .setDescription(
        'Self-hostable API token service. Send `Authorization: Bearer <token>` (an API token `tsr_…` or a session token `tss_…` from auth/login). Errors are application/problem+json.',
      )
      .setVersion('1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'tsr_… API token or tss_… session token' })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs/openapi.json',
    ui: serveStatic,
  });

  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
