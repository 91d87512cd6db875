import { type DynamicModule, Global, Inject, Logger, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TESSERA_OPTIONS, type TesseraModuleOptions } from './tessera.options.js';
import { TesseraGuard } from './tessera.guard.js';
import { TesseraVerifier } from './tessera-verifier.js';

/**
 * `TesseraModule.forRoot({ url, credential })`: protects this NestJS service with Tessera tokens.
 * `credential` is a Tessera token of your organization holding `tokens:introspect` and
 * `changes:read`. Starts the change stream with the app and stops it on shutdown (call
 * `app.enableShutdownHooks()` for signals).
 */
@Global()
@Module({})
export class TesseraModule implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Tessera');

  constructor(@Inject(TesseraVerifier) private readonly verifier: TesseraVerifier) {}

  static forRoot(options: TesseraModuleOptions): DynamicModule {
    if (!options.url) throw new Error('TesseraModule.forRoot: url is required (where Tessera answers, e.g. http://127.0.0.1:3000)');
    if (!options.credential) throw new Error('TesseraModule.forRoot: credential is required (a token with tokens:introspect and changes:read)');
    return {
      module: TesseraModule,
      providers: [
        { provide: TESSERA_OPTIONS, useValue: options },
        {
          provide: TesseraVerifier,
          useFactory: (o: TesseraModuleOptions) => {
            const logger = new Logger('Tessera');
            return new TesseraVerifier({ ...o, log: o.log ?? ((m) => logger.warn(m)) });
          },
          inject: [TESSERA_OPTIONS],
        },
        TesseraGuard,
        ...(options.global === false ? [] : [{ provide: APP_GUARD, useExisting: TesseraGuard }]),
      ],
      exports: [TESSERA_OPTIONS, TesseraVerifier, TesseraGuard],
    };
  }

  onModuleInit(): void {
    this.verifier.start();
    this.logger.log('following Tessera’s change stream');
  }

  async onModuleDestroy(): Promise<void> {
    await this.verifier.stop();
  }
}
