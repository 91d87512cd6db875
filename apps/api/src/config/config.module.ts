import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { CLOCK, type Clock, systemClock } from '../common/clock';
import { APP_CONFIG, type AppConfig } from './app-config';
import { PermissionCatalog } from './permission-catalog';

export interface CoreOptions {
  config: AppConfig;
  clock?: Clock;
}

/**
 * The validated configuration (APP_CONFIG, also readable through @nestjs/config's ConfigService as
 * `config.get('tessera')`), the Clock and the PermissionCatalog (built-in + PERMISSIONS_FILE),
 * available everywhere.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: CoreModule,
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [() => ({ tessera: options.config })] })],
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: PermissionCatalog, useFactory: () => PermissionCatalog.fromConfig(options.config) },
      ],
      exports: [APP_CONFIG, CLOCK, PermissionCatalog],
    };
  }
}
