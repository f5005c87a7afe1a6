// Opening a PostgreSQL database: a pool whose connections parse bigint as numbers, and the
// numbered migrations of ./migrations applied in order, each in its own transaction and
// recorded in schema_migrations, under an advisory lock so that several hosts starting at
// once apply each migration exactly once.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrationsOf } from '../embedded.js';

// A function, not a constant: inside the single executable there is no file to point at.
const migrationsDir = () => join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** The advisory lock key of the migrations (advisory locks are per database). */
const MIGRATION_LOCK = '7340512937104431';

export interface PoolOptions {
  /** Most connections this process opens (default 10, or IMS_PG_POOL). */
  max?: number;
  /** How long a request waits to connect or for a free connection before a 503 (ms). */
  connectionTimeoutMillis?: number;
}

const INT8 = 20;

/**
 * bigint columns (quantities in micro-units, seq, counts) as JavaScript numbers. They stay
 * far below 2^53 (balances are capped at 1e9 units, 1e15 micro-units); anything larger is a
 * broken invariant, not a value to round.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`bigint ${text} is beyond exact JavaScript numbers`);
  return n;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => (oid === INT8 && format !== 'binary'
    ? parseInt8
    : pg.types.getTypeParser(oid, format as 'text'))) as pg.CustomTypesConfig['getTypeParser'],
};

export function defaultPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.IMS_PG_POOL ?? 10);
  if (!Number.isInteger(n) || n < 1) throw new Error(`IMS_PG_POOL must be a positive integer, not ${env.IMS_PG_POOL}`);
  return n;
}

export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? defaultPoolSize(),
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'ims',
    types,
    // A host that hangs inside a transaction must not hold row locks for ever.
    options: '-c idle_in_transaction_session_timeout=60000 -c lock_timeout=30000',
  });
  // An idle connection that breaks (the server restarted) leaves the pool; the next request
  // opens a new one. Without a listener the error would crash the process.
  pool.on('error', () => {});
  // The same holds for a connection a unit has checked out, between two of its statements:
  // the pool listens only to idle ones, so a server that stops then (found by the outage
  // test: FATAL 57P01, terminating connection) would crash the process. The unit's next
  // statement fails with the lost connection instead, and is answered with a 503.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export async function migrate(pool: pg.Pool): Promise<string[]> {
  const client = await pool.connect();
  let broken = false;
  try {
    const [{ server_encoding: encoding }] = (await client.query('SHOW server_encoding')).rows as [{ server_encoding: string }];
    if (encoding !== 'UTF8') throw new Error(`the database's encoding is ${encoding}; ims needs a UTF8 database`);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version text COLLATE "C" PRIMARY KEY, applied_at text NOT NULL)`);
      const done = new Set(((await client.query('SELECT version FROM schema_migrations')).rows as Array<{ version: string }>).map((r) => r.version));
      const applied: string[] = [];
      for (const { version, sql } of migrationsOf('postgres', migrationsDir)) {
        if (done.has(version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version, new Date().toISOString()]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {});
          throw new Error(`migration ${version} failed: ${(e as Error).message}`, { cause: e });
        }
        applied.push(version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => (broken = true));
    }
  } catch (e) {
    broken = true;
    throw e;
  } finally {
    client.release(broken);
  }
}
