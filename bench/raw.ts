// The physical baseline: the same rows a 2-line posting writes (one transaction row, two
// line rows, two balance upserts), written by a minimal program on the same SQLite driver with
// prepared statements and no loading, no decision, no validation. Same schema (the
// product's migrations), same pragmas (WAL, synchronous, foreign keys, savepoint journals in
// memory) on its own file.
import { newId } from '../core/id.js';
import { SCALE } from '../core/quantity.js';
import { immediate, MEMORY, migrate, type Db, type Synchronous } from '../storage/sqlite/database.js';
import type { Driver, Statement } from '../storage/sqlite/driver.js';
import { BASELINE_SAVEPOINTS } from './args.js';
import { keysOf, type WorldSize } from './world.js';

export class RawLedger {
  readonly db: Db;
  private readonly itemIds: string[];
  private readonly binIds: string[];
  private readonly facilityId = newId();
  private k = 0;
  private idSeq = 0;
  private readonly salt = newId().slice(-12);
  /** Postings written by the workloads (not the opening stock). */
  posted = 0;
  private readonly insertTransaction: Statement;
  private readonly insertLine: Statement;
  private readonly upsertBalance: Statement;
  private readonly savepoint: Statement;
  private readonly release: Statement;
  private readonly begin: Statement;
  private readonly commit: Statement;

  constructor(file: string, synchronous: Synchronous, private readonly size: WorldSize, driver: Driver) {
    this.db = driver.open(file);
    if (file !== MEMORY) this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec(`PRAGMA synchronous = ${synchronous}`);
    this.db.exec('PRAGMA foreign_keys = ON');
    this.db.exec('PRAGMA temp_store = MEMORY');
    migrate(this.db);
    this.itemIds = Array.from({ length: size.items }, () => newId());
    this.binIds = Array.from({ length: size.bins }, () => newId());
    this.insertTransaction = this.db.prepare(`INSERT INTO inventory_transactions (id, type, occurred_at, posted_at, reason,
      reference_type, reference_id, reverses_transaction_id) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL)`);
    this.insertLine = this.db.prepare(`INSERT INTO inventory_lines (seq, line_no, item_id, facility_id, location_id, lot_id,
      status_id, qty_delta, on_hand_after, serial_nos) VALUES (?, ?, ?, ?, ?, '', 'available', ?, ?, NULL)`);
    this.upsertBalance = this.db.prepare(`INSERT INTO balances (item_id, location_id, lot_id, status_id, facility_id, on_hand)
      VALUES (?, ?, '', 'available', ?, ?)
      ON CONFLICT (item_id, location_id, lot_id, status_id) DO UPDATE SET on_hand = on_hand + excluded.on_hand
      RETURNING on_hand`);
    this.savepoint = this.db.prepare('SAVEPOINT unit');
    this.release = this.db.prepare('RELEASE unit');
    this.begin = this.db.prepare('BEGIN IMMEDIATE');
    this.commit = this.db.prepare('COMMIT');
    this.seed();
  }

  /** Opening stock as ledger rows too, so the ledger still sums to the balances. */
  private seed(): void {
    const qty = this.size.opening * SCALE;
    const now = new Date().toISOString();
    immediate(this.db, () => {
      for (const itemId of this.itemIds) {
        const seq = Number(this.insertTransaction.run(newId(), 'adjustment', now, now, 'opening stock').lastInsertRowid);
        this.binIds.forEach((bin, i) => {
          const after = this.upsertBalance.value(itemId, bin, this.facilityId, qty);
          this.insertLine.run(seq, i + 1, itemId, this.facilityId, bin, qty, after);
        });
      }
    });
  }

  /**
   * A time-ordered id shaped like the product's UUIDv7 (same length, same index locality)
   * without its per-id call for random bytes: the baseline measures row writes only.
   */
  private nextId(): string {
    const ms = Date.now().toString(16).padStart(12, '0');
    const n = (this.idSeq++ & 0xffffff).toString(16).padStart(6, '0');
    return `${ms.slice(0, 8)}-${ms.slice(8)}-7${n.slice(0, 3)}-8${n.slice(3)}-${this.salt}`;
  }

  /** The rows of one 2-line posting (+1 at one bin, +1 at the next), inside a transaction. */
  private writePosting(): void {
    const { item, a, b } = keysOf(this.k++, this.size.items, this.size.bins);
    const itemId = this.itemIds[item]!;
    const now = new Date().toISOString();
    const seq = Number(this.insertTransaction.run(this.nextId(), 'adjustment', now, now, 'bench').lastInsertRowid);
    const afterA = this.upsertBalance.value(itemId, this.binIds[a]!, this.facilityId, SCALE);
    const afterB = this.upsertBalance.value(itemId, this.binIds[b]!, this.facilityId, SCALE);
    this.insertLine.run(seq, 1, itemId, this.facilityId, this.binIds[a]!, SCALE, afterA);
    this.insertLine.run(seq, 2, itemId, this.facilityId, this.binIds[b]!, SCALE, afterB);
    this.posted++;
  }

  /** One posting, one transaction (one fsync under synchronous FULL). */
  single(): void {
    this.begin.run();
    try {
      this.writePosting();
      this.commit.run();
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  /**
   * `n` postings in one transaction, a savepoint each, as the targets define the limit; with
   * IMS_BENCH_SAVEPOINTS=0 none, as the product's store runs units while none fails.
   */
  batch(n: number): void {
    this.begin.run();
    try {
      for (let i = 0; i < n; i++) {
        if (BASELINE_SAVEPOINTS) this.savepoint.run();
        this.writePosting();
        if (BASELINE_SAVEPOINTS) this.release.run();
      }
      this.commit.run();
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  /** Balance keys whose row differs from the ledger's sum (should be none). */
  drift(): number {
    const sums = `SELECT item_id, location_id, lot_id, status_id, sum(qty_delta) AS q FROM inventory_lines
      GROUP BY item_id, location_id, lot_id, status_id`;
    const rows = 'SELECT item_id, location_id, lot_id, status_id, on_hand AS q FROM balances';
    return this.db.prepare(`SELECT count(*) FROM (${sums} EXCEPT ${rows})`).value() as number
      + (this.db.prepare(`SELECT count(*) FROM (${rows} EXCEPT ${sums})`).value() as number);
  }

  close(): void {
    this.db.close();
  }
}
