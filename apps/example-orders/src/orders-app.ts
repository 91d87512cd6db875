import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { TesseraModule, type TesseraModuleOptions } from '@tessera/nest';
import { HealthController } from './health/health.controller';
import { OrdersModule } from './orders/orders.module';

@Module({})
export class OrdersAppModule {
  static forRoot(tessera: TesseraModuleOptions): DynamicModule {
    return {
      module: OrdersAppModule,
      // Every route needs a Tessera token unless it says @Public().
      imports: [TesseraModule.forRoot(tessera), OrdersModule],
      controllers: [HealthController],
    };
  }
}

/** The orders service (Fastify), initialised but not listening: main.ts and the tests use it. */
export async function createOrdersApp(tessera: TesseraModuleOptions, options: { logs?: boolean } = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(OrdersAppModule.forRoot(tessera), new FastifyAdapter(), {
    logger: options.logs === false ? false : ['log', 'warn', 'error'],
  });
  await app.init();
  return app;
}
