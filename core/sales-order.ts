// Sales order commands. `create` and `patch` (a draft only, lines replaced wholesale) check
// the customer, the facility and every line (an item that holds stock, a quantity exact in
// the line's UOM and in the item's base UOM, an exact amount); `open` reserves every line at
// the facility, all or none; `ship` posts one `shipment` transaction from the places named
// (or picked first-expired / first-received, the lines' own allocations first) and consumes
// the lines' reservations by what ships, in the same unit; `cancel` releases what is still
// reserved, until anything has shipped. The records, the port and the state machine are in
// core/sales.ts.
import { recordHistory } from './event.js';
import { serialNos } from './adjustment.js';
import { assert } from './assert.js';
import { documentNo, holdsStock, withChange, type Actor } from './document.js';
import { newId } from './id.js';
import type { Item } from './item.js';
import type { Page, PageRequest } from './page.js';
import { MAX_POSTING_LINES, post, type Consumption, type PostingLine } from './posting.js';
import type { Reader, Writer } from './ports.js';
import { fitsDecimals, fromMicro, isWhole, multiply, neg, SCALE, toMicro, ZERO, type Micro } from './quantity.js';
import {
  consumedAllocations, endReservation, isHolding, pickShipment, recordFulfilment, reserveAll,
  type AllocationRecord, type ReservationRecord, type ReserveRequest,
} from './reservation.js';
import { fail, failAt, notFound, ok, type Detail, type Result } from './result.js';
import {
  allowed, amountOf, nextStatus, SALES_ORDER_COUNTER, SALES_ORDER_PREFIX, salesOrderView, totalOf,
  type SalesOrder, type SalesOrderAction, type SalesOrderFilter, type SalesOrderLineRecord, type SalesOrderRecord,
} from './sales.js';
import { array, date, id, MAX_LINES, nonNegativeQuantity, nullable, object, positiveQuantity, string, type Schema } from './schema.js';
import { AVAILABLE } from './status.js';
import { placeKey, type StockPick, type StockPosition } from './stock.js';
import type { Uom } from './uom.js';

// --- inputs --------------------------------------------------------------------------------

export interface SalesOrderLineInput {
  itemId: string;
  /** In `uomId` (default: the item's base UOM). */
  qty: number;
  uomId?: string | null;
  /** Per one `uomId`. */
  unitPrice: number;
}

export interface SalesOrderInput {
  customerId: string;
  facilityId: string;
  requestedOn?: string | null;
  notes?: string | null;
  currency?: string | null;
  lines: SalesOrderLineInput[];
}

export type SalesOrderPatch = Partial<SalesOrderInput>;

export interface SalesShipInput {
  /** `qty` in the order line's UOM; without `locationId`, the stock is picked. */
  lines: Array<{ lineId: string; qty: number; locationId?: string | null; lotId?: string | null; serialNos?: string[] }>;
}

const lineSchema: Schema = object(
  { itemId: id, qty: positiveQuantity, uomId: nullable(id), unitPrice: nonNegativeQuantity },
  ['itemId', 'qty', 'unitPrice'],
);
const orderFields: Record<string, Schema> = {
  customerId: id,
  facilityId: id,
  requestedOn: nullable(date),
  notes: nullable(string(0, 2000)),
  currency: nullable(string(3, 3, { pattern: '^[A-Z]{3}$' })),
  lines: array(lineSchema, MAX_LINES, 1),
};

export const salesOrderInputSchema: Schema = object(orderFields, ['customerId', 'facilityId', 'lines']);
export const salesOrderPatchSchema: Schema = { ...object(orderFields), minProperties: 1 };
export const salesShipInputSchema: Schema = object({
  lines: array(object(
    { lineId: id, qty: positiveQuantity, locationId: nullable(id), lotId: nullable(id), serialNos },
    ['lineId', 'qty'],
  ), MAX_POSTING_LINES, 1),
}, ['lines']);

// --- queries -------------------------------------------------------------------------------

export async function getSalesOrder(r: Reader, id: string): Promise<Result<SalesOrder>> {
  const o = await r.sales.getSalesOrder(id);
  return o ? ok(salesOrderView(o)) : notFound('sales order');
}

export async function listSalesOrders(r: Reader, filter: SalesOrderFilter, page: PageRequest): Promise<Page<SalesOrder>> {
  const p = await r.sales.listSalesOrders(filter, page);
  return { items: p.items.map(salesOrderView), total: p.total };
}

// --- quantities ----------------------------------------------------------------------------

const distinct = (xs: ReadonlyArray<string | null | undefined>) => [...new Set(xs.filter((x): x is string => x != null))];

interface Catalog {
  items: Map<string, Item>;
  /** The items' base UOMs and the UOMs named. */
  uoms: Map<string, Uom>;
}

async function loadCatalog(tx: Writer, itemIds: readonly string[], uomIds: ReadonlyArray<string | null | undefined>): Promise<Catalog> {
  const items = await tx.catalog.getItems(distinct(itemIds));
  const uoms = await tx.catalog.getUoms(distinct([...items.map((i) => i.baseUomId), ...uomIds]));
  return { items: new Map(items.map((i) => [i.id, i])), uoms: new Map(uoms.map((u) => [u.id, u])) };
}

/**
 * A quantity in a line's UOM as base units: within the line UOM's decimals, an exact product
 * with the line's factor, within the base UOM's decimals, and whole for serial-tracked items.
 */
function baseQty(c: Catalog, item: Item, line: Pick<SalesOrderLineRecord, 'uomId' | 'uomFactor'>, qty: Micro, path: string): Result<Micro> {
  const uom = c.uoms.get(line.uomId);
  const decimals = uom?.decimals ?? 6;
  if (!fitsDecimals(qty, decimals)) return failAt('bad_request', path, `${uom?.code ?? 'the UOM'} takes at most ${decimals} decimal places`);
  const base = multiply(qty, line.uomFactor);
  if (base === null) return failAt('bad_request', path, `the quantity in ${uom?.code ?? 'the UOM'} is not an exact base quantity`);
  const baseUom = c.uoms.get(item.baseUomId);
  if (!fitsDecimals(base, baseUom?.decimals ?? 6)) {
    return failAt('bad_request', path, `in ${baseUom?.code ?? 'the base UOM'} it takes more than ${baseUom?.decimals} decimal places`);
  }
  if (item.serialTracking === 'tracked' && !isWhole(base)) return failAt('bad_request', path, 'a serial-tracked quantity must be whole');
  return ok(base);
}

/**
 * The lines of a new or patched order, checked in order: the item (found, holds stock), the
 * UOM (the base UOM or one the item converts), the quantity, the amount; then, once every
 * line is well formed, that every item is active (409 invalid_state).
 */
async function resolveLines(tx: Writer, input: readonly SalesOrderLineInput[]): Promise<Result<SalesOrderLineRecord[]>> {
  const c = await loadCatalog(tx, input.map((l) => l.itemId), input.map((l) => l.uomId));
  const lines: SalesOrderLineRecord[] = [];
  for (const [i, l] of input.entries()) {
    const at = `/lines/${i}`;
    const item = c.items.get(l.itemId);
    if (!item) return notFound('item', `${at}/itemId`);
    if (!holdsStock(item)) return failAt('bad_request', `${at}/itemId`, `item ${item.itemNo} is a ${item.itemKind} item and holds no stock`);
    const uomId = l.uomId ?? item.baseUomId;
    let uomFactor = SCALE as Micro;
    if (uomId !== item.baseUomId) {
      const conversion = item.uomConversions.find((x) => x.uomId === uomId);
      if (!conversion || !c.uoms.has(uomId)) return failAt('bad_request', `${at}/uomId`, `item ${item.itemNo} has no conversion for this UOM`);
      uomFactor = toMicro(conversion.factor)!;
    }
    const qty = toMicro(l.qty);
    const unitPrice = toMicro(l.unitPrice);
    assert(qty !== null && unitPrice !== null, 'the schema admits exact quantities only');
    const base = baseQty(c, item, { uomId, uomFactor }, qty, `${at}/qty`);
    if (!base.ok) return base;
    const amount = amountOf(qty, unitPrice);
    if (amount === null) {
      return failAt('bad_request', `${at}/unitPrice`, `qty × unitPrice must be exact in 6 decimal places and at most 1e9 (${l.qty} × ${l.unitPrice})`);
    }
    lines.push({
      id: newId(), lineNo: i + 1, itemId: item.id, qty, uomId, uomFactor, unitPrice, amount, qtyShipped: ZERO, reservationId: null,
    });
  }
  const inactive: Detail[] = lines.flatMap((l, i) => {
    const item = c.items.get(l.itemId)!;
    return item.isActive ? [] : [{ path: `/lines/${i}/itemId`, message: `item ${item.itemNo} is inactive and cannot be sold` }];
  });
  if (inactive.length) return fail('invalid_state', inactive.map((d) => d.message).join('; '), inactive);
  return ok(lines);
}

function total(lines: readonly SalesOrderLineRecord[]): Result<Micro> {
  const t = totalOf(lines.map((l) => l.amount));
  return t === null ? failAt('bad_request', '/lines', 'the order total must be at most 1e9') : ok(t);
}

/** The customer of an order: found (404), and active (409 invalid_state) for a new commitment. */
async function activeCustomer(tx: Writer, customerId: string): Promise<Result<null>> {
  const customer = await tx.parties.getParty('customer', customerId);
  if (!customer) return notFound('customer', '/customerId');
  if (!customer.isActive) return failAt('invalid_state', '/customerId', `customer ${customer.code} is inactive`);
  return ok(null);
}

// --- commands ------------------------------------------------------------------------------

export async function createSalesOrder(tx: Writer, input: SalesOrderInput, now: string, by: Actor | null = null): Promise<Result<SalesOrder>> {
  const customer = await tx.parties.getParty('customer', input.customerId);
  if (!customer) return notFound('customer', '/customerId');
  if (!(await tx.facilities.getFacility(input.facilityId))) return notFound('facility', '/facilityId');
  const lines = await resolveLines(tx, input.lines);
  if (!lines.ok) return lines;
  const sum = total(lines.value);
  if (!sum.ok) return sum;
  if (!customer.isActive) return failAt('invalid_state', '/customerId', `customer ${customer.code} is inactive`);
  const n = await tx.documents.nextNumber(SALES_ORDER_COUNTER);
  const order: SalesOrderRecord = {
    id: newId(),
    orderNo: documentNo(SALES_ORDER_PREFIX, n),
    customerId: input.customerId,
    facilityId: input.facilityId,
    status: 'draft',
    requestedOn: input.requestedOn ?? null,
    notes: input.notes ?? null,
    currency: input.currency ?? null,
    lines: lines.value,
    total: sum.value,
    statusHistory: withChange([], null, 'draft', now, by),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await tx.sales.insertSalesOrder(order);
  await recordHistory(tx, { type: 'sales_order', id: order.id, number: order.orderNo }, [], order.statusHistory);
  return ok(salesOrderView(order));
}

/**
 * Changes a draft: header fields given replace theirs, `lines` replaces every line (new line
 * ids). `If-Match` (ifMatch) guards against lost updates: another version is a 409 conflict.
 */
export async function patchSalesOrder(
  tx: Writer, id: string, patch: SalesOrderPatch, now: string, ifMatch?: number,
): Promise<Result<SalesOrder>> {
  const o = await tx.sales.getSalesOrder(id);
  if (!o) return notFound('sales order');
  if (ifMatch !== undefined && ifMatch !== o.version) return fail('conflict', `sales order is at version ${o.version}, not ${ifMatch}`);
  const can = allowed(o.status, 'patch');
  if (!can.ok) return can;
  if (patch.customerId !== undefined && patch.customerId !== o.customerId) {
    const customer = await activeCustomer(tx, patch.customerId);
    if (!customer.ok) return customer;
  }
  if (patch.facilityId !== undefined && patch.facilityId !== o.facilityId && !(await tx.facilities.getFacility(patch.facilityId))) {
    return notFound('facility', '/facilityId');
  }
  let lines = o.lines;
  if (patch.lines !== undefined) {
    const resolved = await resolveLines(tx, patch.lines);
    if (!resolved.ok) return resolved;
    lines = resolved.value;
  }
  const sum = total(lines);
  if (!sum.ok) return sum;
  const next: SalesOrderRecord = {
    ...o,
    customerId: patch.customerId ?? o.customerId,
    facilityId: patch.facilityId ?? o.facilityId,
    requestedOn: patch.requestedOn === undefined ? o.requestedOn : patch.requestedOn,
    notes: patch.notes === undefined ? o.notes : patch.notes,
    currency: patch.currency === undefined ? o.currency : patch.currency,
    lines,
    total: sum.value,
    updatedAt: now,
    version: o.version + 1,
  };
  await tx.sales.updateSalesOrder(next, { replaceLines: patch.lines !== undefined });
  return ok(salesOrderView(next));
}

/** Loads an order for an action: not found, or the state machine's verdict. */
async function forAction(tx: Writer, id: string, action: SalesOrderAction): Promise<Result<SalesOrderRecord>> {
  const o = await tx.sales.getSalesOrder(id);
  if (!o) return notFound('sales order');
  const can = allowed(o.status, action);
  return can.ok ? ok(o) : can;
}

async function save(
  tx: Writer, o: SalesOrderRecord, lines: SalesOrderLineRecord[], action: SalesOrderAction, now: string, by: Actor | null,
): Promise<Result<SalesOrder>> {
  const status = nextStatus(o.status, action, lines);
  if (!status.ok) return status;
  const next: SalesOrderRecord = {
    ...o,
    lines,
    status: status.value,
    statusHistory: withChange(o.statusHistory, o.status, status.value, now, by),
    updatedAt: now,
    version: o.version + 1,
  };
  await tx.sales.updateSalesOrder(next);
  await recordHistory(tx, { type: 'sales_order', id: next.id, number: next.orderNo }, o.statusHistory, next.statusHistory);
  return ok(salesOrderView(next));
}

/**
 * Opens a draft: reserves every line at the facility, all or none. Lines of the same item
 * are summed before the check; a short line is a 409 insufficient_stock naming it
 * (`/lines/<i>/qty`), and the order stays a draft. An inactive customer is a 409 invalid_state.
 */
export async function openSalesOrder(tx: Writer, id: string, now: string, by: Actor | null = null): Promise<Result<SalesOrder>> {
  const found = await forAction(tx, id, 'open');
  if (!found.ok) return found;
  const o = found.value;
  const customer = await activeCustomer(tx, o.customerId);
  if (!customer.ok) return customer;
  const c = await loadCatalog(tx, o.lines.map((l) => l.itemId), o.lines.map((l) => l.uomId));
  const requests: ReserveRequest[] = [];
  for (const [i, l] of o.lines.entries()) {
    const item = c.items.get(l.itemId);
    assert(item, `item ${l.itemId} of sales order ${o.id} exists`);
    const base = baseQty(c, item, l, l.qty, `/lines/${i}/qty`);
    if (!base.ok) return base;
    requests.push({
      itemId: l.itemId, facilityId: o.facilityId, qty: fromMicro(base.value), demand: { type: 'sales_order', id: o.id, lineId: l.id },
      expiresAt: null, at: `/lines/${i}`,
    });
  }
  const reserved = await reserveAll(tx, requests, now);
  if (!reserved.ok) return reserved;
  return save(tx, o, o.lines.map((l, i) => ({ ...l, reservationId: reserved.value[i]!.id })), 'open', now, by);
}

/** Cancels a draft or open order; the reservations still holding are released. */
export async function cancelSalesOrder(tx: Writer, id: string, now: string, by: Actor | null = null): Promise<Result<SalesOrder>> {
  const found = await forAction(tx, id, 'cancel');
  if (!found.ok) return found;
  const o = found.value;
  for (const l of o.lines) {
    if (l.reservationId === null) continue;
    const r = await tx.reservations.getReservation(l.reservationId);
    if (!r || !isHolding(r, now)) continue; // ended by hand through the reservations API
    const ended = await endReservation(tx, r.id, 'release', now);
    if (!ended.ok) return ended;
  }
  return save(tx, o, o.lines, 'cancel', now, by);
}

// --- shipping ------------------------------------------------------------------------------

/** One request line, checked: what it ships, in base units, and where from when it says. */
interface ShipLine {
  at: string;
  line: SalesOrderLineRecord;
  item: Item;
  /** In the line's UOM. */
  qty: Micro;
  base: Micro;
  locationId: string | null;
  lotId: string | null;
  serialNos: string[];
}

/** What a line's reservation still holds while the request's lines take from it one by one. */
interface Hold {
  r: ReservationRecord;
  allocations: AllocationRecord[];
  /** The allocations not yet consumed by earlier request lines. */
  left: AllocationRecord[];
  /** What the reservation holds and earlier request lines did not consume. */
  open: Micro;
  /** What the request consumes: in all, and of the allocations per place. */
  qty: Micro;
  consumed: Map<string, Micro>;
}

interface Place {
  locationId: string;
  lotId: string | null;
  qty: Micro;
  serialNos: string[];
}

const add = (m: Map<string, Micro>, key: string, q: number) => m.set(key, ((m.get(key) ?? 0) + q) as Micro);

/**
 * Ships (part of) lines: one `shipment` transaction (reference `sales_order`) takes each
 * quantity out of the place named (`locationId`, with `lotId` for lot-tracked items), out of
 * the serials named (serial-tracked items), or, without a location, from the line's own
 * allocations first and then unallocated stock at pickable locations, first-expired then
 * first-received (within `lotId` when given). Each line's reservation is consumed by what
 * ships, in the same unit. Shipping more than a line has left is a 409 conflict.
 */
export async function shipSalesOrder(tx: Writer, id: string, input: SalesShipInput, now: string, by: Actor | null = null): Promise<Result<SalesOrder>> {
  const found = await forAction(tx, id, 'ship');
  if (!found.ok) return found;
  const o = found.value;
  const wanted = await checkShipLines(tx, o, input);
  if (!wanted.ok) return wanted;

  const perLine = new Map<string, { qty: Micro; at: string }>();
  for (const w of wanted.value) {
    const s = perLine.get(w.line.id);
    perLine.set(w.line.id, { qty: ((s?.qty ?? 0) + w.qty) as Micro, at: s?.at ?? w.at });
  }
  for (const [lineId, { qty, at }] of perLine) {
    const line = o.lines.find((l) => l.id === lineId)!;
    const left = line.qty - line.qtyShipped;
    if (qty > left) return failAt('conflict', `${at}/qty`, `line ${line.lineNo} has ${fromMicro(left)} left to ship, not ${fromMicro(qty)}`);
  }

  // The reservations still holding, per order line; a line whose reservation was ended by
  // hand through the reservations API ships from free stock.
  const holds = new Map<string, Hold>();
  for (const lineId of perLine.keys()) {
    const line = o.lines.find((l) => l.id === lineId)!;
    const r = line.reservationId === null ? null : await tx.reservations.getReservation(line.reservationId);
    if (!r || !isHolding(r, now)) continue;
    const allocations = await tx.reservations.getAllocations(r.id);
    holds.set(lineId, { r, allocations, left: allocations, open: (r.qty - r.qtyFulfilled) as Micro, qty: ZERO, consumed: new Map() });
  }
  const picked = wanted.value.filter((w) => w.locationId === null && w.serialNos.length === 0);
  const positions = picked.length === 0 ? [] : await tx.ledger.getStockPositions(distinct(picked.map((w) => w.item.id)).map((itemId) => ({ itemId, facilityId: o.facilityId })), now);

  /** Unallocated stock the request's earlier lines take, per item and place. */
  const taken = new Map<string, Map<string, Micro>>();
  const lines: PostingLine[] = [];
  const consumes = new Map<string, Consumption & { places: Map<string, Micro> }>();
  for (const w of wanted.value) {
    const hold = holds.get(w.line.id);
    const places = await placesOf(tx, o, w, hold, positions, taken.get(w.item.id));
    if (!places.ok) return places;
    // What the reservation gives up: as much of what ships as it still holds; of its
    // allocations, those at the places shipped from first.
    const holdQty = (hold ? Math.min(w.base, hold.open) : 0) as Micro;
    const shipped = new Map<string, Micro>();
    for (const p of places.value) add(shipped, placeKey(p.locationId, p.lotId), p.qty);
    const left = hold?.left ?? [];
    const consumed = hold ? consumedAllocations(left, shipped, left.reduce((s, a) => s + a.qty, 0) as Micro, holdQty) : new Map<string, Micro>();
    if (hold) {
      hold.left = left.map((a) => ({ ...a, qty: (a.qty - (consumed.get(placeKey(a.locationId, a.lotId)) ?? 0)) as Micro })).filter((a) => a.qty > 0);
      hold.open = (hold.open - holdQty) as Micro;
      hold.qty = (hold.qty + holdQty) as Micro;
      for (const [key, q] of consumed) add(hold.consumed, key, q);
      const c = consumes.get(w.item.id) ?? { itemId: w.item.id, facilityId: o.facilityId, qty: ZERO, places: new Map<string, Micro>() };
      c.qty = (c.qty + holdQty) as Micro;
      for (const [key, q] of consumed) add(c.places, key, q);
      consumes.set(w.item.id, c);
    }
    const mine = taken.get(w.item.id) ?? new Map<string, Micro>();
    for (const [key, q] of shipped) add(mine, key, Math.max(0, q - (consumed.get(key) ?? 0)));
    taken.set(w.item.id, mine);
    for (const p of places.value) {
      lines.push({
        itemId: w.item.id, locationId: p.locationId, statusId: AVAILABLE, lotId: p.lotId, qty: neg(p.qty), serialNos: p.serialNos, at: w.at,
        fields: { lotId: 'lotId', lotNo: 'lotId' },
      });
    }
  }
  if (lines.length > MAX_POSTING_LINES) {
    return failAt('bad_request', '/lines', `these lines ship from ${lines.length} places; ship at most ${MAX_POSTING_LINES} per call`);
  }
  const posted = await post(tx, {
    type: 'shipment',
    reference: { type: 'sales_order', id: o.id },
    lines,
    consumes: [...consumes.values()],
  }, now);
  if (!posted.ok) return posted;
  const next = o.lines.map((l) => ({ ...l, qtyShipped: (l.qtyShipped + (perLine.get(l.id)?.qty ?? 0)) as Micro }));
  for (const [lineId, h] of holds) {
    const r = h.qty > 0 ? await recordFulfilment(tx, h.r, h.allocations, h.consumed, h.qty, now) : null;
    // A line shipped in full promises nothing more, even when its reservation was raised by
    // hand through the reservations API: what it still holds is released.
    const done = next.find((l) => l.id === lineId)!;
    if (done.qtyShipped === done.qty && (r === null || r.status === 'open' || r.status === 'allocated')) {
      const ended = await endReservation(tx, h.r.id, 'release', now);
      if (!ended.ok) return ended;
    }
  }
  return save(tx, o, next, 'ship', now, by);
}

/** The request's lines against the order: the line, the quantity, the place, the lot and the serials. */
async function checkShipLines(tx: Writer, o: SalesOrderRecord, input: SalesShipInput): Promise<Result<ShipLine[]>> {
  const byLine = new Map(o.lines.map((l) => [l.id, l]));
  const named = input.lines.flatMap((s) => byLine.get(s.lineId) ?? []);
  const c = await loadCatalog(tx, named.map((l) => l.itemId), named.map((l) => l.uomId));
  const locations = new Map((await tx.facilities.getLocations(distinct(input.lines.map((s) => s.locationId)))).map((l) => [l.id, l]));
  const lots = new Map((await tx.ledger.getLots(distinct(input.lines.map((s) => s.lotId)))).map((l) => [l.id, l]));
  const out: ShipLine[] = [];
  for (const [i, s] of input.lines.entries()) {
    const at = `/lines/${i}`;
    const line = byLine.get(s.lineId);
    if (!line) return notFound('line of this sales order', `${at}/lineId`);
    const item = c.items.get(line.itemId);
    assert(item, `item ${line.itemId} of sales order ${o.id} exists`);
    const qty = toMicro(s.qty);
    assert(qty !== null, 'the schema admits exact quantities only');
    const base = baseQty(c, item, line, qty, `${at}/qty`);
    if (!base.ok) return base;
    const locationId = s.locationId ?? null;
    if (locationId !== null) {
      const location = locations.get(locationId);
      if (!location || location.facilityId !== o.facilityId) return notFound('location in the order\'s facility', `${at}/locationId`);
      if (location.type === 'transit') return failAt('bad_request', `${at}/locationId`, 'stock ships from a storage location, not from transit');
    }
    const lotId = s.lotId ?? null;
    if (lotId !== null) {
      if (item.lotTracking === 'none') return failAt('bad_request', `${at}/lotId`, `item ${item.itemNo} is not lot tracked`);
      if (lots.get(lotId)?.itemId !== item.id) return notFound(`lot of item ${item.itemNo}`, `${at}/lotId`);
    }
    const serials = s.serialNos ?? [];
    if (item.serialTracking === 'none' && serials.length > 0) return failAt('bad_request', `${at}/serialNos`, `item ${item.itemNo} is not serial tracked`);
    if (item.serialTracking === 'tracked' && serials.length !== base.value / SCALE) {
      return failAt('bad_request', `${at}/serialNos`, `item ${item.itemNo} is serial tracked: name one serial number per unit shipped (${base.value / SCALE})`);
    }
    if (item.serialTracking === 'none' && locationId !== null && item.lotTracking === 'tracked' && lotId === null) {
      return failAt('bad_request', `${at}/lotId`, `item ${item.itemNo} is lot tracked: name the lot shipped from this location`);
    }
    out.push({ at, line, item, qty, base: base.value, locationId, lotId, serialNos: serials });
  }
  return ok(out);
}

/** Where one request line ships from: its serials' places, the place named, or a pick. */
async function placesOf(
  tx: Writer, o: SalesOrderRecord, w: ShipLine, hold: Hold | undefined, positions: readonly StockPosition[], taken?: ReadonlyMap<string, Micro>,
): Promise<Result<Place[]>> {
  if (w.serialNos.length > 0) {
    const states = await tx.ledger.getSerials(w.item.id, w.serialNos);
    const byPlace = new Map<string, Place>();
    for (const [j, no] of w.serialNos.entries()) {
      const s = states.find((x) => x.serialNo === no);
      if (!s?.locationId || s.facilityId !== o.facilityId || s.statusId !== AVAILABLE
        || (w.locationId !== null && s.locationId !== w.locationId) || (w.lotId !== null && s.lotId !== w.lotId)) {
        return failAt('conflict', `${w.at}/serialNos/${j}`, `serial ${no} is not available ${w.locationId ? 'at the location named' : 'at the order\'s facility'}`);
      }
      const key = placeKey(s.locationId, s.lotId);
      const place = byPlace.get(key) ?? { locationId: s.locationId, lotId: s.lotId, qty: ZERO, serialNos: [] };
      place.qty = (place.qty + SCALE) as Micro;
      place.serialNos.push(no);
      byPlace.set(key, place);
    }
    return ok([...byPlace.values()]);
  }
  if (w.locationId !== null) return ok([{ locationId: w.locationId, lotId: w.lotId, qty: w.base, serialNos: [] }]);
  const position = positions.find((p) => p.itemId === w.item.id);
  assert(position, `the stock position of item ${w.item.id} is loaded`);
  const inLot = (x: { lotId: string | null }) => w.lotId === null || x.lotId === w.lotId;
  const plan = pickShipment({ ...position, locations: position.locations.filter(inLot) }, (hold?.left ?? []).filter(inLot), w.base, taken);
  if (!plan) {
    return failAt('insufficient_stock', `${w.at}/qty`, `not enough stock of item ${w.item.itemNo} at pickable locations to ship ${fromMicro(w.base)}`);
  }
  return ok(plan.picks.map((p: StockPick) => ({ ...p, serialNos: [] })));
}
