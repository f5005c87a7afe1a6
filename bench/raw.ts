// The physical baseline: the rows a 2-line posting writes (bench/rows.ts: the transaction row
// and its event, two balances and two lines, the item's valuation), written by a minimal
// program on the same SQLite driver with prepared statements and no loading, no decision, no
// validation. Same schema (the product's migrations), same pragmas (WAL, synchronous, foreign
// keys, savepoint journals in memory) on its own file.
import { newId } from '../core/id.js';
import { SCALE } from '../core/quantity.js';
import { immediate, MEMORY, migrate, type Db, type Synchronous } from '../storage/sqlite/database.js';
import type { Driver, Statement } from '../storage/sqlite/driver.js';
import { BASELINE_SAVEPOINTS } from './args.js';
import { PostingRows } from './rows.js';
import { keysOf, type WorldSize } from './world.js';

export class RawLedger {
  readonly db: Db;
  private readonly itemIds: string[];
  private readonly binIds: string[];
  private k = 0;
  /** Postings written by the workloads (not the opening stock). */
  posted = 0;
  private readonly rows: PostingRows;
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
    this.rows = new PostingRows(this.db, newId());
    this.savepoint = this.db.prepare('SAVEPOINT unit');
    this.release = this.db.prepare('RELEASE unit');
    this.begin = this.db.prepare('BEGIN IMMEDIATE');
    this.commit = this.db.prepare('COMMIT');
    this.seed();
  }

  /** Opening stock as ledger rows too, so the ledger still sums to the balances. */
  private seed(): void {
    const qty = this.size.opening * SCALE;
    immediate(this.db, () => {
      for (const itemId of this.itemIds) this.rows.posting('adjustment', 'opening stock', itemId, this.binIds.map((bin) => [bin, qty] as const));
    });
  }

  /** The rows of one 2-line posting (+1 at one bin, +1 at the next), inside a transaction. */
  private writePosting(): void {
    const { item, a, b } = keysOf(this.k++, this.size.items, this.size.bins);
    this.rows.posting('adjustment', 'bench', this.itemIds[item]!, [[this.binIds[a]!, SCALE], [this.binIds[b]!, SCALE]]);
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
