// Baseline `bare` of `npm run bench`: the framework's limit, our 100 %. A minimal NestJS 11 +
// Fastify app with one GET route answering a fixed JSON of the size of Tessera's auth/me (run.mjs
// passes the body it got from Tessera in BENCH_BODY): no guard, no logging, no hooks.
// Transpiled by run.mjs (TypeScript's transpileModule) into dist/bench-baselines/ and started as
// `node dist/bench-baselines/bare.js` with PORT.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

const BODY: unknown = JSON.parse(process.env['BENCH_BODY'] ?? '{"kind":"token","id":"00000000-0000-4000-8000-000000000000"}');

@Controller('api/v1/auth')
class MeController {
  @Get('me')
  me(): unknown {
    return BODY;
  }
}

@Module({ controllers: [MeController] })
class BareModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter(), { logger: false });
  await app.listen({ port: Number(process.env['PORT']), host: '127.0.0.1' });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void app.close().then(() => process.exit(0)));
}

void main();
