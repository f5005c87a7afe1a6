// The storage contract on SQLite: once on a database file in a temporary directory (WAL),
// once on `sqlite::memory:`, and once on a file opened as the server opens it (reads on a
// reader thread, stock answers cached), on every SQLite driver that works in this Node.
// Every suite opens a store of its own from the factory and closes it when it ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_SQLITE } from '../../http/cli.js';
import { openStore } from '../../storage/open.js';
import { testDrivers } from '../support/stores.js';
import { contractSuites } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'ims-contract-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

let files = 0;
for (const driver of testDrivers()) {
  const sqlite = { driver };
  contractSuites(`sqlite-file ${driver.name}`, () => openStore(`sqlite:${join(dir, `store-${++files}.db`)}`, { sqlite }));
  contractSuites(`sqlite-memory ${driver.name}`, () => openStore('sqlite::memory:', { sqlite }));
  contractSuites(`sqlite-file server ${driver.name}`,
    () => openStore(`sqlite:${join(dir, `store-${++files}.db`)}`, { sqlite: { ...sqlite, ...SERVER_SQLITE } }));
}
