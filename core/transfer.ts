// Transfers between facilities. A transfer order moves stock from one facility to another in
// two ledger steps: `ship` posts a `transfer_out` (out of source locations, into the
// destination's transit location) and `receive` posts a `transfer_in` (out of that transit
// location, into destination locations). Stock in transit is on hand in the network but never
// available anywhere; the network's total on hand never changes. Releasing reserves every
// line at the source (one reservation per line, demand `transfer`), and shipping consumes
// those reservations in the same unit as the posting.
import { recordHistory } from './event.js';
import { serialNos } from './adjustment.js';
import { assert } from './assert.js';
import { documentNo, transition, holdsStock, itemQuantity, withChange, type Actor, type StatusChange } from './document.js';
import { newId } from './id.js';
import type { Item } from './item.js';
import { TRANSIT_CODE, type Location } from './location.js';
import type { Page, PageRequest } from './page.js';
import { MAX_POSTING_LINES, post, type Consumption, type PostingLine } from './posting.js';
import type { Reader, Writer } from './ports.js';
import { fromMicro, neg, SCALE, ZERO, type Micro } from './quantity.js';
import { consumedAllocations, endReservation, isHolding, recordFulfilment, reserveAll, type AllocationRecord, type ReservationRecord } from './reservation.js';
import { fail, failAt, notFound, ok, type Detail, type Failure, type Result } from './result.js';
import { array, id, MAX_LINES, nullable, object, positiveQuantity, string, type Schema } from './schema.js';
import { AVAILABLE } from './status.js';
import { placeKey, positionKey, type ItemFacility } from './stock.js';
import type { Uom } from './uom.js';

export const TRANSFER_STATUSES = ['draft', 'released', 'partially_shipped', 'shipped', 'partially_received', 'received', 'cancelled'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];
export const TRANSFER_ACTIONS = ['release', 'ship', 'receive', 'cancel'] as const;
export type TransferAction = (typeof TRANSFER_ACTIONS)[number];

/**
 * The state machine: for each state, the actions it allows and the states they may lead to.
 * Where an action has several outcomes, the quantities choose (`progressOf`): a transfer is
 * partially shipped until every line has shipped in full, then shipped, partially received,
 * received. Receiving is allowed as soon as anything is in transit; while shipping is not
 * done the status stays partially_shipped (each line shows what it received). Cancelling is
 * allowed until the first shipment. Terminal states allow nothing.
 */
export const TRANSFER_TRANSITIONS: Readonly<Record<TransferStatus, Partial<Record<TransferAction, readonly TransferStatus[]>>>> = {
  draft: { release: ['released'], cancel: ['cancelled'] },
  released: { ship: ['partially_shipped', 'shipped'], cancel: ['cancelled'] },
  // Shipping the rest after part was received: partially_received.
  partially_shipped: { ship: ['partially_shipped', 'shipped', 'partially_received'], receive: ['partially_shipped'] },
  shipped: { receive: ['partially_received', 'received'] },
  partially_received: { receive: ['partially_received', 'received'] },
  received: {},
  cancelled: {},
};

/** Statuses whose lines are still on their way to the destination (reserved, or in transit). */
export const INBOUND_STATUSES: readonly TransferStatus[] = ['released', 'partially_shipped', 'shipped', 'partially_received'];

/** The counter type transfer numbers come from (see core/document.ts). */
export const TRANSFER_COUNTER = 'transfer';
export const TRANSFER_PREFIX = 'TR';

/** Each ship or receive line posts two ledger lines (out of one place, into another). */
export const MAX_ACTION_LINES = MAX_POSTING_LINES / 2;

export interface TransferLineRecord {
  id: string;
  lineNo: number;
  itemId: string;
  qty: Micro;
  lotId: string | null;
  qtyShipped: Micro;
  qtyReceived: Micro;
  /** The line's reservation at the source facility, once released. */
  reservationId: string | null;
}

export interface TransferRecord {
  id: string;
  transferNo: string;
  fromFacilityId: string;
  toFacilityId: string;
  status: TransferStatus;
  notes: string | null;
  lines: TransferLineRecord[];
  statusHistory: Array<StatusChange<TransferStatus>>;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/**
 * What one ship line sent (one lot, its serials, in the `transfer_out` transaction) and how
 * much of it has been received. Receipts take a line's shipments oldest first (`shipNo`),
 * and within a shipment its serials in the order they were shipped.
 */
export interface TransferShipmentRecord {
  id: string;
  transferId: string;
  lineId: string;
  /** 1, 2, ... within the transfer, in shipping order. */
  shipNo: number;
  transactionId: string;
  lotId: string | null;
  serialNos: string[];
  qty: Micro;
  qtyReceived: Micro;
  createdAt: string;
}

export interface TransferLine {
  id: string;
  lineNo: number;
  itemId: string;
  qty: number;
  lotId: string | null;
  qtyShipped: number;
  qtyReceived: number;
}

export interface Transfer extends Omit<TransferRecord, 'lines'> {
  lines: TransferLine[];
}

export interface TransferFilter {
  status?: TransferStatus;
  fromFacilityId?: string;
  toFacilityId?: string;
  itemId?: string;
  /** Part of the transfer number, in any case. */
  q?: string;
}

export interface TransferReader {
  /**
   * In a write unit on PostgreSQL, first locks each line's item at the source facility (the
   * locks getStockPositions takes), then the transfer's row and lines FOR UPDATE.
   */
  getTransfer(id: string): Promise<TransferRecord | null>;
  /** Newest first. */
  listTransfers(filter: TransferFilter, page: PageRequest): Promise<Page<TransferRecord>>;
  /** A transfer's shipments, oldest first (by shipNo). */
  getShipments(transferId: string): Promise<TransferShipmentRecord[]>;
  /**
   * Per item and destination facility: the quantity of lines of transfers in an inbound
   * status (INBOUND_STATUSES) not yet received there. Pairs with none are left out.
   */
  inbound(pairs: readonly ItemFacility[]): Promise<Array<ItemFacility & { qty: Micro }>>;
}

export interface TransferWriter extends TransferReader {
  insertTransfer(transfer: TransferRecord): Promise<void>;
  /** Writes the header (status, notes, history, updatedAt, version) and every line's qtyShipped, qtyReceived and reservationId. */
  updateTransfer(transfer: TransferRecord): Promise<void>;
  insertShipments(shipments: readonly TransferShipmentRecord[]): Promise<void>;
  /** Writes qtyReceived of these shipments. */
  updateShipments(shipments: readonly TransferShipmentRecord[]): Promise<void>;
}

// --- inputs --------------------------------------------------------------------------------

export interface TransferInput {
  fromFacilityId: string;
  toFacilityId: string;
  notes?: string | null;
  lines: Array<{ itemId: string; qty: number; lotId?: string | null }>;
}

export interface ShipInput {
  lines: Array<{ lineId: string; qty: number; fromLocationId: string; lotId?: string | null; serialNos?: string[] }>;
}

export interface ReceiveInput {
  lines: Array<{ lineId: string; qty: number; toLocationId: string }>;
}

export const transferInputSchema: Schema = object(
  {
    fromFacilityId: id,
    toFacilityId: id,
    notes: nullable(string(0, 2000)),
    lines: array(object({ itemId: id, qty: positiveQuantity, lotId: nullable(id) }, ['itemId', 'qty']), MAX_LINES, 1),
  },
  ['fromFacilityId', 'toFacilityId', 'lines'],
);

export const shipInputSchema: Schema = object({
  lines: array(object(
    { lineId: id, qty: positiveQuantity, fromLocationId: id, lotId: nullable(id), serialNos },
    ['lineId', 'qty', 'fromLocationId'],
  ), MAX_ACTION_LINES, 1),
}, ['lines']);

export const receiveInputSchema: Schema = object({
  lines: array(object({ lineId: id, qty: positiveQuantity, toLocationId: id }, ['lineId', 'qty', 'toLocationId']), MAX_ACTION_LINES, 1),
}, ['lines']);

// --- the state machine, pure ----------------------------------------------------------------

type Progress = Pick<TransferLineRecord, 'qty' | 'qtyShipped' | 'qtyReceived'>;

/** The status the line quantities of a released transfer show. */
export function progressOf(lines: readonly Progress[]): TransferStatus {
  if (!lines.every((l) => l.qtyShipped === l.qty)) return lines.some((l) => l.qtyShipped > 0) ? 'partially_shipped' : 'released';
  if (lines.every((l) => l.qtyReceived === l.qty)) return 'received';
  return lines.some((l) => l.qtyReceived > 0) ? 'partially_received' : 'shipped';
}

/** Whether the table allows `action` in `status`: the outcomes it may lead to, or invalid_state. */
export function allowed(status: TransferStatus, action: TransferAction): Result<readonly TransferStatus[]> {
  return transition(TRANSFER_TRANSITIONS, 'transfer', ACTION_PHRASES, status, action);
}

const ACTION_PHRASES: Record<TransferAction, string> = {
  release: 'be released', ship: 'ship stock', receive: 'receive stock', cancel: 'be cancelled',
};

/**
 * The state after `action` in `status`, with `lines` the quantities after it: the one outcome
 * of release and cancel, the outcome the quantities show for ship and receive.
 */
export function nextStatus(status: TransferStatus, action: TransferAction, lines: readonly Progress[]): Result<TransferStatus> {
  const outcomes = allowed(status, action);
  if (!outcomes.ok) return outcomes;
  const to = action === 'ship' || action === 'receive' ? progressOf(lines) : outcomes.value[0]!;
  assert(outcomes.value.includes(to), `${action} of a ${status} transfer leads to one of ${outcomes.value.join(', ')}, not ${to}`);
  return ok(to);
}

// --- views ---------------------------------------------------------------------------------

export function transferView(t: TransferRecord): Transfer {
  return {
    ...t,
    lines: t.lines.map((l) => ({
      id: l.id, lineNo: l.lineNo, itemId: l.itemId, qty: fromMicro(l.qty), lotId: l.lotId,
      qtyShipped: fromMicro(l.qtyShipped), qtyReceived: fromMicro(l.qtyReceived),
    })),
    statusHistory: t.statusHistory.map((h) => ({ ...h })),
  };
}

export async function getTransfer(r: Reader, id: string): Promise<Result<Transfer>> {
  const t = await r.transfers.getTransfer(id);
  return t ? ok(transferView(t)) : notFound('transfer');
}

export async function listTransfers(r: Reader, filter: TransferFilter, page: PageRequest): Promise<Page<Transfer>> {
  const p = await r.transfers.listTransfers(filter, page);
  return { items: p.items.map(transferView), total: p.total };
}

// --- commands ------------------------------------------------------------------------------

const distinct = (xs: ReadonlyArray<string | null | undefined>) => [...new Set(xs.filter((x): x is string => x != null))];

async function loadItems(tx: Writer, itemIds: readonly string[]): Promise<{ items: Map<string, Item>; uoms: Map<string, Uom> }> {
  const items = await tx.catalog.getItems(distinct(itemIds));
  const uoms = await tx.catalog.getUoms(distinct(items.map((i) => i.baseUomId)));
  return { items: new Map(items.map((i) => [i.id, i])), uoms: new Map(uoms.map((u) => [u.id, u])) };
}

export async function createTransfer(tx: Writer, input: TransferInput, now: string, by: Actor | null = null): Promise<Result<Transfer>> {
  if (input.fromFacilityId === input.toFacilityId) {
    return failAt('bad_request', '/toFacilityId', 'a transfer goes to another facility than the one it comes from');
  }
  // In id order: on PostgreSQL a facility read in a unit is locked, and two transfers between
  // the same facilities in opposite directions must not wait for each other in a cycle.
  const ends = [['fromFacilityId', input.fromFacilityId], ['toFacilityId', input.toFacilityId]].sort((a, b) => (a[1]! < b[1]! ? -1 : 1));
  for (const [field, facilityId] of ends) {
    if (!(await tx.facilities.getFacility(facilityId!))) return notFound('facility', `/${field}`);
  }
  const { items, uoms } = await loadItems(tx, input.lines.map((l) => l.itemId));
  const lots = new Map((await tx.ledger.getLots(distinct(input.lines.map((l) => l.lotId)))).map((l) => [l.id, l]));
  const lines: TransferLineRecord[] = [];
  for (const [i, l] of input.lines.entries()) {
    const at = `/lines/${i}`;
    const item = items.get(l.itemId);
    if (!item) return notFound('item', `${at}/itemId`);
    if (!holdsStock(item)) return failAt('bad_request', `${at}/itemId`, `item ${item.itemNo} is a ${item.itemKind} item and holds no stock`);
    const qty = itemQuantity(item, uoms.get(item.baseUomId), l.qty, `${at}/qty`);
    if (!qty.ok) return qty;
    const lotId = l.lotId ?? null;
    if (lotId !== null) {
      if (item.lotTracking === 'none') return failAt('bad_request', `${at}/lotId`, `item ${item.itemNo} is not lot tracked`);
      if (lots.get(lotId)?.itemId !== item.id) return notFound(`lot of item ${item.itemNo}`, `${at}/lotId`);
    }
    lines.push({ id: newId(), lineNo: i + 1, itemId: item.id, qty: qty.value, lotId, qtyShipped: ZERO, qtyReceived: ZERO, reservationId: null });
  }
  const n = await tx.documents.nextNumber(TRANSFER_COUNTER);
  const transfer: TransferRecord = {
    id: newId(),
    transferNo: documentNo(TRANSFER_PREFIX, n),
    fromFacilityId: input.fromFacilityId,
    toFacilityId: input.toFacilityId,
    status: 'draft',
    notes: input.notes ?? null,
    lines,
    statusHistory: withChange([], null, 'draft', now, by),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await tx.transfers.insertTransfer(transfer);
  await recordHistory(tx, { type: 'transfer', id: transfer.id, number: transfer.transferNo }, [], transfer.statusHistory);
  return ok(transferView(transfer));
}

/** Loads a transfer for an action: not found, or the state machine's verdict. */
async function forAction(tx: Writer, id: string, action: TransferAction): Promise<Result<TransferRecord>> {
  const t = await tx.transfers.getTransfer(id);
  if (!t) return notFound('transfer');
  const can = allowed(t.status, action);
  return can.ok ? ok(t) : can;
}

async function save(
  tx: Writer, t: TransferRecord, lines: TransferLineRecord[], action: TransferAction, now: string, by: Actor | null,
): Promise<Result<Transfer>> {
  const status = nextStatus(t.status, action, lines);
  if (!status.ok) return status;
  const next: TransferRecord = {
    ...t,
    lines,
    status: status.value,
    statusHistory: withChange(t.statusHistory, t.status, status.value, now, by),
    updatedAt: now,
    version: t.version + 1,
  };
  await tx.transfers.updateTransfer(next);
  await recordHistory(tx, { type: 'transfer', id: next.id, number: next.transferNo }, t.statusHistory, next.statusHistory);
  return ok(transferView(next));
}

/**
 * Reserves every line at the source, all or none: lines of the same item are summed before
 * the check, and a short line is a 409 insufficient_stock naming it (`/lines/<i>/qty`); the
 * transfer stays a draft. A line that names a lot also needs that much of the lot unallocated
 * at the source (the reservation itself holds the item at the facility, not the lot).
 */
export async function releaseTransfer(tx: Writer, id: string, now: string, by: Actor | null = null): Promise<Result<Transfer>> {
  const found = await forAction(tx, id, 'release');
  if (!found.ok) return found;
  const t = found.value;
  const lotShort = await lotShortfalls(tx, t, now);
  if (lotShort) return lotShort;
  const reserved = await reserveAll(tx, t.lines.map((l, i) => ({
    itemId: l.itemId,
    facilityId: t.fromFacilityId,
    qty: fromMicro(l.qty),
    demand: { type: 'transfer' as const, id: t.id, lineId: l.id },
    expiresAt: null,
    at: `/lines/${i}`,
  })), now);
  if (!reserved.ok) return reserved;
  return save(tx, t, t.lines.map((l, i) => ({ ...l, reservationId: reserved.value[i]!.id })), 'release', now, by);
}

async function lotShortfalls(tx: Writer, t: TransferRecord, now: string): Promise<Failure | null> {
  const withLot = t.lines.map((l, i) => ({ l, i })).filter(({ l }) => l.lotId !== null);
  if (withLot.length === 0) return null;
  const positions = await tx.ledger.getStockPositions(withLot.map(({ l }) => ({ itemId: l.itemId, facilityId: t.fromFacilityId })), now);
  const details: Detail[] = [];
  for (const key of new Set(withLot.map(({ l }) => `${l.itemId}|${l.lotId}`))) {
    const mine = withLot.filter(({ l }) => `${l.itemId}|${l.lotId}` === key);
    const { itemId, lotId } = mine[0]!.l;
    const position = positions.find((p) => p.itemId === itemId);
    const free = (position?.locations ?? []).filter((x) => x.lotId === lotId).reduce((s, x) => s + x.onHand - x.allocated, 0);
    const wanted = mine.reduce((s, { l }) => s + l.qty, 0);
    if (wanted > free) {
      for (const { i } of mine) details.push({ path: `/lines/${i}/qty`, message: `the lot has ${fromMicro(free)} unallocated at the source, the transfer asks ${fromMicro(wanted)}` });
    }
  }
  return details.length ? fail('insufficient_stock', `not enough of the lots named: ${details.map((d) => d.message).join('; ')}`, details) : null;
}

/** Every facility has one system transit location, made with it. */
async function transitOf(tx: Writer, facilityId: string): Promise<Location> {
  const transit = await tx.facilities.findLocationByCode(facilityId, TRANSIT_CODE);
  assert(transit && transit.type === 'transit', `facility ${facilityId} has its transit location`);
  return transit;
}

interface Shipped {
  line: TransferLineRecord;
  qty: Micro;
  locationId: string;
  lotId: string | null;
  serialNos: string[];
  at: string;
}

/** Per transfer line, the total an action asks for and the first request line that asks it. */
function sumPerLine(parts: ReadonlyArray<{ line: TransferLineRecord; qty: Micro; at: string }>): Map<string, { qty: Micro; at: string }> {
  const sums = new Map<string, { qty: Micro; at: string }>();
  for (const p of parts) {
    const s = sums.get(p.line.id);
    sums.set(p.line.id, { qty: ((s?.qty ?? 0) + p.qty) as Micro, at: s?.at ?? p.at });
  }
  return sums;
}

/**
 * Ships (part of) lines: one `transfer_out` transaction takes each quantity out of the
 * named source location (available status) and puts it in the destination's transit
 * location, and each line's reservation is consumed by what ships, in the same unit.
 * Shipping more than a line has left to ship is a 409 conflict.
 */
export async function shipTransfer(tx: Writer, id: string, input: ShipInput, now: string, by: Actor | null = null): Promise<Result<Transfer>> {
  const found = await forAction(tx, id, 'ship');
  if (!found.ok) return found;
  const t = found.value;
  const byLine = new Map(t.lines.map((l) => [l.id, l]));
  const { items, uoms } = await loadItems(tx, t.lines.map((l) => l.itemId));
  const locations = new Map((await tx.facilities.getLocations(distinct(input.lines.map((s) => s.fromLocationId)))).map((l) => [l.id, l]));
  const shipped: Shipped[] = [];
  for (const [i, s] of input.lines.entries()) {
    const at = `/lines/${i}`;
    const line = byLine.get(s.lineId);
    if (!line) return notFound('line of this transfer', `${at}/lineId`);
    const item = items.get(line.itemId);
    assert(item, `item ${line.itemId} of transfer ${t.id} exists`);
    const qty = itemQuantity(item, uoms.get(item.baseUomId), s.qty, `${at}/qty`);
    if (!qty.ok) return qty;
    const location = locations.get(s.fromLocationId);
    if (!location || location.facilityId !== t.fromFacilityId) return notFound('location in the source facility', `${at}/fromLocationId`);
    if (location.type === 'transit') return failAt('bad_request', `${at}/fromLocationId`, 'stock ships from a storage location, not from transit');
    if (line.lotId !== null && s.lotId != null && s.lotId !== line.lotId) {
      return failAt('bad_request', `${at}/lotId`, `line ${line.lineNo} is for another lot`);
    }
    shipped.push({ line, qty: qty.value, locationId: location.id, lotId: s.lotId ?? line.lotId, serialNos: s.serialNos ?? [], at });
  }
  const perLine = sumPerLine(shipped);
  for (const [lineId, { qty, at }] of perLine) {
    const line = byLine.get(lineId)!;
    const left = line.qty - line.qtyShipped;
    if (qty > left) return failAt('conflict', `${at}/qty`, `line ${line.lineNo} has ${fromMicro(left)} left to ship, not ${fromMicro(qty)}`);
  }

  // What each line's reservation gives up: the quantity shipped, as far as it still holds.
  const fulfilments: Array<{ r: ReservationRecord; allocations: AllocationRecord[]; consumed: Map<string, Micro>; qty: Micro }> = [];
  const consumes = new Map<string, { itemId: string; facilityId: string; qty: Micro; places: Map<string, Micro> }>();
  for (const [lineId, { qty }] of perLine) {
    const line = byLine.get(lineId)!;
    const r = line.reservationId === null ? null : await tx.reservations.getReservation(line.reservationId);
    if (!r || !isHolding(r, now)) continue; // ended by hand through the reservations API: ships from free stock
    const q = Math.min(qty, r.qty - r.qtyFulfilled) as Micro;
    if (q <= 0) continue;
    const allocations = await tx.reservations.getAllocations(r.id);
    const places = new Map<string, Micro>();
    for (const s of shipped.filter((x) => x.line.id === lineId)) {
      const key = placeKey(s.locationId, s.lotId);
      places.set(key, ((places.get(key) ?? 0) + s.qty) as Micro);
    }
    const consumed = consumedAllocations(allocations, places, r.qtyAllocated, q);
    fulfilments.push({ r, allocations, consumed, qty: q });
    // The posting takes one consumption per item and facility: lines of one item add up.
    const c = consumes.get(positionKey(r)) ?? { itemId: r.itemId, facilityId: r.facilityId, qty: ZERO, places: new Map<string, Micro>() };
    c.qty = (c.qty + q) as Micro;
    for (const [key, v] of consumed) c.places.set(key, ((c.places.get(key) ?? 0) + v) as Micro);
    consumes.set(positionKey(r), c);
  }

  const transit = await transitOf(tx, t.toFacilityId);
  // The transit line (the destination's) carries exactly the value the source line takes out.
  const lines: PostingLine[] = shipped.flatMap((s, k) => {
    const common = { itemId: s.line.itemId, statusId: AVAILABLE, lotId: s.lotId, serialNos: s.serialNos, at: s.at };
    return [
      { ...common, locationId: s.locationId, qty: neg(s.qty), fields: { locationId: 'fromLocationId', lotNo: 'lotId', lotId: 'lotId' } },
      { ...common, locationId: transit.id, qty: s.qty, fields: { locationId: 'lineId', lotNo: 'lotId', lotId: 'lotId' }, cost: { kind: 'carry', from: 2 * k } },
    ];
  });
  const posted = await post(tx, {
    type: 'transfer_out',
    reference: { type: 'transfer', id: t.id },
    lines,
    consumes: [...consumes.values()] satisfies Consumption[],
  }, now);
  if (!posted.ok) return posted;
  for (const f of fulfilments) await recordFulfilment(tx, f.r, f.allocations, f.consumed, f.qty, now);
  const before = (await tx.transfers.getShipments(t.id)).length;
  await tx.transfers.insertShipments(shipped.map((s, k) => ({
    id: newId(), transferId: t.id, lineId: s.line.id, shipNo: before + k + 1, transactionId: posted.value.id,
    lotId: s.lotId, serialNos: s.serialNos, qty: s.qty, qtyReceived: ZERO, createdAt: now,
  })));
  const next = t.lines.map((l) => ({ ...l, qtyShipped: (l.qtyShipped + (perLine.get(l.id)?.qty ?? 0)) as Micro }));
  return save(tx, t, next, 'ship', now, by);
}

/**
 * Receives (part of) what is in transit: one `transfer_in` transaction takes each quantity
 * out of the destination's transit location and puts it at the named destination location.
 * Lots and serials follow what was shipped on the line, oldest shipment first. Receiving
 * more than a line has in transit is a 409 conflict.
 */
export async function receiveTransfer(tx: Writer, id: string, input: ReceiveInput, now: string, by: Actor | null = null): Promise<Result<Transfer>> {
  const found = await forAction(tx, id, 'receive');
  if (!found.ok) return found;
  const t = found.value;
  const byLine = new Map(t.lines.map((l) => [l.id, l]));
  const { items, uoms } = await loadItems(tx, t.lines.map((l) => l.itemId));
  const locations = new Map((await tx.facilities.getLocations(distinct(input.lines.map((r) => r.toLocationId)))).map((l) => [l.id, l]));
  const received: Array<{ line: TransferLineRecord; qty: Micro; locationId: string; at: string }> = [];
  for (const [i, r] of input.lines.entries()) {
    const at = `/lines/${i}`;
    const line = byLine.get(r.lineId);
    if (!line) return notFound('line of this transfer', `${at}/lineId`);
    const item = items.get(line.itemId);
    assert(item, `item ${line.itemId} of transfer ${t.id} exists`);
    const qty = itemQuantity(item, uoms.get(item.baseUomId), r.qty, `${at}/qty`);
    if (!qty.ok) return qty;
    const location = locations.get(r.toLocationId);
    if (!location || location.facilityId !== t.toFacilityId) return notFound('location in the destination facility', `${at}/toLocationId`);
    if (location.type === 'transit') return failAt('bad_request', `${at}/toLocationId`, 'stock is received into a storage location, not into transit');
    received.push({ line, qty: qty.value, locationId: location.id, at });
  }
  const perLine = sumPerLine(received);
  for (const [lineId, { qty, at }] of perLine) {
    const line = byLine.get(lineId)!;
    const inTransit = line.qtyShipped - line.qtyReceived;
    if (qty > inTransit) return failAt('conflict', `${at}/qty`, `line ${line.lineNo} has ${fromMicro(inTransit)} in transit, not ${fromMicro(qty)}`);
  }

  const shipments = await tx.transfers.getShipments(t.id);
  const taken = new Map<string, Micro>();
  const transit = await transitOf(tx, t.toFacilityId);
  const lines: PostingLine[] = [];
  for (const r of received) {
    let need = r.qty as number;
    for (const s of shipments) {
      if (need <= 0) break;
      if (s.lineId !== r.line.id) continue;
      const from = s.qtyReceived + (taken.get(s.id) ?? 0);
      const q = Math.min(need, s.qty - from);
      if (q <= 0) continue;
      const serials = s.serialNos.length ? s.serialNos.slice(from / SCALE, (from + q) / SCALE) : [];
      const common = { itemId: r.line.itemId, statusId: AVAILABLE, lotId: s.lotId, serialNos: serials, at: r.at };
      lines.push(
        { ...common, locationId: transit.id, qty: neg(q as Micro), fields: { locationId: 'lineId' } },
        { ...common, locationId: r.locationId, qty: q as Micro, fields: { locationId: 'toLocationId' } },
      );
      taken.set(s.id, ((taken.get(s.id) ?? 0) + q) as Micro);
      need -= q;
    }
    assert(need === 0, `line ${r.line.id} of transfer ${t.id}: its shipments hold what it has in transit`);
  }
  if (lines.length > MAX_POSTING_LINES) {
    return failAt('bad_request', '/lines', `these lines take ${lines.length / 2} lots or shipments in transit; receive at most ${MAX_ACTION_LINES} per call`);
  }
  const posted = await post(tx, { type: 'transfer_in', reference: { type: 'transfer', id: t.id }, lines }, now);
  if (!posted.ok) return posted;
  await tx.transfers.updateShipments(shipments.filter((s) => taken.has(s.id)).map((s) => ({ ...s, qtyReceived: (s.qtyReceived + taken.get(s.id)!) as Micro })));
  const next = t.lines.map((l) => ({ ...l, qtyReceived: (l.qtyReceived + (perLine.get(l.id)?.qty ?? 0)) as Micro }));
  return save(tx, t, next, 'receive', now, by);
}

/** Cancels a draft or released transfer; the reservations of a released one are released. */
export async function cancelTransfer(tx: Writer, id: string, now: string, by: Actor | null = null): Promise<Result<Transfer>> {
  const found = await forAction(tx, id, 'cancel');
  if (!found.ok) return found;
  const t = found.value;
  for (const l of t.lines) {
    if (l.reservationId === null) continue;
    const r = await tx.reservations.getReservation(l.reservationId);
    if (!r || !isHolding(r, now)) continue;
    const ended = await endReservation(tx, r.id, 'release', now);
    if (!ended.ok) return ended;
  }
  return save(tx, t, t.lines, 'cancel', now, by);
}
