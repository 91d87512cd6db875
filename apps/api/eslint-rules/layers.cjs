'use strict';
/**
 * ESLint rule `tessera/layers`: inside apps/api/src, imports point one way (docs/architecture.md):
 *
 *   common → config → database → credentials → features → app → main.ts
 *
 * A file may import from its own layer or a lower one, never a higher one. Every top-level folder
 * must have a layer (a new folder is reported until it is placed here). Specs and `testing/`
 * folders are the test harness and may import anything. `allow` lists the upward imports that are
 * known and due to move, each with the reason; the list only shrinks.
 */
const path = require('node:path');

/** Lowest first. Features are one layer: they reach each other through exported services. */
const LAYERS = [
  { name: 'common', folders: ['common'] },
  { name: 'config', folders: ['config'] },
  { name: 'database', folders: ['database'] },
  { name: 'credentials', folders: ['credentials'] },
  {
    name: 'features',
    folders: ['access', 'audit', 'auth', 'changes', 'cli', 'health', 'introspect', 'invitations', 'metrics', 'organizations', 'permissions', 'roles', 'security', 'tokens', 'users'],
  },
  { name: 'app', folders: ['app'] },
  { name: 'main', folders: ['main.ts'] },
];

const RANK = new Map();
LAYERS.forEach((layer, rank) => layer.folders.forEach((folder) => RANK.set(folder, { rank, name: layer.name })));

/** `a/b/c.ts` relative to src → its top folder (or the file name for a file directly in src). */
function topOf(relative) {
  return relative.split(/[\\/]/)[0];
}

function isHarness(relative) {
  return /\.spec\.ts$/.test(relative) || relative.split(/[\\/]/).includes('testing');
}

module.exports = {
  LAYERS,
  meta: {
    type: 'problem',
    docs: { description: 'apps/api/src folders import only from their own layer or below' },
    schema: [
      {
        type: 'object',
        properties: {
          srcRoot: { type: 'string' },
          allow: {
            type: 'array',
            items: {
              type: 'object',
              properties: { from: { type: 'string' }, to: { type: 'string' }, why: { type: 'string' } },
              required: ['from', 'to', 'why'],
              additionalProperties: false,
            },
          },
        },
        required: ['srcRoot'],
        additionalProperties: false,
      },
    ],
    messages: {
      upward:
        '{{from}} ({{fromLayer}}) may not import {{to}} ({{toLayer}}): layers point one way, common → config → database → credentials → features → app (docs/architecture.md)',
      unplaced: 'folder "{{folder}}" has no layer: add it to apps/api/eslint-rules/layers.cjs and docs/architecture.md',
    },
  },
  create(context) {
    const options = context.options[0] || {};
    const srcRoot = path.resolve(options.srcRoot);
    const allow = options.allow || [];
    const filename = context.filename;
    const fromRelative = path.relative(srcRoot, filename);
    if (fromRelative.startsWith('..') || path.isAbsolute(fromRelative) || isHarness(fromRelative)) return {};
    const fromTop = topOf(fromRelative);
    const from = RANK.get(fromTop);

    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.relative(srcRoot, path.resolve(path.dirname(filename), source));
      if (target.startsWith('..')) return;
      const toTop = topOf(target);
      if (toTop === fromTop) return;
      const to = RANK.get(toTop) || RANK.get(`${toTop}.ts`);
      if (!from) {
        context.report({ node, messageId: 'unplaced', data: { folder: fromTop } });
        return;
      }
      if (!to) {
        context.report({ node, messageId: 'unplaced', data: { folder: toTop } });
        return;
      }
      if (to.rank <= from.rank) return;
      const posix = fromRelative.split(path.sep).join('/');
      if (allow.some((a) => a.from === posix && a.to === toTop)) return;
      context.report({ node, messageId: 'upward', data: { from: fromTop, fromLayer: from.name, to: toTop, toLayer: to.name } });
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
