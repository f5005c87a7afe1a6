import type {
  AvailabilityFilter, AvailabilityRow, Balance, BalanceFilter, BalanceKey, FacilityAvailabilityRow,
  LedgerSum, Lot, PostingEffects, RunningBreak, SerialState, TransactionFilter, TransactionView,
} from '../../core/ledger.js';
import { balanceKey } from '../../core/ledger.js';
import type { Money } from '../../core/money.js';
import type { Page, PageRequest } from '../../core/page.js';
import type { Appended, LedgerWriter, ValueCheck } from '../../core/ports.js';
import type { StockValueFilter, StockValueSum } from '../../core/stock-value.js';
import type { CostLayer, Valuation } from '../../core/valuation.js';
import { fromMicro, type Micro } from '../../core/quantity.js';
import { positionKey, type ItemFacility, type LocationStock, type StockPosition } from '../../core/stock.js';
import { lotIn, lotOut } from '../rows/columns.js';
import { transactionViews, type LineRow, type TransactionRow } from '../rows/ledger.js';
import { RecordCache } from './cache.js';
import type { Statements } from './database.js';
import { HOLDING } from './reservations.js';
import { idList, page, uniqueViolations, Where } from './sql.js';

const LOT = 'SELECT id, item_id AS itemId, lot_no AS lotNo, expires_on AS expiresOn, created_at AS createdAt FROM lots';

const TRANSACTION = `SELECT t.seq, t.id, t.type, t.occurred_at AS occurredAt, t.posted_at AS postedAt, t.reason,
  t.reference_type AS referenceType, t.reference_id AS referenceId,
  t.reverses_transaction_id AS reversesTransactionId, r.id AS reversedByTransactionId`;
const TRANSACTION_FROM = `FROM inventory_transactions t
  LEFT JOIN inventory_transactions r ON r.reverses_transaction_id = t.id`;

const LAYER = `SELECT c.id, c.item_id AS itemId, c.facility_id AS facilityId, c.transaction_id AS transactionId, c.line_no AS lineNo,
  c.qty_in AS qtyIn, c.value_in AS valueIn, c.qty_left AS qtyLeft, c.value_left AS valueLeft
  FROM cost_layers c JOIN inventory_transactions t ON t.id = c.transaction_id`;

type BalanceRow = BalanceKey & { onHand: Micro };

export class SqliteLedger implements LedgerWriter {
  /** The last posting's time, kept by appendPosting; undefined until read. */
  private lastPosted: string | null | undefined;
  /**
   * The balance and valuation rows every posting reads before it decides, as last read or
   * written on this connection: appendPosting writes every change to them, so only a
   * rollback or another process's commit can make them stale, and then the store forgets
   * them (forgetCached). Two statements fewer per posting (see bench/FINDINGS.md).
   */
  private readonly balances = new RecordCache<BalanceRow>();
  private readonly valuations = new RecordCache<Valuation>();
  /** Postings appended since the store last took the count for its observers (see store.ts). */
  readonly posted = { transactions: 0, lines: 0 };

  constructor(private readonly sql: Statements) {}

  /** Forgets cached values: the store calls it on rollback and when another process wrote. */
  forgetCached(): void {
    this.lastPosted = undefined;
    this.balances.clear();
    this.valuations.clear();
  }

  async getLots(ids: readonly string[]): Promise<Lot[]> {
    const s = this.sql.get(`${LOT} WHERE id = ?`);
    return ids.map((id) => s.get(id) as Lot | undefined).filter((l): l is Lot => !!l);
  }

  async findLots(keys: ReadonlyArray<{ itemId: string; lotNo: string }>): Promise<Lot[]> {
    const s = this.sql.get(`${LOT} WHERE item_id = ? AND lot_no = ?`);
    return keys.map((k) => s.get(k.itemId, k.lotNo) as Lot | undefined).filter((l): l is Lot => !!l);
  }

  async getBalances(keys: readonly BalanceKey[]): Promise<BalanceRow[]> {
    const s = this.sql.get(`SELECT on_hand FROM balances
      WHERE item_id = ? AND location_id = ? AND lot_id = ? AND status_id = ?`);
    const load = (k: BalanceKey): BalanceRow | undefined => {
      const onHand = s.value(k.itemId, k.locationId, lotIn(k.lotId), k.statusId) as Micro | undefined;
      return onHand === undefined ? undefined : { itemId: k.itemId, locationId: k.locationId, lotId: k.lotId, statusId: k.statusId, onHand };
    };
    const rows: BalanceRow[] = [];
    for (const k of keys) {
      const row = this.balances.get(balanceKey(k), () => load(k));
      if (row) rows.push(row);
    }
    return rows;
  }

  async getSerials(itemId: string, serialNos: readonly string[]): Promise<SerialState[]> {
    const s = this.sql.get(`SELECT item_id AS itemId, serial_no AS serialNo, facility_id AS facilityId,
      location_id AS locationId, lot_id AS lotId, status_id AS statusId FROM serials WHERE item_id = ? AND serial_no = ?`);
    return serialNos.map((no) => s.get(itemId, no) as SerialState | undefined).filter((x): x is SerialState => !!x);
  }

  async listSerialsOnHand(itemId: string): Promise<SerialState[]> {
    return this.sql.get(`SELECT item_id AS itemId, serial_no AS serialNo, facility_id AS facilityId, location_id AS locationId,
      lot_id AS lotId, status_id AS statusId FROM serials WHERE item_id = ? AND location_id IS NOT NULL ORDER BY serial_no`).all(itemId) as SerialState[];
  }

  async getStockPositions(pairs: readonly ItemFacility[], now: string, options: { committedOnly?: boolean } = {}): Promise<StockPosition[]> {
    const unique = [...new Map(pairs.map((p) => [positionKey(p), p])).values()];
    return unique.map((p) => stockPosition(this.sql, p, now, options.committedOnly ?? false)).filter((p): p is StockPosition => p !== null);
  }

  async lastPostedAt(): Promise<string | null> {
    this.lastPosted ??= (this.sql.get('SELECT posted_at FROM inventory_transactions ORDER BY seq DESC LIMIT 1').value() as string | undefined) ?? null;
    return this.lastPosted;
  }

  async itemHasHistory(itemId: string): Promise<boolean> {
    return this.sql.get('SELECT 1 FROM inventory_lines WHERE item_id = ? LIMIT 1').get(itemId) !== undefined;
  }

  async itemHasStock(itemId: string): Promise<boolean> {
    return this.sql.get('SELECT 1 FROM balances WHERE item_id = ? AND on_hand > 0 LIMIT 1').get(itemId) !== undefined;
  }

  async getValuations(pairs: readonly ItemFacility[]): Promise<Valuation[]> {
    const s = this.sql.get(`SELECT item_id AS itemId, facility_id AS facilityId, qty, value, unit_cost AS unitCost,
      cost_method AS costMethod FROM valuations WHERE item_id = ? AND facility_id = ?`);
    const rows: Valuation[] = [];
    for (const p of pairs) {
      const row = this.valuations.get(positionKey(p), () => s.get(p.itemId, p.facilityId) as Valuation | undefined);
      if (row) rows.push(row);
    }
    return rows;
  }

  async getCostLayers(pairs: readonly ItemFacility[]): Promise<CostLayer[]> {
    // Oldest first: by the seq of the posting that opened the layer, then its line.
    const s = this.sql.get(`${LAYER} WHERE c.item_id = ? AND c.facility_id = ? AND c.qty_left > 0 ORDER BY t.seq, c.line_no`);
    return pairs.flatMap((p) => s.all(p.itemId, p.facilityId) as CostLayer[]);
  }

  async listStockValue(f: StockValueFilter, p: PageRequest): Promise<Page<StockValueSum>> {
    const w = new Where().add('v.item_id = ?', f.itemId).add('v.facility_id = ?', f.facilityId);
    const args = [...w.args];
    let source = 'valuations';
    if (f.asOf !== undefined) {
      // The value then is the sum of the lines posted by then (posting times never go
      // backwards in seq order), per item and facility.
      source = `(SELECT l.item_id, l.facility_id, sum(l.qty_delta) AS qty, sum(l.value_delta) AS value FROM inventory_lines l
        WHERE l.seq <= (SELECT coalesce((SELECT seq FROM inventory_transactions WHERE posted_at <= ?
          ORDER BY posted_at DESC, seq DESC LIMIT 1), 0)) GROUP BY l.item_id, l.facility_id)`;
      args.unshift(f.asOf);
    }
    const group = f.groupBy === 'item' ? { select: 'v.item_id AS itemId, i.item_no AS itemNo, NULL AS facilityId', by: 'v.item_id', order: 'i.item_no' }
      : f.groupBy === 'facility' ? { select: 'NULL AS itemId, NULL AS itemNo, v.facility_id AS facilityId', by: 'v.facility_id', order: 'fac.code' }
        : { select: 'v.item_id AS itemId, i.item_no AS itemNo, v.facility_id AS facilityId', by: 'v.item_id, v.facility_id', order: 'i.item_no, fac.code' };
    const r = await page<StockValueSum>(this.sql,
      `SELECT ${group.select}, sum(v.qty) AS qty, sum(v.value) AS value`,
      `FROM ${source} v JOIN items i ON i.id = v.item_id JOIN facilities fac ON fac.id = v.facility_id
        WHERE (v.qty <> 0 OR v.value <> 0)${w.and} GROUP BY ${group.by}`,
      '', args, group.order, p);
    return r;
  }

  async valueVerification(): Promise<ValueCheck[]> {
    const rows = this.sql.get(`SELECT k.item_id, k.facility_id, coalesce(v.qty, 0) AS kept_qty, coalesce(v.value, 0) AS kept_value,
        coalesce(l.qty, 0) AS ledger_qty, coalesce(l.value, 0) AS ledger_value, coalesce(v.cost_method, i.cost_method) AS cost_method,
        coalesce(c.qty, 0) AS layer_qty, coalesce(c.value, 0) AS layer_value
      FROM (SELECT item_id, facility_id FROM valuations UNION SELECT DISTINCT item_id, facility_id FROM inventory_lines) k
      JOIN items i ON i.id = k.item_id
      LEFT JOIN valuations v ON v.item_id = k.item_id AND v.facility_id = k.facility_id
      LEFT JOIN (SELECT item_id, facility_id, sum(qty_delta) AS qty, sum(value_delta) AS value FROM inventory_lines
        GROUP BY item_id, facility_id) l ON l.item_id = k.item_id AND l.facility_id = k.facility_id
      LEFT JOIN (SELECT item_id, facility_id, sum(qty_left) AS qty, sum(value_left) AS value FROM cost_layers WHERE qty_left > 0
        GROUP BY item_id, facility_id) c ON c.item_id = k.item_id AND c.facility_id = k.facility_id`).all() as CheckRow[];
    return rows.map(toCheck);
  }

  async getTransaction(id: string): Promise<TransactionView | null> {
    const row = this.sql.get(`${TRANSACTION} ${TRANSACTION_FROM} WHERE t.id = ?`).get(id) as TransactionRow | undefined;
    return row ? this.withLines([row])[0]! : null;
  }

  async findReversal(transactionId: string): Promise<string | null> {
    return (this.sql.get('SELECT id FROM inventory_transactions WHERE reverses_transaction_id = ?').value(transactionId) as string | undefined) ?? null;
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
    const r = await page<TransactionRow>(this.sql, TRANSACTION, TRANSACTION_FROM, w.sql, w.args, order, p);
    return { items: this.withLines(r.items), total: r.total };
  }

  private withLines(rows: TransactionRow[]): TransactionView[] {
    if (rows.length === 0) return [];
    const lines = this.sql.get(`SELECT l.seq, l.line_no AS lineNo, l.item_id AS itemId, l.facility_id AS facilityId,
      l.location_id AS locationId, l.lot_id AS lotId, lots.lot_no AS lotNo, l.serial_nos AS serialNos,
      l.status_id AS statusId, l.qty_delta AS qtyDelta, l.on_hand_after AS onHandAfter,
      l.unit_cost AS unitCost, l.value_delta AS valueDelta
      FROM inventory_lines l LEFT JOIN lots ON lots.id = l.lot_id
      WHERE l.seq IN (SELECT value FROM json_each(?)) ORDER BY l.seq, l.line_no`)
      .all(JSON.stringify(rows.map((r) => r.seq))) as LineRow[];
    return transactionViews(rows, lines);
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
      source = `(SELECT b.item_id, b.location_id, b.lot_id, b.status_id, b.facility_id,
        coalesce((SELECT l.on_hand_after FROM inventory_lines l WHERE l.item_id = b.item_id AND l.location_id = b.location_id
          AND l.lot_id = b.lot_id AND l.status_id = b.status_id AND l.seq <= s.bound ORDER BY l.seq DESC, l.line_no DESC LIMIT 1), 0) AS on_hand
        FROM balances b, (SELECT coalesce((SELECT seq FROM inventory_transactions WHERE posted_at <= ?
          ORDER BY posted_at DESC, seq DESC LIMIT 1), 0) AS bound) s WHERE 1${w.and})`;
      args.unshift(f.asOf);
    } else {
      source = `(SELECT * FROM balances WHERE 1${w.and})`;
    }
    const r = await page<Balance & { lotId: string }>(this.sql,
      `SELECT b.item_id AS itemId, i.item_no AS itemNo, b.facility_id AS facilityId, b.location_id AS locationId,
        b.lot_id AS lotId, lots.lot_no AS lotNo, lots.expires_on AS expiresOn, b.status_id AS statusId, b.on_hand AS onHand`,
      `FROM ${source} b JOIN items i ON i.id = b.item_id JOIN locations loc ON loc.id = b.location_id
        LEFT JOIN lots ON lots.id = b.lot_id`,
      'b.on_hand <> 0', args, 'i.item_no, b.facility_id, loc.path, lots.lot_no, b.status_id', p);
    // Rows are built field by field: spreading the driver's row objects ({ ...row, x })
    // was the dearest part of a read (measured on 20-row availability reads through the
    // store: 79 µs with the spread, 56 µs without).
    return {
      items: r.items.map((b) => ({
        itemId: b.itemId, itemNo: b.itemNo, facilityId: b.facilityId, locationId: b.locationId, lotId: lotOut(b.lotId),
        lotNo: b.lotNo, expiresOn: b.expiresOn, statusId: b.statusId, onHand: fromMicro(b.onHand),
      })),
      total: r.total,
    };
  }

  async listAvailability(f: AvailabilityFilter, p: PageRequest, now: string): Promise<Page<AvailabilityRow>> {
    const w = availabilityWhere(f);
    const r = await page<{ itemId: string; facilityId: string; locationId: string; onHand: Micro }>(this.sql,
      'SELECT b.item_id AS itemId, b.facility_id AS facilityId, b.location_id AS locationId, sum(b.on_hand) AS onHand',
      `FROM balances b JOIN stock_statuses s ON s.id = b.status_id AND s.is_available = 1
        JOIN locations loc ON loc.id = b.location_id AND loc.type <> 'transit' JOIN items i ON i.id = b.item_id
        WHERE b.on_hand > 0${w.and} GROUP BY b.item_id, b.location_id`,
      '', w.args, 'i.item_no, b.facility_id, loc.path', p);
    const allocated = this.allocatedAt(r.items.map((a) => a.itemId), now);
    return {
      items: r.items.map((a) => {
        const held = allocated.get(`${a.itemId}|${a.locationId}`) ?? 0;
        return {
          itemId: a.itemId, facilityId: a.facilityId, locationId: a.locationId,
          onHand: fromMicro(a.onHand), allocated: fromMicro(held), available: fromMicro(a.onHand - held),
        };
      }),
      total: r.total,
    };
  }

  /**
   * What holding reservations have allocated, per item and location, for the items of one
   * page: a second indexed query, not a join. Joined to the balances, the grouped
   * allocations made SQLite build a temporary index on every read (measured: 20 rows of one
   * item, 70 µs joined, 46 µs plus 3 µs apart).
   */
  private allocatedAt(itemIds: readonly string[], now: string): Map<string, Micro> {
    if (itemIds.length === 0) return new Map();
    const rows = this.sql.get(`SELECT a.item_id AS itemId, a.location_id AS locationId, sum(a.qty) AS qty FROM allocations a
      JOIN reservations r ON r.id = a.reservation_id
      WHERE ${HOLDING} AND a.item_id IN (SELECT value FROM json_each(?)) GROUP BY a.item_id, a.location_id`)
      .all(now, idList(itemIds)) as Array<{ itemId: string; locationId: string; qty: Micro }>;
    return new Map(rows.map((a) => [`${a.itemId}|${a.locationId}`, a.qty]));
  }

  /**
   * An availability page, and the first instant after `now` at which it stops being true
   * without any write: when a hold on one of its items expires (null: none expires), both
   * from one snapshot. For the store's answer cache (answers.ts). Which rows a page has
   * depends on balances only, so the holds of other items cannot change it.
   */
  async availabilityUntil(f: AvailabilityFilter, p: PageRequest, now: string, byFacility: boolean):
    Promise<{ page: Page<AvailabilityRow | FacilityAvailabilityRow>; until: string | null }> {
    const page = byFacility ? await this.listFacilityAvailability(f, p, now) : await this.listAvailability(f, p, now);
    if (page.items.length === 0) return { page, until: null };
    // min() passes over the holds that never expire.
    const until = this.sql.get(`SELECT min(r.expires_at) FROM reservations r
      WHERE ${HOLDING} AND r.item_id IN (SELECT value FROM json_each(?))`)
      .value(now, idList(page.items.map((a) => a.itemId))) as string | null;
    return { page, until };
  }

  async listFacilityAvailability(f: AvailabilityFilter, p: PageRequest, now: string): Promise<Page<FacilityAvailabilityRow>> {
    const w = availabilityWhere(f);
    // Reservations are summed for the filtered items and facility only (promises are per
    // facility, so a location filter does not apply to them).
    const wr = availabilityWhere(f, 'r', false);
    const r = await page<FacilityAvailabilityRow>(this.sql,
      `SELECT b.item_id AS itemId, b.facility_id AS facilityId, sum(b.on_hand) AS onHand,
        coalesce(max(c.reserved), 0) AS reserved, coalesce(max(c.allocated), 0) AS allocated`,
      `FROM balances b JOIN stock_statuses s ON s.id = b.status_id AND s.is_available = 1
        JOIN locations loc ON loc.id = b.location_id AND loc.type <> 'transit' JOIN items i ON i.id = b.item_id
        JOIN facilities fac ON fac.id = b.facility_id
        LEFT JOIN (SELECT r.item_id, r.facility_id, sum(r.qty - r.qty_allocated - r.qty_fulfilled) AS reserved,
          sum(r.qty_allocated) AS allocated FROM reservations r WHERE ${HOLDING}${wr.and} GROUP BY r.item_id, r.facility_id) c
          ON c.item_id = b.item_id AND c.facility_id = b.facility_id
        WHERE b.on_hand > 0${w.and} GROUP BY b.item_id, b.facility_id`,
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
    // The statements run back to back on one connection, with no write in between.
    return {
      ledger: this.sums(`SELECT item_id, location_id, lot_id, status_id, sum(qty_delta) AS qty FROM inventory_lines
        GROUP BY item_id, location_id, lot_id, status_id HAVING qty <> 0`),
      balances: this.sums('SELECT item_id, location_id, lot_id, status_id, on_hand AS qty FROM balances WHERE on_hand <> 0'),
      breaks: (this.sql.get(`SELECT item_id, location_id, lot_id, status_id, seq, line_no, before + qty_delta AS expected, on_hand_after
        FROM (SELECT item_id, location_id, lot_id, status_id, seq, line_no, qty_delta, on_hand_after,
          lag(on_hand_after, 1, 0) OVER (PARTITION BY item_id, location_id, lot_id, status_id ORDER BY seq, line_no) AS before
          FROM inventory_lines) x
        WHERE before + qty_delta <> on_hand_after ORDER BY seq, line_no LIMIT 100`).all() as Array<BreakRow>).map(toBreak),
    };
  }

  private sums(sql: string): LedgerSum[] {
    return (this.sql.get(sql).all() as Array<{ item_id: string; location_id: string; lot_id: string; status_id: string; qty: Micro }>)
      .map((r) => ({ itemId: r.item_id, locationId: r.location_id, lotId: lotOut(r.lot_id), statusId: r.status_id, qty: r.qty }));
  }

  /** Writes the valuations and cost layers the decision computed (one writer: they are current). */
  private applyValuation(e: PostingEffects): void {
    const valuation = this.sql.get(`INSERT INTO valuations (item_id, facility_id, qty, value, unit_cost, cost_method) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (item_id, facility_id) DO UPDATE SET qty = excluded.qty, value = excluded.value, unit_cost = excluded.unit_cost,
      cost_method = excluded.cost_method`);
    for (const v of e.valuations) {
      valuation.run(v.itemId, v.facilityId, v.qty, v.value, v.unitCost, v.costMethod);
      this.valuations.set(positionKey(v), { itemId: v.itemId, facilityId: v.facilityId, qty: v.qty, value: v.value, unitCost: v.unitCost, costMethod: v.costMethod });
    }
    const layer = this.sql.get(`INSERT INTO cost_layers (id, item_id, facility_id, transaction_id, line_no, qty_in, value_in,
      qty_left, value_left) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const l of e.newLayers) layer.run(l.id, l.itemId, l.facilityId, l.transactionId, l.lineNo, l.qtyIn, l.valueIn, l.qtyLeft, l.valueLeft);
    const left = this.sql.get('UPDATE cost_layers SET qty_left = ?, value_left = ? WHERE id = ?');
    for (const l of e.changedLayers) left.run(l.qtyLeft, l.valueLeft, l.id);
  }

  async appendPosting(e: PostingEffects): Promise<Appended> {
    return uniqueViolations(() => this.sql.changes.forItems(itemsOf(e), () => {
      const t = e.transaction;
      const lot = this.sql.get('INSERT INTO lots (id, item_id, lot_no, expires_on, created_at) VALUES (?, ?, ?, ?, ?)');
      for (const l of e.newLots) lot.run(l.id, l.itemId, l.lotNo, l.expiresOn, l.createdAt);
      const seq = Number(this.sql.get(`INSERT INTO inventory_transactions (id, type, occurred_at, posted_at, reason,
        reference_type, reference_id, reverses_transaction_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(t.id, t.type, t.occurredAt, t.postedAt, t.reason, t.reference.type, t.reference.id, t.reversesTransactionId)
        .lastInsertRowid);
      const line = this.sql.get(`INSERT INTO inventory_lines (seq, line_no, item_id, facility_id, location_id, lot_id,
        status_id, qty_delta, on_hand_after, serial_nos, unit_cost, value_delta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const l of e.lines) {
        line.run(seq, l.lineNo, l.itemId, l.facilityId, l.locationId, lotIn(l.lotId), l.statusId, l.qtyDelta,
          l.onHandAfter, l.serialNos.length ? JSON.stringify(l.serialNos) : null, l.unitCost, l.valueDelta);
      }
      this.applyValuation(e);
      // Update first, insert when there is no row: an upsert would test CHECK (on_hand >= 0)
      // against the bare negative delta before it saw the existing row.
      const update = this.sql.get(`UPDATE balances SET on_hand = on_hand + ?
        WHERE item_id = ? AND location_id = ? AND lot_id = ? AND status_id = ?`);
      const insert = this.sql.get(`INSERT INTO balances (item_id, location_id, lot_id, status_id, facility_id, on_hand)
        VALUES (?, ?, ?, ?, ?, ?)`);
      for (const d of e.balanceDeltas) {
        const lotId = lotIn(d.lotId);
        const key = balanceKey(d);
        if (update.run(d.delta, d.itemId, d.locationId, lotId, d.statusId).changes === 0) {
          insert.run(d.itemId, d.locationId, lotId, d.statusId, d.facilityId, d.delta);
          this.balances.set(key, { itemId: d.itemId, locationId: d.locationId, lotId: d.lotId, statusId: d.statusId, onHand: d.delta });
        } else {
          // What the statement did to the row, if it is cached; if not, it is read when asked for.
          const known = this.balances.peek(key);
          if (known) this.balances.set(key, { ...known, onHand: (known.onHand + d.delta) as Micro });
        }
      }
      const serial = this.sql.get(`INSERT INTO serials (item_id, serial_no, facility_id, location_id, lot_id, status_id)
        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET facility_id = excluded.facility_id,
        location_id = excluded.location_id, lot_id = excluded.lot_id, status_id = excluded.status_id`);
      for (const s of e.serialMoves) serial.run(s.itemId, s.serialNo, s.facilityId, s.locationId, s.lotId, s.statusId);
      // One writer, and the decision never posts before the last posting: already in order.
      this.lastPosted = t.postedAt;
      this.posted.transactions++;
      this.posted.lines += e.lines.length;
      return { seq, postedAt: t.postedAt, lines: e.lines };
    }));
  }
}

/** Every item a posting writes rows for. */
function itemsOf(e: PostingEffects): Set<string> {
  const items = new Set<string>();
  for (const rows of [e.lines, e.newLots, e.balanceDeltas, e.serialMoves, e.valuations, e.newLayers, e.changedLayers]) {
    for (const r of rows) items.add(r.itemId);
  }
  return items;
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

function toCheck(r: CheckRow): ValueCheck {
  return {
    itemId: r.item_id, facilityId: r.facility_id,
    kept: { qty: r.kept_qty, value: r.kept_value },
    ledger: { qty: r.ledger_qty, value: r.ledger_value },
    layers: r.cost_method === 'fifo' ? { qty: r.layer_qty, value: r.layer_value } : null,
  };
}

interface BreakRow {
  item_id: string;
  location_id: string;
  lot_id: string;
  status_id: string;
  seq: number;
  line_no: number;
  expected: Micro;
  on_hand_after: Micro;
}

function toBreak(r: BreakRow): RunningBreak {
  return {
    itemId: r.item_id, locationId: r.location_id, lotId: lotOut(r.lot_id), statusId: r.status_id,
    seq: r.seq, lineNo: r.line_no, expected: r.expected, onHandAfter: r.on_hand_after,
  };
}

/** The filter on table `t` (balances, allocations or reservations); `place: false` leaves out the location. */
function availabilityWhere(f: AvailabilityFilter, t = 'b', place = true): Where {
  return new Where().add(`${t}.item_id = ?`, f.itemId).add(`${t}.facility_id = ?`, f.facilityId)
    .add(`${t}.location_id = ?`, place ? f.locationId : undefined);
}

interface PlaceRow {
  location_id: string;
  lot_id: string;
  path: string;
  is_pickable: number;
  lot_no: string | null;
  expires_on: string | null;
  lot_created_at: string | null;
  on_hand: Micro;
  allocated: Micro;
}

/** One item's stock position at one facility (see core/stock.ts). */
export function stockPosition(sql: Statements, pair: ItemFacility, now: string, committedOnly: boolean): StockPosition | null {
  const promised = sql.get(`SELECT coalesce(sum(r.qty - r.qty_allocated - r.qty_fulfilled), 0) AS reserved,
    coalesce(sum(r.qty_allocated), 0) AS allocated, count(*) AS n FROM reservations r
    WHERE r.item_id = ? AND r.facility_id = ? AND ${HOLDING}`).get(pair.itemId, pair.facilityId, now) as { reserved: Micro; allocated: Micro; n: number };
  if (committedOnly && promised.n === 0) return null;
  // Places: available stock at non-transit locations, and holding allocations, per location and lot.
  const places = sql.get(`SELECT p.location_id, p.lot_id, loc.path, loc.is_pickable, lots.lot_no, lots.expires_on,
      lots.created_at AS lot_created_at, sum(p.on_hand) AS on_hand, sum(p.allocated) AS allocated
    FROM (SELECT b.location_id, b.lot_id, b.on_hand, 0 AS allocated FROM balances b
          JOIN stock_statuses s ON s.id = b.status_id AND s.is_available = 1
          WHERE b.item_id = ? AND b.facility_id = ? AND b.on_hand > 0
        UNION ALL
        SELECT a.location_id, a.lot_id, 0, a.qty FROM allocations a JOIN reservations r ON r.id = a.reservation_id
          WHERE a.item_id = ? AND a.facility_id = ? AND ${HOLDING}) p
    JOIN locations loc ON loc.id = p.location_id AND loc.type <> 'transit'
    LEFT JOIN lots ON lots.id = p.lot_id
    GROUP BY p.location_id, p.lot_id`).all(pair.itemId, pair.facilityId, pair.itemId, pair.facilityId, now) as PlaceRow[];
  const locations: LocationStock[] = places.map((r) => ({
    locationId: r.location_id,
    locationPath: r.path,
    isPickable: r.is_pickable === 1,
    lotId: lotOut(r.lot_id),
    lotNo: r.lot_no,
    lotExpiresOn: r.expires_on,
    lotCreatedAt: r.lot_created_at,
    onHand: r.on_hand,
    allocated: r.allocated,
  }));
  return {
    ...pair,
    onHand: locations.reduce((s, l) => s + l.onHand, 0) as Micro,
    reserved: promised.reserved,
    allocated: locations.reduce((s, l) => s + l.allocated, 0) as Micro,
    locations,
  };
}
