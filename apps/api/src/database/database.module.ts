import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OUTAGE_REPORTER } from '../common/database-unavailable';
import { DatabaseAvailability } from './availability';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { SpillStore } from './spill-store';
import { TypeOrmLogger } from './typeorm-logger';

/**
 * TypeORM over `pg`; migrations run on start; never synchronize. Also provides, everywhere,
 * DatabaseAvailability (is PostgreSQL reachable?) and the SpillStore (what could not be written
 * before a stop during an outage).
 */
@Module({})
export class DatabaseModule {
  static forRoot(databaseUrl: string, logErrors = true): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: databaseUrl,
          entities: ENTITIES,
          migrations: MIGRATIONS,
          migrationsRun: true,
          migrationsTransactionMode: 'all',
          synchronize: false,
          logging: logErrors ? ['error', 'warn'] : false,
          logger: new TypeOrmLogger(logErrors),
          // A server that does not answer (network split) fails a connection attempt after 3 s
          // instead of leaving requests waiting for the kernel's TCP timeout.
          extra: { max: 20, application_name: 'tessera', connectionTimeoutMillis: 3_000 },
          retryAttempts: 3,
          retryDelay: 500,
        }),
      ],
      providers: [DatabaseAvailability, SpillStore, { provide: OUTAGE_REPORTER, useExisting: DatabaseAvailability }],
      exports: [DatabaseAvailability, SpillStore, OUTAGE_REPORTER],
    };
  }
}
