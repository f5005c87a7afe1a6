import type { Page, PageRequest } from '../../core/page.js';
import type { SalesOrderFilter, SalesOrderLineRecord, SalesOrderRecord, SalesWriter } from '../../core/sales.js';
import { salesOrderRecords, type SalesOrderLineRow, type SalesOrderRow } from '../rows/sales.js';
import { lockStock } from './stock.js';
import { page, storable, Where, type Sql } from './sql.js';

export class PgSales implements SalesWriter {
  constructor(private readonly sql: Sql) {}

  /**
   * Inside a write unit each line's item at the order's facility is locked first (the
   * advisory locks of stock.ts, which reservations and postings take), then the order's row
   * and lines FOR UPDATE: the same order every command that changes stock or promises
   * follows. A draft's lines may change under a PATCH between the two; the stock reads that
   * follow (getStockPositions) lock whatever pairs are new. Outside a unit, the header and
   * its lines come from one snapshot.
   */
  async getSalesOrder(id: string): Promise<SalesOrderRecord | null> {
    if (!storable(id)) return null;
    if (this.sql.unit) {
      const pairs = await this.sql.rows<{ item_id: string; facility_id: string }>(`SELECT DISTINCT l.item_id, o.facility_id
        FROM sales_orders o JOIN sales_order_lines l ON l.order_id = o.id WHERE o.id = ?`, [id]);
      await lockStock(this.sql, pairs.map((p) => ({ itemId: p.item_id, facilityId: p.facility_id })));
      const [row] = await this.sql.rows<SalesOrderRow>('SELECT * FROM sales_orders WHERE id = ? FOR UPDATE', [id]);
      return row ? (await withLines(this.sql, [row]))[0]! : null;
    }
    return this.sql.snapshot(async (s) => {
      const [row] = await s.rows<SalesOrderRow>('SELECT * FROM sales_orders WHERE id = ?', [id]);
      return row ? (await withLines(s, [row]))[0]! : null;
    });
  }

  async listSalesOrders(f: SalesOrderFilter, p: PageRequest): Promise<Page<SalesOrderRecord>> {
    // Order numbers and customer codes are ASCII: lower() folds them the same on every collation.
    const q = f.q?.toLowerCase();
    const w = new Where()
      .add('status = ?', f.status)
      .add('customer_id = ?', f.customerId)
      .add('facility_id = ?', f.facilityId)
      .add('id IN (SELECT order_id FROM sales_order_lines WHERE item_id = ?)', f.itemId)
      .add(`(strpos(lower(order_no), ?::text) > 0
        OR customer_id IN (SELECT id FROM parties WHERE kind = 'customer' AND strpos(lower(code), ?::text) > 0))`, q, q);
    return this.sql.snapshot(async (s) => {
      const r = await page<SalesOrderRow>(s, 'SELECT *', 'FROM sales_orders', w.sql, w.args, 'created_at DESC, id DESC', p);
      return { items: await withLines(s, r.items), total: r.total };
    });
  }

  async insertSalesOrder(o: SalesOrderRecord): Promise<void> {
    await this.sql.rows(`INSERT INTO sales_orders (id, order_no, customer_id, facility_id, status, requested_on, notes, currency, total,
      status_history, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [o.id, o.orderNo, o.customerId, o.facilityId, o.status, o.requestedOn, o.notes, o.currency, o.total, JSON.stringify(o.statusHistory),
      o.createdAt, o.updatedAt, o.version]);
    await this.insertLines(o);
  }

  async updateSalesOrder(o: SalesOrderRecord, options: { replaceLines?: boolean } = {}): Promise<void> {
    await this.sql.rows(`UPDATE sales_orders SET customer_id = ?, facility_id = ?, status = ?, requested_on = ?, notes = ?, currency = ?,
      total = ?, status_history = ?, updated_at = ?, version = ? WHERE id = ?`,
    [o.customerId, o.facilityId, o.status, o.requestedOn, o.notes, o.currency, o.total, JSON.stringify(o.statusHistory), o.updatedAt,
      o.version, o.id]);
    if (options.replaceLines) {
      await this.sql.rows('DELETE FROM sales_order_lines WHERE order_id = ?', [o.id]);
      await this.insertLines(o);
      return;
    }
    await this.sql.rows(`UPDATE sales_order_lines l SET qty_shipped = u.qty_shipped, reservation_id = u.reservation_id
      FROM unnest(?::text[], ?::bigint[], ?::text[]) AS u (id, qty_shipped, reservation_id)
      WHERE l.id = u.id AND l.order_id = ?`, [
      o.lines.map((l) => l.id), o.lines.map((l) => l.qtyShipped), o.lines.map((l) => l.reservationId), o.id,
    ]);
  }

  private async insertLines(o: SalesOrderRecord): Promise<void> {
    const col = <K extends keyof SalesOrderLineRecord>(k: K) => o.lines.map((l) => l[k]);
    await this.sql.rows(`INSERT INTO sales_order_lines (id, order_id, line_no, item_id, uom_id, uom_factor, qty, unit_price, amount,
      qty_shipped, reservation_id) SELECT * FROM unnest(?::text[], ?::text[], ?::integer[], ?::text[], ?::text[], ?::bigint[], ?::bigint[],
      ?::bigint[], ?::bigint[], ?::bigint[], ?::text[])`, [
      col('id'), o.lines.map(() => o.id), col('lineNo'), col('itemId'), col('uomId'), col('uomFactor'), col('qty'), col('unitPrice'),
      col('amount'), col('qtyShipped'), col('reservationId'),
    ]);
  }
}

/** The orders' lines; inside a write unit locked FOR UPDATE (after the order's own row). */
async function withLines(sql: Sql, rows: SalesOrderRow[]): Promise<SalesOrderRecord[]> {
  if (rows.length === 0) return [];
  const lock = sql.unit ? ' FOR UPDATE' : '';
  const lines = await sql.rows<SalesOrderLineRow>(`SELECT * FROM sales_order_lines WHERE order_id = ANY(?::text[]) ORDER BY order_id, line_no${lock}`,
    [rows.map((r) => r.id)]);
  return salesOrderRecords(rows, lines);
}

