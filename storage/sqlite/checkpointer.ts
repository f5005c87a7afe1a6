// WAL checkpoints off the event loop. A checkpoint copies every page the WAL collected into
// the database file and syncs it; on the writer's connection, the whole server stops for it.
// So it runs on a connection of its own in a worker thread, which SQLite allows beside the
// writer in WAL mode (a PASSIVE checkpoint never blocks the writer or the readers), and the
// event loop goes on serving. Measured with bench/http.ts, adjustments at 50 connections on
// the 2-core VM: p99 15.6 to 17.7 ms with checkpoints on the writer's thread, 12.6 to 16.1 ms
// in the worker, postings per second the same within the run-to-run drift (the checkpoint's
// writes now overlap the commits' fsyncs on the same disk, which costs them a little).
//
// The worker opens the file with the same driver, so the same SQLite library in this process
// keeps both connections' locks. Where it cannot (the addon the single executable carries
// has no path a worker could load it from), checkpoints run on the writer's connection
// between batches, as before.
import { Worker } from 'node:worker_threads';
import { closeWorker } from './worker.js';
import type { Db } from './database.js';

/** Passes of the worker's checkpoint at most, and the frames a pass may find for it to stop early. */
const PASSES = 4;
const FEW_FRAMES = 256;

/** Commits of one unit each that start a checkpoint before the interval is up (see Checkpointer.due). */
export const LONE_COMMITS = 256;

/** Plain JavaScript, evaluated in the worker: no TypeScript loader is needed there. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { file, module, kind, walLimit } = workerData;
let db;
try {
  const m = require(module);
  db = kind === 'node' ? new m.DatabaseSync(file) : new m(file);
  db.exec('PRAGMA busy_timeout = 1000');
  db.exec('PRAGMA wal_autocheckpoint = 0');
  db.exec('PRAGMA journal_size_limit = ' + walLimit);
} catch (e) {
  parentPort.postMessage({ error: String((e && e.message) || e) });
  process.exit(0);
}
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    process.exit(0);
  }
  try {
    // Each pass copies the frames committed while the one before copied; once a pass has
    // found few, the writer's thread can copy the rest quickly (see Checkpointer.due).
    const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
    let copied = 0;
    let passes = 0;
    while (passes < ${PASSES}) {
      passes++;
      const { log } = checkpoint.get();
      const fresh = log - copied;
      copied = log;
      if (fresh <= ${FEW_FRAMES}) break;
    }
    parentPort.postMessage({ done: true, passes });
  } catch (e) {
    // Busy (another process holds a lock): the WAL keeps its pages until the next attempt.
    parentPort.postMessage({ done: false });
  }
});
`;

/** Where a worker thread can require the driver from, and which constructor it exports. */
export interface WorkerDriver {
  module: string;
  kind: 'node' | 'better-sqlite3';
}

export class Checkpointer {
  private worker: Worker | null = null;
  /** No worker could be started: checkpoint on the writer's connection. */
  private inThread: boolean;
  private running = false;
  /** The worker's copy has finished: the writer's thread copies what came in meanwhile. */
  private tail = false;
  private last = Date.now();
  /** Batches of one unit committed since the last checkpoint began. */
  private lone = 0;
  /** Checkpoints begun, by the interval or by lone commits (for tests and curious operators). */
  started = 0;
  /** Checkpoints that ran to the end. */
  completed = 0;
  /** Passes the worker's checkpoints made, in all. */
  passes = 0;

  constructor(
    private readonly db: Db,
    private readonly file: string,
    private readonly intervalMs: number,
    private readonly walLimit: number,
    private readonly driver: WorkerDriver | null,
    /** False while the writer's connection is in a batch (for checkpoints in the thread). */
    private readonly idle: () => boolean,
  ) {
    this.inThread = driver === null;
  }

  /** Where the checkpoints run: in a worker thread, or on the writer's own thread. */
  get where(): 'worker' | 'thread' {
    return this.inThread ? 'thread' : 'worker';
  }

  /**
   * Called after each batch of `units`: starts a checkpoint once the interval has passed
   * since the last, or sooner once LONE_COMMITS batches of one unit each have committed.
   * Rare checkpoints pay off when batches are large: a page that many commits changed is
   * copied once. A lone writer (an embedder awaiting each call) gains nothing from them:
   * each commit appends its 15 or so pages, a second of them fills about 150 MB of WAL, and
   * while the WAL file grows to that, every commit that grows it pays a slower fsync.
   * After 256 lone commits the WAL stays near 25 MB; single postings on a fresh file, first
   * 1.5 s: 617 and 636 µs each by the interval alone, 524 and 544 with this; from the third
   * second on the same (`node --import tsx bench/single.ts --rounds=3`).
   *
   * The worker's copy never catches up with a writer that keeps committing (the WAL
   * only starts over from its beginning once every frame in it is copied, and the writer
   * adds frames while the worker copies), so the WAL file would grow without end under
   * steady load. The worker therefore copies in passes, each the frames committed during the
   * one before, until a pass finds few (at most 4), and then the writer's thread copies the
   * rest between two batches, and the next commit starts the WAL over. That last copy stops
   * the event loop: with one pass in the worker it took 2 to 31 ms, median 14, under moves
   * at 50 connections (bench/http.ts); with passes 1 to 8.5 ms, median 2.5.
   */
  due(units: number): void {
    if (units === 1) this.lone++;
    if (this.running) return;
    if (this.tail) {
      this.tail = false;
      this.checkpointHere();
      return;
    }
    if (Date.now() - this.last < this.intervalMs && this.lone < LONE_COMMITS) return;
    this.last = Date.now();
    this.lone = 0;
    this.started++;
    if (!this.inThread) this.worker ??= this.start();
    if (this.worker) {
      this.running = true;
      this.worker.postMessage('checkpoint');
      return;
    }
    this.checkpointHere();
  }

  /** On the writer's connection, on the next turn: after the batch's replies have been written. */
  private checkpointHere(): void {
    setImmediate(() => {
      if (!this.idle()) return;
      try {
        this.db.exec('PRAGMA wal_checkpoint(PASSIVE)');
        this.completed++;
      } catch {
        // Busy (another process reading): the WAL keeps its pages until the next attempt.
      }
    });
  }

  /** Closes the worker's connection and waits for the thread to end. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    await closeWorker(worker);
  }

  private start(): Worker | null {
    let worker: Worker;
    try {
      worker = new Worker(WORKER, { eval: true, workerData: { file: this.file, walLimit: this.walLimit, ...this.driver } });
    } catch {
      this.inThread = true;
      return null;
    }
    // A checkpointer alone must not keep the process running.
    worker.unref();
    worker.on('message', (m: { done?: boolean; passes?: number; error?: string }) => {
      if (m.error !== undefined) return this.fallBack(worker);
      this.running = false;
      if (m.done) {
        this.completed++;
        this.passes += m.passes ?? 0;
        this.tail = true;
      }
    });
    worker.on('error', () => this.fallBack(worker));
    worker.on('exit', () => this.fallBack(worker));
    return worker;
  }

  /** The worker failed or ended on its own: from now on, and for a checkpoint it owed, the writer's thread. */
  private fallBack(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.inThread = true;
    if (this.running) {
      this.running = false;
      this.last = 0;
      this.due(0);
    }
  }
}
