// Sales order rows as both adapters read them, and the records they make.
import type { Micro } from '../../core/quantity.js';
import type { SalesOrderLineRecord, SalesOrderRecord, SalesOrderStatus } from '../../core/sales.js';
import { byParent } from './columns.js';

export interface SalesOrderRow {
  id: string;
  order_no: string;
  customer_id: string;
  facility_id: string;
  status: SalesOrderStatus;
  requested_on: string | null;
  notes: string | null;
  currency: string | null;
  total: Micro;
  status_history: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface SalesOrderLineRow {
  id: string;
  order_id: string;
  line_no: number;
  item_id: string;
  uom_id: string;
  uom_factor: Micro;
  qty: Micro;
  unit_price: Micro;
  amount: Micro;
  qty_shipped: Micro;
  reservation_id: string | null;
}

/** Orders with their lines (ordered by order and line number). */
export function salesOrderRecords(rows: readonly SalesOrderRow[], lines: readonly SalesOrderLineRow[]): SalesOrderRecord[] {
  const byOrder = byParent(lines, (l) => l.order_id, toLine);
  return rows.map((r) => ({
    id: r.id,
    orderNo: r.order_no,
    customerId: r.customer_id,
    facilityId: r.facility_id,
    status: r.status,
    requestedOn: r.requested_on,
    notes: r.notes,
    currency: r.currency,
    lines: byOrder.get(r.id) ?? [],
    total: r.total,
    statusHistory: JSON.parse(r.status_history),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  }));
}

function toLine(l: SalesOrderLineRow): SalesOrderLineRecord {
  return {
    id: l.id,
    lineNo: l.line_no,
    itemId: l.item_id,
    qty: l.qty,
    uomId: l.uom_id,
    uomFactor: l.uom_factor,
    unitPrice: l.unit_price,
    amount: l.amount,
    qtyShipped: l.qty_shipped,
    reservationId: l.reservation_id,
  };
}
