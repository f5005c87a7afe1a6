import type { Page, PageRequest } from '../../core/page.js';
import type { SalesOrderFilter, SalesOrderRecord, SalesWriter } from '../../core/sales.js';
import { salesOrderRecords, type SalesOrderLineRow, type SalesOrderRow } from '../rows/sales.js';
import type { Statements } from './database.js';
import { page, uniqueViolations, Where } from './sql.js';

export class SqliteSales implements SalesWriter {
  constructor(private readonly sql: Statements) {}

  async getSalesOrder(id: string): Promise<SalesOrderRecord | null> {
    const row = this.sql.get('SELECT * FROM sales_orders WHERE id = ?').get(id) as SalesOrderRow | undefined;
    return row ? this.withLines([row])[0]! : null;
  }

  async listSalesOrders(f: SalesOrderFilter, p: PageRequest): Promise<Page<SalesOrderRecord>> {
    // Order numbers and customer codes are ASCII: SQLite's lower() is enough.
    const q = f.q?.toLowerCase();
    const w = new Where()
      .add('status = ?', f.status)
      .add('customer_id = ?', f.customerId)
      .add('facility_id = ?', f.facilityId)
      .add('id IN (SELECT order_id FROM sales_order_lines WHERE item_id = ?)', f.itemId)
      .add(`(instr(lower(order_no), ?) > 0
        OR customer_id IN (SELECT id FROM parties WHERE kind = 'customer' AND instr(lower(code), ?) > 0))`, q, q);
    const r = await page<SalesOrderRow>(this.sql, 'SELECT *', 'FROM sales_orders', w.sql, w.args, 'created_at DESC, id DESC', p);
    return { items: this.withLines(r.items), total: r.total };
  }

  private withLines(rows: SalesOrderRow[]): SalesOrderRecord[] {
    if (rows.length === 0) return [];
    const lines = this.sql.get(`SELECT * FROM sales_order_lines WHERE order_id IN (SELECT value FROM json_each(?))
      ORDER BY order_id, line_no`).all(JSON.stringify(rows.map((r) => r.id))) as SalesOrderLineRow[];
    return salesOrderRecords(rows, lines);
  }

  async insertSalesOrder(o: SalesOrderRecord): Promise<void> {
    uniqueViolations(() => {
      this.sql.get(`INSERT INTO sales_orders (id, order_no, customer_id, facility_id, status, requested_on, notes, currency, total,
        status_history, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(o.id, o.orderNo, o.customerId, o.facilityId, o.status, o.requestedOn, o.notes, o.currency, o.total,
          JSON.stringify(o.statusHistory), o.createdAt, o.updatedAt, o.version);
      this.insertLines(o);
    });
  }

  async updateSalesOrder(o: SalesOrderRecord, options: { replaceLines?: boolean } = {}): Promise<void> {
    uniqueViolations(() => {
      this.sql.get(`UPDATE sales_orders SET customer_id = ?, facility_id = ?, status = ?, requested_on = ?, notes = ?, currency = ?,
        total = ?, status_history = ?, updated_at = ?, version = ? WHERE id = ?`)
        .run(o.customerId, o.facilityId, o.status, o.requestedOn, o.notes, o.currency, o.total, JSON.stringify(o.statusHistory),
          o.updatedAt, o.version, o.id);
      if (options.replaceLines) {
        this.sql.get('DELETE FROM sales_order_lines WHERE order_id = ?').run(o.id);
        this.insertLines(o);
        return;
      }
      const line = this.sql.get('UPDATE sales_order_lines SET qty_shipped = ?, reservation_id = ? WHERE id = ? AND order_id = ?');
      for (const l of o.lines) line.run(l.qtyShipped, l.reservationId, l.id, o.id);
    });
  }

  private insertLines(o: SalesOrderRecord): void {
    const line = this.sql.get(`INSERT INTO sales_order_lines (id, order_id, line_no, item_id, uom_id, uom_factor, qty, unit_price,
      amount, qty_shipped, reservation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const l of o.lines) {
      line.run(l.id, o.id, l.lineNo, l.itemId, l.uomId, l.uomFactor, l.qty, l.unitPrice, l.amount, l.qtyShipped, l.reservationId);
    }
  }
}

