import { assert } from '../../core/assert.js';
import {
  balanceKey, type AvailabilityFilter, type AvailabilityRow, type Balance, type BalanceDelta, type BalanceFilter, type BalanceKey,
  type FacilityAvailabilityRow, type LedgerSum, type LineRecord, type Lot, type PostingEffects, type SerialState,
  type RunningBreak, type TransactionFilter, type TransactionView,
} from '../../core/ledger.js';
import type { Money } from '../../core/money.js';
import type { Page, PageRequest } from '../../core/page.js';
import type { Appended, LedgerWriter, ValueCheck } from '../../core/ports.js';
import type { StockValueFilter, StockValueSum } from '../../core/stock-value.js';
import type { ItemFacility, StockPosition } from '../../core/stock.js';
import type { CostLayer, Valuation } from '../../core/valuation.js';
import { lotIn, lotOut } from '../rows/columns.js';
import { transactionViews, type LineRow, type TransactionRow } from '../rows/ledger.js';
import { HOLDING } from './reservations.js';
import { lockStock, stockPositions } from './stock.js';
import { fromMicro, type Micro } from '../../core/quantity.js';
import { byteOrder, page, storable, Where, type Sql } from './sql.js';

const LOT = 'SELECT id, item_id AS "itemId", lot_no AS "lotNo", expires_on AS "expiresOn", created_at AS "createdAt" FROM lots';

const TRANSACTION = `SELECT t.seq, t.id, t.type, t.occurred_at AS "occurredAt", t.posted_at AS "postedAt", t.reason,
  t.reference_type AS "referenceType", t.reference_id AS "referenceId",
  t.reverses_transaction_id AS "reversesTransactionId", r.id AS "reversedByTransactionId"`;
const TRANSACTION_FROM = `FROM inventory_transactions t
  LEFT JOIN inventory_transactions r ON r.reverses_transaction_id = t.id`;

const PAIRS = 'unnest(?::text[], ?::text[]) AS p (item_id, facility_id)';
const pairArrays = (pairs: readonly ItemFacility[]) => [pairs.map((p) => p.itemId), pairs.map((p) => p.facilityId)];

interface KeyRow {
  item_id: string;
  location_id: string;
  lot_id: string;
  status_id: string;
}

/** The fixed order every unit locks and inserts balance rows in: the primary key's, in bytes. */
function keyOrder(a: BalanceKey, b: BalanceKey): number {
  return byteOrder(a.itemId, b.itemId) || byteOrder(a.locationId, b.locationId)
    || byteOrder(lotIn(a.lotId), lotIn(b.lotId)) || byteOrder(a.statusId, b.statusId);
}

const KEYS = 'unnest(?::text[], ?::text[], ?::text[], ?::text[]) AS k (item_id, location_id, lot_id, status_id)';
const keyArrays = (keys: readonly BalanceKey[]) =>
  [keys.map((k) => k.itemId), keys.map((k) => k.locationId), keys.map((k) => lotIn(k.lotId)), keys.map((k) => k.statusId)];

export class PgLedger implements LedgerWriter {
  constructor(private readonly sql: Sql) {}

  async getStockPositions(pairs: readonly ItemFacility[], now: string, options: { committedOnly?: boolean } = {}): Promise<StockPosition[]> {
    return stockPositions(this.sql, pairs, now, options.committedOnly ?? false);
  }

  async getLots(all: readonly string[]): Promise<Lot[]> {
    const ids = all.filter(storable);
    if (ids.length === 0) return [];
    return this.sql.rows<Lot>(`${LOT} WHERE id = ANY(?::text[])`, [ids]);
  }

  async findLots(all: ReadonlyArray<{ itemId: string; lotNo: string }>): Promise<Lot[]> {
    const keys = all.filter((k) => storable(k.itemId) && storable(k.lotNo));
    if (keys.length === 0) return [];
    return this.sql.rows<Lot>(`${LOT} WHERE (item_id, lot_no) IN (SELECT * FROM unnest(?::text[], ?::text[]))`,
      [keys.map((k) => k.itemId), keys.map((k) => k.lotNo)]);
  }

  /**
   * Inside a write unit the rows are locked FOR UPDATE, in primary key order: a posting's
   * non-negative check runs on balances no other unit can change until this one commits, and
   * two units that touch the same balances lock them in the same order (no deadlock).
   */
  async getBalances(keys: readonly BalanceKey[]): Promise<Array<BalanceKey & { onHand: Micro }>> {
    const stored = keys.filter((k) => [k.itemId, k.locationId, k.lotId ?? '', k.statusId].every(storable));
    if (stored.length === 0) return [];
    const unique = [...new Map(stored.map((k) => [`${k.itemId}|${k.locationId}|${lotIn(k.lotId)}|${k.statusId}`, k])).values()];
    const lock = this.sql.unit ? ' ORDER BY b.item_id, b.location_id, b.lot_id, b.status_id FOR UPDATE OF b' : '';
    const rows = await this.sql.rows<KeyRow & { on_hand: Micro }>(`SELECT b.item_id, b.location_id, b.lot_id, b.status_id, b.on_hand
      FROM balances b JOIN ${KEYS} USING (item_id, location_id, lot_id, status_id)${lock}`, keyArrays(unique));
    return rows.map((r) => ({ itemId: r.item_id, locationId: r.location_id, lotId: lotOut(r.lot_id), statusId: r.status_id, onHand: r.on_hand }));
  }

  /** Inside a write unit the serials found are locked FOR UPDATE, in serial number order. */
  async getSerials(itemId: string, all: readonly string[]): Promise<SerialState[]> {
    const serialNos = all.filter(storable);
    if (serialNos.length === 0) return [];
    const lock = this.sql.unit ? ' ORDER BY serial_no FOR UPDATE' : '';
    const rows = await this.sql.rows<SerialState>(`SELECT item_id AS "itemId", serial_no AS "serialNo", facility_id AS "facilityId",
      location_id AS "locationId", lot_id AS "lotId", status_id AS "statusId" FROM serials
      WHERE item_id = ? AND serial_no = ANY(?::text[])${lock}`, [itemId, serialNos]);
    for (const s of rows) this.sql.unit?.serialsSeen.add(`${s.itemId}|${s.serialNo}`);
    return rows;
  }

  async listSerialsOnHand(itemId: string): Promise<SerialState[]> {
    return this.sql.rows<SerialState>(`SELECT item_id AS "itemId", serial_no AS "serialNo", facility_id AS "facilityId",
      location_id AS "locationId", lot_id AS "lotId", status_id AS "statusId" FROM serials
      WHERE item_id = ? AND location_id IS NOT NULL ORDER BY serial_no`, [itemId]);
  }

  /** The latest posting time: the core never posts before it, whichever host's clock is behind. */
  async lastPostedAt(): Promise<string | null> {
    return (await this.sql.rows<{ posted_at: string | null }>('SELECT posted_at FROM ledger_head'))[0]?.posted_at ?? null;
  }

  async itemHasHistory(itemId: string): Promise<boolean> {
    return (await this.sql.rows('SELECT 1 FROM inventory_lines WHERE item_id = ? LIMIT 1', [itemId])).length > 0;
  }

  async itemHasStock(itemId: string): Promise<boolean> {
    return (await this.sql.rows('SELECT 1 FROM balances WHERE item_id = ? AND on_hand > 0 LIMIT 1', [itemId])).length > 0;
  }

  /** In a write unit, locks each item and facility first (lockStock): the same lock positions take. */
  async getValuations(all: readonly ItemFacility[]): Promise<Valuation[]> {
    const pairs = all.filter((p) => storable(p.itemId) && storable(p.facilityId));
    if (pairs.length === 0) return [];
    await lockStock(this.sql, pairs);
    return this.sql.rows<Valuation>(`SELECT v.item_id AS "itemId", v.facility_id AS "facilityId", v.qty, v.value, v.unit_cost AS "unitCost",
        v.cost_method AS "costMethod"
      FROM valuations v JOIN ${PAIRS} USING (item_id, facility_id)`, pairArrays(pairs));
  }

  async getCostLayers(all: readonly ItemFacility[]): Promise<CostLayer[]> {
    const pairs = all.filter((p) => storable(p.itemId) && storable(p.facilityId));
    if (pairs.length === 0) return [];
    await lockStock(this.sql, pairs);
    // Oldest first: by the seq of the posting that opened the layer, then its line.
    return this.sql.rows<CostLayer>(`SELECT c.id, c.item_id AS "itemId", c.facility_id AS "facilityId", c.transaction_id AS "transactionId",
        c.line_no AS "lineNo", c.qty_in AS "qtyIn", c.value_in AS "valueIn", c.qty_left AS "qtyLeft", c.value_left AS "valueLeft"
      FROM cost_layers c JOIN ${PAIRS} USING (item_id, facility_id) JOIN inventory_transactions t ON t.id = c.transaction_id
      WHERE c.qty_left > 0 ORDER BY c.item_id, c.facility_id, t.seq, c.line_no`, pairArrays(pairs));
  }

  async listStockValue(f: StockValueFilter, p: PageRequest): Promise<Page<StockValueSum>> {
    const w = new Where().add('v.item_id = ?', f.itemId).add('v.facility_id = ?', f.facilityId);
    const args = [...w.args];
    let source = 'valuations';
    if (f.asOf !== undefined) {
      // The value then is the sum of the lines posted by then (posting times never go
      // backwards in seq order), per item and facility.
      source = `(SELECT l.item_id, l.facility_id, sum(l.qty_delta)::bigint AS qty, sum(l.value_delta)::bigint AS value FROM inventory_lines l
        WHERE l.seq <= (SELECT coalesce((SELECT seq FROM inventory_transactions WHERE posted_at <= ?
          ORDER BY posted_at DESC, seq DESC LIMIT 1), 0)) GROUP BY l.item_id, l.facility_id)`;
      args.unshift(f.asOf);
    }
    const group = f.groupBy === 'item' ? { select: 'v.item_id AS "itemId", i.item_no AS "itemNo", NULL AS "facilityId"', by: 'v.item_id, i.item_no', order: 'i.item_no' }
      : f.groupBy === 'facility' ? { select: 'NULL AS "itemId", NULL AS "itemNo", v.facility_id AS "facilityId"', by: 'v.facility_id, fac.code', order: 'fac.code' }
        : { select: 'v.item_id AS "itemId", i.item_no AS "itemNo", v.facility_id AS "facilityId"', by: 'v.item_id, i.item_no, v.facility_id, fac.code', order: 'i.item_no, fac.code' };
    return page<StockValueSum>(this.sql,
      `SELECT ${group.select}, sum(v.qty)::bigint AS qty, sum(v.value)::bigint AS value`,
      `FROM ${source} v JOIN items i ON i.id = v.item_id JOIN facilities fac ON fac.id = v.facility_id
        WHERE (v.qty <> 0 OR v.value <> 0)${w.and} GROUP BY ${group.by}`,
      '', args, group.order, p);
  }

  async valueVerification(): Promise<ValueCheck[]> {
    // One snapshot: postings committed between the sums would otherwise look like drift.
    const rows = await this.sql.snapshot((s) => s.rows<CheckRow>(`SELECT k.item_id, k.facility_id, coalesce(v.qty, 0)::bigint AS kept_qty,
        coalesce(v.value, 0)::bigint AS kept_value, coalesce(l.qty, 0)::bigint AS ledger_qty, coalesce(l.value, 0)::bigint AS ledger_value,
        coalesce(v.cost_method, i.cost_method) AS cost_method, coalesce(c.qty, 0)::bigint AS layer_qty, coalesce(c.value, 0)::bigint AS layer_value
      FROM (SELECT item_id, facility_id FROM valuations UNION SELECT DISTINCT item_id, facility_id FROM inventory_lines) k
      JOIN items i ON i.id = k.item_id
      LEFT JOIN valuations v ON v.item_id = k.item_id AND v.facility_id = k.facility_id
      LEFT JOIN (SELECT item_id, facility_id, sum(qty_delta) AS qty, sum(value_delta) AS value FROM inventory_lines
        GROUP BY item_id, facility_id) l ON l.item_id = k.item_id AND l.facility_id = k.facility_id
      LEFT JOIN (SELECT item_id, facility_id, sum(qty_left) AS qty, sum(value_left) AS value FROM cost_layers WHERE qty_left > 0
        GROUP BY item_id, facility_id) c ON c.item_id = k.item_id AND c.facility_id = k.facility_id`));
    return rows.map((r) => ({
      itemId: r.item_id, facilityId: r.facility_id,
      kept: { qty: r.kept_qty, value: r.kept_value },
      ledger: { qty: r.ledger_qty, value: r.ledger_value },
      layers: r.cost_method === 'fifo' ? { qty: r.layer_qty, value: r.layer_value } : null,
    }));
  }

  async getTransaction(id: string): Promise<TransactionView | null> {
    return this.sql.snapshot(async (s) => {
      const rows = await s.rows<TransactionRow>(`${TRANSACTION} ${TRANSACTION_FROM} WHERE t.id = ?`, [id]);
      return rows.length ? (await withLines(s, rows))[0]! : null;
    });
  }

  async findReversal(transactionId: string): Promise<string | null> {
    return (await this.sql.rows<{ id: string }>('SELECT id FROM inventory_transactions WHERE reverses_transaction_id = ?', [transactionId]))[0]?.id ?? null;
  }

  async listTransactions(f: TransactionFilter, p: PageRequest): Promise<Page<TransactionView>> {
    const line = (column: string) => `t.seq IN (SELECT seq FROM inventory_lines WHERE ${column} = ?)`;
    const w = new Where()
      .add(line('item_id'), f.itemId)
      .add(line('facility_id'), f.facilityId)
      .add(line('location_id'), f.locationId)
      .add('t.type = ?', f.type)
      .add('t.reference_type = ?', f.referenceType)
      .add('t.reference_id = ?', f.referenceId)
      .add('t.posted_at >= ?', f.from)
      .add('t.posted_at <= ?', f.to)
      .add('t.seq > ?', f.afterSeq);
    const order = f.afterSeq === undefined ? 't.seq DESC' : 't.seq ASC';
    return this.sql.snapshot(async (s) => {
      const r = await page<TransactionRow>(s, TRANSACTION, TRANSACTION_FROM, w.sql, w.args, order, p);
      return { items: await withLines(s, r.items), total: r.total };
    });
  }

  async listBalances(f: BalanceFilter, p: PageRequest): Promise<Page<Balance>> {
    const w = new Where()
      .add('item_id = ?', f.itemId)
      .add('facility_id = ?', f.facilityId)
      .add('location_id = ?', f.locationId)
      .add('lot_id = ?', f.lotId)
      .add('status_id = ?', f.statusId);
    const args = [...w.args];
    let source: string;
    if (f.asOf !== undefined) {
      // Every key that ever held stock has a balance row; its on-hand then is the running
      // balance of its last line up to the last seq posted by that instant (posting times
      // never go backwards in seq order).
      source = `(SELECT b.item_id, b.location_id, b.lot_id, b.status_id, b.facility_id, coalesce(last.on_hand_after, 0) AS on_hand
        FROM balances b
        CROSS JOIN (SELECT coalesce((SELECT seq FROM inventory_transactions WHERE posted_at <= ?
          ORDER BY posted_at DESC, seq DESC LIMIT 1), 0) AS bound) s
        LEFT JOIN LATERAL (SELECT l.on_hand_after FROM inventory_lines l WHERE l.item_id = b.item_id
          AND l.location_id = b.location_id AND l.lot_id = b.lot_id AND l.status_id = b.status_id AND l.seq <= s.bound
          ORDER BY l.seq DESC, l.line_no DESC LIMIT 1) last ON true
        WHERE true${w.and})`;
      args.unshift(f.asOf);
    } else {
      source = `(SELECT * FROM balances WHERE true${w.and})`;
    }
    const r = await page<Balance & { lotId: string }>(this.sql,
      `SELECT b.item_id AS "itemId", i.item_no AS "itemNo", b.facility_id AS "facilityId", b.location_id AS "locationId",
        b.lot_id AS "lotId", lots.lot_no AS "lotNo", lots.expires_on AS "expiresOn", b.status_id AS "statusId", b.on_hand AS "onHand"`,
      `FROM ${source} b JOIN items i ON i.id = b.item_id JOIN locations loc ON loc.id = b.location_id
        LEFT JOIN lots ON lots.id = b.lot_id`,
      'b.on_hand <> 0', args, 'i.item_no, b.facility_id, loc.path, lots.lot_no NULLS FIRST, b.status_id', p);
    return { items: r.items.map((b) => ({ ...b, lotId: lotOut(b.lotId), onHand: fromMicro(b.onHand) })), total: r.total };
  }

  async listAvailability(f: AvailabilityFilter, p: PageRequest, now: string): Promise<Page<AvailabilityRow>> {
    const w = availabilityWhere(f);
    // The allocations are summed for the filtered items only (the same filter inside), not
    // for the whole table on every read. They join per item and location; every balance row
    // of the place carries the same total, so it is taken once (max), not summed.
    const wa = availabilityWhere(f, 'a');
    const r = await page<AvailabilityRow>(this.sql,
      `SELECT b.item_id AS "itemId", b.facility_id AS "facilityId", b.location_id AS "locationId",
        sum(b.on_hand)::bigint AS "onHand", coalesce(max(al.qty), 0)::bigint AS allocated`,
      `FROM balances b JOIN stock_statuses s ON s.id = b.status_id AND s.is_available
        JOIN locations loc ON loc.id = b.location_id AND loc.type <> 'transit' JOIN items i ON i.id = b.item_id
        LEFT JOIN (SELECT a.item_id, a.location_id, sum(a.qty)::bigint AS qty FROM allocations a
          JOIN reservations r ON r.id = a.reservation_id WHERE ${HOLDING}${wa.and} GROUP BY a.item_id, a.location_id) al
          ON al.item_id = b.item_id AND al.location_id = b.location_id
        WHERE b.on_hand > 0${w.and} GROUP BY b.item_id, b.location_id, b.facility_id, i.item_no, loc.path`,
      '', [now, ...wa.args, ...w.args], 'i.item_no, b.facility_id, loc.path', p);
    return {
      items: r.items.map((a) => ({
        itemId: a.itemId, facilityId: a.facilityId, locationId: a.locationId,
        onHand: fromMicro(a.onHand), allocated: fromMicro(a.allocated), available: fromMicro(a.onHand - a.allocated),
      })),
      total: r.total,
    };
  }

  async listFacilityAvailability(f: AvailabilityFilter, p: PageRequest, now: string): Promise<Page<FacilityAvailabilityRow>> {
    const w = availabilityWhere(f);
    // Reservations are summed for the filtered items and facility only (promises are per
    // facility, so a location filter does not apply to them).
    const wr = availabilityWhere(f, 'r', false);
    const r = await page<FacilityAvailabilityRow>(this.sql,
      `SELECT b.item_id AS "itemId", b.facility_id AS "facilityId", sum(b.on_hand)::bigint AS "onHand",
        coalesce(max(c.reserved), 0)::bigint AS reserved, coalesce(max(c.allocated), 0)::bigint AS allocated`,
      `FROM balances b JOIN stock_statuses s ON s.id = b.status_id AND s.is_available
        JOIN locations loc ON loc.id = b.location_id AND loc.type <> 'transit' JOIN items i ON i.id = b.item_id
        JOIN facilities fac ON fac.id = b.facility_id
        LEFT JOIN (SELECT r.item_id, r.facility_id, sum(r.qty - r.qty_allocated - r.qty_fulfilled)::bigint AS reserved,
          sum(r.qty_allocated)::bigint AS allocated FROM reservations r WHERE ${HOLDING}${wr.and} GROUP BY r.item_id, r.facility_id) c
          ON c.item_id = b.item_id AND c.facility_id = b.facility_id
        WHERE b.on_hand > 0${w.and} GROUP BY b.item_id, b.facility_id, i.item_no, fac.code`,
      '', [now, ...wr.args, ...w.args], 'i.item_no, fac.code', p);
    return {
      items: r.items.map((a) => ({
        itemId: a.itemId,
        facilityId: a.facilityId,
        onHand: fromMicro(a.onHand),
        reserved: fromMicro(a.reserved),
        allocated: fromMicro(a.allocated),
        available: fromMicro(a.onHand - a.reserved - a.allocated),
      })),
      total: r.total,
    };
  }

  async verification(): Promise<{ ledger: LedgerSum[]; balances: LedgerSum[]; breaks: RunningBreak[] }> {
    // One snapshot: postings committed between the reads would otherwise look like drift.
    return this.sql.snapshot(async (s) => ({
      ledger: await sums(s, `SELECT item_id, location_id, lot_id, status_id, sum(qty_delta)::bigint AS qty FROM inventory_lines
        GROUP BY item_id, location_id, lot_id, status_id HAVING sum(qty_delta) <> 0`),
      balances: await sums(s, 'SELECT item_id, location_id, lot_id, status_id, on_hand AS qty FROM balances WHERE on_hand <> 0'),
      breaks: (await s.rows<KeyRow & { seq: number; line_no: number; expected: Micro; on_hand_after: Micro }>(`SELECT item_id, location_id, lot_id, status_id, seq, line_no, before + qty_delta AS expected, on_hand_after
        FROM (SELECT item_id, location_id, lot_id, status_id, seq, line_no, qty_delta, on_hand_after,
          lag(on_hand_after, 1, 0) OVER (PARTITION BY item_id, location_id, lot_id, status_id ORDER BY seq, line_no) AS before
          FROM inventory_lines) x
        WHERE before + qty_delta <> on_hand_after ORDER BY seq, line_no LIMIT 100`))
        .map((r) => ({
          itemId: r.item_id, locationId: r.location_id, lotId: lotOut(r.lot_id), statusId: r.status_id,
          seq: r.seq, lineNo: r.line_no, expected: r.expected, onHandAfter: r.on_hand_after,
        })),
    }));
  }

  /**
   * Writes a decided posting. Its balance rows were locked by getBalances; rows that did not
   * exist are inserted in key order (a unit that races another to create the same row waits
   * for it, then adds to it). The seq comes last, from ledger_head, in the statement that
   * writes the transaction and its lines: the head row stays locked until COMMIT, so seqs
   * are handed out in commit order.
   */
  async appendPosting(e: PostingEffects): Promise<Appended> {
    const unit = this.sql.unit;
    assert(unit, 'appendPosting runs inside a write unit');
    unit.posted.transactions++;
    unit.posted.lines += e.lines.length;
    if (e.newLots.length) {
      // A lot created by a unit beside this one is a unique violation: the unit runs again and finds it.
      const lots = [...e.newLots].sort((a, b) => byteOrder(a.itemId, b.itemId) || byteOrder(a.lotNo, b.lotNo));
      await this.sql.rows(`INSERT INTO lots (id, item_id, lot_no, expires_on, created_at)
        SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[])`, [
        lots.map((l) => l.id), lots.map((l) => l.itemId), lots.map((l) => l.lotNo), lots.map((l) => l.expiresOn), lots.map((l) => l.createdAt),
      ]);
    }
    const finals = await this.applyDeltas(e.balanceDeltas);
    await this.applyValuation(e);
    await this.moveSerials(e.serialMoves, unit.serialsSeen);
    const t = e.transaction;
    const lines = withRunningBalances(e.lines, finals);
    // The posting time is taken under the same lock as the seq: never before the last one,
    // whichever host's clock is behind.
    const [row] = await this.sql.rows<{ seq: number; posted_at: string }>(`WITH head AS (
        UPDATE ledger_head SET seq = seq + 1, posted_at = GREATEST(posted_at, ?::text) RETURNING seq, posted_at),
      tx AS (INSERT INTO inventory_transactions (seq, id, type, occurred_at, posted_at, reason, reference_type, reference_id,
          reverses_transaction_id)
        SELECT head.seq, ?, ?, head.posted_at, head.posted_at, ?, ?, ?, ? FROM head RETURNING seq, posted_at),
      lines AS (INSERT INTO inventory_lines (seq, line_no, item_id, facility_id, location_id, lot_id, status_id, qty_delta,
          on_hand_after, serial_nos, unit_cost, value_delta)
        SELECT tx.seq, k.* FROM tx, unnest(?::integer[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[],
          ?::bigint[], ?::text[], ?::bigint[], ?::bigint[])
          AS k (line_no, item_id, facility_id, location_id, lot_id, status_id, qty_delta, on_hand_after, serial_nos, unit_cost, value_delta))
      SELECT seq, posted_at FROM tx`, [
      t.postedAt,
      t.id, t.type, t.reason, t.reference.type, t.reference.id, t.reversesTransactionId,
      lines.map((l) => l.lineNo), lines.map((l) => l.itemId), lines.map((l) => l.facilityId), lines.map((l) => l.locationId),
      lines.map((l) => lotIn(l.lotId)), lines.map((l) => l.statusId), lines.map((l) => l.qtyDelta),
      lines.map((l) => l.onHandAfter), lines.map((l) => (l.serialNos.length ? JSON.stringify(l.serialNos) : null)),
      lines.map((l) => l.unitCost), lines.map((l) => l.valueDelta),
    ]);
    return { seq: row!.seq, postedAt: row!.posted_at, lines };
  }

  /**
   * Writes the valuations and layers the decision computed. They were read under the lock of
   * their item and facility (getValuations), held until COMMIT, so absolute values are safe.
   */
  private async applyValuation(e: PostingEffects): Promise<void> {
    const vs = [...e.valuations].sort((a, b) => byteOrder(a.itemId, b.itemId) || byteOrder(a.facilityId, b.facilityId));
    if (vs.length) {
      await this.sql.rows(`INSERT INTO valuations (item_id, facility_id, qty, value, unit_cost, cost_method)
        SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[])
        ON CONFLICT (item_id, facility_id) DO UPDATE SET qty = excluded.qty, value = excluded.value, unit_cost = excluded.unit_cost,
          cost_method = excluded.cost_method`,
      [...pairArrays(vs), vs.map((v) => v.qty), vs.map((v) => v.value), vs.map((v) => v.unitCost), vs.map((v) => v.costMethod)]);
    }
    const fresh = e.newLayers;
    if (fresh.length) {
      await this.sql.rows(`INSERT INTO cost_layers (id, item_id, facility_id, transaction_id, line_no, qty_in, value_in, qty_left, value_left)
        SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::integer[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])`, [
        fresh.map((l) => l.id), fresh.map((l) => l.itemId), fresh.map((l) => l.facilityId), fresh.map((l) => l.transactionId),
        fresh.map((l) => l.lineNo), fresh.map((l) => l.qtyIn), fresh.map((l) => l.valueIn), fresh.map((l) => l.qtyLeft), fresh.map((l) => l.valueLeft),
      ]);
    }
    const changed = e.changedLayers;
    if (changed.length) {
      await this.sql.rows(`UPDATE cost_layers c SET qty_left = u.qty_left, value_left = u.value_left
        FROM unnest(?::text[], ?::bigint[], ?::bigint[]) AS u (id, qty_left, value_left) WHERE c.id = u.id`,
      [changed.map((l) => l.id), changed.map((l) => l.qtyLeft), changed.map((l) => l.valueLeft)]);
    }
  }

  /** Applies the deltas; returns each changed key's balance after them (the row is locked until COMMIT). */
  private async applyDeltas(deltas: readonly BalanceDelta[]): Promise<Map<string, Micro>> {
    const sorted = [...deltas].sort(keyOrder);
    const up = sorted.filter((d) => d.delta > 0);
    const down = sorted.filter((d) => d.delta < 0);
    const finals: Array<KeyRow & { on_hand: Micro }> = [];
    if (up.length) {
      // Adding needs no check but the upper limit the decision made; a row another unit
      // creates meanwhile is waited for and added to.
      finals.push(...await this.sql.rows<KeyRow & { on_hand: Micro }>(`INSERT INTO balances (item_id, location_id, lot_id,
          status_id, facility_id, on_hand)
        SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[])
        ON CONFLICT (item_id, location_id, lot_id, status_id) DO UPDATE SET on_hand = balances.on_hand + excluded.on_hand
        RETURNING item_id, location_id, lot_id, status_id, on_hand`,
      [...keyArrays(up), up.map((d) => d.facilityId), up.map((d) => d.delta)]));
    }
    if (down.length) {
      // A decrease always hits a row the decision saw, locked FOR UPDATE since. (An upsert
      // would test CHECK (on_hand >= 0) against the bare negative delta first.)
      const changed = await this.sql.rows<KeyRow & { on_hand: Micro }>(`UPDATE balances b SET on_hand = b.on_hand + d.delta
        FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[]) AS d (item_id, location_id, lot_id, status_id, delta)
        WHERE b.item_id = d.item_id AND b.location_id = d.location_id AND b.lot_id = d.lot_id AND b.status_id = d.status_id
        RETURNING b.item_id, b.location_id, b.lot_id, b.status_id, b.on_hand`, [...keyArrays(down), down.map((d) => d.delta)]);
      assert(changed.length === down.length, 'every decreased balance exists');
      finals.push(...changed);
    }
    return new Map(finals.map((r) => [balanceKey({ itemId: r.item_id, locationId: r.location_id, lotId: lotOut(r.lot_id), statusId: r.status_id }), r.on_hand]));
  }

  /**
   * Serials this unit loaded (and locked) are updated; the others are new and inserted, so a
   * serial received by two units at once is a unique violation, never received twice.
   */
  private async moveSerials(moves: readonly SerialState[], seen: ReadonlySet<string>): Promise<void> {
    if (moves.length === 0) return;
    const sorted = [...moves].sort((a, b) => byteOrder(a.itemId, b.itemId) || byteOrder(a.serialNo, b.serialNo));
    const arrays = (xs: SerialState[]) => [
      xs.map((s) => s.itemId), xs.map((s) => s.serialNo), xs.map((s) => s.facilityId), xs.map((s) => s.locationId),
      xs.map((s) => s.lotId), xs.map((s) => s.statusId),
    ];
    const known = sorted.filter((s) => seen.has(`${s.itemId}|${s.serialNo}`));
    const fresh = sorted.filter((s) => !seen.has(`${s.itemId}|${s.serialNo}`));
    if (known.length) {
      await this.sql.rows(`UPDATE serials s SET facility_id = m.facility_id, location_id = m.location_id, lot_id = m.lot_id,
          status_id = m.status_id
        FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
          AS m (item_id, serial_no, facility_id, location_id, lot_id, status_id)
        WHERE s.item_id = m.item_id AND s.serial_no = m.serial_no`, arrays(known));
    }
    if (fresh.length) {
      await this.sql.rows(`INSERT INTO serials (item_id, serial_no, facility_id, location_id, lot_id, status_id)
        SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])`, arrays(fresh));
    }
  }
}

/**
 * The lines with running balances taken from the balances as written. The decision computed
 * them from the rows it locked, but a key with no row yet cannot be locked: another unit may
 * have created it meanwhile, and the upsert added to that. So each changed key's lines are
 * counted back from its final balance.
 */
function withRunningBalances(lines: readonly LineRecord[], finals: ReadonlyMap<string, Micro>): LineRecord[] {
  const running = new Map(finals);
  const out = [...lines];
  for (let i = out.length - 1; i >= 0; i--) {
    const k = balanceKey(out[i]!);
    const after = running.get(k);
    if (after === undefined) continue;
    out[i] = { ...out[i]!, onHandAfter: after };
    running.set(k, (after - out[i]!.qtyDelta) as Micro);
  }
  return out;
}

async function sums(sql: Sql, query: string): Promise<LedgerSum[]> {
  return (await sql.rows<KeyRow & { qty: Micro }>(query))
    .map((r) => ({ itemId: r.item_id, locationId: r.location_id, lotId: lotOut(r.lot_id), statusId: r.status_id, qty: r.qty }));
}

async function withLines(sql: Sql, rows: TransactionRow[]): Promise<TransactionView[]> {
  if (rows.length === 0) return [];
  const lines = await sql.rows<LineRow>(`SELECT l.seq, l.line_no AS "lineNo", l.item_id AS "itemId", l.facility_id AS "facilityId",
    l.location_id AS "locationId", l.lot_id AS "lotId", lots.lot_no AS "lotNo", l.serial_nos AS "serialNos",
    l.status_id AS "statusId", l.qty_delta AS "qtyDelta", l.on_hand_after AS "onHandAfter",
    l.unit_cost AS "unitCost", l.value_delta AS "valueDelta"
    FROM inventory_lines l LEFT JOIN lots ON lots.id = l.lot_id
    WHERE l.seq = ANY(?::bigint[]) ORDER BY l.seq, l.line_no`, [rows.map((r) => r.seq)]);
  return transactionViews(rows, lines);
}

/** The filter on table `t` (balances, allocations or reservations); `place: false` leaves out the location. */
function availabilityWhere(f: AvailabilityFilter, t = 'b', place = true): Where {
  return new Where().add(`${t}.item_id = ?`, f.itemId).add(`${t}.facility_id = ?`, f.facilityId)
    .add(`${t}.location_id = ?`, place ? f.locationId : undefined);
}

interface CheckRow {
  item_id: string;
  facility_id: string;
  kept_qty: Micro;
  kept_value: Money;
  ledger_qty: Micro;
  ledger_value: Money;
  cost_method: string;
  layer_qty: Micro;
  layer_value: Money;
}
