import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLoggerInterface } from 'typeorm';
import { isDatabaseUnavailable } from '../common/database-unavailable';

/**
 * TypeORM's log of failed queries, through Nest's logger. Connection errors are left out: while the
 * database is unreachable every query fails the same way, and DatabaseAvailability reports that
 * once (a warning when it goes, one when it returns) instead of one error per request.
 */
export class TypeOrmLogger implements TypeOrmLoggerInterface {
  private readonly logger = new Logger('TypeORM');

  constructor(private readonly enabled = true) {}

  logQuery(): void {
    /* queries are not logged */
  }

  logQueryError(error: string | Error): void {
    if (!this.enabled || isDatabaseUnavailable(error)) return;
    this.logger.error(`query failed: ${typeof error === 'string' ? error : error.message}`);
  }

  logQuerySlow(): void {
    /* not used */
  }

  logSchemaBuild(): void {
    /* not used */
  }

  logMigration(message: string): void {
    if (this.enabled) this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    // "Postgres pool raised an error": an idle pooled connection died (the server went away).
    if (this.enabled && level === 'warn' && !isDatabaseUnavailable(message) && !/pool raised an error/i.test(String(message))) {
      this.logger.warn(String(message));
    }
  }
}
