import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** One file of rows that could not be written before a stop. */
interface SpillFile<T> {
  kind: string;
  /** The root organization's id: spilled rows are replayed only into the database they came from. */
  database: string | null;
  writtenAt: string;
  items: T[];
}

/**
 * What a clean stop during a database outage could not write (buffered audit rows, usage counts):
 * JSON files in `${DATA_DIR}/spill/`, written atomically (temp file + rename) and replayed by the
 * next start against the same database, then deleted. A file of another database is left alone
 * (with a warning), never written into the wrong one.
 */
@Injectable()
export class SpillStore {
  private readonly logger = new Logger(SpillStore.name);
  private readonly dir: string;
  private identity: string | null = null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.dir = resolve(config.dataDir, 'spill');
  }

  get directory(): string {
    return this.dir;
  }

  /** Remembers the database in the background (no-op once known). */
  learnDatabase(): void {
    if (this.identity) return;
    this.rememberDatabase().catch(() => undefined);
  }

  /**
   * Reads (once) which database this is: its root organization's id. Called at start and after
   * writes that succeeded, so it is known before an outage can begin.
   */
  async rememberDatabase(): Promise<string | null> {
    if (this.identity) return this.identity;
    const rows = (await this.dataSource.query('SELECT id FROM organizations WHERE is_root')) as { id: string }[];
    this.identity = rows[0]?.id ?? null;
    return this.identity;
  }

  /** Writes `items` to a new spill file of `kind`; returns its path. Synchronous: used while stopping. */
  write<T>(kind: string, items: T[]): string {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const name = `${kind}-${stamp}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.json`;
    const path = join(this.dir, name);
    const file: SpillFile<T> = { kind, database: this.identity, writtenAt: new Date().toISOString(), items };
    writeFileSync(`${path}.tmp`, JSON.stringify(file), { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
    return path;
  }

  /**
   * Hands every spill file of `kind` that belongs to this database to `apply` (oldest first) and
   * deletes it once `apply` succeeded. Returns the number of items replayed.
   */
  async replay<T>(kind: string, apply: (items: T[]) => Promise<void>): Promise<number> {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.startsWith(`${kind}-`) && n.endsWith('.json')).sort();
    } catch {
      return 0;
    }
    if (names.length === 0) return 0;
    const identity = await this.rememberDatabase();
    let replayed = 0;
    for (const name of names) {
      const path = join(this.dir, name);
      let file: SpillFile<T>;
      try {
        file = JSON.parse(readFileSync(path, 'utf8')) as SpillFile<T>;
      } catch (err) {
        this.logger.warn(`spill file ${path} cannot be read (${(err as Error).message}); left in place`);
        continue;
      }
      if (file.database !== identity) {
        this.logger.warn(`spill file ${path} belongs to another database (${file.database ?? 'unknown'}); left in place`);
        continue;
      }
      await apply(file.items);
      unlinkSync(path);
      replayed += file.items.length;
      this.logger.log(`replayed ${file.items.length} ${kind} entries from ${path} (written ${file.writtenAt})`);
    }
    return replayed;
  }
}
