// Opening a SQLite database: WAL, foreign keys, a busy timeout for other processes (the CLI's
// verify, a backup), and the numbered migrations of ./migrations applied in order, each in
// its own transaction and recorded in schema_migrations. The driver (node:sqlite or
// better-sqlite3) is chosen by drivers.ts unless the caller names one.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrationsOf } from '../embedded.js';
import type { Connection, Driver, Statement } from './driver.js';
import { chooseDriver } from './drivers.js';
import { Changes, writeKind } from './changes.js';

export type Db = Connection;

export type Synchronous = 'FULL' | 'NORMAL';

export const MEMORY = ':memory:';

// A function, not a constant: inside the single executable there is no file to point at.
const migrationsDir = () => join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface OpenOptions {
  synchronous?: Synchronous;
  /** Default: chooseDriver(), from IMS_SQLITE_DRIVER or what this Node has. */
  driver?: Driver;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== MEMORY) mkdirSync(dirname(file), { recursive: true });
  const db = (options.driver ?? chooseDriver()).open(file);
  // Every setting is explicit, since the drivers' SQLite builds differ in their defaults.
  db.exec('PRAGMA busy_timeout = 5000');
  if (file !== MEMORY) db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${options.synchronous ?? 'FULL'}`);
  db.exec('PRAGMA foreign_keys = ON');
  // 16 MiB of page cache: the OS caches the file as well, and more only raises memory.
  db.exec('PRAGMA cache_size = -16384');
  // SQLite keeps the pages a savepoint or a statement that may fail halfway changes in a
  // sub-journal; by default a temporary file, written on the first change of every page. The
  // store's units run in savepoints when their batch runs again after a failure (store.ts),
  // and every unit did when this was measured: with the sub-journal in memory, a single
  // posting on a file spent 78 µs in its statements instead of 117 (`bench/statements.ts
  // --file --batch=1`), and adjustments over HTTP gained 4 to 8 %.
  // (Sorts too large for the page cache then stay in memory as well: on the server, the big
  // reads run on the reader thread, whose connection keeps the default.)
  db.exec('PRAGMA temp_store = MEMORY');
  return db;
}

/** Runs `work` in one BEGIN IMMEDIATE transaction: committed when it returns, rolled back when it throws. */
export function immediate<T>(db: Db, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

export function migrate(db: Db): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`);
  const done = new Set(db.prepare('SELECT version FROM schema_migrations').values() as string[]);
  const applied: string[] = [];
  for (const { version, sql } of migrationsOf('sqlite', migrationsDir)) {
    if (done.has(version)) continue;
    immediate(db, () => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, new Date().toISOString());
    });
    applied.push(version);
  }
  return applied;
}

/**
 * Prepares each SQL text once per connection. A statement that writes tells `changes` each
 * time it runs (see changes.ts): what it may change for the answer cache, and that the unit
 * running it wrote something (store.ts).
 */
export class Statements {
  private readonly cache = new Map<string, Statement>();
  readonly changes = new Changes();
  constructor(readonly db: Db) {}

  get(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      const kind = writeKind(sql);
      if (kind !== 'none') s = noting(s, () => this.changes.wrote(kind));
      this.cache.set(sql, s);
    }
    return s;
  }
}

/** `s`, calling `note` before each run. */
function noting(s: Statement, note: () => void): Statement {
  return {
    run: (...p) => (note(), s.run(...p)),
    get: (...p) => (note(), s.get(...p)),
    all: (...p) => (note(), s.all(...p)),
    value: (...p) => (note(), s.value(...p)),
    values: (...p) => (note(), s.values(...p)),
  };
}
