import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable, unavailableReason } from '../common/database-unavailable';
import { Public } from '../common/decorators';
import { serviceUnavailable } from '../common/problem';
import { DatabaseAvailability } from '../database/availability';

/** How long /health/ready waits for the database's answer. */
const READY_TIMEOUT_MS = 1_500;

export interface ReadyAnswer {
  status: 'ok';
  info: { database: { status: 'up' } };
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly availability: DatabaseAvailability,
  ) {}

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'The process is up (no dependencies checked; stays 200 while the database is down)' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Ready to serve: the database answers (else 503 problem+json naming the database, with Retry-After)' })
  @ApiResponse({ status: 503, description: 'The database is unreachable' })
  async ready(): Promise<ReadyAnswer> {
    if (this.availability.isDown) throw unreachable(this.availability.outageStartedAt);
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout exceeded when trying to connect')), READY_TIMEOUT_MS);
      });
      await Promise.race([this.dataSource.query('SELECT 1'), timeout]);
    } catch (err) {
      if (isDatabaseUnavailable(err)) this.availability.reportError(err);
      throw serviceUnavailable(`database: down (${unavailableReason(err)})`, DATABASE_RETRY_AFTER_SECONDS);
    } finally {
      clearTimeout(timer);
    }
    return { status: 'ok', info: { database: { status: 'up' } } };
  }
}

function unreachable(since: Date | null): Error {
  const detail = since ? `database: down since ${since.toISOString()}` : 'database: down';
  return serviceUnavailable(detail, DATABASE_RETRY_AFTER_SECONDS);
}
