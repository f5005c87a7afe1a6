// Sales orders: the records, the storage port, the state machine and the view. A sales order
// (`SO-000001`) sells stock from one facility to a customer: `open` reserves every line at
// the facility (demand `sales_order`), `ship` posts one `shipment` transaction and consumes
// the lines' reservations in the same unit, and `cancel` releases what is still reserved.
// The commands are in core/sales-order.ts.
import { assert } from './assert.js';
import { transition, type StatusChange } from './document.js';
import type { Page, PageRequest } from './page.js';
import { fromMicro, MAX_UNITS, SCALE, type Micro } from './quantity.js';
import { ok, type Result } from './result.js';

export const SALES_ORDER_STATUSES = ['draft', 'open', 'partially_shipped', 'shipped', 'cancelled'] as const;
export type SalesOrderStatus = (typeof SALES_ORDER_STATUSES)[number];
export const SALES_ORDER_ACTIONS = ['patch', 'open', 'ship', 'cancel'] as const;
export type SalesOrderAction = (typeof SALES_ORDER_ACTIONS)[number];

/**
 * The state machine: for each state, the actions it allows and the states they may lead to.
 * Shipping leads to what the line quantities show (`progressOf`): partially shipped until
 * every line has shipped in full, then shipped. Only a draft is edited; cancelling is allowed
 * until the first shipment. Terminal states allow nothing.
 */
export const SALES_ORDER_TRANSITIONS: Readonly<Record<SalesOrderStatus, Partial<Record<SalesOrderAction, readonly SalesOrderStatus[]>>>> = {
  draft: { patch: ['draft'], open: ['open'], cancel: ['cancelled'] },
  open: { ship: ['partially_shipped', 'shipped'], cancel: ['cancelled'] },
  partially_shipped: { ship: ['partially_shipped', 'shipped'] },
  shipped: {},
  cancelled: {},
};

/** The counter type order numbers come from (see core/document.ts), and their prefix. */
export const SALES_ORDER_COUNTER = 'sales_order';
export const SALES_ORDER_PREFIX = 'SO';

export interface SalesOrderLineRecord {
  id: string;
  lineNo: number;
  itemId: string;
  /** In the line's UOM. */
  qty: Micro;
  uomId: string;
  /** Base units in one `uomId`, as the item converted when the line was written (SCALE for the base UOM). */
  uomFactor: Micro;
  /** Per one `uomId`, in micro-units of the order's currency. */
  unitPrice: Micro;
  /** qty × unitPrice, exact. */
  amount: Micro;
  /** In the line's UOM. */
  qtyShipped: Micro;
  /** The line's reservation at the facility, once the order is open. */
  reservationId: string | null;
}

export interface SalesOrderRecord {
  id: string;
  orderNo: string;
  customerId: string;
  facilityId: string;
  status: SalesOrderStatus;
  /** YYYY-MM-DD, the date the customer asked for. */
  requestedOn: string | null;
  notes: string | null;
  /** ISO 4217 code of the prices, when the order names one. */
  currency: string | null;
  lines: SalesOrderLineRecord[];
  /** The sum of the lines' amounts. */
  total: Micro;
  statusHistory: Array<StatusChange<SalesOrderStatus>>;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface SalesOrderLine {
  id: string;
  lineNo: number;
  itemId: string;
  qty: number;
  uomId: string;
  unitPrice: number;
  amount: number;
  qtyShipped: number;
  reservationId: string | null;
}

export interface SalesOrder extends Omit<SalesOrderRecord, 'lines' | 'total'> {
  lines: SalesOrderLine[];
  total: number;
}

export interface SalesOrderFilter {
  status?: SalesOrderStatus;
  customerId?: string;
  facilityId?: string;
  /** Orders with a line of this item. */
  itemId?: string;
  /** Part of the order number or of the customer's code, in any case. */
  q?: string;
}

export interface SalesReader {
  /**
   * In a write unit on PostgreSQL, first locks each line's item at the order's facility (the
   * locks getStockPositions takes), then the order's row and lines FOR UPDATE.
   */
  getSalesOrder(id: string): Promise<SalesOrderRecord | null>;
  /** Newest first, with their lines. */
  listSalesOrders(filter: SalesOrderFilter, page: PageRequest): Promise<Page<SalesOrderRecord>>;
}

export interface SalesWriter extends SalesReader {
  insertSalesOrder(order: SalesOrderRecord): Promise<void>;
  /**
   * Writes the header (everything but id, orderNo and createdAt) and every line's qtyShipped
   * and reservationId; with `replaceLines`, the order's lines are deleted and written anew
   * from `order.lines` (a draft's lines are replaced wholesale).
   */
  updateSalesOrder(order: SalesOrderRecord, options?: { replaceLines?: boolean }): Promise<void>;
}

// --- the state machine, pure ----------------------------------------------------------------

type Progress = Pick<SalesOrderLineRecord, 'qty' | 'qtyShipped'>;

/** The status the line quantities of an open order show. */
export function progressOf(lines: readonly Progress[]): SalesOrderStatus {
  if (lines.every((l) => l.qtyShipped === l.qty)) return 'shipped';
  return lines.some((l) => l.qtyShipped > 0) ? 'partially_shipped' : 'open';
}

const ACTION_PHRASES: Record<SalesOrderAction, string> = {
  patch: 'be changed', open: 'be opened', ship: 'ship stock', cancel: 'be cancelled',
};

/** Whether the table allows `action` in `status`: the outcomes it may lead to, or invalid_state. */
export function allowed(status: SalesOrderStatus, action: SalesOrderAction): Result<readonly SalesOrderStatus[]> {
  return transition(SALES_ORDER_TRANSITIONS, 'sales order', ACTION_PHRASES, status, action);
}

/** The state after `action` in `status`, with `lines` the quantities after it. */
export function nextStatus(status: SalesOrderStatus, action: SalesOrderAction, lines: readonly Progress[]): Result<SalesOrderStatus> {
  const outcomes = allowed(status, action);
  if (!outcomes.ok) return outcomes;
  const to = action === 'ship' ? progressOf(lines) : outcomes.value[0]!;
  assert(outcomes.value.includes(to), `${action} of a ${status} sales order leads to one of ${outcomes.value.join(', ')}, not ${to}`);
  return ok(to);
}

// --- money ---------------------------------------------------------------------------------

/**
 * The largest amount or total, in micro-units: 1e9 units, the bound of quantities. Up to it
 * every value of six decimals has at most 15 significant digits, so the JSON number a client
 * reads is the exact decimal.
 */
export const MAX_AMOUNT = MAX_UNITS * SCALE;

/**
 * qty × unitPrice (both micro-units) as micro-units, or null when the product needs more than
 * six decimals or exceeds MAX_AMOUNT: an amount is never rounded.
 */
export function amountOf(qty: Micro, unitPrice: Micro): Micro | null {
  const product = BigInt(qty) * BigInt(unitPrice);
  const scale = BigInt(SCALE);
  if (product % scale !== 0n) return null;
  const amount = product / scale;
  return amount > BigInt(MAX_AMOUNT) ? null : (Number(amount) as Micro);
}

/** The sum of amounts, or null past MAX_AMOUNT. */
export function totalOf(amounts: readonly Micro[]): Micro | null {
  let total = 0;
  for (const a of amounts) {
    total += a;
    if (total > MAX_AMOUNT) return null;
  }
  return total as Micro;
}

// --- views ---------------------------------------------------------------------------------

export function salesOrderView(o: SalesOrderRecord): SalesOrder {
  return {
    ...o,
    lines: o.lines.map((l) => ({
      id: l.id, lineNo: l.lineNo, itemId: l.itemId, qty: fromMicro(l.qty), uomId: l.uomId, unitPrice: fromMicro(l.unitPrice),
      amount: fromMicro(l.amount), qtyShipped: fromMicro(l.qtyShipped), reservationId: l.reservationId,
    })),
    total: fromMicro(o.total),
    statusHistory: o.statusHistory.map((h) => ({ ...h })),
  };
}
