import type { BomFilter, BomRecord } from '../../core/bom.js';
import type { Page, PageRequest } from '../../core/page.js';
import type { FacilityStock, ProductionWriter } from '../../core/production.js';
import type {
  LotOrigin, WorkOrderCompletionRecord, WorkOrderFilter, WorkOrderRecord,
} from '../../core/work-order.js';
import {
  bomRecords, workOrderRecords, type BomRow, type ComponentRow, type CompletionRow, type WorkOrderLineRow, type WorkOrderRow,
} from '../rows/production.js';
import type { Statements } from './database.js';
import { HOLDING } from './reservations.js';
import { idList, page, uniqueViolations, Where } from './sql.js';

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
      .all(idList(itemIds)) as BomRow[];
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
      SELECT b.* FROM reach r JOIN boms b ON b.item_id = r.item_id AND b.status = 'active'`).all(idList(itemIds)) as BomRow[];
    return this.withComponents(rows);
  }

  private withComponents(rows: BomRow[]): BomRecord[] {
    if (rows.length === 0) return [];
    const lines = this.sql.get(`SELECT * FROM bom_components WHERE bom_id IN (SELECT value FROM json_each(?))
      ORDER BY bom_id, line_no`).all(idList(rows.map((r) => r.id))) as ComponentRow[];
    return bomRecords(rows, lines);
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
    const list = idList(rows.map((r) => r.id));
    const lines = this.sql.get(`SELECT * FROM work_order_components WHERE work_order_id IN (SELECT value FROM json_each(?))
      ORDER BY work_order_id, line_no`).all(list) as WorkOrderLineRow[];
    const completions = this.sql.get(`SELECT * FROM work_order_completions WHERE work_order_id IN (SELECT value FROM json_each(?))
      ORDER BY work_order_id, completion_no`).all(list) as CompletionRow[];
    return workOrderRecords(rows, lines, completions);
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
      FROM (SELECT DISTINCT value FROM json_each(?)) i`).all(facilityId, facilityId, now, idList(itemIds)) as FacilityStock[];
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

