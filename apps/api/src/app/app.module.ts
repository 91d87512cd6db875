import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger as Pino } from 'pino';
import { AccessModule } from '../access/access.module';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { ChangesModule } from '../changes/changes.module';
import type { FirstStartReporter } from '../auth/first-start.service';
import { FirstStartReporterModule } from '../auth/first-start-reporter.module';
import type { Clock } from '../common/clock';
import { ProblemFilter } from './problem.filter';
import { SpaFallback } from './spa-fallback';
import type { AppConfig } from '../config/app-config';
import { CoreModule } from '../config/config.module';
import { CredentialsModule } from '../credentials/credentials.module';
import { DatabaseModule } from '../database/database.module';
import { HealthModule } from '../health/health.module';
import { IntrospectModule } from '../introspect/introspect.module';
import { InvitationsModule } from '../invitations/invitations.module';
import { MetricsModule } from '../metrics/metrics.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PermissionsModule } from '../permissions/permissions.module';
import { RolesModule } from '../roles/roles.module';
import { SecurityModule } from '../security/security.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';

export interface AppOptions {
  /**
   * Validated configuration; `databaseUrl` must be resolved (embedded server already started, its
   * runtime role in `databaseRuntimeUrl`, `databaseRuntimeManaged` true: Tessera keeps its password).
   */
  config: AppConfig & { databaseUrl: string; databaseRuntimeManaged?: boolean };
  clock?: Clock;
  firstStartReporter?: FirstStartReporter;
  /** The process's root logger (main.ts makes it first); by default one is made from the config. */
  logger?: Pino;
}

@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(options),
        FirstStartReporterModule.forRoot(options.firstStartReporter),
        MetricsModule,
        DatabaseModule.forRoot(
          {
            owner: options.config.databaseUrl,
            runtime: options.config.databaseRuntimeUrl,
            runtimeManaged: options.config.databaseRuntimeManaged === true,
          },
          options.config.logLevel !== 'silent',
        ),
        CredentialsModule,
        AuditModule,
        AuthModule,
        HealthModule,
        TokensModule,
        RolesModule,
        UsersModule,
        InvitationsModule,
        OrganizationsModule,
        SecurityModule,
        PermissionsModule,
        AccessModule,
        IntrospectModule,
        ChangesModule,
      ],
      providers: [SpaFallback, { provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}
