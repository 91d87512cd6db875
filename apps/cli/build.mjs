// Bundles the CLI (src/main.ts + @tessera/client + commander + picocolors) into one CommonJS file,
// dist/apps/cli/tessera.cjs, with esbuild. Used by `nx build cli` and by bin/tessera.mjs on first use.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '../..');
export const outfile = join(root, 'dist/apps/cli/tessera.cjs');

export async function buildCli() {
  await build({
    entryPoints: [join(here, 'src/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    tsconfig: join(here, 'tsconfig.app.json'),
    logLevel: 'warning',
    legalComments: 'none',
  });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildCli();
  process.stdout.write(`built ${outfile}\n`);
}
