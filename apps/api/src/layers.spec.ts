import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { RuleTester } from 'eslint';

// The ESLint rule is plain CommonJS (eslint.config.mjs loads it as is).
const layers = require('../eslint-rules/layers.cjs') as import('eslint').Rule.RuleModule;

const SRC = __dirname;

/** Every non-spec source file of apps/api/src, as a path relative to src. */
function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [relative(SRC, full).split(sep).join('/')] : [];
  });
}

/** file → the files it imports (type-only imports included: a cycle of types is still a tangle). */
function importGraph(): Map<string, string[]> {
  const files = new Set(sources());
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(SRC, file), 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)) {
      const base = normalize(join(dirname(file), m[1] ?? '')).split(sep).join('/');
      const hit = [`${base}.ts`, `${base}/index.ts`].find((c) => files.has(c));
      if (hit) targets.push(hit);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w !== undefined) {
          onStack.delete(w);
          component.push(w);
        }
      } while (w !== undefined && w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** Cycles known and due to go (none since issue 13; the list only shrinks). */
const KNOWN_CYCLES: string[][] = [];

describe('apps/api/src layers', () => {
  it('has no file-level import cycle beyond the known ones', () => {
    expect(cycles(importGraph())).toEqual(KNOWN_CYCLES);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});

// The lint rule, on made-up files: a new upward import fails `npx nx lint api`.
RuleTester.describe = describe;
RuleTester.it = it;
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2022, sourceType: 'module' } });
const at = (file: string): string => join(SRC, file);
const options = [{ srcRoot: SRC, allow: [{ from: 'database/entities.ts', to: 'tokens', why: 'example' }] }];

tester.run('tessera/layers', layers, {
  valid: [
    { filename: at('tokens/tokens.service.ts'), code: "import { x } from '../common/problem';", options },
    { filename: at('tokens/tokens.service.ts'), code: "import { x } from '../roles/role.entity';", options },
    { filename: at('app/app.module.ts'), code: "import { x } from '../tokens/tokens.module';", options },
    { filename: at('database/entities.ts'), code: "import { x } from '../tokens/token.entity';", options },
    { filename: at('tokens/tokens.service.ts'), code: "import { x } from '../credentials/credentials.service';", options },
    { filename: at('common/problem.spec.ts'), code: "import { x } from '../testing/test-app';", options },
    { filename: at('tokens/testing/a-token.ts'), code: "import { x } from '../../app/create-app';", options },
  ],
  invalid: [
    { filename: at('common/clock.ts'), code: "import { x } from '../config/app-config';", options, errors: [{ messageId: 'upward' }] },
    { filename: at('database/bootstrap.ts'), code: "import { x } from '../users/user.entity';", options, errors: [{ messageId: 'upward' }] },
    { filename: at('credentials/credential-reads.ts'), code: "import { x } from '../metrics/metrics.service';", options, errors: [{ messageId: 'upward' }] },
    { filename: at('database/availability.ts'), code: "import { x } from '../credentials/change-notifier';", options, errors: [{ messageId: 'upward' }] },
    { filename: at('config/config.module.ts'), code: "export { x } from '../auth/first-start.service';", options, errors: [{ messageId: 'upward' }] },
    { filename: at('tokens/tokens.service.ts'), code: "import { x } from '../app/create-app';", options, errors: [{ messageId: 'upward' }] },
    { filename: at('credentials/credential-cache.ts'), code: "const m = import('../tokens/token.entity');", options, errors: [{ messageId: 'upward' }] },
    { filename: at('newfolder/thing.ts'), code: "import { x } from '../common/problem';", options, errors: [{ messageId: 'unplaced' }] },
  ],
});
