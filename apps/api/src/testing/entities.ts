import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataArgsStorage } from 'typeorm';

const SRC = join(__dirname, '..');

type EntityClass = new (...args: never[]) => object;

function entityFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' ? [] : entityFiles(full);
    return e.name.endsWith('.entity.ts') ? [full] : [];
  });
}

/**
 * Every entity class of apps/api/src (each `*.entity.ts`), for tests that need the whole schema.
 * The app itself names none in one place: each feature module registers its own
 * (TypeOrmModule.forFeature, autoLoadEntities).
 */
export function allEntities(): EntityClass[] {
  const tables = new Set(getMetadataArgsStorage().tables.map((t) => t.target));
  return entityFiles().flatMap((file) =>
    Object.values(require(file) as Record<string, unknown>).filter((v): v is EntityClass => typeof v === 'function' && tables.has(v)),
  );
}
