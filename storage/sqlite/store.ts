// The SQLite store. One writer connection and one queue: write units that arrive in the same
// turn of the event loop run one after another inside one BEGIN IMMEDIATE transaction (a
// unit that throws rolls back alone: see runUnits), then one COMMIT, and only then does any
// of their promises settle. Durability costs one fsync per batch, not per request.
// Reads see committed state only: on the writer's connection between batches, or on a
// connection of their own in a reader thread (reader-thread.ts).
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { StoreUnavailable, type Reader, type Store, type StoreObserver, type Writer } from '../../core/ports.js';
import { areas, forgetCached, type Areas } from './areas.js';
import { MEMORY, migrate, openDatabase, type Db, type Synchronous } from './database.js';
import { sqliteCode, type Driver, type DriverName } from './driver.js';
import { chooseDriver } from './drivers.js';
import { Checkpointer } from './checkpointer.js';
import { ReaderThread } from './reader-thread.js';
import { AnswerCache, cachedReader } from './answers.js';

/** How large the WAL file may stay after a checkpoint (see the constructor). */
export const WAL_LIMIT = 256 * 1024 * 1024;

export interface SqliteOptions {
  /** `FULL` (default): an acknowledged write survives power loss. `NORMAL`: faster, may lose the last batches. */
  synchronous?: Synchronous;
  /** Most units one commit may carry; the rest wait for the next turn. */
  maxBatch?: number;
  /** How long the WAL collects commits before they are copied into the database file. */
  checkpointIntervalMs?: number;
  /** The SQLite driver, or its name; default: IMS_SQLITE_DRIVER, else the first that works in this Node. */
  driver?: Driver | DriverName;
  /** Reads on a connection of their own in a worker thread (see reader-thread.ts); files only. */
  readerThread?: boolean;
  /** Keeps availability and balance answers until a commit or time changes them (see answers.ts). */
  answerCache?: boolean;
}

interface Job {
  work: (tx: Writer) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The database cannot take writes now: locked by another process past the busy timeout,
 * out of disk, or failing I/O. The request may succeed later, so it is a 503, not a 500.
 */
export function unavailable(e: unknown): unknown {
  const code = sqliteCode(e);
  if (code && /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY)/.test(code)) {
    return new StoreUnavailable(`${code}: ${(e as Error).message}`);
  }
  return e;
}

/**
 * The reader over the writer's own connection: a call made while a batch is open waits for
 * it to commit or roll back, so reads see committed state only. (A batch never yields to
 * other I/O in practice, so nothing waits; the guard keeps that true if one ever does.)
 */
function committedReader(writer: Writer, open: () => boolean, idle: () => Promise<void>, fresh: () => void): Reader {
  const guard = <T extends object>(area: T): T => {
    const guarded: Record<string, unknown> = {};
    for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(area))) {
      const method = (area as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof method !== 'function') continue;
      const call = (...args: unknown[]): unknown => {
        if (open()) return idle().then(() => call(...args));
        try {
          fresh();
        } catch (e) {
          return Promise.reject(e);
        }
        return method.apply(area, args);
      };
      guarded[name] = call;
    }
    return guarded as T;
  };
  return {
    catalog: guard(writer.catalog),
    facilities: guard(writer.facilities),
    tokens: guard(writer.tokens),
    ledger: guard(writer.ledger),
    reservations: guard(writer.reservations),
    transfers: guard(writer.transfers),
    counts: guard(writer.counts),
    policies: guard(writer.policies),
    production: guard(writer.production),
    parties: guard(writer.parties),
    purchasing: guard(writer.purchasing),
    sales: guard(writer.sales),
    idempotency: guard(writer.idempotency),
    events: guard(writer.events),
    webhooks: guard(writer.webhooks),
  };
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly read: Reader;
  private readonly writer: Areas;
  private queue: Job[] = [];
  private scheduled = false;
  /** How many units the last batch carried: schedule() waits a little for as many. */
  private lastBatch = 0;
  private flushing = false;
  /** Settles when the open batch has committed or rolled back. */
  private idle: Promise<void> = Promise.resolve();
  private settleIdle: () => void = () => {};
  private closed = false;
  private readonly maxBatch: number;
  /** Copies the WAL into the database file now and then; null in memory (no WAL). */
  readonly checkpointer: Checkpointer | null = null;
  /** Where reads run when they do not share the writer's thread; null when they do. */
  private readonly readerThread: ReaderThread | null = null;
  /** Answers to availability and balance reads, while they hold; null when not asked for. */
  private readonly answers: AnswerCache | null = null;
  private readonly dataVersion: () => number;
  private lastDataVersion: number;
  private checkedThisTurn = false;
  /** When reads last looked at the database file (performance.now()). */
  private fileCheckedAt = -Infinity;
  /** The database file's identity when opened; null in memory. */
  private readonly identity: Pick<Stats, 'dev' | 'ino'> | null;
  /** Why the database file cannot be used, as of the last check; null while it can. */
  private missing: string | null = null;
  private readonly observers: StoreObserver[] = [];

  /** The driver in use, with its version and SQLite's, for the server's log. */
  readonly driver: string;

  constructor(readonly file: string, private readonly db: Db, options: SqliteOptions = {}) {
    this.driver = typeof options.driver === 'object' ? options.driver.description : db.driver;
    this.maxBatch = options.maxBatch ?? 1000;
    this.writer = areas(db);
    // Reads share the writer's connection. In one thread a second connection buys no
    // concurrency (every call is synchronous), and it costs: in WAL mode a connection drops
    // its whole page cache whenever another connection has committed, so a reader beside a
    // busy writer reads every page from the OS again on every request.
    const dataVersion = db.prepare('PRAGMA data_version');
    this.dataVersion = () => dataVersion.value() as number;
    this.lastDataVersion = this.dataVersion();
    this.identity = file === MEMORY ? null : statSync(file);
    this.read = committedReader(this.writer, () => this.flushing, () => this.idle, () => this.fresh());
    if (options.readerThread && file !== MEMORY && typeof options.driver === 'object') {
      this.readerThread = ReaderThread.start(file, options.driver.name, this.read, unavailable);
      if (this.readerThread) this.read = this.readerThread.reader(() => this.fresh());
    }
    if (options.answerCache) {
      this.answers = new AnswerCache();
      this.read = cachedReader(this.read, this.answers, () => this.fresh());
    }
    if (file !== MEMORY) {
      // SQLite's own checkpoint runs inside the COMMIT that fills the WAL, delaying every reply
      // of that batch. We checkpoint ourselves instead (see checkpointer.ts), once a second
      // (sooner for a lone writer, see Checkpointer.due): a checkpoint copies each changed page
      // once, however often it changed, so rarer checkpoints do less work in all (measured under
      // HTTP load at 50 connections, on the writer's thread: every 250 ms, p99 24 ms; every
      // second, 15 ms and 12 % more postings). A second of commits can fill well over 100 MB of
      // WAL (each commit appends every page it changed). After each checkpoint the WAL starts
      // over from the beginning of its file, and SQLite cuts the file back to journal_size_limit;
      // a limit below what one interval writes makes every commit past it grow the file again,
      // and growing a file makes its fsync slower. Single postings on a file, one commit each:
      // 492 to 515 µs with 64 MiB, 421 to 437 µs with 256 MiB, the WAL file at 170 MB (`node
      // --import tsx bench/wal.ts --limit-mib=64`, then without the option); HTTP adjustments at
      // 10 / 50 connections: 9 / 5 % more. At most 256 MiB stays on disk after a burst (SQLite's
      // own default keeps everything).
      db.exec('PRAGMA wal_autocheckpoint = 0');
      db.exec(`PRAGMA journal_size_limit = ${WAL_LIMIT}`);
      const driver = typeof options.driver === 'object' ? options.driver.worker ?? null : null;
      this.checkpointer = new Checkpointer(db, file, options.checkpointIntervalMs ?? 1000, WAL_LIMIT, driver, () => !this.flushing && !this.closed);
    }
  }

  static open(file: string, options: SqliteOptions = {}): SqliteStore {
    const driver = typeof options.driver === 'object' ? options.driver : chooseDriver(options.driver);
    const db = openDatabase(file, { synchronous: options.synchronous, driver });
    migrate(db);
    return new SqliteStore(file, db, { ...options, driver });
  }

  observe(observer: StoreObserver): void {
    this.observers.push(observer);
  }

  write<T>(work: (tx: Writer) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /**
   * Flushes on a later turn of the event loop, so that the units of one turn share a commit.
   * While fewer units are queued than the last batch carried, it waits up to two more turns:
   * the clients of the last batch were all answered at once, and their next requests reach
   * the queue over the next few turns (each has its body, token and validation to get
   * through). Measured with 10 clients posting over HTTP: batches of 6.4 units became 9.3,
   * one fsync per 9 postings instead of 6, and 11 to 22 % more postings per second; with 50
   * clients, 31 became 42 and 4 to 5 % more. A lone writer (an embedder awaiting each call)
   * never waits: its queue is never shorter than its last batch of one.
   */
  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    let turns = 0;
    const go = () => {
      if (this.queue.length < this.lastBatch && turns++ < 2) {
        setImmediate(go);
        return;
      }
      this.scheduled = false;
      void this.flush();
    };
    setImmediate(go);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    this.idle = new Promise((resolve) => (this.settleIdle = resolve));
    const batch = this.queue.splice(0, this.maxBatch);
    this.lastBatch = batch.length;
    if (!this.begin(batch)) return;
    let settle: Array<() => void> | null;
    try {
      settle = await this.runUnits(batch, false);
      if (settle === null) {
        // A unit threw after writing: the batch starts over, each unit in a savepoint.
        this.db.exec('ROLLBACK');
        this.forgetCached();
        if (!this.begin(batch)) return;
        settle = (await this.runUnits(batch, true))!;
      }
      this.db.exec('COMMIT');
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.forgetCached();
      for (const job of batch) job.reject(unavailable(e));
      this.done();
      return;
    }
    // Before anyone hears of the commit: a client that posted and then reads sees its posting.
    this.answers?.changed(this.writer.changes);
    const posted = this.writer.ledger.posted;
    for (const o of this.observers) o.committed(batch.length, { transactions: posted.transactions, lines: posted.lines });
    for (const s of settle) s();
    this.done();
    this.checkpointer?.due(batch.length);
  }

  /** BEGIN IMMEDIATE for `batch`; false, with every unit rejected, when the database cannot take writes now. */
  private begin(batch: Job[]): boolean {
    try {
      this.db.exec('BEGIN IMMEDIATE');
      // Under the write lock nobody else can commit: check now, whatever this turn knew.
      this.fresh(true);
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const job of batch) job.reject(unavailable(e));
      this.done();
      return false;
    }
    // What the batch changed, for the answer cache; a unit that rolls back may leave some
    // items named that did not change, which only ends a few answers early.
    this.writer.changes.clear();
    // What the batch posted, for the observers; a unit that rolls back takes its part back.
    this.writer.ledger.posted.transactions = 0;
    this.writer.ledger.posted.lines = 0;
    return true;
  }

  /**
   * Runs the units one after another; returns how each settles once the batch has committed.
   * Guarded, each unit runs in a savepoint, and one that throws rolls back alone. Unguarded,
   * none does: a savepoint makes SQLite copy every page a unit changes before its first
   * change (batched postings in memory: 75 µs each with, 62 without; see bench/FINDINGS.md),
   * and a unit that throws has almost always written nothing, since a command decides before
   * it writes (a refused one throws its refusal, see core/command.ts). Such a unit is rejected
   * and the others go on. Returns null when a unit threw after writing, which only a guarded
   * run can undo alone. Throws when the transaction itself is gone.
   */
  private async runUnits(batch: Job[], guarded: boolean): Promise<Array<() => void> | null> {
    const settle: Array<() => void> = [];
    const { posted } = this.writer.ledger;
    const { changes } = this.writer;
    for (const job of batch) {
      const [transactions, lines, writes] = [posted.transactions, posted.lines, changes.writes];
      if (guarded) this.db.exec('SAVEPOINT unit');
      try {
        const value = await job.work(this.writer);
        if (guarded) this.db.exec('RELEASE unit');
        settle.push(() => job.resolve(value));
      } catch (e) {
        // SQLite rolls the whole transaction back itself on some errors (a full disk, I/O):
        // no unit of the batch may commit then, nor run outside it.
        if (!this.db.inTransaction) throw e;
        if (guarded) this.db.exec('ROLLBACK TO unit; RELEASE unit');
        else if (changes.writes !== writes) return null;
        posted.transactions = transactions;
        posted.lines = lines;
        this.forgetCached();
        settle.push(() => job.reject(e));
      }
    }
    return settle;
  }

  /** Cached records may come from a unit that rolled back, or be stale: start over. */
  private forgetCached(): void {
    forgetCached(this.writer);
  }

  /**
   * Another process may write the same file (`ims token revoke` beside a running server):
   * SQLite's data_version changes when another connection has committed, and then every
   * cached record is forgotten. Our own commits do not change it; they keep the caches
   * right themselves.
   */
  private fresh(force = false): void {
    // Reads ask once per turn of the event loop: the pragma costs as much as a small query,
    // and a turn's reads may as well see the file as it was when the turn began. They look
    // at the file itself at most every 50 ms (two system calls were 3 % of a server
    // answering cached reads); writes look before every batch.
    if (!this.checkedThisTurn || force) {
      this.checkedThisTurn = true;
      setImmediate(() => (this.checkedThisTurn = false));
      const now = performance.now();
      if (force || now - this.fileCheckedAt >= 50) {
        this.fileCheckedAt = now;
        this.missing = this.fileProblem();
      }
      if (this.missing === null) {
        const version = this.dataVersion();
        if (version !== this.lastDataVersion) {
          this.lastDataVersion = version;
          this.forgetCached();
          this.answers?.clear();
        }
      }
    }
    if (this.missing !== null) throw new StoreUnavailable(this.missing);
  }

  /**
   * Why the database file is no longer the one we opened, or null. SQLite keeps working on
   * its open file descriptor after the file is deleted, renamed or made unreadable, so
   * without this check writes would be acknowledged into a file nobody will ever open
   * again. While the file is away every request is a 503; once the same file is back (moved
   * back, permissions restored) the service carries on without a restart.
   */
  private fileProblem(): string | null {
    if (this.identity === null) return null;
    try {
      const now = statSync(this.file);
      if (now.ino !== this.identity.ino || now.dev !== this.identity.dev) return `the database file ${this.file} was replaced by another file`;
      accessSync(this.file, constants.R_OK | constants.W_OK);
      // The kernel lets root read any file, but an owner without read and write permission
      // means the file was taken away on purpose.
      if ((now.mode & 0o600) !== 0o600) return `the database file ${this.file} is not readable and writable`;
      return null;
    } catch (e) {
      return `the database file ${this.file} cannot be reached: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
    }
  }

  private done(): void {
    this.flushing = false;
    this.settleIdle();
    if (this.queue.length > 0) this.schedule();
  }

  async ping(): Promise<void> {
    this.fresh(true);
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setImmediate(r));
    this.closed = true;
    await this.readerThread?.close();
    await this.checkpointer?.close();
    this.db.close();
  }
}
