import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import { MetricsController } from './metrics.controller';
import { Metrics } from './metrics.service';

/**
 * `Metrics` for every module (global: the guard and the buffered writers report to
 * it) and `GET /metrics`. Request durations are taken in a Fastify onResponse hook, by route
 * template, from Fastify's own timer (`reply.elapsedTime`).
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [Metrics],
  exports: [Metrics],
})
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly adapterHost: HttpAdapterHost<FastifyAdapter>,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance();
    if (!fastify) return;
    const metrics = this.metrics;
    fastify.addHook('onResponse', (request, reply, done) => {
      metrics.observeRequest(request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }
}
