import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTesseraApp } from './app/create-app';
import { type AppConfig, ConfigError, parseConfig } from './config/app-config';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from './database/embedded-postgres';
import { createRootLogger, nestLoggerFor } from './app/logging';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Tessera cannot start. ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  // One logger from the first line on: Nest's static Logger, the app's and the request logs.
  const root = createRootLogger(config);
  Logger.overrideLogger(nestLoggerFor(root));
  const logger = new Logger('Tessera');
  let embedded: EmbeddedPostgresHandle | null = null;
  let databaseUrl = config.databaseUrl;
  let databaseRuntimeUrl = config.databaseRuntimeUrl;
  if (databaseUrl === null) {
    logger.log(`DATABASE_URL not set: starting embedded PostgreSQL in ${config.dataDir}/postgres`);
    embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, (line) => {
      if (config.logLevel === 'debug' || config.logLevel === 'trace') logger.debug(line);
    }, (line) => logger.warn(line));
    databaseUrl = embedded.url;
    databaseRuntimeUrl = embedded.runtimeUrl;
  }

  let app: NestFastifyApplication | null = null;
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: shutting down`);
    try {
      await app?.close(); // flushes usage data and buffered audit rows
    } finally {
      await embedded?.stop();
      process.exit(0);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));

  try {
    app = await createTesseraApp({
      config: { ...config, databaseUrl, databaseRuntimeUrl, databaseRuntimeManaged: embedded !== null },
      logger: root,
    });
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    await app?.close().catch(() => undefined);
    await embedded?.stop();
    process.exit(1);
  }
  logger.log(`Tessera listening on http://${config.host}:${config.port}`);
}

void main();
