// The real Tessera api (the api's own HTTP test harness: the whole Nest app, migrations, guard,
// change stream) on a real PostgreSQL (embedded, one per jest worker: see jest.config.cts).
// Test code only: the example service itself talks to Tessera over HTTP like any other service.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestApp, type TestApp } from '../../../api/src/testing/test-app';

export type { TestApp };

/** Tessera listening on 127.0.0.1:<free port>; `close()` stops it and drops its database. */
export function startTessera(): Promise<TestApp> {
  return createTestApp();
}
