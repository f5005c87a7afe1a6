// The PostgreSQL store: several stateless hosts may share one database.
//
// A write unit is one transaction on one pooled connection (READ COMMITTED). Its loads lock
// exactly what its decision rests on: the balance rows and serials a posting touches FOR
// UPDATE, in primary key order; the items and locations of a posting FOR SHARE, in id order;
// a single item, facility or token a command reads in order to change it FOR UPDATE. The
// posting's seq comes from a one-row counter as the unit's last write, so seqs are handed
// out in commit order. Units that collide anyway (a deadlock, a serialization failure, a
// unique key two units create at once) roll back and run again from the start, up to
// `attempts` times with a jittered backoff; a unique violation that persists surfaces as
// the core's UniqueViolation (a `conflict`). A database that does not answer is a
// StoreUnavailable (503); the pool reconnects by itself when it answers again.
//
// Reads run on the pool outside any transaction and see committed state only; a page and its
// total are read in one REPEATABLE READ snapshot.
import type pg from 'pg';
import { StoreUnavailable, UniqueViolation, type Reader, type Store, type StoreObserver, type Writer } from '../../core/ports.js';
import { PgCatalog } from './catalog.js';
import { createPool, migrate, type PoolOptions } from './database.js';
import { PgFacilities, type StatusCache } from './facilities.js';
import { PgIdempotency } from './idempotency.js';
import { PgLedger } from './ledger.js';
import { PgCounts } from './counts.js';
import { PgDocuments } from './documents.js';
import { PgParties } from './parties.js';
import { PgPurchasing } from './purchasing.js';
import { PgSales } from './sales.js';
import { PgPolicies } from './policies.js';
import { PgProduction } from './production.js';
import { PgReservations } from './reservations.js';
import { PgTransfers } from './transfers.js';
import { isConnectionLost, isTransient, isUnavailable, isUniqueViolation, PoolSql, portError, UnitSql, type Sql } from './sql.js';
import { PgTokens } from './tokens.js';
import { flushEvents, PgEvents } from './events.js';
import { PgWebhooks } from './webhooks.js';

export interface PostgresOptions extends PoolOptions {
  /** How many times a unit runs at most when it collides with another (default 5). */
  attempts?: number;
}

function areas(sql: Sql, statuses: StatusCache): Writer {
  return {
    catalog: new PgCatalog(sql),
    facilities: new PgFacilities(sql, statuses),
    tokens: new PgTokens(sql),
    ledger: new PgLedger(sql),
    reservations: new PgReservations(sql),
    transfers: new PgTransfers(sql),
    counts: new PgCounts(sql),
    policies: new PgPolicies(sql),
    production: new PgProduction(sql),
    parties: new PgParties(sql),
    purchasing: new PgPurchasing(sql),
    sales: new PgSales(sql),
    documents: new PgDocuments(sql),
    idempotency: new PgIdempotency(sql),
    events: new PgEvents(sql),
    webhooks: new PgWebhooks(sql),
  };
}

/** Backoff before attempt `n + 1`: up to 2, 4, 8, 16, ... ms (at most 100), at random. */
const backoff = (n: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 2 ** n)));

export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly read: Reader;
  private readonly statuses: StatusCache = { statuses: null };
  private readonly attempts: number;
  private closed = false;
  private inFlight = 0;
  private drained: (() => void) | null = null;
  private readonly observers: StoreObserver[] = [];

  constructor(readonly pool: pg.Pool, options: PostgresOptions = {}) {
    this.attempts = options.attempts ?? 5;
    this.read = areas(new PoolSql(pool), this.statuses);
  }

  /** Connects, applies the migrations (under an advisory lock) and returns the store. */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    const pool = createPool(url, options);
    try {
      await migrate(pool);
    } catch (e) {
      await pool.end().catch(() => {});
      throw portError(e);
    }
    return new PostgresStore(pool, options);
  }

  observe(observer: StoreObserver): void {
    this.observers.push(observer);
  }

  async write<T>(work: (tx: Writer) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('store is closed');
    this.inFlight++;
    try {
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.attempt(work);
        if ('value' in outcome) return outcome.value;
        const { error, retry } = outcome;
        if (retry && attempt < this.attempts) {
          await backoff(attempt);
          continue;
        }
        if (retry && isTransient(error)) {
          throw new StoreUnavailable(`the unit kept colliding with others (${attempt} attempts): ${(error as Error).message}`);
        }
        throw error;
      }
    } finally {
      if (--this.inFlight === 0) this.drained?.();
    }
  }

  /** One run of a unit in its own transaction. */
  private async attempt<T>(work: (tx: Writer) => Promise<T>): Promise<{ value: T } | { error: unknown; retry: boolean }> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      return { error: portError(e), retry: false };
    }
    const sql = new UnitSql(client);
    let broken = false;
    try {
      await sql.queue.command('BEGIN');
      const value = await work(areas(sql, this.statuses));
      // A unit that swallowed a database error must not commit what is left of it (on an
      // aborted transaction COMMIT quietly rolls back).
      if (sql.unit.firstError !== null) throw sql.unit.firstError;
      // The unit's events take their seqs last, under a lock that COMMIT releases.
      await flushEvents(sql);
      await sql.queue.command('COMMIT');
      // Each unit is its own transaction here: every commit carries one.
      for (const o of this.observers) o.committed(1, sql.unit.posted);
      return { value };
    } catch (e) {
      if (isConnectionLost(e) || isConnectionLost(sql.unit.firstError)) {
        // The connection is gone: nothing to roll back, and whether a COMMIT in flight took
        // effect is unknown, so the unit is not run again.
        broken = true;
        return { error: portError(e), retry: false };
      }
      broken = !(await sql.queue.command('ROLLBACK').then(() => true, () => false));
      const cause = sql.unit.firstError;
      if (isUnavailable(cause)) return { error: portError(cause), retry: false };
      if (cause !== null && (isTransient(cause) || isUniqueViolation(cause))) {
        // Another unit got there first: run this one again on what it committed.
        return { error: isTransient(cause) ? cause : e instanceof UniqueViolation ? e : portError(cause), retry: true };
      }
      return { error: e, retry: false };
    } finally {
      client.release(broken);
    }
  }

  /**
   * Resolves when the database answers within 3 s. A server that is down refuses at once;
   * one that is unreachable would otherwise keep a health check waiting for the pool's
   * connect timeout.
   */
  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreUnavailable('the database did not answer within 3 s')), 3000);
    });
    const query = this.pool.query('SELECT 1');
    query.catch(() => {}); // answered late, after the timeout: nobody is waiting for it
    try {
      await Promise.race([query, late]);
    } catch (e) {
      throw portError(e);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lets units in flight finish, refuses new ones, then closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight > 0) await new Promise<void>((r) => (this.drained = r));
    await this.pool.end();
  }
}
