// Every adapter a storage test runs on: a SQLite file in a temporary directory, an in-memory
// SQLite database, and a fresh PostgreSQL database (skipped, with the reason, when there is
// no PostgreSQL; a failure when IMS_REQUIRE_PG=1). `open` gives a new, empty store each call;
// closing a PostgreSQL store drops its database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../core/ports.js';
import { openStore } from '../../storage/open.js';
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

export function onEveryStore(contract: Contract): void {
  const dir = mkdtempSync(join(tmpdir(), 'ims-store-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  contract('sqlite-file', () => openStore(`sqlite:${join(dir, `s-${++files}.db`)}`), null);
  contract('sqlite-memory', () => openStore('sqlite::memory:'), null);
  contract('postgres', openPostgresStore, postgresSkipReason());
}
