// Purchase orders: what is bought from one supplier for one facility. A draft is edited
// freely (PATCH, lines replaced wholesale), then submitted, approved and sent; goods are
// received against it (core/receipt.ts) from approval on, and its status follows the
// received quantities: partially received until every line is in full, then received.
// Cancelling is allowed in any state before the first receipt. Prices are exact: a line's
// amount (qty × unitPrice) and the order's total are exact six-decimal numbers, or the line
// is refused.
import { recordHistory } from './event.js';
import { assert } from './assert.js';
import { documentNo, transition, withChange, type Actor } from './document.js';
import { newId } from './id.js';
import type { Page, PageRequest } from './page.js';
import type { PartyRecord } from './party.js';
import type { Reader, Writer } from './ports.js';
import {
  activeSuppliers, lineQuantity, loadCatalog, orderableItem, type PurchaseOrderFilter, type PurchaseOrderLineRecord,
  type PurchaseOrderRecord, type PurchaseOrderStatus,
} from './purchasing.js';
import { fromMicro, MAX_UNITS, multiply, SCALE, toMicro, ZERO, type Micro } from './quantity.js';
import { fail, failAt, notFound, ok, type Result } from './result.js';
import { array, date, id, MAX_LINES, nonNegativeQuantity, nullable, object, positiveQuantity, string, type Schema } from './schema.js';

export const PURCHASE_ORDER_ACTIONS = ['update', 'submit', 'approve', 'send', 'receive', 'cancel'] as const;
export type PurchaseOrderAction = (typeof PURCHASE_ORDER_ACTIONS)[number];

/**
 * The state machine: for each state, the actions it allows and the states they may lead to.
 * `update` (PATCH) keeps a draft a draft. `receive` leads where the received quantities say
 * (`progressOf`). Cancelling is allowed until the first receipt, which the states tell:
 * after it an order is partially received or received. Terminal states allow nothing.
 */
export const PURCHASE_ORDER_TRANSITIONS: Readonly<Record<PurchaseOrderStatus, Partial<Record<PurchaseOrderAction, readonly PurchaseOrderStatus[]>>>> = {
  draft: { update: ['draft'], submit: ['submitted'], cancel: ['cancelled'] },
  submitted: { approve: ['approved'], cancel: ['cancelled'] },
  approved: { send: ['sent'], receive: ['partially_received', 'received'], cancel: ['cancelled'] },
  sent: { receive: ['partially_received', 'received'], cancel: ['cancelled'] },
  partially_received: { receive: ['partially_received', 'received'] },
  received: {},
  cancelled: {},
};

/** The counter type purchase order numbers come from (see core/document.ts). */
export const PURCHASE_ORDER_COUNTER = 'purchase_order';
export const PURCHASE_ORDER_PREFIX = 'PO';

/** The largest amount a line or an order may total, in currency units (like quantities). */
export const MAX_AMOUNT = MAX_UNITS;

// --- inputs --------------------------------------------------------------------------------

export interface PurchaseOrderLineInput {
  /** PATCH only: an existing line of the order, kept with its id and requisition link. */
  id?: string;
  itemId: string;
  qty: number;
  uomId?: string | null;
  unitPrice: number;
}

export interface PurchaseOrderInput {
  supplierId: string;
  facilityId: string;
  currency?: string | null;
  expectedOn?: string | null;
  notes?: string | null;
  lines: PurchaseOrderLineInput[];
}

export type PurchaseOrderPatch = Partial<PurchaseOrderInput>;

export const currency: Schema = string(3, 3, { pattern: '^[A-Z]{3}$' });
const lineFields: Record<string, Schema> = { itemId: id, qty: positiveQuantity, uomId: nullable(id), unitPrice: nonNegativeQuantity };
const headerFields: Record<string, Schema> = {
  supplierId: id, facilityId: id, currency: nullable(currency), expectedOn: nullable(date), notes: nullable(string(0, 2000)),
};

export const purchaseOrderInputSchema: Schema = object(
  { ...headerFields, lines: array(object(lineFields, ['itemId', 'qty', 'unitPrice']), MAX_LINES, 1) },
  ['supplierId', 'facilityId', 'lines'],
);

export const purchaseOrderPatchSchema: Schema = {
  ...object({ ...headerFields, lines: array(object({ id, ...lineFields }, ['itemId', 'qty', 'unitPrice']), MAX_LINES, 1) }),
  minProperties: 1,
};

// --- the state machine, pure ----------------------------------------------------------------

type Progress = Pick<PurchaseOrderLineRecord, 'qty' | 'qtyReceived'>;

/** The status the received quantities show: received in full, in part, or nothing yet (null). */
export function progressOf(lines: readonly Progress[]): 'partially_received' | 'received' | null {
  if (lines.every((l) => l.qtyReceived === l.qty)) return 'received';
  return lines.some((l) => l.qtyReceived > 0) ? 'partially_received' : null;
}

const ACTION_PHRASES: Record<PurchaseOrderAction, string> = {
  update: 'be changed', submit: 'be submitted', approve: 'be approved', send: 'be sent', receive: 'receive goods', cancel: 'be cancelled',
};

/** Whether the table allows `action` in `status`: the outcomes it may lead to, or invalid_state. */
export function allowed(status: PurchaseOrderStatus, action: PurchaseOrderAction): Result<readonly PurchaseOrderStatus[]> {
  return transition(PURCHASE_ORDER_TRANSITIONS, 'purchase order', ACTION_PHRASES, status, action);
}

/** The state after `action` in `status`, with `lines` the quantities after it. */
export function nextStatus(status: PurchaseOrderStatus, action: PurchaseOrderAction, lines: readonly Progress[]): Result<PurchaseOrderStatus> {
  const outcomes = allowed(status, action);
  if (!outcomes.ok) return outcomes;
  const to = action === 'receive' ? progressOf(lines) : outcomes.value[0]!;
  assert(to !== null && outcomes.value.includes(to), `${action} of a ${status} purchase order leads to one of ${outcomes.value.join(', ')}, not ${to}`);
  return ok(to);
}

/** qty × unitPrice, exact; null when it needs more than six decimals or exceeds MAX_AMOUNT. */
export function amountOf(line: Pick<PurchaseOrderLineRecord, 'qty' | 'unitPrice'>): Micro | null {
  return multiply(line.qty, line.unitPrice);
}

// --- views ---------------------------------------------------------------------------------

export interface PurchaseOrderLine {
  id: string;
  lineNo: number;
  itemId: string;
  qty: number;
  uomId: string;
  unitPrice: number;
  qtyReceived: number;
  amount: number;
  requisitionLineId: string | null;
}

export interface PurchaseOrder extends Omit<PurchaseOrderRecord, 'lines'> {
  lines: PurchaseOrderLine[];
  total: number;
}

export function purchaseOrderView(po: PurchaseOrderRecord): PurchaseOrder {
  let total = 0;
  const lines = po.lines.map((l) => {
    const amount = amountOf(l);
    assert(amount !== null, `line ${l.id} of purchase order ${po.id} has an exact amount`);
    total += amount;
    return {
      id: l.id, lineNo: l.lineNo, itemId: l.itemId, qty: fromMicro(l.qty), uomId: l.uomId, unitPrice: fromMicro(l.unitPrice),
      qtyReceived: fromMicro(l.qtyReceived), amount: fromMicro(amount), requisitionLineId: l.requisitionLineId,
    };
  });
  return {
    id: po.id, poNo: po.poNo, supplierId: po.supplierId, facilityId: po.facilityId, status: po.status,
    currency: po.currency, expectedOn: po.expectedOn, notes: po.notes,
    lines, total: fromMicro(total), statusHistory: po.statusHistory.map((h) => ({ ...h })),
    createdAt: po.createdAt, updatedAt: po.updatedAt, version: po.version,
  };
}

export async function getPurchaseOrder(r: Reader, id: string): Promise<Result<PurchaseOrder>> {
  const po = await r.purchasing.getPurchaseOrder(id);
  return po ? ok(purchaseOrderView(po)) : notFound('purchase order');
}

export async function listPurchaseOrders(r: Reader, filter: PurchaseOrderFilter, page: PageRequest): Promise<Page<PurchaseOrder>> {
  const p = await r.purchasing.listPurchaseOrders(filter, page);
  return { items: p.items.map(purchaseOrderView), total: p.total };
}

// --- commands ------------------------------------------------------------------------------

/** A line as the order will hold it, before it is numbered. */
export interface NewLine {
  id?: string;
  itemId: string;
  qty: number;
  uomId?: string | null;
  /** Already in micro-units: a price carried over (convert), or parsed from the request. */
  unitPrice: Micro;
  requisitionLineId?: string | null;
}

/**
 * The lines as records: every item orderable, each quantity exact in its UOM and in base
 * units, each amount exact, the total within MAX_AMOUNT. `at(i)` is where line i's errors point.
 */
export async function decideLines(tx: Writer, lines: readonly NewLine[], at: (i: number) => string): Promise<Result<PurchaseOrderLineRecord[]>> {
  const catalog = await loadCatalog(tx, lines.map((l) => l.itemId), lines.map((l) => l.uomId));
  const records: PurchaseOrderLineRecord[] = [];
  let total = 0;
  for (const [i, l] of lines.entries()) {
    const item = orderableItem(catalog, l.itemId, `${at(i)}/itemId`);
    if (!item.ok) return item;
    const q = lineQuantity(catalog, item.value, l.qty, l.uomId, at(i));
    if (!q.ok) return q;
    const record: PurchaseOrderLineRecord = {
      id: l.id ?? newId(), lineNo: i + 1, itemId: l.itemId, ...q.value, unitPrice: l.unitPrice,
      qtyReceived: ZERO, qtyReceivedBase: ZERO, requisitionLineId: l.requisitionLineId ?? null,
    };
    const amount = amountOf(record);
    if (amount === null) {
      return failAt('bad_request', `${at(i)}/unitPrice`, `qty × unitPrice must be exact to 6 decimal places and at most ${MAX_AMOUNT}`);
    }
    total += amount;
    records.push(record);
  }
  if (total > MAX_AMOUNT * SCALE) return failAt('bad_request', '/lines', `the order's total must be at most ${MAX_AMOUNT}`);
  return ok(records);
}

/** Request lines as new lines: prices to micro-units (the schema checked them: exact, within limits). */
const fromRequest = (lines: readonly PurchaseOrderLineInput[]): NewLine[] =>
  lines.map((l) => ({ ...l, unitPrice: toMicro(l.unitPrice)! }));

export interface NewOrder {
  supplier: PartyRecord;
  facilityId: string;
  currency: string | null;
  expectedOn: string | null;
  notes: string | null;
  lines: PurchaseOrderLineRecord[];
}

/** Numbers and writes a new draft order: creation, and requisitions converted to orders. */
export async function insertPurchaseOrder(tx: Writer, order: NewOrder, now: string, by: Actor | null): Promise<PurchaseOrderRecord> {
  const n = await tx.documents.nextNumber(PURCHASE_ORDER_COUNTER);
  const po: PurchaseOrderRecord = {
    id: newId(),
    poNo: documentNo(PURCHASE_ORDER_PREFIX, n),
    supplierId: order.supplier.id,
    facilityId: order.facilityId,
    status: 'draft',
    currency: order.currency,
    expectedOn: order.expectedOn,
    notes: order.notes,
    lines: order.lines,
    statusHistory: withChange([], null, 'draft', now, by),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await tx.purchasing.insertPurchaseOrder(po);
  await recordHistory(tx, { type: 'purchase_order', id: po.id, number: po.poNo }, [], po.statusHistory);
  return po;
}

/** The supplier a document names: it exists (404) and is active (409 invalid_state). */
async function supplierAt(tx: Writer, supplierId: string, path: string): Promise<Result<PartyRecord>> {
  const checked = await activeSuppliers(tx, [{ supplierId, path }]);
  return checked.ok ? ok(checked.value.get(supplierId)!) : checked;
}

export async function createPurchaseOrder(tx: Writer, input: PurchaseOrderInput, now: string, by: Actor | null = null): Promise<Result<PurchaseOrder>> {
  const supplier = await supplierAt(tx, input.supplierId, '/supplierId');
  if (!supplier.ok) return supplier;
  if (!(await tx.facilities.getFacility(input.facilityId))) return notFound('facility', '/facilityId');
  const lines = await decideLines(tx, fromRequest(input.lines), (i) => `/lines/${i}`);
  if (!lines.ok) return lines;
  const po = await insertPurchaseOrder(tx, {
    supplier: supplier.value,
    facilityId: input.facilityId,
    currency: input.currency !== undefined ? input.currency : supplier.value.currency,
    expectedOn: input.expectedOn ?? null,
    notes: input.notes ?? null,
    lines: lines.value,
  }, now, by);
  return ok(purchaseOrderView(po));
}

/**
 * Changes a draft. Lines, when given, replace the order's lines wholesale; a line that names
 * the `id` of one of the order's lines keeps that id (and its requisition link). A new
 * supplier brings its currency unless the patch names one.
 */
export async function patchPurchaseOrder(
  tx: Writer, id: string, patch: PurchaseOrderPatch, now: string, ifMatch?: number,
): Promise<Result<PurchaseOrder>> {
  const po = await tx.purchasing.getPurchaseOrder(id);
  if (!po) return notFound('purchase order');
  if (ifMatch !== undefined && ifMatch !== po.version) return fail('conflict', `purchase order is at version ${po.version}, not ${ifMatch}`);
  const can = allowed(po.status, 'update');
  if (!can.ok) return can;
  let { currency } = po;
  if (patch.supplierId !== undefined && patch.supplierId !== po.supplierId) {
    const supplier = await supplierAt(tx, patch.supplierId, '/supplierId');
    if (!supplier.ok) return supplier;
    currency = supplier.value.currency;
  }
  if (patch.currency !== undefined) currency = patch.currency;
  if (patch.facilityId !== undefined && !(await tx.facilities.getFacility(patch.facilityId))) return notFound('facility', '/facilityId');
  let lines = po.lines;
  if (patch.lines !== undefined) {
    const current = new Map(po.lines.map((l) => [l.id, l]));
    const kept = new Set<string>();
    for (const [i, l] of patch.lines.entries()) {
      if (l.id === undefined) continue;
      if (!current.has(l.id)) return notFound('line of this purchase order', `/lines/${i}/id`);
      if (kept.has(l.id)) return failAt('bad_request', `/lines/${i}/id`, 'names a line twice');
      kept.add(l.id);
    }
    const decided = await decideLines(tx, fromRequest(patch.lines).map((l) => ({
      ...l, requisitionLineId: l.id === undefined ? null : current.get(l.id)!.requisitionLineId,
    })), (i) => `/lines/${i}`);
    if (!decided.ok) return decided;
    lines = decided.value;
  }
  const next: PurchaseOrderRecord = {
    ...po,
    supplierId: patch.supplierId ?? po.supplierId,
    facilityId: patch.facilityId ?? po.facilityId,
    currency,
    expectedOn: patch.expectedOn !== undefined ? patch.expectedOn : po.expectedOn,
    notes: patch.notes !== undefined ? patch.notes : po.notes,
    lines,
    updatedAt: now,
    version: po.version + 1,
  };
  await tx.purchasing.updatePurchaseOrder(next, { replaceLines: patch.lines !== undefined });
  return ok(purchaseOrderView(next));
}

/** Loads an order for an action: not found, or the state machine's verdict. */
export async function forAction(tx: Writer, id: string, action: PurchaseOrderAction): Promise<Result<PurchaseOrderRecord>> {
  const po = await tx.purchasing.getPurchaseOrder(id);
  if (!po) return notFound('purchase order');
  const can = allowed(po.status, action);
  return can.ok ? ok(po) : can;
}

/** Writes the order after `action`, its lines as given, with the status the table and the quantities choose. */
export async function saveAfter(
  tx: Writer, po: PurchaseOrderRecord, lines: PurchaseOrderLineRecord[], action: PurchaseOrderAction, now: string, by: Actor | null,
): Promise<PurchaseOrderRecord> {
  const status = nextStatus(po.status, action, lines);
  assert(status.ok, `${action} of purchase order ${po.id} was allowed`);
  const next: PurchaseOrderRecord = {
    ...po,
    lines,
    status: status.value,
    statusHistory: withChange(po.statusHistory, po.status, status.value, now, by),
    updatedAt: now,
    version: po.version + 1,
  };
  await tx.purchasing.updatePurchaseOrder(next);
  await recordHistory(tx, { type: 'purchase_order', id: next.id, number: next.poNo }, po.statusHistory, next.statusHistory);
  return next;
}

async function act(tx: Writer, id: string, action: 'submit' | 'approve' | 'send' | 'cancel', now: string, by: Actor | null): Promise<Result<PurchaseOrder>> {
  const found = await forAction(tx, id, action);
  if (!found.ok) return found;
  const po = found.value;
  if (action === 'submit') {
    // What was fine when the draft was written may have been deactivated since.
    const supplier = await supplierAt(tx, po.supplierId, '/supplierId');
    if (!supplier.ok) return supplier;
    const catalog = await loadCatalog(tx, po.lines.map((l) => l.itemId));
    for (const [i, l] of po.lines.entries()) {
      const item = orderableItem(catalog, l.itemId, `/lines/${i}/itemId`);
      if (!item.ok) return item;
    }
  }
  return ok(purchaseOrderView(await saveAfter(tx, po, po.lines, action, now, by)));
}

/** Submits a draft for approval; its supplier and items must still be active (409 invalid_state). */
export const submitPurchaseOrder = (tx: Writer, id: string, now: string, by: Actor | null = null) => act(tx, id, 'submit', now, by);
export const approvePurchaseOrder = (tx: Writer, id: string, now: string, by: Actor | null = null) => act(tx, id, 'approve', now, by);
/** Records that the approved order went to the supplier. */
export const sendPurchaseOrder = (tx: Writer, id: string, now: string, by: Actor | null = null) => act(tx, id, 'send', now, by);
/** Cancels an order that has received nothing yet (409 invalid_state after the first receipt). */
export const cancelPurchaseOrder = (tx: Writer, id: string, now: string, by: Actor | null = null) => act(tx, id, 'cancel', now, by);
