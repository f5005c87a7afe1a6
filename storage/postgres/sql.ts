// Small helpers shared by the PostgreSQL area classes: the statement runner they all use (a
// pool outside a write unit, the unit's own client inside one), error mapping to the core's
// port errors, the optional-filter WHERE builder, paging and the search clause.
//
// SQL is written with `?` placeholders, like the SQLite adapter's; each distinct text is
// numbered ($1, $2, ...) once and runs as a named prepared statement, so every connection
// parses and plans it once.
import pg from 'pg';
import type { NewEvent } from '../../core/event.js';
import type { Page, PageRequest } from '../../core/page.js';
import { StoreUnavailable, UniqueViolation } from '../../core/ports.js';

/** Runs statements. Area classes see only this. */
export interface Sql {
  /** Inside a write unit: the unit's state (loads lock what they read); null on the read pool. */
  readonly unit: UnitState | null;
  rows<R>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /** Runs `fn` with statements that all see one snapshot (inside a unit: the unit's own view). */
  snapshot<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
}

/** What one attempt of a write unit remembers while it runs. */
export class UnitState {
  /** The first database error of this attempt: the transaction is aborted from there on. */
  firstError: unknown = null;
  /** Items at facilities (`itemId|facilityId`) this unit has locked (see stock.ts). */
  readonly stockLocked = new Set<string>();
  /** Serial numbers (`itemId|serialNo`) this unit loaded, and so locked: they exist. */
  readonly serialsSeen = new Set<string>();
  /** Events recorded by this unit, written just before its COMMIT (see events.ts). */
  readonly events: NewEvent[] = [];
  /** Ledger postings this attempt appended, and their lines: what its commit tells observers. */
  readonly posted = { transactions: 0, lines: 0 };
}

interface Prepared {
  name: string;
  text: string;
}

const prepared = new Map<string, Prepared>();

/** `?` placeholders numbered $1, $2, ...; a name per distinct text for a prepared statement. */
function statement(text: string): Prepared {
  let p = prepared.get(text);
  if (!p) {
    let n = 0;
    p = { name: `ims_${prepared.size + 1}`, text: text.replace(/\?/g, () => `$${++n}`) };
    prepared.set(text, p);
  }
  return p;
}

/**
 * PostgreSQL text cannot hold U+0000, so no stored value contains it: a value with it is
 * never equal to, or inside, anything stored. Lookups and filters on such a value find
 * nothing (the same answer SQLite gives), instead of failing; writes still fail.
 */
export const storable = (value: string): boolean => !value.includes('\u0000');

const unstorable = (v: unknown): boolean => (typeof v === 'string' ? !storable(v) : Array.isArray(v) && v.some(unstorable));

export async function run<R>(client: pg.Pool | pg.PoolClient | pg.Client, text: string, values: readonly unknown[] = []): Promise<R[]> {
  if (/^\s*SELECT\b/i.test(text) && values.some(unstorable)) return [];
  const s = statement(text);
  const result = await client.query({ name: s.name, text: s.text, values: values as unknown[] });
  return result.rows as R[];
}

// --- errors ------------------------------------------------------------------------------

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH',
  'EHOSTDOWN', 'ENETDOWN', 'EAI_AGAIN',
]);

/** SQLSTATEs of a connection that is gone: connection exceptions (08xxx), shutdown (57P01-57P03). */
const LOST_STATES = /^(08...|57P0[1-4])$/;

/**
 * SQLSTATEs of a database that cannot serve the request now, on a connection that is fine:
 * too many connections (53300), a lock or statement timeout (55P03, 57014; the SQLite
 * adapter's busy timeout is a 503 too).
 */
const BUSY_STATES = /^(53300|55P03|57014)$/;

/** pg's own errors for a connection that broke or never came (they carry no code). */
const LOST_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused|connection is closed|Cannot use a pool after calling end/i;

export function sqlState(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether the connection broke or never came: it cannot be used again. */
export function isConnectionLost(e: unknown): boolean {
  const code = sqlState(e);
  if (code !== undefined && (NETWORK_CODES.has(code) || LOST_STATES.test(code))) return true;
  const errors = (e as { errors?: unknown })?.errors; // AggregateError from a multi-address connect
  if (Array.isArray(errors) && errors.length > 0 && errors.every(isConnectionLost)) return true;
  return e instanceof Error && LOST_MESSAGES.test(e.message);
}

/** Whether the error says the database did not serve the request (a 503: try again later). */
export function isUnavailable(e: unknown): boolean {
  if (e instanceof StoreUnavailable) return true;
  const code = sqlState(e);
  return (code !== undefined && BUSY_STATES.test(code)) || isConnectionLost(e);
}

/** Serialization failure or deadlock: the whole unit may simply run again. */
export const isTransient = (e: unknown): boolean => sqlState(e) === '40001' || sqlState(e) === '40P01';

export const isUniqueViolation = (e: unknown): boolean => e instanceof UniqueViolation || sqlState(e) === '23505';

/** A driver error as the core's port errors: UniqueViolation, StoreUnavailable, else as it is. */
export function portError(e: unknown): unknown {
  if (e instanceof UniqueViolation || e instanceof StoreUnavailable) return e;
  if (sqlState(e) === '23505') {
    const detail = (e as { detail?: string }).detail;
    return new UniqueViolation(`${(e as Error).message}${detail ? `: ${detail}` : ''}`);
  }
  if (isUnavailable(e)) return new StoreUnavailable(`${sqlState(e) ?? 'connection'}: ${(e as Error)?.message ?? String(e)}`);
  return e;
}

// --- statement runners -------------------------------------------------------------------

/**
 * One connection's statements, one at a time in the order they were asked for: the core
 * loads a snapshot with several reads in flight at once (Promise.all), and a connection runs
 * one statement at a time.
 */
class ClientQueue {
  private tail: Promise<unknown> = Promise.resolve();
  constructor(readonly client: pg.PoolClient) {}

  /** Runs `text` after every statement asked for before it, whether they failed or not. */
  run<R>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    const next = this.tail.then(() => run<R>(this.client, text, values));
    this.tail = next.catch(() => {});
    return next;
  }

  /** A statement outside the prepared-statement cache (BEGIN, COMMIT, ROLLBACK). */
  command(text: string): Promise<void> {
    const next = this.tail.then(() => this.client.query(text)).then(() => {});
    this.tail = next.catch(() => {});
    return next;
  }
}

/** Statements on one client of a unit: errors are remembered (the transaction is aborted). */
export class UnitSql implements Sql {
  readonly unit = new UnitState();
  readonly queue: ClientQueue;
  constructor(client: pg.PoolClient) {
    this.queue = new ClientQueue(client);
  }

  async rows<R>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    try {
      return await this.queue.run<R>(text, values);
    } catch (e) {
      this.unit.firstError ??= e;
      throw portError(e);
    }
  }

  snapshot<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

/** Statements on one client inside a read-only snapshot transaction. */
class SnapshotSql implements Sql {
  readonly unit = null;
  constructor(private readonly queue: ClientQueue) {}

  async rows<R>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    try {
      return await this.queue.run<R>(text, values);
    } catch (e) {
      throw portError(e);
    }
  }

  snapshot<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

/** Committed state: each statement on any pooled connection, outside a transaction. */
export class PoolSql implements Sql {
  readonly unit = null;
  constructor(private readonly pool: pg.Pool) {}

  async rows<R>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    try {
      return await run<R>(this.pool, text, values);
    } catch (e) {
      throw portError(e);
    }
  }

  /** Several statements that must agree (a page and its total): one REPEATABLE READ snapshot. */
  async snapshot<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw portError(e);
    }
    let broken = false;
    const queue = new ClientQueue(client);
    try {
      await queue.command('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const value = await fn(new SnapshotSql(queue));
      await queue.command('COMMIT');
      return value;
    } catch (e) {
      broken = isConnectionLost(e) || !(await queue.command('ROLLBACK').then(() => true, () => false));
      throw portError(e);
    } finally {
      // A broken connection is closed, not handed to the next request.
      client.release(broken);
    }
  }
}

// --- query building ----------------------------------------------------------------------

/** One page of rows and the total count of rows matching the same filter, from one snapshot. */
export async function page<T>(
  sql: Sql, select: string, from: string, where: string, args: readonly unknown[], orderBy: string, p: PageRequest,
): Promise<Page<T>> {
  const w = where ? ` WHERE ${where}` : '';
  const rows = (s: Sql) => s.rows<T>(`${select} ${from}${w} ORDER BY ${orderBy} LIMIT ? OFFSET ?`, [...args, p.limit, p.offset]);
  // A grouped query counts its groups, not its rows.
  const count = /\bGROUP BY\b/i.test(from) ? `SELECT count(*) AS n FROM (SELECT 1 ${from}${w}) AS g` : `SELECT count(*) AS n ${from}${w}`;
  const first = p.offset === 0 ? await rows(sql) : null;
  // A first page that is not full is the whole list: its length is the total, one statement.
  if (first && first.length < p.limit) return { items: first, total: first.length };
  // Otherwise the page and its count come from one snapshot, so they agree.
  return sql.snapshot(async (s) => {
    const total = (await s.rows<{ n: number }>(count, args))[0]?.n ?? 0;
    const items = total === 0 || p.offset >= total ? [] : await rows(s);
    return { items, total };
  });
}

/**
 * Full-text terms against a lower-cased search text: every whitespace-separated term must
 * occur in it as a substring, in any case (the same terms as the SQLite adapter: case folded
 * in JavaScript, at most 16). LIKE '%term%' with %, _ and \ escaped; the trigram index
 * serves it.
 */
export function searchTerms(q: string): string[] {
  return q.toLowerCase().trim().split(/\s+/).filter(Boolean).slice(0, 16)
    .map((t) => `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

/** A WHERE clause built from optional filters: a condition is added only when its value is given. */
export class Where {
  readonly parts: string[] = [];
  readonly args: unknown[] = [];

  add(condition: string, ...values: unknown[]): this {
    if (values.some((v) => v === undefined)) return this;
    if (values.some(unstorable)) {
      this.parts.push('false');
      return this;
    }
    this.parts.push(condition);
    this.args.push(...values);
    return this;
  }

  get sql(): string {
    return this.parts.join(' AND ');
  }

  /** The conditions prefixed with AND, to follow a fixed condition. */
  get and(): string {
    return this.parts.map((p) => ` AND ${p}`).join('');
  }
}

/** Byte order of UTF-8 strings, as COLLATE "C" sorts them (JavaScript's < compares UTF-16 units). */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
