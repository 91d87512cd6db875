// Runs apps/api/src/cli/main.ts from source in a child process of a jest test (the same code that
// webpack bundles into dist/apps/api/cli.js): ts-node (no type-check, decorator metadata on) and
// the workspace path aliases of tsconfig.base.json.
const { join } = require('node:path');
const { readFileSync } = require('node:fs');

const root = join(__dirname, '../../../../..');
require('ts-node').register({ project: join(root, 'apps/api/tsconfig.app.json'), transpileOnly: true });
const base = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
require('tsconfig-paths').register({ baseUrl: root, paths: base.compilerOptions.paths });
