import type { Page, PageRequest } from '../../core/page.js';
import {
  OPEN_PURCHASE_ORDER_STATUSES, OPEN_REQUISITION_STATUSES, type PurchaseOrderFilter, type PurchaseOrderLineRecord,
  type PurchaseOrderRecord, type PurchasingWriter, type ReceiptLineRecord, type ReceiptRecord, type RequisitionFilter,
  type RequisitionLineRecord, type RequisitionRecord,
} from '../../core/purchasing.js';
import type { Micro } from '../../core/quantity.js';
import type { ItemFacility } from '../../core/stock.js';
import { page, storable, Where, type Sql } from './sql.js';

// Rows are read with their columns renamed to the records' fields; JSON columns are parsed.

const PO = `SELECT id, po_no AS "poNo", supplier_id AS "supplierId", facility_id AS "facilityId", status, currency,
  expected_on AS "expectedOn", notes, status_history AS "statusHistory", created_at AS "createdAt", updated_at AS "updatedAt", version`;
const PO_LINE = `SELECT purchase_order_id AS "parentId", id, line_no AS "lineNo", item_id AS "itemId", qty, uom_id AS "uomId",
  qty_base AS "qtyBase", unit_price AS "unitPrice", qty_received AS "qtyReceived", qty_received_base AS "qtyReceivedBase",
  requisition_line_id AS "requisitionLineId"`;
const RQ = `SELECT id, requisition_no AS "requisitionNo", facility_id AS "facilityId", status, notes, status_history AS "statusHistory",
  created_at AS "createdAt", updated_at AS "updatedAt", version`;
const RQ_LINE = `SELECT requisition_id AS "parentId", id, line_no AS "lineNo", item_id AS "itemId", qty, uom_id AS "uomId",
  qty_base AS "qtyBase", needed_by AS "neededBy", supplier_id AS "supplierId", purchase_order_id AS "purchaseOrderId"`;
const RECEIPT = `SELECT id, purchase_order_id AS "purchaseOrderId", transaction_id AS "transactionId", reason, received_at AS "receivedAt",
  received_by AS "by"`;
const RECEIPT_LINE = `SELECT l.receipt_id AS "parentId", l.line_no AS "lineNo", l.purchase_order_line_id AS "purchaseOrderLineId",
  l.item_id AS "itemId", l.qty, l.uom_id AS "uomId", l.qty_base AS "qtyBase", l.location_id AS "locationId", l.status_id AS "statusId",
  l.lot_id AS "lotId", lots.lot_no AS "lotNo", lots.expires_on AS "expiresOn", l.serial_nos AS "serialNos"
  FROM purchase_receipt_lines l LEFT JOIN lots ON lots.id = l.lot_id`;

const inList = (values: readonly string[]) => values.map((s) => `'${s}'`).join(', ');
const OPEN_PO = `o.status IN (${inList(OPEN_PURCHASE_ORDER_STATUSES)})`;
const OPEN_RQ = `r.status IN (${inList(OPEN_REQUISITION_STATUSES)})`;
const PAIRS = '(SELECT DISTINCT * FROM unnest(?::text[], ?::text[]) AS u (item_id, facility_id)) p';

type Row<T> = Omit<T, 'lines' | 'statusHistory'> & { statusHistory: string };

/** The pairs that can be stored, as the two arrays PAIRS takes. */
function pairArgs(pairs: readonly ItemFacility[]): [string[], string[]] | null {
  const stored = pairs.filter((p) => storable(p.itemId) && storable(p.facilityId));
  return stored.length ? [stored.map((p) => p.itemId), stored.map((p) => p.facilityId)] : null;
}

/**
 * Inside a write unit a document's row is locked FOR UPDATE, then its lines (a receipt or a
 * transition reads them to change them); receipts only add stock, so no stock lock comes
 * first. Outside a unit, a header and its lines come from one snapshot.
 */
export class PgPurchasing implements PurchasingWriter {
  constructor(private readonly sql: Sql) {}

  // --- requisitions ------------------------------------------------------------------------

  async getRequisition(id: string): Promise<RequisitionRecord | null> {
    if (!storable(id)) return null;
    const lock = this.sql.unit ? ' FOR UPDATE' : '';
    return this.sql.snapshot(async (s) => {
      const rows = await s.rows<Row<RequisitionRecord>>(`${RQ} FROM requisitions WHERE id = ?${lock}`, [id]);
      return (await requisitionsWithLines(s, rows))[0] ?? null;
    });
  }

  async listRequisitions(f: RequisitionFilter, p: PageRequest): Promise<Page<RequisitionRecord>> {
    const w = new Where()
      .add('status = ?', f.status)
      .add('facility_id = ?', f.facilityId)
      .add('id IN (SELECT requisition_id FROM requisition_lines WHERE item_id = ?)', f.itemId)
      // Document numbers are ASCII: lower() folds them the same on every collation.
      .add('strpos(lower(requisition_no), ?) > 0', f.q?.toLowerCase());
    return this.sql.snapshot(async (s) => {
      const r = await page<Row<RequisitionRecord>>(s, RQ, 'FROM requisitions', w.sql, w.args, 'created_at DESC, id DESC', p);
      return { items: await requisitionsWithLines(s, r.items), total: r.total };
    });
  }

  async requested(pairs: readonly ItemFacility[]): Promise<Array<ItemFacility & { qty: Micro }>> {
    const args = pairArgs(pairs);
    if (!args) return [];
    return this.sql.rows(`SELECT l.item_id AS "itemId", r.facility_id AS "facilityId", sum(l.qty_base)::bigint AS qty
      FROM requisitions r JOIN requisition_lines l ON l.requisition_id = r.id
      JOIN ${PAIRS} ON p.item_id = l.item_id AND p.facility_id = r.facility_id
      WHERE ${OPEN_RQ} GROUP BY l.item_id, r.facility_id`, args);
  }

  async insertRequisition(r: RequisitionRecord): Promise<void> {
    await this.sql.rows(`INSERT INTO requisitions (id, requisition_no, facility_id, status, notes, status_history, created_at, updated_at,
      version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [r.id, r.requisitionNo, r.facilityId, r.status, r.notes, JSON.stringify(r.statusHistory), r.createdAt, r.updatedAt, r.version]);
    await this.insertRequisitionLines(r);
  }

  private async insertRequisitionLines(r: RequisitionRecord): Promise<void> {
    const col = <K extends keyof RequisitionLineRecord>(k: K) => r.lines.map((l) => l[k]);
    await this.sql.rows(`INSERT INTO requisition_lines (id, requisition_id, line_no, item_id, qty, uom_id, qty_base, needed_by, supplier_id,
      purchase_order_id) SELECT * FROM unnest(?::text[], ?::text[], ?::integer[], ?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::text[],
      ?::text[], ?::text[])`, [
      col('id'), r.lines.map(() => r.id), col('lineNo'), col('itemId'), col('qty'), col('uomId'), col('qtyBase'), col('neededBy'),
      col('supplierId'), col('purchaseOrderId'),
    ]);
  }

  async updateRequisition(r: RequisitionRecord, options: { replaceLines?: boolean } = {}): Promise<void> {
    await this.sql.rows('UPDATE requisitions SET facility_id = ?, status = ?, notes = ?, status_history = ?, updated_at = ?, version = ? WHERE id = ?',
      [r.facilityId, r.status, r.notes, JSON.stringify(r.statusHistory), r.updatedAt, r.version, r.id]);
    if (options.replaceLines) {
      await this.sql.rows('DELETE FROM requisition_lines WHERE requisition_id = ?', [r.id]);
      await this.insertRequisitionLines(r);
      return;
    }
    await this.sql.rows(`UPDATE requisition_lines l SET purchase_order_id = u.purchase_order_id
      FROM unnest(?::text[], ?::text[]) AS u (id, purchase_order_id) WHERE l.id = u.id AND l.requisition_id = ?`,
    [r.lines.map((l) => l.id), r.lines.map((l) => l.purchaseOrderId), r.id]);
  }

  // --- purchase orders ---------------------------------------------------------------------

  async getPurchaseOrder(id: string): Promise<PurchaseOrderRecord | null> {
    if (!storable(id)) return null;
    const lock = this.sql.unit ? ' FOR UPDATE' : '';
    return this.sql.snapshot(async (s) => {
      const rows = await s.rows<Row<PurchaseOrderRecord>>(`${PO} FROM purchase_orders WHERE id = ?${lock}`, [id]);
      return (await ordersWithLines(s, rows))[0] ?? null;
    });
  }

  async listPurchaseOrders(f: PurchaseOrderFilter, p: PageRequest): Promise<Page<PurchaseOrderRecord>> {
    const q = f.q?.toLowerCase();
    // As on SQLite: lower() folds ASCII only on these "C" columns.
    const w = new Where()
      .add('status = ?', f.status)
      .add('supplier_id = ?', f.supplierId)
      .add('facility_id = ?', f.facilityId)
      .add('id IN (SELECT purchase_order_id FROM purchase_order_lines WHERE item_id = ?)', f.itemId)
      .add(`(strpos(lower(po_no), ?::text COLLATE "C") > 0 OR supplier_id IN (SELECT id FROM parties WHERE kind = 'supplier'
        AND (strpos(lower(code), ?::text COLLATE "C") > 0 OR strpos(lower(name), ?::text COLLATE "C") > 0)))`, q, q, q);
    return this.sql.snapshot(async (s) => {
      const r = await page<Row<PurchaseOrderRecord>>(s, PO, 'FROM purchase_orders', w.sql, w.args, 'created_at DESC, id DESC', p);
      return { items: await ordersWithLines(s, r.items), total: r.total };
    });
  }

  async onOrder(pairs: readonly ItemFacility[]): Promise<Array<ItemFacility & { qty: Micro }>> {
    const args = pairArgs(pairs);
    if (!args) return [];
    return this.sql.rows(`SELECT l.item_id AS "itemId", o.facility_id AS "facilityId", sum(l.qty_base - l.qty_received_base)::bigint AS qty
      FROM purchase_orders o JOIN purchase_order_lines l ON l.purchase_order_id = o.id
      JOIN ${PAIRS} ON p.item_id = l.item_id AND p.facility_id = o.facility_id
      WHERE ${OPEN_PO} GROUP BY l.item_id, o.facility_id HAVING sum(l.qty_base - l.qty_received_base) > 0`, args);
  }

  async lastUnitPrices(supplierId: string, itemIds: readonly string[]): Promise<Array<{ itemId: string; uomId: string; unitPrice: Micro }>> {
    if (!storable(supplierId) || itemIds.length === 0) return [];
    return this.sql.rows(`SELECT l.item_id AS "itemId", l.uom_id AS "uomId", l.unit_price AS "unitPrice"
      FROM purchase_orders o JOIN purchase_order_lines l ON l.purchase_order_id = o.id
      WHERE o.supplier_id = ? AND o.status NOT IN ('draft', 'cancelled') AND l.item_id = ANY(?::text[])
      ORDER BY o.created_at DESC, o.id DESC, l.line_no`, [supplierId, itemIds.filter(storable)]);
  }

  async insertPurchaseOrder(po: PurchaseOrderRecord): Promise<void> {
    await this.sql.rows(`INSERT INTO purchase_orders (id, po_no, supplier_id, facility_id, status, currency, expected_on, notes, status_history,
      created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [po.id, po.poNo, po.supplierId, po.facilityId, po.status, po.currency, po.expectedOn, po.notes, JSON.stringify(po.statusHistory),
      po.createdAt, po.updatedAt, po.version]);
    await this.insertOrderLines(po);
  }

  private async insertOrderLines(po: PurchaseOrderRecord): Promise<void> {
    const col = <K extends keyof PurchaseOrderLineRecord>(k: K) => po.lines.map((l) => l[k]);
    await this.sql.rows(`INSERT INTO purchase_order_lines (id, purchase_order_id, line_no, item_id, qty, uom_id, qty_base, unit_price,
      qty_received, qty_received_base, requisition_line_id) SELECT * FROM unnest(?::text[], ?::text[], ?::integer[], ?::text[], ?::bigint[],
      ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[])`, [
      col('id'), po.lines.map(() => po.id), col('lineNo'), col('itemId'), col('qty'), col('uomId'), col('qtyBase'), col('unitPrice'),
      col('qtyReceived'), col('qtyReceivedBase'), col('requisitionLineId'),
    ]);
  }

  async updatePurchaseOrder(po: PurchaseOrderRecord, options: { replaceLines?: boolean } = {}): Promise<void> {
    await this.sql.rows(`UPDATE purchase_orders SET supplier_id = ?, facility_id = ?, status = ?, currency = ?, expected_on = ?, notes = ?,
      status_history = ?, updated_at = ?, version = ? WHERE id = ?`,
    [po.supplierId, po.facilityId, po.status, po.currency, po.expectedOn, po.notes, JSON.stringify(po.statusHistory), po.updatedAt,
      po.version, po.id]);
    if (options.replaceLines) {
      await this.sql.rows('DELETE FROM purchase_order_lines WHERE purchase_order_id = ?', [po.id]);
      await this.insertOrderLines(po);
      return;
    }
    await this.sql.rows(`UPDATE purchase_order_lines l SET qty_received = u.qty_received, qty_received_base = u.qty_received_base
      FROM unnest(?::text[], ?::bigint[], ?::bigint[]) AS u (id, qty_received, qty_received_base)
      WHERE l.id = u.id AND l.purchase_order_id = ?`,
    [po.lines.map((l) => l.id), po.lines.map((l) => l.qtyReceived), po.lines.map((l) => l.qtyReceivedBase), po.id]);
  }

  // --- receipts ----------------------------------------------------------------------------

  async listReceipts(purchaseOrderId: string, p: PageRequest): Promise<Page<ReceiptRecord>> {
    const w = new Where().add('purchase_order_id = ?', purchaseOrderId);
    return this.sql.snapshot(async (s) => {
      const r = await page<Omit<ReceiptRecord, 'lines' | 'by'> & { by: string | null }>(
        s, RECEIPT, 'FROM purchase_receipts', w.sql, w.args, 'received_at, id', p);
      const lines = await linesOf<Omit<ReceiptLineRecord, 'serialNos'> & { serialNos: string | null }>(s,
        `${RECEIPT_LINE} WHERE l.receipt_id = ANY(?::text[]) ORDER BY l.receipt_id, l.line_no`, r.items);
      return {
        items: r.items.map((x) => ({
          ...x,
          by: x.by === null ? null : JSON.parse(x.by),
          lines: (lines.get(x.id) ?? []).map((l) => ({ ...l, serialNos: l.serialNos === null ? [] : JSON.parse(l.serialNos) })),
        })),
        total: r.total,
      };
    });
  }

  async insertReceipt(r: ReceiptRecord): Promise<void> {
    await this.sql.rows(`INSERT INTO purchase_receipts (id, purchase_order_id, transaction_id, reason, received_at, received_by)
      VALUES (?, ?, ?, ?, ?, ?)`, [r.id, r.purchaseOrderId, r.transactionId, r.reason, r.receivedAt, r.by === null ? null : JSON.stringify(r.by)]);
    const col = <K extends keyof ReceiptLineRecord>(k: K) => r.lines.map((l) => l[k]);
    await this.sql.rows(`INSERT INTO purchase_receipt_lines (receipt_id, line_no, purchase_order_line_id, item_id, qty, uom_id, qty_base,
      location_id, status_id, lot_id, serial_nos) SELECT * FROM unnest(?::text[], ?::integer[], ?::text[], ?::text[], ?::bigint[], ?::text[],
      ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[])`, [
      r.lines.map(() => r.id), col('lineNo'), col('purchaseOrderLineId'), col('itemId'), col('qty'), col('uomId'), col('qtyBase'),
      col('locationId'), col('statusId'), col('lotId'), r.lines.map((l) => (l.serialNos.length ? JSON.stringify(l.serialNos) : null)),
    ]);
  }
}

/** The lines of these documents by document id; inside a write unit locked FOR UPDATE (after their document's row). */
async function linesOf<T>(sql: Sql, query: string, parents: ReadonlyArray<{ id: string }>, lock = false): Promise<Map<string, T[]>> {
  const byParent = new Map<string, T[]>();
  if (parents.length === 0) return byParent;
  for (const row of await sql.rows<T & { parentId: string }>(`${query}${lock && sql.unit ? ' FOR UPDATE' : ''}`, [parents.map((p) => p.id)])) {
    const { parentId, ...line } = row;
    const list = byParent.get(parentId);
    if (list) list.push(line as unknown as T);
    else byParent.set(parentId, [line as unknown as T]);
  }
  return byParent;
}

async function requisitionsWithLines(sql: Sql, rows: Array<Row<RequisitionRecord>>): Promise<RequisitionRecord[]> {
  const lines = await linesOf<RequisitionLineRecord>(sql, `${RQ_LINE} FROM requisition_lines WHERE requisition_id = ANY(?::text[])
    ORDER BY requisition_id, line_no`, rows, true);
  return rows.map((r) => ({ ...r, lines: lines.get(r.id) ?? [], statusHistory: JSON.parse(r.statusHistory) }));
}

async function ordersWithLines(sql: Sql, rows: Array<Row<PurchaseOrderRecord>>): Promise<PurchaseOrderRecord[]> {
  const lines = await linesOf<PurchaseOrderLineRecord>(sql, `${PO_LINE} FROM purchase_order_lines WHERE purchase_order_id = ANY(?::text[])
    ORDER BY purchase_order_id, line_no`, rows, true);
  return rows.map((r) => ({ ...r, lines: lines.get(r.id) ?? [], statusHistory: JSON.parse(r.statusHistory) }));
}
