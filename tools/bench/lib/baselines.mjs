// The baseline apps of the bench (tools/bench/baselines/*.ts), transpiled with TypeScript's
// transpileModule (decorators and their metadata, CommonJS) into dist/bench-baselines/, where
// Node resolves their packages from the workspace's node_modules.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const COMPILER_OPTIONS = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  useDefineForClassFields: false,
};

/** Transpiles every baseline; returns { name → path of its .js }. */
export function buildBaselines(root) {
  const from = join(root, 'tools/bench/baselines');
  const to = join(root, 'dist/bench-baselines');
  mkdirSync(to, { recursive: true });
  const built = {};
  for (const file of readdirSync(from).filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(from, file), 'utf8'), { compilerOptions: COMPILER_OPTIONS, fileName: file });
    const out = join(to, file.replace(/\.ts$/, '.js'));
    writeFileSync(out, outputText);
    built[file.replace(/\.ts$/, '')] = out;
  }
  return built;
}
