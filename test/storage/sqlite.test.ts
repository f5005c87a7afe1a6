// The storage contract on SQLite: once on a database file in a temporary directory (a
// writer and a read connection, WAL), once on `sqlite::memory:` (one connection). Every
// suite opens a store of its own from the factory and closes it when it ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../storage/open.js';
import { contractSuites } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'ims-contract-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

let files = 0;
contractSuites('sqlite-file', () => openStore(`sqlite:${join(dir, `store-${++files}.db`)}`));
contractSuites('sqlite-memory', () => openStore('sqlite::memory:'));
