import type { Page, PageRequest } from '../../core/page.js';
import {
  OPEN_PURCHASE_ORDER_STATUSES, OPEN_REQUISITION_STATUSES, type PurchaseOrderFilter, type PurchaseOrderLineRecord,
  type PurchaseOrderRecord, type PurchasingWriter, type ReceiptLineRecord, type ReceiptRecord, type RequisitionFilter,
  type RequisitionLineRecord, type RequisitionRecord,
} from '../../core/purchasing.js';
import type { Micro } from '../../core/quantity.js';
import type { ItemFacility } from '../../core/stock.js';
import type { Statements } from './database.js';
import { page, uniqueViolations, Where } from './sql.js';

// Rows are read with their columns renamed to the records' fields; JSON columns are parsed.

const PO = `SELECT id, po_no AS poNo, supplier_id AS supplierId, facility_id AS facilityId, status, currency,
  expected_on AS expectedOn, notes, status_history AS statusHistory, created_at AS createdAt, updated_at AS updatedAt, version`;
const PO_LINE = `SELECT purchase_order_id AS parentId, id, line_no AS lineNo, item_id AS itemId, qty, uom_id AS uomId, qty_base AS qtyBase,
  unit_price AS unitPrice, qty_received AS qtyReceived, qty_received_base AS qtyReceivedBase, requisition_line_id AS requisitionLineId`;
const RQ = `SELECT id, requisition_no AS requisitionNo, facility_id AS facilityId, status, notes, status_history AS statusHistory,
  created_at AS createdAt, updated_at AS updatedAt, version`;
const RQ_LINE = `SELECT requisition_id AS parentId, id, line_no AS lineNo, item_id AS itemId, qty, uom_id AS uomId, qty_base AS qtyBase,
  needed_by AS neededBy, supplier_id AS supplierId, purchase_order_id AS purchaseOrderId`;
const RECEIPT = `SELECT id, purchase_order_id AS purchaseOrderId, transaction_id AS transactionId, reason, received_at AS receivedAt,
  received_by AS "by"`;
const RECEIPT_LINE = `SELECT l.receipt_id AS parentId, l.line_no AS lineNo, l.purchase_order_line_id AS purchaseOrderLineId,
  l.item_id AS itemId, l.qty, l.uom_id AS uomId, l.qty_base AS qtyBase, l.location_id AS locationId, l.status_id AS statusId,
  l.lot_id AS lotId, lots.lot_no AS lotNo, lots.expires_on AS expiresOn, l.serial_nos AS serialNos
  FROM purchase_receipt_lines l LEFT JOIN lots ON lots.id = l.lot_id`;

const inList = (values: readonly string[]) => values.map((s) => `'${s}'`).join(', ');
const OPEN_PO = `o.status IN (${inList(OPEN_PURCHASE_ORDER_STATUSES)})`;
const OPEN_RQ = `r.status IN (${inList(OPEN_REQUISITION_STATUSES)})`;

type Row<T> = Omit<T, 'lines' | 'statusHistory'> & { statusHistory: string };
type LineRow<T> = T & { parentId: string };

const pairsJson = (pairs: readonly ItemFacility[]) => JSON.stringify(pairs.map((p) => ({ itemId: p.itemId, facilityId: p.facilityId })));
const PAIRS = `(SELECT DISTINCT json_extract(value, '$.itemId') AS item_id, json_extract(value, '$.facilityId') AS facility_id FROM json_each(?)) p`;

export class SqlitePurchasing implements PurchasingWriter {
  constructor(private readonly sql: Statements) {}

  // --- requisitions ------------------------------------------------------------------------

  async getRequisition(id: string): Promise<RequisitionRecord | null> {
    const row = this.sql.get(`${RQ} FROM requisitions WHERE id = ?`).get(id) as Row<RequisitionRecord> | undefined;
    return row ? this.requisitionsWithLines([row])[0]! : null;
  }

  async listRequisitions(f: RequisitionFilter, p: PageRequest): Promise<Page<RequisitionRecord>> {
    const w = new Where()
      .add('status = ?', f.status)
      .add('facility_id = ?', f.facilityId)
      .add('id IN (SELECT requisition_id FROM requisition_lines WHERE item_id = ?)', f.itemId)
      // Document numbers are ASCII: SQLite's lower() is enough.
      .add('instr(lower(requisition_no), ?) > 0', f.q?.toLowerCase());
    const r = await page<Row<RequisitionRecord>>(this.sql, RQ, 'FROM requisitions', w.sql, w.args, 'created_at DESC, id DESC', p);
    return { items: this.requisitionsWithLines(r.items), total: r.total };
  }

  private requisitionsWithLines(rows: Array<Row<RequisitionRecord>>): RequisitionRecord[] {
    const lines = this.lines<RequisitionLineRecord>(`${RQ_LINE} FROM requisition_lines WHERE requisition_id IN (SELECT value FROM json_each(?))
      ORDER BY requisition_id, line_no`, rows);
    return rows.map((r) => ({ ...r, lines: lines.get(r.id) ?? [], statusHistory: JSON.parse(r.statusHistory) }));
  }

  async requested(pairs: readonly ItemFacility[]): Promise<Array<ItemFacility & { qty: Micro }>> {
    if (pairs.length === 0) return [];
    return this.sql.get(`SELECT l.item_id AS itemId, r.facility_id AS facilityId, sum(l.qty_base) AS qty
      FROM requisitions r JOIN requisition_lines l ON l.requisition_id = r.id
      JOIN ${PAIRS} ON p.item_id = l.item_id AND p.facility_id = r.facility_id
      WHERE ${OPEN_RQ} GROUP BY l.item_id, r.facility_id`).all(pairsJson(pairs)) as Array<ItemFacility & { qty: Micro }>;
  }

  async insertRequisition(r: RequisitionRecord): Promise<void> {
    uniqueViolations(() => {
      this.sql.get(`INSERT INTO requisitions (id, requisition_no, facility_id, status, notes, status_history, created_at, updated_at, version)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(r.id, r.requisitionNo, r.facilityId, r.status, r.notes, JSON.stringify(r.statusHistory), r.createdAt, r.updatedAt, r.version);
      this.insertRequisitionLines(r);
    });
  }

  private insertRequisitionLines(r: RequisitionRecord): void {
    const insert = this.sql.get(`INSERT INTO requisition_lines (id, requisition_id, line_no, item_id, qty, uom_id, qty_base, needed_by,
      supplier_id, purchase_order_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const l of r.lines) insert.run(l.id, r.id, l.lineNo, l.itemId, l.qty, l.uomId, l.qtyBase, l.neededBy, l.supplierId, l.purchaseOrderId);
  }

  async updateRequisition(r: RequisitionRecord, options: { replaceLines?: boolean } = {}): Promise<void> {
    uniqueViolations(() => {
      this.sql.get('UPDATE requisitions SET facility_id = ?, status = ?, notes = ?, status_history = ?, updated_at = ?, version = ? WHERE id = ?')
        .run(r.facilityId, r.status, r.notes, JSON.stringify(r.statusHistory), r.updatedAt, r.version, r.id);
      if (options.replaceLines) {
        this.sql.get('DELETE FROM requisition_lines WHERE requisition_id = ?').run(r.id);
        this.insertRequisitionLines(r);
        return;
      }
      const line = this.sql.get('UPDATE requisition_lines SET purchase_order_id = ? WHERE id = ? AND requisition_id = ?');
      for (const l of r.lines) line.run(l.purchaseOrderId, l.id, r.id);
    });
  }

  // --- purchase orders ---------------------------------------------------------------------

  async getPurchaseOrder(id: string): Promise<PurchaseOrderRecord | null> {
    const row = this.sql.get(`${PO} FROM purchase_orders WHERE id = ?`).get(id) as Row<PurchaseOrderRecord> | undefined;
    return row ? this.ordersWithLines([row])[0]! : null;
  }

  async listPurchaseOrders(f: PurchaseOrderFilter, p: PageRequest): Promise<Page<PurchaseOrderRecord>> {
    const q = f.q?.toLowerCase();
    const w = new Where()
      .add('status = ?', f.status)
      .add('supplier_id = ?', f.supplierId)
      .add('facility_id = ?', f.facilityId)
      .add('id IN (SELECT purchase_order_id FROM purchase_order_lines WHERE item_id = ?)', f.itemId)
      .add(`(instr(lower(po_no), ?) > 0 OR supplier_id IN (SELECT id FROM parties WHERE kind = 'supplier'
        AND (instr(lower(code), ?) > 0 OR instr(lower(name), ?) > 0)))`, q, q, q);
    const r = await page<Row<PurchaseOrderRecord>>(this.sql, PO, 'FROM purchase_orders', w.sql, w.args, 'created_at DESC, id DESC', p);
    return { items: this.ordersWithLines(r.items), total: r.total };
  }

  private ordersWithLines(rows: Array<Row<PurchaseOrderRecord>>): PurchaseOrderRecord[] {
    const lines = this.lines<PurchaseOrderLineRecord>(`${PO_LINE} FROM purchase_order_lines
      WHERE purchase_order_id IN (SELECT value FROM json_each(?)) ORDER BY purchase_order_id, line_no`, rows);
    return rows.map((r) => ({ ...r, lines: lines.get(r.id) ?? [], statusHistory: JSON.parse(r.statusHistory) }));
  }

  async onOrder(pairs: readonly ItemFacility[]): Promise<Array<ItemFacility & { qty: Micro }>> {
    if (pairs.length === 0) return [];
    return this.sql.get(`SELECT l.item_id AS itemId, o.facility_id AS facilityId, sum(l.qty_base - l.qty_received_base) AS qty
      FROM purchase_orders o JOIN purchase_order_lines l ON l.purchase_order_id = o.id
      JOIN ${PAIRS} ON p.item_id = l.item_id AND p.facility_id = o.facility_id
      WHERE ${OPEN_PO} GROUP BY l.item_id, o.facility_id HAVING sum(l.qty_base - l.qty_received_base) > 0`)
      .all(pairsJson(pairs)) as Array<ItemFacility & { qty: Micro }>;
  }

  async lastUnitPrices(supplierId: string, itemIds: readonly string[]): Promise<Array<{ itemId: string; uomId: string; unitPrice: Micro }>> {
    if (itemIds.length === 0) return [];
    return this.sql.get(`SELECT l.item_id AS itemId, l.uom_id AS uomId, l.unit_price AS unitPrice
      FROM purchase_orders o JOIN purchase_order_lines l ON l.purchase_order_id = o.id
      WHERE o.supplier_id = ? AND o.status NOT IN ('draft', 'cancelled') AND l.item_id IN (SELECT value FROM json_each(?))
      ORDER BY o.created_at DESC, o.id DESC, l.line_no`).all(supplierId, JSON.stringify(itemIds)) as Array<{ itemId: string; uomId: string; unitPrice: Micro }>;
  }

  async insertPurchaseOrder(po: PurchaseOrderRecord): Promise<void> {
    uniqueViolations(() => {
      this.sql.get(`INSERT INTO purchase_orders (id, po_no, supplier_id, facility_id, status, currency, expected_on, notes, status_history,
        created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(po.id, po.poNo, po.supplierId, po.facilityId, po.status, po.currency, po.expectedOn, po.notes, JSON.stringify(po.statusHistory),
          po.createdAt, po.updatedAt, po.version);
      this.insertOrderLines(po);
    });
  }

  private insertOrderLines(po: PurchaseOrderRecord): void {
    const insert = this.sql.get(`INSERT INTO purchase_order_lines (id, purchase_order_id, line_no, item_id, qty, uom_id, qty_base, unit_price,
      qty_received, qty_received_base, requisition_line_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const l of po.lines) {
      insert.run(l.id, po.id, l.lineNo, l.itemId, l.qty, l.uomId, l.qtyBase, l.unitPrice, l.qtyReceived, l.qtyReceivedBase, l.requisitionLineId);
    }
  }

  async updatePurchaseOrder(po: PurchaseOrderRecord, options: { replaceLines?: boolean } = {}): Promise<void> {
    uniqueViolations(() => {
      this.sql.get(`UPDATE purchase_orders SET supplier_id = ?, facility_id = ?, status = ?, currency = ?, expected_on = ?, notes = ?,
        status_history = ?, updated_at = ?, version = ? WHERE id = ?`)
        .run(po.supplierId, po.facilityId, po.status, po.currency, po.expectedOn, po.notes, JSON.stringify(po.statusHistory), po.updatedAt,
          po.version, po.id);
      if (options.replaceLines) {
        this.sql.get('DELETE FROM purchase_order_lines WHERE purchase_order_id = ?').run(po.id);
        this.insertOrderLines(po);
        return;
      }
      const line = this.sql.get('UPDATE purchase_order_lines SET qty_received = ?, qty_received_base = ? WHERE id = ? AND purchase_order_id = ?');
      for (const l of po.lines) line.run(l.qtyReceived, l.qtyReceivedBase, l.id, po.id);
    });
  }

  // --- receipts ----------------------------------------------------------------------------

  async listReceipts(purchaseOrderId: string, p: PageRequest): Promise<Page<ReceiptRecord>> {
    const w = new Where().add('purchase_order_id = ?', purchaseOrderId);
    const r = await page<Omit<ReceiptRecord, 'lines' | 'by'> & { by: string | null }>(
      this.sql, RECEIPT, 'FROM purchase_receipts', w.sql, w.args, 'received_at, id', p);
    const lines = this.lines<Omit<ReceiptLineRecord, 'serialNos'> & { serialNos: string | null }>(
      `${RECEIPT_LINE} WHERE l.receipt_id IN (SELECT value FROM json_each(?)) ORDER BY l.receipt_id, l.line_no`, r.items);
    return {
      items: r.items.map((x) => ({
        ...x,
        by: x.by === null ? null : JSON.parse(x.by),
        lines: (lines.get(x.id) ?? []).map((l) => ({ ...l, serialNos: l.serialNos === null ? [] : JSON.parse(l.serialNos) })),
      })),
      total: r.total,
    };
  }

  async insertReceipt(r: ReceiptRecord): Promise<void> {
    uniqueViolations(() => {
      this.sql.get(`INSERT INTO purchase_receipts (id, purchase_order_id, transaction_id, reason, received_at, received_by)
        VALUES (?, ?, ?, ?, ?, ?)`).run(r.id, r.purchaseOrderId, r.transactionId, r.reason, r.receivedAt, r.by === null ? null : JSON.stringify(r.by));
      const insert = this.sql.get(`INSERT INTO purchase_receipt_lines (receipt_id, line_no, purchase_order_line_id, item_id, qty, uom_id,
        qty_base, location_id, status_id, lot_id, serial_nos) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const l of r.lines) {
        insert.run(r.id, l.lineNo, l.purchaseOrderLineId, l.itemId, l.qty, l.uomId, l.qtyBase, l.locationId, l.statusId, l.lotId,
          l.serialNos.length ? JSON.stringify(l.serialNos) : null);
      }
    });
  }

  /** The lines of these documents by document id, from one query that takes the ids as a JSON array. */
  private lines<T>(query: string, parents: ReadonlyArray<{ id: string }>): Map<string, T[]> {
    const byParent = new Map<string, T[]>();
    if (parents.length === 0) return byParent;
    for (const row of this.sql.get(query).all(JSON.stringify(parents.map((p) => p.id))) as Array<LineRow<T>>) {
      const { parentId, ...line } = row;
      const list = byParent.get(parentId);
      if (list) list.push(line as unknown as T);
      else byParent.set(parentId, [line as unknown as T]);
    }
    return byParent;
  }
}
