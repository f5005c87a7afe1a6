import type { BomComponentRecord, BomFilter, BomRecord } from '../../core/bom.js';
import type { Page, PageRequest } from '../../core/page.js';
import type { FacilityStock, ProductionWriter } from '../../core/production.js';
import type {
  LotOrigin, WorkOrderCompletionRecord, WorkOrderComponentRecord, WorkOrderFilter, WorkOrderRecord,
} from '../../core/work-order.js';
import {
  bomRecords, workOrderRecords, type BomRow, type ComponentRow, type CompletionRow, type WorkOrderLineRow, type WorkOrderRow,
} from '../rows/production.js';
import { HOLDING } from './reservations.js';
import { lockStock } from './stock.js';
import { page, storable, Where, type Sql } from './sql.js';

/** The key of the advisory lock every BOM activation takes first. */
const BOM_GRAPH_LOCK = 'ims:bom-graph';

export class PgProduction implements ProductionWriter {
  constructor(readonly sql: Sql) {}

  // --- BOMs ----------------------------------------------------------------------------------

  /** Inside a write unit the BOM's row is locked FOR UPDATE: a command reads it to change it (or to pin it, active). */
  async getBom(id: string): Promise<BomRecord | null> {
    if (!storable(id)) return null;
    const lock = this.sql.unit ? ' FOR UPDATE' : '';
    return this.sql.snapshot(async (s) => {
      const [row] = await s.rows<BomRow>(`SELECT * FROM boms WHERE id = ?${lock}`, [id]);
      return row ? (await withComponents(s, [row]))[0]! : null;
    });
  }

  async findBom(itemId: string, version: number): Promise<BomRecord | null> {
    if (!storable(itemId)) return null;
    return this.sql.snapshot(async (s) => {
      const [row] = await s.rows<BomRow>('SELECT * FROM boms WHERE item_id = ? AND version = ?', [itemId, version]);
      return row ? (await withComponents(s, [row]))[0]! : null;
    });
  }

  async lastBomVersion(itemId: string): Promise<number> {
    if (!storable(itemId)) return 0;
    const [row] = await this.sql.rows<{ v: number }>('SELECT coalesce(max(version), 0)::integer AS v FROM boms WHERE item_id = ?', [itemId]);
    return row!.v;
  }

  async listBoms(f: BomFilter, p: PageRequest): Promise<Page<BomRecord>> {
    const w = new Where().add('item_id = ?', f.itemId).add('status = ?', f.status);
    return this.sql.snapshot(async (s) => {
      const r = await page<BomRow>(s, 'SELECT *', 'FROM boms', w.sql, w.args, 'created_at DESC, id DESC', p);
      return { items: await withComponents(s, r.items), total: r.total };
    });
  }

  async getActiveBoms(itemIds: readonly string[]): Promise<BomRecord[]> {
    const wanted = itemIds.filter(storable);
    if (wanted.length === 0) return [];
    return this.sql.snapshot(async (s) => {
      const rows = await s.rows<BomRow>(`SELECT * FROM boms WHERE status = 'active' AND item_id = ANY(?::text[])`, [wanted]);
      return withComponents(s, rows);
    });
  }

  async getActiveBomGraph(itemIds: readonly string[]): Promise<BomRecord[]> {
    const wanted = itemIds.filter(storable);
    if (wanted.length === 0) return [];
    return this.sql.snapshot(async (s) => {
      // UNION, not UNION ALL: an item reached again adds nothing, so a cycle ends the recursion.
      const rows = await s.rows<BomRow>(`WITH RECURSIVE reach (item_id) AS (
          SELECT u COLLATE "C" FROM unnest(?::text[]) AS u
          UNION
          SELECT c.item_id FROM reach r JOIN boms b ON b.item_id = r.item_id AND b.status = 'active'
            JOIN bom_components c ON c.bom_id = b.id)
        SELECT b.* FROM reach r JOIN boms b ON b.item_id = r.item_id AND b.status = 'active'`, [wanted]);
      return withComponents(s, rows);
    });
  }

  /** A transaction-scoped advisory lock: activations run one at a time across hosts. */
  async lockBomGraph(): Promise<void> {
    if (!this.sql.unit) return;
    await this.sql.rows('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [BOM_GRAPH_LOCK]);
  }

  async insertBom(b: BomRecord): Promise<void> {
    await this.sql.rows(`INSERT INTO boms (id, item_id, version, status, output_qty, notes, status_history, created_at, updated_at, revision)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [b.id, b.itemId, b.version, b.status, b.outputQty, b.notes, JSON.stringify(b.statusHistory), b.createdAt, b.updatedAt, b.revision]);
    await this.insertComponents(b);
  }

  async updateBom(b: BomRecord, components: boolean): Promise<void> {
    await this.sql.rows('UPDATE boms SET status = ?, output_qty = ?, notes = ?, status_history = ?, updated_at = ?, revision = ? WHERE id = ?',
      [b.status, b.outputQty, b.notes, JSON.stringify(b.statusHistory), b.updatedAt, b.revision, b.id]);
    if (components) {
      await this.sql.rows('DELETE FROM bom_components WHERE bom_id = ?', [b.id]);
      await this.insertComponents(b);
    }
  }

  private async insertComponents(b: BomRecord): Promise<void> {
    if (b.components.length === 0) return;
    const col = <K extends keyof BomComponentRecord>(k: K) => b.components.map((c) => c[k]);
    await this.sql.rows(`INSERT INTO bom_components (id, bom_id, line_no, item_id, qty, uom_id, qty_base, scrap_pct)
      SELECT * FROM unnest(?::text[], ?::text[], ?::integer[], ?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::bigint[])`, [
      col('id'), b.components.map(() => b.id), col('lineNo'), col('itemId'), col('qty'), col('uomId'), col('qtyBase'), col('scrapPct'),
    ]);
  }

  // --- work orders -----------------------------------------------------------------------------

  /**
   * Inside a write unit each component item at the work order's facility is locked first (the
   * advisory locks of stock.ts, which reservations and postings take), then the work order's
   * row FOR UPDATE: the order every command that changes stock or promises follows. Outside
   * a unit, the header, lines and completions come from one snapshot.
   */
  async getWorkOrder(id: string): Promise<WorkOrderRecord | null> {
    if (!storable(id)) return null;
    if (this.sql.unit) {
      // A work order's facility and component items never change, so this plain read is safe to lock by.
      const pairs = await this.sql.rows<{ item_id: string; facility_id: string }>(`SELECT DISTINCT l.item_id, w.facility_id
        FROM work_orders w JOIN work_order_components l ON l.work_order_id = w.id WHERE w.id = ?`, [id]);
      await lockStock(this.sql, pairs.map((p) => ({ itemId: p.item_id, facilityId: p.facility_id })));
      const [row] = await this.sql.rows<WorkOrderRow>('SELECT * FROM work_orders WHERE id = ? FOR UPDATE', [id]);
      return row ? (await withLines(this.sql, [row]))[0]! : null;
    }
    return this.sql.snapshot(async (s) => {
      const [row] = await s.rows<WorkOrderRow>('SELECT * FROM work_orders WHERE id = ?', [id]);
      return row ? (await withLines(s, [row]))[0]! : null;
    });
  }

  async listWorkOrders(f: WorkOrderFilter, p: PageRequest): Promise<Page<WorkOrderRecord>> {
    const w = new Where()
      .add('status = ?', f.status)
      .add('item_id = ?', f.itemId)
      .add('facility_id = ?', f.facilityId)
      // Work order numbers are ASCII: lower() folds them the same on every collation.
      .add('strpos(lower(work_order_no), ?) > 0', f.q?.toLowerCase());
    return this.sql.snapshot(async (s) => {
      const r = await page<WorkOrderRow>(s, 'SELECT *', 'FROM work_orders', w.sql, w.args, 'created_at DESC, id DESC', p);
      return { items: await withLines(s, r.items), total: r.total };
    });
  }

  async getLotOrigin(lotId: string): Promise<LotOrigin | null> {
    if (!storable(lotId)) return null;
    const [row] = await this.sql.rows<LotOrigin>(`SELECT o.lot_id AS "lotId", o.item_id AS "itemId", o.work_order_id AS "workOrderId",
        w.work_order_no AS "workOrderNo", o.bom_id AS "bomId", o.bom_version AS "bomVersion", o.created_at AS "createdAt"
      FROM lot_origins o JOIN work_orders w ON w.id = o.work_order_id WHERE o.lot_id = ?`, [lotId]);
    return row ?? null;
  }

  async facilityStock(itemIds: readonly string[], facilityId: string, now: string): Promise<FacilityStock[]> {
    const wanted = itemIds.filter(storable);
    if (wanted.length === 0 || !storable(facilityId)) return [];
    return this.sql.rows<FacilityStock>(`SELECT i.item_id AS "itemId",
        coalesce((SELECT sum(b.on_hand) FROM balances b JOIN stock_statuses s ON s.id = b.status_id AND s.is_available
          JOIN locations loc ON loc.id = b.location_id AND loc.type <> 'transit'
          WHERE b.item_id = i.item_id AND b.facility_id = ?), 0)::bigint AS "onHand",
        coalesce((SELECT sum(r.qty - r.qty_fulfilled) FROM reservations r
          WHERE r.item_id = i.item_id AND r.facility_id = ? AND ${HOLDING}), 0)::bigint AS promised
      FROM (SELECT DISTINCT u AS item_id FROM unnest(?::text[]) AS u) i`, [facilityId, facilityId, now, wanted]);
  }

  async insertWorkOrder(w: WorkOrderRecord): Promise<void> {
    await this.sql.rows(`INSERT INTO work_orders (id, work_order_no, item_id, bom_id, bom_version, facility_id, output_location_id,
      component_location_id, qty, qty_completed, status, notes, status_history, created_at, updated_at, version)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      w.id, w.workOrderNo, w.itemId, w.bomId, w.bomVersion, w.facilityId, w.outputLocationId, w.componentLocationId, w.qty,
      w.qtyCompleted, w.status, w.notes, JSON.stringify(w.statusHistory), w.createdAt, w.updatedAt, w.version,
    ]);
    if (w.components.length === 0) return;
    const col = <K extends keyof WorkOrderComponentRecord>(k: K) => w.components.map((l) => l[k]);
    await this.sql.rows(`INSERT INTO work_order_components (id, work_order_id, line_no, item_id, qty_required, qty_issued, reservation_id)
      SELECT * FROM unnest(?::text[], ?::text[], ?::integer[], ?::text[], ?::bigint[], ?::bigint[], ?::text[])`, [
      col('id'), w.components.map(() => w.id), col('lineNo'), col('itemId'), col('qtyRequired'), col('qtyIssued'), col('reservationId'),
    ]);
  }

  async updateWorkOrder(w: WorkOrderRecord): Promise<void> {
    await this.sql.rows('UPDATE work_orders SET status = ?, qty_completed = ?, notes = ?, status_history = ?, updated_at = ?, version = ? WHERE id = ?',
      [w.status, w.qtyCompleted, w.notes, JSON.stringify(w.statusHistory), w.updatedAt, w.version, w.id]);
    if (w.components.length === 0) return;
    await this.sql.rows(`UPDATE work_order_components l SET qty_issued = u.qty_issued, reservation_id = u.reservation_id
      FROM unnest(?::text[], ?::bigint[], ?::text[]) AS u (id, qty_issued, reservation_id)
      WHERE l.id = u.id AND l.work_order_id = ?`, [
      w.components.map((l) => l.id), w.components.map((l) => l.qtyIssued), w.components.map((l) => l.reservationId), w.id,
    ]);
  }

  async insertCompletion(c: WorkOrderCompletionRecord): Promise<void> {
    await this.sql.rows(`INSERT INTO work_order_completions (id, work_order_id, completion_no, qty, issue_transaction_id,
      output_transaction_id, lot_id, lot_no, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [c.id, c.workOrderId, c.completionNo, c.qty, c.issueTransactionId, c.outputTransactionId, c.lotId, c.lotNo, c.createdAt]);
  }

  async insertLotOrigin(o: Omit<LotOrigin, 'workOrderNo'>): Promise<void> {
    await this.sql.rows('INSERT INTO lot_origins (lot_id, item_id, work_order_id, bom_id, bom_version, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [o.lotId, o.itemId, o.workOrderId, o.bomId, o.bomVersion, o.createdAt]);
  }
}

async function withComponents(sql: Sql, rows: BomRow[]): Promise<BomRecord[]> {
  if (rows.length === 0) return [];
  const lines = await sql.rows<ComponentRow>('SELECT * FROM bom_components WHERE bom_id = ANY(?::text[]) ORDER BY bom_id, line_no',
    [rows.map((r) => r.id)]);
  return bomRecords(rows, lines);
}

async function withLines(sql: Sql, rows: WorkOrderRow[]): Promise<WorkOrderRecord[]> {
  if (rows.length === 0) return [];
  const list = rows.map((r) => r.id);
  const lines = await sql.rows<WorkOrderLineRow>('SELECT * FROM work_order_components WHERE work_order_id = ANY(?::text[]) ORDER BY work_order_id, line_no', [list]);
  const completions = await sql.rows<CompletionRow>(`SELECT * FROM work_order_completions WHERE work_order_id = ANY(?::text[])
    ORDER BY work_order_id, completion_no`, [list]);
  return workOrderRecords(rows, lines, completions);
}
