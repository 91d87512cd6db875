import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The docs stay true to the tree: tools/docs/check-paths.mjs over README.md, docs/ and the project READMEs. */
describe('the docs', () => {
  it('cite only files that exist', () => {
    const root = join(__dirname, '../../..');
    const run = spawnSync(process.execPath, [join(root, 'tools/docs/check-paths.mjs'), root], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
