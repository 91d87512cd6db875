import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { RequirePermission } from '../common/decorators';
import { Metrics } from './metrics.service';

/** Served at `/metrics`, outside the `/api/v1` prefix, where Prometheus looks by default. */
export const METRICS_PATH = 'metrics';

@ApiTags('metrics')
@Controller(METRICS_PATH)
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @RequirePermission('metrics:read')
  @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format); send a token with metrics:read as the bearer token' })
  @ApiProduces(Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOkResponse({ description: 'Process metrics and tessera_* metrics', schema: { type: 'string' } })
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
