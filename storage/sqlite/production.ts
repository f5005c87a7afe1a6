import type { BomComponentRecord, BomFilter, BomRecord, BomStatus } from '../../core/bom.js';
import type { Page, PageRequest } from '../../core/page.js';
import type { FacilityStock, ProductionWriter } from '../../core/production.js';
import type { Micro } from '../../core/quantity.js';
import type {
  LotOrigin, WorkOrderCompletionRecord, WorkOrderComponentRecord, WorkOrderFilter, WorkOrderRecord, WorkOrderStatus,
} from '../../core/work-order.js';
import type { Statements } from './database.js';
import { HOLDING } from './reservations.js';
import { page, uniqueViolations, Where } from './sql.js';

interface BomRow {
  id: string;
  item_id: string;
  version: number;
  status: BomStatus;
  output_qty: Micro;
  notes: string | null;
  status_history: string;
  created_at: string;
  updated_at: string;
  revision: number;
}

interface ComponentRow {
  id: string;
  bom_id: string;
  line_no: number;
  item_id: string;
  qty: Micro;
  uom_id: string | null;
  qty_base: Micro;
  scrap_pct: Micro;
}

interface WorkOrderRow {
  id: string;
  work_order_no: string;
  item_id: string;
  bom_id: string;
  bom_version: number;
  facility_id: string;
  output_location_id: string;
  component_location_id: string | null;
  qty: Micro;
  qty_completed: Micro;
  status: WorkOrderStatus;
  notes: string | null;
  status_history: string;
  created_at: string;
  updated_at: string;
  version: number;
}

interface LineRow {
  id: string;
  work_order_id: string;
  line_no: number;
  item_id: string;
  qty_required: Micro;
  qty_issued: Micro;
  reservation_id: string | null;
}

interface CompletionRow {
  id: string;
  work_order_id: string;
  completion_no: number;
  qty: Micro;
  issue_transaction_id: string | null;
  output_transaction_id: string;
  lot_id: string | null;
  lot_no: string | null;
  created_at: string;
}

const ids = (xs: readonly string[]) => JSON.stringify(xs);

export class SqliteProduction implements ProductionWriter {
  constructor(readonly sql: Statements) {}

  // --- BOMs ----------------------------------------------------------------------------------

  async getBom(id: string): Promise<BomRecord | null> {
    const row = this.sql.get('SELECT * FROM boms WHERE id = ?').get(id) as BomRow | undefined;
    return row ? this.withComponents([row])[0]! : null;
  }

  async findBom(itemId: string, version: number): Promise<BomRecord | null> {
    const row = this.sql.get('SELECT * FROM boms WHERE item_id = ? AND version = ?').get(itemId, version) as BomRow | undefined;
    return row ? this.withComponents([row])[0]! : null;
  }

  async lastBomVersion(itemId: string): Promise<number> {
    return (this.sql.get('SELECT coalesce(max(version), 0) FROM boms WHERE item_id = ?').value(itemId) as number);
  }

  async listBoms(f: BomFilter, p: PageRequest): Promise<Page<BomRecord>> {
    const w = new Where().add('item_id = ?', f.itemId).add('status = ?', f.status);
    const r = await page<BomRow>(this.sql, 'SELECT *', 'FROM boms', w.sql, w.args, 'created_at DESC, id DESC', p);
    return { items: this.withComponents(r.items), total: r.total };
  }

  async getActiveBoms(itemIds: readonly string[]): Promise<BomRecord[]> {
    if (itemIds.length === 0) return [];
    const rows = this.sql.get(`SELECT * FROM boms WHERE status = 'active' AND item_id IN (SELECT value FROM json_each(?))`)
      .all(ids(itemIds)) as BomRow[];
    return this.withComponents(rows);
  }

  async getActiveBomGraph(itemIds: readonly string[]): Promise<BomRecord[]> {
    if (itemIds.length === 0) return [];
    // UNION, not UNION ALL: an item reached again adds nothing, so a cycle ends the recursion.
    const rows = this.sql.get(`WITH RECURSIVE reach (item_id) AS (
        SELECT value FROM json_each(?)
        UNION
        SELECT c.item_id FROM reach r JOIN boms b ON b.item_id = r.item_id AND b.status = 'active'
          JOIN bom_components c ON c.bom_id = b.id)
      SELECT b.* FROM reach r JOIN boms b ON b.item_id = r.item_id AND b.status = 'active'`).all(ids(itemIds)) as BomRow[];
    return this.withComponents(rows);
  }

  private withComponents(rows: BomRow[]): BomRecord[] {
    if (rows.length === 0) return [];
    const lines = this.sql.get(`SELECT * FROM bom_components WHERE bom_id IN (SELECT value FROM json_each(?))
      ORDER BY bom_id, line_no`).all(ids(rows.map((r) => r.id))) as ComponentRow[];
    const byBom = new Map<string, BomComponentRecord[]>();
    for (const l of lines) {
      let list = byBom.get(l.bom_id);
      if (!list) byBom.set(l.bom_id, (list = []));
      list.push({ id: l.id, lineNo: l.line_no, itemId: l.item_id, qty: l.qty, uomId: l.uom_id, qtyBase: l.qty_base, scrapPct: l.scrap_pct });
    }
    return rows.map((r) => toBom(r, byBom.get(r.id) ?? []));
  }

  /** Units run one at a time on SQLite: nothing to lock. */
  async lockBomGraph(): Promise<void> {}

  async insertBom(b: BomRecord): Promise<void> {
    uniqueViolations(() => {
      this.sql.get(`INSERT INTO boms (id, item_id, version, status, output_qty, notes, status_history, created_at, updated_at, revision)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(b.id, b.itemId, b.version, b.status, b.outputQty, b.notes, JSON.stringify(b.statusHistory), b.createdAt, b.updatedAt, b.revision);
      this.insertComponents(b);
    });
  }

  async updateBom(b: BomRecord, components: boolean): Promise<void> {
    uniqueViolations(() => {
      this.sql.get('UPDATE boms SET status = ?, output_qty = ?, notes = ?, status_history = ?, updated_at = ?, revision = ? WHERE id = ?')
        .run(b.status, b.outputQty, b.notes, JSON.stringify(b.statusHistory), b.updatedAt, b.revision, b.id);
      if (components) {
        this.sql.get('DELETE FROM bom_components WHERE bom_id = ?').run(b.id);
        this.insertComponents(b);
      }
    });
  }

  private insertComponents(b: BomRecord): void {
    const insert = this.sql.get(`INSERT INTO bom_components (id, bom_id, line_no, item_id, qty, uom_id, qty_base, scrap_pct)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const c of b.components) insert.run(c.id, b.id, c.lineNo, c.itemId, c.qty, c.uomId, c.qtyBase, c.scrapPct);
  }

  // --- work orders -----------------------------------------------------------------------------

  async getWorkOrder(id: string): Promise<WorkOrderRecord | null> {
    const row = this.sql.get('SELECT * FROM work_orders WHERE id = ?').get(id) as WorkOrderRow | undefined;
    return row ? this.withLines([row])[0]! : null;
  }

  async listWorkOrders(f: WorkOrderFilter, p: PageRequest): Promise<Page<WorkOrderRecord>> {
    const w = new Where()
      .add('status = ?', f.status)
      .add('item_id = ?', f.itemId)
      .add('facility_id = ?', f.facilityId)
      // Work order numbers are ASCII: SQLite's lower() is enough.
      .add('instr(lower(work_order_no), ?) > 0', f.q?.toLowerCase());
    const r = await page<WorkOrderRow>(this.sql, 'SELECT *', 'FROM work_orders', w.sql, w.args, 'created_at DESC, id DESC', p);
    return { items: this.withLines(r.items), total: r.total };
  }

  private withLines(rows: WorkOrderRow[]): WorkOrderRecord[] {
    if (rows.length === 0) return [];
    const list = ids(rows.map((r) => r.id));
    const lines = this.sql.get(`SELECT * FROM work_order_components WHERE work_order_id IN (SELECT value FROM json_each(?))
      ORDER BY work_order_id, line_no`).all(list) as LineRow[];
    const completions = this.sql.get(`SELECT * FROM work_order_completions WHERE work_order_id IN (SELECT value FROM json_each(?))
      ORDER BY work_order_id, completion_no`).all(list) as CompletionRow[];
    return assemble(rows, lines, completions);
  }

  async getLotOrigin(lotId: string): Promise<LotOrigin | null> {
    return (this.sql.get(`SELECT o.lot_id AS lotId, o.item_id AS itemId, o.work_order_id AS workOrderId, w.work_order_no AS workOrderNo,
        o.bom_id AS bomId, o.bom_version AS bomVersion, o.created_at AS createdAt
      FROM lot_origins o JOIN work_orders w ON w.id = o.work_order_id WHERE o.lot_id = ?`).get(lotId) as LotOrigin | undefined) ?? null;
  }

  async facilityStock(itemIds: readonly string[], facilityId: string, now: string): Promise<FacilityStock[]> {
    if (itemIds.length === 0) return [];
    return this.sql.get(`SELECT i.value AS itemId,
        coalesce((SELECT sum(b.on_hand) FROM balances b JOIN stock_statuses s ON s.id = b.status_id AND s.is_available = 1
          JOIN locations loc ON loc.id = b.location_id AND loc.type <> 'transit'
          WHERE b.item_id = i.value AND b.facility_id = ?), 0) AS onHand,
        coalesce((SELECT sum(r.qty - r.qty_fulfilled) FROM reservations r
          WHERE r.item_id = i.value AND r.facility_id = ? AND ${HOLDING}), 0) AS promised
      FROM (SELECT DISTINCT value FROM json_each(?)) i`).all(facilityId, facilityId, now, ids(itemIds)) as FacilityStock[];
  }

  async insertWorkOrder(w: WorkOrderRecord): Promise<void> {
    uniqueViolations(() => {
      this.sql.get(`INSERT INTO work_orders (id, work_order_no, item_id, bom_id, bom_version, facility_id, output_location_id,
        component_location_id, qty, qty_completed, status, notes, status_history, created_at, updated_at, version)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(w.id, w.workOrderNo, w.itemId, w.bomId, w.bomVersion, w.facilityId, w.outputLocationId, w.componentLocationId, w.qty,
          w.qtyCompleted, w.status, w.notes, JSON.stringify(w.statusHistory), w.createdAt, w.updatedAt, w.version);
      const line = this.sql.get(`INSERT INTO work_order_components (id, work_order_id, line_no, item_id, qty_required, qty_issued,
        reservation_id) VALUES (?, ?, ?, ?, ?, ?, ?)`);
      for (const l of w.components) line.run(l.id, w.id, l.lineNo, l.itemId, l.qtyRequired, l.qtyIssued, l.reservationId);
    });
  }

  async updateWorkOrder(w: WorkOrderRecord): Promise<void> {
    this.sql.get('UPDATE work_orders SET status = ?, qty_completed = ?, notes = ?, status_history = ?, updated_at = ?, version = ? WHERE id = ?')
      .run(w.status, w.qtyCompleted, w.notes, JSON.stringify(w.statusHistory), w.updatedAt, w.version, w.id);
    const line = this.sql.get('UPDATE work_order_components SET qty_issued = ?, reservation_id = ? WHERE id = ? AND work_order_id = ?');
    for (const l of w.components) line.run(l.qtyIssued, l.reservationId, l.id, w.id);
  }

  async insertCompletion(c: WorkOrderCompletionRecord): Promise<void> {
    uniqueViolations(() => {
      this.sql.get(`INSERT INTO work_order_completions (id, work_order_id, completion_no, qty, issue_transaction_id, output_transaction_id,
        lot_id, lot_no, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(c.id, c.workOrderId, c.completionNo, c.qty, c.issueTransactionId, c.outputTransactionId, c.lotId, c.lotNo, c.createdAt);
    });
  }

  async insertLotOrigin(o: Omit<LotOrigin, 'workOrderNo'>): Promise<void> {
    uniqueViolations(() => {
      this.sql.get('INSERT INTO lot_origins (lot_id, item_id, work_order_id, bom_id, bom_version, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(o.lotId, o.itemId, o.workOrderId, o.bomId, o.bomVersion, o.createdAt);
    });
  }
}

function toBom(r: BomRow, components: BomComponentRecord[]): BomRecord {
  return {
    id: r.id,
    itemId: r.item_id,
    version: r.version,
    status: r.status,
    outputQty: r.output_qty,
    notes: r.notes,
    components,
    statusHistory: JSON.parse(r.status_history),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    revision: r.revision,
  };
}

function assemble(rows: WorkOrderRow[], lines: LineRow[], completions: CompletionRow[]): WorkOrderRecord[] {
  const byOrder = new Map<string, WorkOrderComponentRecord[]>();
  for (const l of lines) {
    let list = byOrder.get(l.work_order_id);
    if (!list) byOrder.set(l.work_order_id, (list = []));
    list.push({ id: l.id, lineNo: l.line_no, itemId: l.item_id, qtyRequired: l.qty_required, qtyIssued: l.qty_issued, reservationId: l.reservation_id });
  }
  const done = new Map<string, WorkOrderCompletionRecord[]>();
  for (const c of completions) {
    let list = done.get(c.work_order_id);
    if (!list) done.set(c.work_order_id, (list = []));
    list.push({
      id: c.id, workOrderId: c.work_order_id, completionNo: c.completion_no, qty: c.qty, issueTransactionId: c.issue_transaction_id,
      outputTransactionId: c.output_transaction_id, lotId: c.lot_id, lotNo: c.lot_no, createdAt: c.created_at,
    });
  }
  return rows.map((r) => ({
    id: r.id,
    workOrderNo: r.work_order_no,
    itemId: r.item_id,
    bomId: r.bom_id,
    bomVersion: r.bom_version,
    facilityId: r.facility_id,
    outputLocationId: r.output_location_id,
    componentLocationId: r.component_location_id,
    qty: r.qty,
    qtyCompleted: r.qty_completed,
    status: r.status,
    notes: r.notes,
    components: byOrder.get(r.id) ?? [],
    completions: done.get(r.id) ?? [],
    statusHistory: JSON.parse(r.status_history),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  }));
}
