import 'reflect-metadata';
import { createOrdersApp } from './orders-app';

/**
 * The example orders service: `TESSERA_URL=http://127.0.0.1:3000 TESSERA_TOKEN=tsr_… PORT=3100
 * node dist/apps/example-orders/main.js`. TESSERA_TOKEN holds tokens:introspect and changes:read.
 */
async function main(): Promise<void> {
  const url = process.env['TESSERA_URL'];
  const credential = process.env['TESSERA_TOKEN'];
  if (!url || !credential) {
    process.stderr.write('TESSERA_URL and TESSERA_TOKEN are required (a Tessera token with tokens:introspect and changes:read)\n');
    process.exit(2);
  }
  const app = await createOrdersApp({ url, credential }, { logs: process.env['LOG_LEVEL'] !== 'silent' });
  app.enableShutdownHooks();
  await app.listen({ port: Number(process.env['PORT'] ?? 3100), host: process.env['HOST'] ?? '127.0.0.1' });
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
