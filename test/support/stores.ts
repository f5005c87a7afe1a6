// Every adapter a storage test runs on: a SQLite file in a temporary directory and an
// in-memory SQLite database, on every SQLite driver that works in this Node (node:sqlite,
// better-sqlite3; only the one IMS_SQLITE_DRIVER names, when set), and a fresh PostgreSQL
// database (skipped, with the reason, when there is no PostgreSQL; a failure when
// IMS_REQUIRE_PG=1). `open` gives a new, empty store each call; closing a PostgreSQL store
// drops its database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../core/ports.js';
import { openStore } from '../../storage/open.js';
import type { Driver } from '../../storage/sqlite/driver.js';
import { availableDrivers, chooseDriver } from '../../storage/sqlite/drivers.js';
import { createTestDatabase, postgresSkipReason } from './database.js';

export type Contract = (name: string, open: () => Promise<Store>, skip: string | null) => void;

export async function openPostgresStore(): Promise<Store> {
  const db = await createTestDatabase();
  const store = await openStore(db.url);
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await db.drop();
  };
  return store;
}

/** The SQLite drivers to test on here: the one IMS_SQLITE_DRIVER names, else every one that works. */
export function testDrivers(): Driver[] {
  return process.env.IMS_SQLITE_DRIVER ? [chooseDriver()] : availableDrivers();
}

export function onEveryStore(contract: Contract): void {
  const dir = mkdtempSync(join(tmpdir(), 'ims-store-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  for (const driver of testDrivers()) {
    const sqlite = { driver };
    contract(`sqlite-file ${driver.name}`, () => openStore(`sqlite:${join(dir, `s-${++files}.db`)}`, { sqlite }), null);
    contract(`sqlite-memory ${driver.name}`, () => openStore('sqlite::memory:', { sqlite }), null);
  }
  contract('postgres', openPostgresStore, postgresSkipReason());
}
