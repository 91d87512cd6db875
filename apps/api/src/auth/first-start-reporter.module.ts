import { type DynamicModule, Global, Module } from '@nestjs/common';
import { FIRST_START_REPORTER, type FirstStartReporter, printFirstStart } from './first-start.service';

/**
 * Who hears the first-start admin credentials: printed once on stdout by default; tests and
 * embedding code pass their own reporter (AppOptions.firstStartReporter).
 */
@Global()
@Module({})
export class FirstStartReporterModule {
  static forRoot(reporter: FirstStartReporter = printFirstStart): DynamicModule {
    return {
      module: FirstStartReporterModule,
      providers: [{ provide: FIRST_START_REPORTER, useValue: reporter }],
      exports: [FIRST_START_REPORTER],
    };
  }
}
