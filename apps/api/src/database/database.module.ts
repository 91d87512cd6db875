import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** TypeORM over `pg`; migrations run on start; never synchronize. */
@Module({})
export class DatabaseModule {
  static forRoot(databaseUrl: string, logErrors = true): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: databaseUrl,
          entities: ENTITIES,
          migrations: MIGRATIONS,
          migrationsRun: true,
          migrationsTransactionMode: 'all',
          synchronize: false,
          logging: logErrors ? ['error'] : false,
          extra: { max: 20, application_name: 'tessera' },
          retryAttempts: 3,
          retryDelay: 500,
        }),
      ],
    };
  }
}
