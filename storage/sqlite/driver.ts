// The subset of a SQLite driver the adapter uses, so that it runs on Node's built-in
// node:sqlite (no native addon to build) or on better-sqlite3 (Node 20, which has no
// node:sqlite). Both are synchronous and wrap the same C library; this interface hides
// how they spell things (pluck, result rows, error codes), not what SQLite does.
import type { WorkerDriver } from './checkpointer.js';

export type DriverName = 'node' | 'better-sqlite3';

export const DRIVER_NAMES: readonly DriverName[] = ['node', 'better-sqlite3'];

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/**
 * A prepared statement. Parameters are positional values, or one object of named values
 * (`@name`) first; `undefined` binds as NULL and named values the SQL does not use are
 * ignored, on both drivers.
 */
export interface Statement {
  run(...params: unknown[]): RunResult;
  /** The first row, or undefined. */
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** The first column of the first row, or undefined when there is no row. */
  value(...params: unknown[]): unknown;
  /** The first column of every row. */
  values(...params: unknown[]): unknown[];
}

export interface Connection {
  readonly driver: DriverName;
  prepare(sql: string): Statement;
  /** Runs one or more statements that return no rows (PRAGMAs that answer are fine). */
  exec(sql: string): void;
  readonly inTransaction: boolean;
  /** An online copy of the whole database into `file`, taken page by page while others keep using it. */
  backup(file: string): Promise<void>;
  close(): void;
}

export interface Driver {
  readonly name: DriverName;
  /** What the server logs: the driver, its version and SQLite's. */
  readonly description: string;
  /**
   * SQLite's defensive mode is on (the schema cannot be written through writable_schema):
   * always on better-sqlite3; on node:sqlite from Node 24, which can turn it on.
   */
  readonly defensive: boolean;
  /** How a worker thread opens the same driver (for checkpoints); absent when it cannot. */
  readonly worker?: WorkerDriver;
  open(file: string): Connection;
}

/**
 * SQLite's result code names (the primary ones, and the extended constraint codes the
 * adapter tells apart): better-sqlite3 reports the name, node:sqlite the number.
 */
const PRIMARY = [
  'OK', 'ERROR', 'INTERNAL', 'PERM', 'ABORT', 'BUSY', 'LOCKED', 'NOMEM', 'READONLY', 'INTERRUPT', 'IOERR',
  'CORRUPT', 'NOTFOUND', 'FULL', 'CANTOPEN', 'PROTOCOL', 'EMPTY', 'SCHEMA', 'TOOBIG', 'CONSTRAINT', 'MISMATCH',
  'MISUSE', 'NOLFS', 'AUTH', 'FORMAT', 'RANGE', 'NOTADB', 'NOTICE', 'WARNING',
];
const EXTENDED: Record<number, string> = {
  275: 'CONSTRAINT_CHECK',
  787: 'CONSTRAINT_FOREIGNKEY',
  1299: 'CONSTRAINT_NOTNULL',
  1555: 'CONSTRAINT_PRIMARYKEY',
  1811: 'CONSTRAINT_TRIGGER',
  2067: 'CONSTRAINT_UNIQUE',
};

/** `SQLITE_BUSY`, `SQLITE_CONSTRAINT_UNIQUE`, ... for an error either driver threw; null for any other error. */
export function sqliteCode(e: unknown): string | null {
  const { code, errcode } = (e ?? {}) as { code?: unknown; errcode?: unknown };
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  if (typeof errcode !== 'number') return null;
  const name = EXTENDED[errcode] ?? PRIMARY[errcode & 0xff];
  return name ? `SQLITE_${name}` : null;
}
