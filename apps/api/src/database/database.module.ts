import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OUTAGE_REPORTER } from '../common/database-unavailable';
import { DatabaseAvailability } from './availability';
import { migrateDatabase } from './migrate-database';
import { MIGRATIONS } from './migrations';
import { runtimeRoleFromUrl } from './runtime-role';
import { SpillStore } from './spill-store';
import { TypeOrmLogger } from './typeorm-logger';

export interface DatabaseUrls {
  /** The owner of the tables (DATABASE_URL, or the embedded superuser): migrations only. */
  owner: string;
  /** The role the api serves under; null → the owner serves too (warned). */
  runtime: string | null;
  /** true: Tessera made the runtime role and keeps its password (embedded PostgreSQL). */
  runtimeManaged?: boolean;
}

/**
 * TypeORM over `pg`; never synchronize. On start, migrations run under the owner role on a
 * connection of their own and the runtime role is granted what it needs (migrate-database.ts);
 * then the api serves under the runtime role, which may not change or remove audit rows. Also
 * provides, everywhere, DatabaseAvailability (is PostgreSQL reachable?) and the SpillStore (what
 * could not be written before a stop during an outage).
 */
@Module({})
export class DatabaseModule {
  static forRoot(urls: DatabaseUrls, logErrors = true): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: async () => {
            const logger = new Logger(DatabaseModule.name);
            const runtime = urls.runtime ? runtimeRoleFromUrl(urls.runtime, urls.runtimeManaged === true) : null;
            const applied = await migrateDatabase(urls.owner, runtime);
            if (applied.length > 0 && logErrors) logger.log(`Applied migrations: ${applied.join(', ')}`);
            if (!runtime && logErrors) {
              logger.warn(
                'DATABASE_RUNTIME_URL is not set: serving under the owner role of DATABASE_URL, which could change or ' +
                  'remove audit rows (only a trigger it may disable stops it). See docs/operations.md "Two database roles".',
              );
            }
            return {
              type: 'postgres' as const,
              url: urls.runtime ?? urls.owner,
              // Each feature module registers its own entities (TypeOrmModule.forFeature): the
              // database layer names none of them.
              autoLoadEntities: true,
              migrations: MIGRATIONS,
              migrationsRun: false,
              // Extensions are the migrations' business (the owner's); the runtime role may not create them.
              installExtensions: false,
              synchronize: false,
              logging: logErrors ? (['error', 'warn'] as const) : false,
              logger: new TypeOrmLogger(logErrors),
              // A server that does not answer (network split) fails a connection attempt after 3 s
              // instead of leaving requests waiting for the kernel's TCP timeout.
              extra: { max: 20, application_name: 'tessera', connectionTimeoutMillis: 3_000 },
              retryAttempts: 3,
              retryDelay: 500,
            };
          },
        }),
      ],
      providers: [DatabaseAvailability, SpillStore, { provide: OUTAGE_REPORTER, useExisting: DatabaseAvailability }],
      exports: [DatabaseAvailability, SpillStore, OUTAGE_REPORTER],
    };
  }
}
