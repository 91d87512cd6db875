#!/usr/bin/env node
// Every file path the docs cite exists: `code spans` that look like a source path (a slash and a
// known extension) and relative markdown links, in README.md, docs/*.md and the READMEs of the
// projects. A cited path may be written from the repository root or from inside a project
// (`credentials/credential-cache.ts` for apps/api/src/credentials/credential-cache.ts): it counts when some
// file of the repository ends with it. Built or generated paths (dist/, .data/, bench/results/)
// and HTTP paths (/api/…) are not files of the repository and are skipped.
// Usage: node tools/docs/check-paths.mjs [root]   → exit 1 and one line per missing path.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? join(dirname(new URL(import.meta.url).pathname), '../..'));
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.nx', 'tmp', 'coverage', '.angular', 'test-results', 'playwright-report', 'screenshots', '.data']);
const SOURCE = /\.(ts|cts|mts|js|cjs|mjs|json|md|scss|html)$/;
const GENERATED = /^(dist|\.data|bench|coverage)\//;

const files = [];
(function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else files.push(relative(root, path).split('\\').join('/'));
  }
})(root);

const docs = files.filter((f) => f === 'README.md' || /^docs\/.+\.md$/.test(f) || /^(apps|libs|tools)\/.+\/README\.md$/.test(f));
const cited = (p) => existsSync(join(root, p)) || files.some((f) => f === p || f.endsWith(`/${p}`));

const missing = [];
for (const doc of docs) {
  const text = readFileSync(join(root, doc), 'utf8');
  for (const [, raw] of text.matchAll(/`([^`\s]+)`/g)) {
    const path = raw.replace(/[#:].*$/, '').replace(/[),.;]+$/, '');
    if (!SOURCE.test(path) || !path.includes('/') || path.startsWith('/') || /[$*<>…{}]/.test(path) || GENERATED.test(path)) continue;
    if (!cited(path)) missing.push(`${doc}: \`${path}\``);
  }
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target) || target.startsWith('#') || target.startsWith('/')) continue;
    const path = normalize(join(dirname(doc), target.replace(/#.*$/, ''))).split('\\').join('/');
    if (!existsSync(join(root, path))) missing.push(`${doc}: link (${target})`);
  }
}

if (missing.length > 0) {
  process.stderr.write(`Paths cited in the docs that do not exist:\n  ${missing.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write(`${docs.length} documents checked: every cited path exists.\n`);
