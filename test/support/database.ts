// A fresh PostgreSQL database per test suite. The server is IMS_TEST_PG_URL (an admin URL:
// test/run.mjs starts one throwaway cluster for the whole run and sets it); a test file run
// on its own, with the server binaries installed, starts a cluster of its own instead.
// Without either, PostgreSQL tests are skipped with the reason, unless IMS_REQUIRE_PG=1
// (CI), where a missing PostgreSQL is a failure.
import pg from 'pg';
import { postgresUnavailableReason, startCluster, type Cluster } from './postgres.mjs';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

let own: Promise<Cluster> | null = null;

/** Why PostgreSQL tests are skipped here, or null when they run. Throws when IMS_REQUIRE_PG=1 and there is none. */
export function postgresSkipReason(): string | null {
  const reason = postgresUnavailableReason();
  if (reason && process.env.IMS_REQUIRE_PG === '1') throw new Error(`IMS_REQUIRE_PG=1 but ${reason}`);
  return reason;
}

/** The admin URL of the test server, starting a cluster for this process when needed. */
export async function adminUrl(): Promise<string> {
  if (process.env.IMS_TEST_PG_URL) return process.env.IMS_TEST_PG_URL;
  own ??= startCluster({ fsync: false }).then((c) => {
    process.once('exit', () => c.destroySync());
    return c;
  });
  return (await own).url;
}

/** The URL of `database` on the same server as `url`. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: await adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database `ims_t_<random>`; drop() removes it, cutting any session still on it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `ims_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = databaseUrl(await adminUrl(), name);
  let dropped = false;
  return {
    name,
    url,
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
