// Reads on the second core. The SQLite store runs every write and, by default, every read on
// its one connection and thread; a server busy with reads is then one core at 100 % while the
// machine's other cores idle (measured: 20-row availability reads, 5.4k/s at 100 % of one
// core, most of it in SQLite). With a reader thread, reads run in a worker on a read-only
// connection of their own (WAL lets it read beside the writer), and the event loop keeps
// only HTTP, JSON and the writes. A read sees everything committed before it starts, so an
// acknowledged write is visible to the next read as before.
//
// API tokens and idempotency keys stay on the writer's connection: the token is looked up on
// every request from a cache there, and a round trip to the thread would cost more. If the
// thread cannot start (the single executable has no module file for it) or stops, reads go
// back to the writer's connection, and the calls it had not answered are run there again.
import { Worker } from 'node:worker_threads';
import { closeWorker } from './worker.js';
import { StoreUnavailable, type Reader } from '../../core/ports.js';
import type { DriverName } from './driver.js';
import type { Answer, Call } from './reader-worker.js';

/** The areas whose reads go to the thread. */
const THREADED = ['catalog', 'facilities', 'ledger', 'reservations', 'transfers', 'counts', 'policies',
  'production', 'parties', 'purchasing', 'sales', 'events', 'webhooks'] as const;

interface Pending {
  call: Call;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class ReaderThread {
  private worker: Worker | null;
  private next = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(worker: Worker, private readonly local: Reader, private readonly failed: (e: unknown) => unknown) {
    this.worker = worker;
    worker.on('message', (m: Answer | 'ready') => this.answer(m));
    worker.on('error', () => this.stop());
    worker.on('exit', () => this.stop());
  }

  /**
   * Starts the thread over `file`, or returns null where it cannot. `local` is the reader on
   * the writer's connection, for the fallback; `failed` turns a driver error into the store's.
   */
  static start(file: string, driver: DriverName, local: Reader, failed: (e: unknown) => unknown): ReaderThread | null {
    const here = import.meta.url;
    if (typeof here !== 'string') return null;
    // From source (tsx), the worker needs the same loader to read TypeScript.
    const ts = here.endsWith('.ts');
    const execArgv = ts && !process.execArgv.some((a) => a.includes('tsx')) ? [...process.execArgv, '--import', 'tsx'] : undefined;
    try {
      const worker = new Worker(new URL(ts ? './reader-worker.ts' : './reader-worker.js', here), { workerData: { file, driver }, execArgv });
      return new ReaderThread(worker, local, failed);
    } catch {
      return null;
    }
  }

  /**
   * A Reader whose threaded areas call the thread; tokens and idempotency keys stay local.
   * `check` runs before each call (the store's check that its file is still the one it opened).
   */
  reader(check: () => void): Reader {
    const reader = { ...this.local } as Record<string, unknown>;
    for (const area of THREADED) {
      const local = this.local[area] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const remote: Record<string, unknown> = {};
      for (const method of Object.keys(local)) {
        remote[method] = (...args: unknown[]) => {
          if (!this.worker) return local[method]!(...args);
          try {
            check();
          } catch (e) {
            return Promise.reject(e);
          }
          return this.call({ id: this.next++, area, method, args });
        };
      }
      reader[area] = remote;
    }
    return reader as unknown as Reader;
  }

  /** Ends the thread: its connection closes, then the thread exits. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    await closeWorker(worker);
    this.rerunLocally();
  }

  private call(call: Call): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.set(call.id, { call, resolve, reject });
      this.worker!.postMessage(call);
    });
  }

  private answer(m: Answer | 'ready'): void {
    if (m === 'ready') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if ('error' in m) p.reject(this.failed(Object.assign(new Error(m.error.message), { code: m.error.code })));
    else p.resolve(m.value);
  }

  /** The thread failed or ended: reads go back to the writer's connection. */
  private stop(): void {
    this.worker = null;
    this.rerunLocally();
  }

  private rerunLocally(): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const { call, resolve, reject } of calls) {
      const area = this.local[call.area as keyof Reader] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      area[call.method]!(...call.args).then(resolve, (e: unknown) => reject(e instanceof StoreUnavailable ? e : this.failed(e)));
    }
  }
}
