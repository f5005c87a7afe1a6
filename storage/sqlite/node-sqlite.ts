// The node:sqlite driver: Node's built-in SQLite (DatabaseSync), no native addon to build.
// Loaded with process.getBuiltinModule, so that this file also loads on Node 20, where the
// module does not exist, and declares the few types it uses itself (@types/node 20 has none).
import type { Connection, Driver, RunResult, Statement } from './driver.js';

interface NodeStatement {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  setAllowUnknownNamedParameters(enabled: boolean): void;
  setReturnArrays(enabled: boolean): void;
}

interface NodeDatabase {
  readonly isTransaction: boolean;
  prepare(sql: string): NodeStatement;
  exec(sql: string): void;
  close(): void;
  enableDefensive?(enabled: boolean): void;
}

type Backup = (source: NodeDatabase, path: string) => Promise<number>;

interface NodeSqlite {
  DatabaseSync: { new (path: string): NodeDatabase; prototype: object };
  StatementSync: { prototype: object };
  backup: Backup;
}

/**
 * node:sqlite when this Node has it with everything the adapter uses (Node 22.16 or later,
 * 24 and later), else the reason why not. Node 22.5 to 22.12 have it only behind
 * --experimental-sqlite, and early versions lack setReturnArrays, isTransaction or backup.
 */
export function loadNodeSqlite(): Driver | string {
  let sqlite: NodeSqlite | undefined;
  try {
    sqlite = process.getBuiltinModule('node:sqlite') as NodeSqlite | undefined;
  } catch {
    sqlite = undefined;
  }
  if (!sqlite) return `node:sqlite is not in Node ${process.versions.node}`;
  const { DatabaseSync } = sqlite;
  const probe = new DatabaseSync(':memory:');
  const version = (probe.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  // isTransaction is a property of each database, not of the prototype.
  const complete = 'setReturnArrays' in sqlite.StatementSync.prototype && 'isTransaction' in probe
    && typeof sqlite.backup === 'function';
  probe.close();
  if (!complete) return `node:sqlite in Node ${process.versions.node} is too old (22.16 or later needed)`;
  return {
    name: 'node',
    description: `node:sqlite (Node ${process.versions.node}, SQLite ${version})`,
    defensive: 'enableDefensive' in DatabaseSync.prototype,
    worker: { module: 'node:sqlite', kind: 'node' },
    open: (file) => new NodeConnection(new DatabaseSync(file), sqlite.backup),
  };
}

class NodeConnection implements Connection {
  readonly driver = 'node';

  constructor(private readonly db: NodeDatabase, private readonly copy: Backup) {
    // better-sqlite3 turns SQLite's defensive mode on (no writable_schema, no shadow-table
    // writes); do the same where this Node can.
    db.enableDefensive?.(true);
  }

  prepare(sql: string): Statement {
    return new NodeStatementWrapper(this.db, sql);
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  get inTransaction(): boolean {
    return this.db.isTransaction;
  }

  async backup(file: string): Promise<void> {
    await this.copy(this.db, file);
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Rows come back as plain objects, as better-sqlite3 returns them: node:sqlite's have no
 * prototype, which callers that compare or inspect records would trip over.
 */
class NodeStatementWrapper implements Statement {
  private readonly rows: NodeStatement;
  private arrays: NodeStatement | null = null;

  constructor(private readonly db: NodeDatabase, private readonly sql: string) {
    this.rows = prepare(db, sql);
  }

  run(...params: unknown[]): RunResult {
    return this.rows.run(...bindable(params));
  }

  get(...params: unknown[]): unknown {
    const row = this.rows.get(...bindable(params)) as object | undefined;
    return row && { ...row };
  }

  all(...params: unknown[]): unknown[] {
    return (this.rows.all(...bindable(params)) as object[]).map((row) => ({ ...row }));
  }

  value(...params: unknown[]): unknown {
    return (this.asArrays().get(...bindable(params)) as unknown[] | undefined)?.[0];
  }

  values(...params: unknown[]): unknown[] {
    return (this.asArrays().all(...bindable(params)) as unknown[][]).map((row) => row[0]);
  }

  /** A second statement on the same SQL that returns arrays: the first column without a name. */
  private asArrays(): NodeStatement {
    if (!this.arrays) {
      this.arrays = prepare(this.db, this.sql);
      this.arrays.setReturnArrays(true);
    }
    return this.arrays;
  }
}

function prepare(db: NodeDatabase, sql: string): NodeStatement {
  const statement = db.prepare(sql);
  // better-sqlite3 ignores named values the SQL does not use; a row object may carry more.
  statement.setAllowUnknownNamedParameters(true);
  return statement;
}

/** node:sqlite refuses to bind undefined; better-sqlite3 binds it as NULL, and the adapter relies on that. */
function bindable(params: unknown[]): unknown[] {
  const first = params[0];
  if (first !== null && typeof first === 'object' && !(first instanceof Uint8Array)) {
    const named = first as Record<string, unknown>;
    if (Object.values(named).includes(undefined)) {
      params = [Object.fromEntries(Object.entries(named).map(([k, v]) => [k, v ?? null])), ...params.slice(1)];
    }
  }
  return params.includes(undefined) ? params.map((v) => v ?? null) : params;
}
