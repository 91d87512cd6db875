#!/usr/bin/env node
// `npx tessera` in the workspace (npm links this file as node_modules/.bin/tessera: apps/cli is an
// npm workspace). Runs dist/apps/cli/tessera.cjs, building it first (esbuild, under a second) when
// it is missing or older than the sources of the CLI, @tessera/client or @tessera/domain.
import { createRequire } from 'node:module';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const bundle = join(root, 'dist/apps/cli/tessera.cjs');
const sources = ['apps/cli/src', 'apps/cli/build.mjs', 'libs/client/src', 'libs/domain/src', 'package-lock.json'].map((p) => join(root, p));

function newestMtime(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry.endsWith('.spec.ts')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function bundleMtime() {
  try {
    return statSync(bundle).mtimeMs;
  } catch {
    return -1;
  }
}

if (process.env.TESSERA_CLI_NO_BUILD !== '1' && bundleMtime() < Math.max(...sources.map(newestMtime))) {
  const { buildCli } = await import(join(root, 'apps/cli/build.mjs'));
  await buildCli();
}
createRequire(import.meta.url)(bundle);
