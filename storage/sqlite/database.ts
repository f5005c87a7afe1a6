// Opening a SQLite database: WAL, foreign keys, a busy timeout for other processes (the CLI's
// verify, a backup), and the numbered migrations of ./migrations applied in order, each in
// its own transaction and recorded in schema_migrations.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { embedded, migrationsOf } from '../embedded.js';

export type Db = Database.Database;

export type Synchronous = 'FULL' | 'NORMAL';

export const MEMORY = ':memory:';

// A function, not a constant: inside the single executable there is no file to point at.
const migrationsDir = () => join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export function openDatabase(file: string, options: { synchronous?: Synchronous } = {}): Db {
  if (file !== MEMORY) mkdirSync(dirname(file), { recursive: true });
  // Inside the single executable the addon was loaded at start (http/binary.ts); elsewhere better-sqlite3 finds it.
  const addon = embedded().sqliteAddon;
  // The typings allow only a path, but better-sqlite3 takes the loaded addon object as well.
  const db = new Database(file, addon ? { nativeBinding: addon as unknown as string } : {});
  db.pragma('busy_timeout = 5000');
  if (file !== MEMORY) db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  // 16 MiB of page cache: the OS caches the file as well, and more only raises memory.
  db.pragma('cache_size = -16384');
  return db;
}

export function migrate(db: Db): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`);
  const done = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as string[]);
  const applied: string[] = [];
  for (const { version, sql } of migrationsOf('sqlite', migrationsDir)) {
    if (done.has(version)) continue;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, new Date().toISOString());
    }).immediate();
    applied.push(version);
  }
  return applied;
}

/** Prepares each SQL text once per connection. */
export class Statements {
  private readonly cache = new Map<string, Database.Statement>();
  constructor(readonly db: Db) {}

  get(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }
}
