// WAL checkpoints on a worker thread. A checkpoint copies committed pages from the WAL into
// the database file and syncs it, which takes milliseconds; run on the writer (SQLite's
// autocheckpoint) it stalls the commit that trips it, and on the main thread it stalls every
// request. A worker with its own connection does it beside the writer instead: a PASSIVE
// checkpoint never blocks the writer, and once the whole WAL is copied the writer starts
// the WAL over from the beginning.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

// Plain CommonJS, evaluated in the worker, so it runs the same under tsx and from dist/.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next tick tries again */ }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(file: string, intervalMs = 100) {
    this.worker = new Worker(WORKER, { eval: true, workerData: { driver, file, intervalMs } });
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    // A checkpoint that fails is retried on the next tick; a worker that dies only means the
    // WAL grows until the next start, so it must not take the server down.
    this.worker.on('error', () => {});
  }

  async stop(): Promise<void> {
    // Held while it stops: an unreferenced worker would let the process exit mid-close.
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
  }
}
