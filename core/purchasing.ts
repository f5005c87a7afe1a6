// Purchasing: requisitions (what a facility asks to buy), purchase orders (what is bought
// from a supplier) and goods receipts (what arrived against a purchase order). This file
// holds their records, the storage ports, and what requisition and purchase order lines
// share; the state machines and commands are in core/requisition.ts,
// core/purchase-order.ts and core/receipt.ts.
//
// Quantities on a line are in the line's UOM (`uomId`, the item's base UOM unless the line
// names another with a conversion on the item). Each line also keeps its quantity in base
// units (`qtyBase`), converted exactly when the line was written: the ledger and on-order
// quantities count base units, and a later change of the item's conversion factor does not
// change what a document already says. Prices are micro-units too, per unit of the line's UOM.
import { toBaseQty } from './conversion.js';
import { holdsStock, itemQuantity, type Actor, type StatusChange } from './document.js';
import type { Item } from './item.js';
import type { PartyRecord } from './party.js';
import type { Page, PageRequest } from './page.js';
import type { Writer } from './ports.js';
import { fitsDecimals, fromMicro, isWhole, toMicro, type Micro } from './quantity.js';
import { fail, failAt, notFound, ok, type Detail, type Result } from './result.js';
import type { ItemFacility } from './stock.js';
import type { Uom } from './uom.js';

export const REQUISITION_STATUSES = ['draft', 'submitted', 'approved', 'rejected', 'ordered', 'cancelled'] as const;
export type RequisitionStatus = (typeof REQUISITION_STATUSES)[number];

export const PURCHASE_ORDER_STATUSES = ['draft', 'submitted', 'approved', 'sent', 'partially_received', 'received', 'cancelled'] as const;
export type PurchaseOrderStatus = (typeof PURCHASE_ORDER_STATUSES)[number];

/** Purchase orders whose quantity not yet received is on order (a draft counts: it is what convert makes). */
export const OPEN_PURCHASE_ORDER_STATUSES: readonly PurchaseOrderStatus[] = ['draft', 'submitted', 'approved', 'sent', 'partially_received'];
/** Requisitions whose lines are still asked for and not yet on a purchase order. */
export const OPEN_REQUISITION_STATUSES: readonly RequisitionStatus[] = ['draft', 'submitted', 'approved'];

export interface RequisitionLineRecord {
  id: string;
  lineNo: number;
  itemId: string;
  qty: Micro;
  uomId: string;
  qtyBase: Micro;
  neededBy: string | null;
  supplierId: string | null;
  /** The purchase order the line went to, once converted. */
  purchaseOrderId: string | null;
}

export interface RequisitionRecord {
  id: string;
  requisitionNo: string;
  facilityId: string;
  status: RequisitionStatus;
  notes: string | null;
  lines: RequisitionLineRecord[];
  statusHistory: Array<StatusChange<RequisitionStatus>>;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface PurchaseOrderLineRecord {
  id: string;
  lineNo: number;
  itemId: string;
  qty: Micro;
  uomId: string;
  qtyBase: Micro;
  /** Per unit of the line's UOM. */
  unitPrice: Micro;
  qtyReceived: Micro;
  qtyReceivedBase: Micro;
  /** The requisition line this line was converted from. */
  requisitionLineId: string | null;
}

export interface PurchaseOrderRecord {
  id: string;
  poNo: string;
  supplierId: string;
  facilityId: string;
  status: PurchaseOrderStatus;
  currency: string | null;
  expectedOn: string | null;
  notes: string | null;
  lines: PurchaseOrderLineRecord[];
  statusHistory: Array<StatusChange<PurchaseOrderStatus>>;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ReceiptLineRecord {
  lineNo: number;
  purchaseOrderLineId: string;
  itemId: string;
  /** In the purchase order line's UOM. */
  qty: Micro;
  uomId: string;
  qtyBase: Micro;
  locationId: string;
  statusId: string;
  lotId: string | null;
  /** Read from the lot (not stored with the receipt). */
  lotNo: string | null;
  expiresOn: string | null;
  serialNos: string[];
}

export interface ReceiptRecord {
  id: string;
  purchaseOrderId: string;
  /** The `receipt` transaction it posted. */
  transactionId: string;
  reason: string | null;
  lines: ReceiptLineRecord[];
  receivedAt: string;
  by: Actor | null;
}

export interface RequisitionFilter {
  status?: RequisitionStatus;
  facilityId?: string;
  itemId?: string;
  /** Part of the requisition number, in any case. */
  q?: string;
}

export interface PurchaseOrderFilter {
  status?: PurchaseOrderStatus;
  supplierId?: string;
  facilityId?: string;
  itemId?: string;
  /** Part of the PO number, or of the supplier's code or name, in any case. */
  q?: string;
}

export interface PurchasingReader {
  /** In a write unit on PostgreSQL the requisition's row and lines are locked FOR UPDATE. */
  getRequisition(id: string): Promise<RequisitionRecord | null>;
  /** Newest first. */
  listRequisitions(filter: RequisitionFilter, page: PageRequest): Promise<Page<RequisitionRecord>>;
  /** Per item and facility: the base quantity on lines of open requisitions (OPEN_REQUISITION_STATUSES). Pairs with none are left out. */
  requested(pairs: readonly ItemFacility[]): Promise<Array<ItemFacility & { qty: Micro }>>;
  /** In a write unit on PostgreSQL the order's row and lines are locked FOR UPDATE. */
  getPurchaseOrder(id: string): Promise<PurchaseOrderRecord | null>;
  /** Newest first. */
  listPurchaseOrders(filter: PurchaseOrderFilter, page: PageRequest): Promise<Page<PurchaseOrderRecord>>;
  /**
   * Per item and facility: the base quantity of lines of open purchase orders
   * (OPEN_PURCHASE_ORDER_STATUSES) not yet received. Pairs with none are left out.
   */
  onOrder(pairs: readonly ItemFacility[]): Promise<Array<ItemFacility & { qty: Micro }>>;
  /**
   * The unit prices the supplier was last given for these items, newest purchase order
   * first: lines of its orders past draft and not cancelled.
   */
  lastUnitPrices(supplierId: string, itemIds: readonly string[]): Promise<Array<{ itemId: string; uomId: string; unitPrice: Micro }>>;
  /** A purchase order's receipts, oldest first. */
  listReceipts(purchaseOrderId: string, page: PageRequest): Promise<Page<ReceiptRecord>>;
}

export interface PurchasingWriter extends PurchasingReader {
  insertRequisition(r: RequisitionRecord): Promise<void>;
  /**
   * Writes the header (facility, status, notes, history, updatedAt, version) and each line's
   * purchaseOrderId; with `replaceLines` (a draft's PATCH), the lines are written anew instead.
   */
  updateRequisition(r: RequisitionRecord, options?: { replaceLines?: boolean }): Promise<void>;
  insertPurchaseOrder(po: PurchaseOrderRecord): Promise<void>;
  /**
   * Writes the header (supplier, facility, status, currency, expectedOn, notes, history,
   * updatedAt, version) and each line's received quantities; with `replaceLines` (a draft's
   * PATCH), the lines are written anew instead.
   */
  updatePurchaseOrder(po: PurchaseOrderRecord, options?: { replaceLines?: boolean }): Promise<void>;
  insertReceipt(receipt: ReceiptRecord): Promise<void>;
}

// --- what requisition and purchase order lines share ----------------------------------------

export const distinct = (xs: ReadonlyArray<string | null | undefined>) => [...new Set(xs.filter((x): x is string => x != null))];

export interface Catalog {
  items: Map<string, Item>;
  uoms: Map<string, Uom>;
}

/** The items and every UOM they or the request name, in two reads. */
export async function loadCatalog(tx: Writer, itemIds: readonly string[], uomIds: ReadonlyArray<string | null | undefined> = []): Promise<Catalog> {
  // getItems: on PostgreSQL it locks the items FOR SHARE, so none changes under the unit.
  const items = await tx.catalog.getItems(distinct(itemIds));
  const uoms = await tx.catalog.getUoms(distinct([...items.map((i) => i.baseUomId), ...uomIds]));
  return { items: new Map(items.map((i) => [i.id, i])), uoms: new Map(uoms.map((u) => [u.id, u])) };
}

/** An item a document may plan to buy: it exists, holds stock, and is active. */
export function orderableItem(catalog: Catalog, itemId: string, path: string): Result<Item> {
  const item = catalog.items.get(itemId);
  if (!item) return notFound('item', path);
  if (!holdsStock(item)) return failAt('bad_request', path, `item ${item.itemNo} is a ${item.itemKind} item and holds no stock`);
  if (!item.isActive) return failAt('invalid_state', path, `item ${item.itemNo} is inactive`);
  return ok(item);
}

export interface LineQuantity {
  qty: Micro;
  uomId: string;
  qtyBase: Micro;
}

/**
 * A line's quantity in its UOM (the item's base UOM unless `uomId` names another), and in
 * base units: within the UOM's decimals, converted exactly through the item's factor, and
 * within the base UOM's decimals (whole for serial-tracked items).
 */
export function lineQuantity(catalog: Catalog, item: Item, value: number, uomId: string | null | undefined, at: string): Result<LineQuantity> {
  const base = catalog.uoms.get(item.baseUomId);
  const unit = uomId ?? item.baseUomId;
  if (unit === item.baseUomId) {
    const qty = itemQuantity(item, base, value, `${at}/qty`);
    return qty.ok ? ok({ qty: qty.value, uomId: unit, qtyBase: qty.value }) : qty;
  }
  const qty = toMicro(value);
  if (qty === null) return failAt('bad_request', `${at}/qty`, 'must have at most 6 decimal places and be at most 1e9');
  const converted = toBaseQty(item, catalog.uoms, qty, unit, { qty: `${at}/qty`, uomId: `${at}/uomId` });
  if (!converted.ok) return converted;
  const decimals = base?.decimals ?? 6;
  if (!fitsDecimals(converted.value, decimals)) {
    return failAt('bad_request', `${at}/qty`, `is ${fromMicro(converted.value)} in base units, finer than the base UOM's ${decimals} decimals`);
  }
  if (item.serialTracking === 'tracked' && !isWhole(converted.value)) {
    return failAt('bad_request', `${at}/qty`, 'a serial-tracked quantity must be whole in base units');
  }
  return ok({ qty, uomId: unit, qtyBase: converted.value });
}

/**
 * Suppliers named at these paths, in one pass: each must exist (404) and be active (409
 * invalid_state); all lines at fault are named. The suppliers, by id.
 */
export async function activeSuppliers(
  tx: Writer, named: ReadonlyArray<{ supplierId: string; path: string }>,
): Promise<Result<Map<string, PartyRecord>>> {
  const missing: Detail[] = [];
  const inactive: Detail[] = [];
  const found = new Map<string, PartyRecord | null>();
  for (const { supplierId, path } of named) {
    if (!found.has(supplierId)) found.set(supplierId, await tx.parties.getParty('supplier', supplierId));
    const supplier = found.get(supplierId);
    if (!supplier) missing.push({ path, message: 'supplier not found' });
    else if (!supplier.isActive) inactive.push({ path, message: `supplier ${supplier.code} is inactive` });
  }
  if (missing.length) return fail('not_found', `supplier not found: ${missing.map((d) => d.path).join(', ')}`, missing);
  if (inactive.length) return fail('invalid_state', inactive.map((d) => d.message).join('; '), inactive);
  return ok(found as Map<string, PartyRecord>);
}
