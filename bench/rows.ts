// The rows a posting writes, written the cheapest way: prepared statements, no loading, no
// decision, no validation. Both limits the benchmarks hold the product against write through
// it (bench/raw.ts in process, bench/servers/minimal-gc.ts over HTTP), so both write what the
// product's posting writes on SQLite (storage/sqlite/ledger.ts and events.ts): the transaction
// row; per line, its key's balance and the line with the running balance; the item's
// valuation at the facility when its quantity there changes; and the posting's event, which
// on SQLite is a reference to the transaction.
import type { Db } from '../storage/sqlite/database.js';
import type { Statement } from '../storage/sqlite/driver.js';

export class PostingRows {
  private readonly insertTransaction: Statement;
  private readonly insertLine: Statement;
  private readonly updateBalance: Statement;
  private readonly insertBalance: Statement;
  private readonly updateValuation: Statement;
  private readonly insertValuation: Statement;
  private readonly insertEvent: Statement;
  private idSeq = 0;
  private readonly salt = Math.random().toString(16).slice(2, 14).padEnd(12, '0');

  constructor(db: Db, private readonly facilityId: string) {
    this.insertTransaction = db.prepare(`INSERT INTO inventory_transactions (id, type, occurred_at, posted_at, reason,
      reference_type, reference_id, reverses_transaction_id) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL)`);
    this.insertLine = db.prepare(`INSERT INTO inventory_lines (seq, line_no, item_id, facility_id, location_id, lot_id,
      status_id, qty_delta, on_hand_after, serial_nos) VALUES (?, ?, ?, ?, ?, '', 'available', ?, ?, NULL)`);
    // Update first and insert when there is no row, as the product does: an upsert would test
    // CHECK (on_hand >= 0) against the bare negative delta of a move's source line.
    this.updateBalance = db.prepare(`UPDATE balances SET on_hand = on_hand + ?
      WHERE item_id = ? AND location_id = ? AND lot_id = '' AND status_id = 'available' RETURNING on_hand`);
    this.insertBalance = db.prepare(`INSERT INTO balances (item_id, location_id, lot_id, status_id, facility_id, on_hand)
      VALUES (?, ?, '', 'available', ?, ?)`);
    // No cost is given, so the value stays as it is (the product computes the same row).
    this.updateValuation = db.prepare('UPDATE valuations SET qty = qty + ? WHERE item_id = ? AND facility_id = ?');
    this.insertValuation = db.prepare(`INSERT INTO valuations (item_id, facility_id, qty, value, unit_cost, cost_method)
      VALUES (?, ?, ?, 0, NULL, 'moving_average')`);
    this.insertEvent = db.prepare(`INSERT INTO events (id, type, occurred_at, data, transaction_seq)
      VALUES (?, 'transaction.posted', ?, NULL, ?)`);
  }

  /**
   * One posting of one item at the facility: the transaction row and its event, then per
   * change its balance and line, then the valuation by the net change (none for a move).
   * Returns the transaction's seq.
   */
  posting(type: 'adjustment' | 'move', reason: string | null, itemId: string, changes: ReadonlyArray<readonly [locationId: string, delta: number]>): number {
    const now = new Date().toISOString();
    const seq = Number(this.insertTransaction.run(this.nextId(), type, now, now, reason).lastInsertRowid);
    this.insertEvent.run(this.nextId(), now, seq);
    let net = 0;
    changes.forEach(([locationId, delta], i) => {
      this.line(seq, i + 1, itemId, locationId, delta);
      net += delta;
    });
    if (net !== 0 && this.updateValuation.run(net, itemId, this.facilityId).changes === 0) {
      this.insertValuation.run(itemId, this.facilityId, net);
    }
    return seq;
  }

  /** A line: its key's balance changes by `delta`, then the line records the balance after it. */
  private line(seq: number, lineNo: number, itemId: string, locationId: string, delta: number): void {
    let after = this.updateBalance.value(delta, itemId, locationId) as number | undefined;
    if (after === undefined) {
      this.insertBalance.run(itemId, locationId, this.facilityId, delta);
      after = delta;
    }
    this.insertLine.run(seq, lineNo, itemId, this.facilityId, locationId, delta, after);
  }

  /**
   * A time-ordered id shaped like the product's UUIDv7 (same length, same index locality)
   * without its per-id call for random bytes: the limits measure row writes only.
   */
  private nextId(): string {
    const ms = Date.now().toString(16).padStart(12, '0');
    const n = (this.idSeq++ & 0xffffff).toString(16).padStart(6, '0');
    return `${ms.slice(0, 8)}-${ms.slice(8)}-7${n.slice(0, 3)}-8${n.slice(3)}-${this.salt}`;
  }
}
