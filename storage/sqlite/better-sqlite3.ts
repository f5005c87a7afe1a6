// The better-sqlite3 driver: a native addon, for Node 20 (which has no node:sqlite). It is an
// optional dependency, so it is required lazily: a missing or unbuilt addon is a reason to
// choose the other driver, not a crash at import.
import type BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';
import { embedded } from '../embedded.js';
import type { Connection, Driver, RunResult, Statement } from './driver.js';

/**
 * The module and its version: the single executable carries them bundled (it can require
 * built-in modules only, and has no import.meta.url to require from); elsewhere they are
 * required from node_modules, lazily.
 */
function requireBetterSqlite3(): { Database: typeof BetterSqlite3; version: string; path?: string } {
  const carried = embedded().betterSqlite3;
  if (carried) return { Database: carried.Database as typeof BetterSqlite3, version: carried.version };
  const require = createRequire(import.meta.url);
  return {
    Database: require('better-sqlite3') as typeof BetterSqlite3,
    version: (require('better-sqlite3/package.json') as { version: string }).version,
    path: require.resolve('better-sqlite3'),
  };
}

/** better-sqlite3 when it is installed and built for this Node, else the reason why not. */
export function loadBetterSqlite3(): Driver | string {
  let Database: typeof BetterSqlite3;
  let version: string;
  let path: string | undefined;
  let sqlite: string;
  try {
    ({ Database, version, path } = requireBetterSqlite3());
    // Opening a database is what loads the addon: a build for another Node fails here.
    const probe = new Database(':memory:', options());
    sqlite = probe.prepare('SELECT sqlite_version()').pluck().get() as string;
    probe.close();
  } catch (e) {
    // One line, without the list of paths `bindings` tried when the addon was never built.
    const why = (e as Error).message.replace(/\s+/g, ' ').replace(/ Tried:.*$/, '').replace(/\.$/, '').slice(0, 300);
    return `better-sqlite3 cannot be loaded: ${why}`;
  }
  return {
    name: 'better-sqlite3',
    description: `better-sqlite3 ${version} (Node ${process.versions.node}, SQLite ${sqlite})`,
    defensive: true,
    // The carried addon was loaded from memory at start: a worker has no path to load it from.
    worker: path === undefined ? undefined : { module: path, kind: 'better-sqlite3' },
    open: (file) => new BetterConnection(new Database(file, options())),
  };
}

/**
 * Inside the single executable the addon was loaded at start (http/binary.ts) and is handed
 * over; elsewhere better-sqlite3 finds its own. The typings allow only a path for
 * `nativeBinding`, but better-sqlite3 takes the loaded addon object as well.
 */
function options(): BetterSqlite3.Options {
  const addon = embedded().sqliteAddon;
  return addon ? { nativeBinding: addon as unknown as string } : {};
}

class BetterConnection implements Connection {
  readonly driver = 'better-sqlite3';

  constructor(private readonly db: BetterSqlite3.Database) {}

  prepare(sql: string): Statement {
    return new BetterStatement(this.db, sql);
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  async backup(file: string): Promise<void> {
    await this.db.backup(file);
  }

  close(): void {
    this.db.close();
  }
}

class BetterStatement implements Statement {
  private readonly rows: BetterSqlite3.Statement;
  private plucked: BetterSqlite3.Statement | null = null;

  constructor(private readonly db: BetterSqlite3.Database, private readonly sql: string) {
    this.rows = db.prepare(sql);
  }

  run(...params: unknown[]): RunResult {
    return this.rows.run(...params);
  }

  get(...params: unknown[]): unknown {
    return this.rows.get(...params);
  }

  all(...params: unknown[]): unknown[] {
    return this.rows.all(...params);
  }

  value(...params: unknown[]): unknown {
    return this.pluck().get(...params);
  }

  values(...params: unknown[]): unknown[] {
    return this.pluck().all(...params);
  }

  /** pluck() switches a statement for good; rows and values are two statements on the same SQL. */
  private pluck(): BetterSqlite3.Statement {
    this.plucked ??= this.db.prepare(this.sql).pluck();
    return this.plucked;
  }
}
