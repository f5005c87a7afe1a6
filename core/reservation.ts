// Reservations and allocations. A reservation soft-holds quantity of an item at a facility
// for a demand; an allocation hard-assigns part of it to a location and lot. Both are
// records, never counters, and every change is checked against the stock position in the
// same write unit, so concurrent requests cannot promise the same unit twice.
import { transition } from './document.js';
import { recordStatusChange, type DocumentRef } from './event.js';
import { newId } from './id.js';
import type { Item } from './item.js';
import type { TransactionView } from './ledger.js';
import { post, type PostingLine } from './posting.js';
import type { Writer } from './ports.js';
import { fitsDecimals, fromMicro, isWhole, toMicro, ZERO, type Micro } from './quantity.js';
import { fail, failAt, notFound, ok, type Failure, type Result } from './result.js';
import { array, id, nullable, object, oneOf, positiveQuantity, string, timestamp, type Schema } from './schema.js';
import { AVAILABLE } from './status.js';
import { availableAt, pickStock, placeKey, type StockPick, type StockPosition } from './stock.js';

export const RESERVATION_STATUSES = ['open', 'allocated', 'fulfilled', 'released', 'cancelled'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];
export const DEMAND_TYPES = ['sales_order', 'work_order', 'transfer', 'manual'] as const;
export type DemandType = (typeof DEMAND_TYPES)[number];

export type ReservationAction = 'patch' | 'allocate' | 'fulfill' | 'release' | 'cancel';

/**
 * The state machine: for each state, the actions it allows and the state they lead to.
 * `fulfill` of part of the quantity keeps the state; of the rest, it leads to `fulfilled`.
 * Terminal states allow nothing. An expired reservation counts as released.
 */
export const RESERVATION_TRANSITIONS: Readonly<Record<ReservationStatus, Partial<Record<ReservationAction, ReservationStatus>>>> = {
  open: { patch: 'open', allocate: 'allocated', fulfill: 'fulfilled', release: 'released', cancel: 'cancelled' },
  allocated: { allocate: 'allocated', fulfill: 'fulfilled', release: 'released', cancel: 'cancelled' },
  fulfilled: {},
  released: {},
  cancelled: {},
};

export interface Demand {
  type: DemandType;
  id: string | null;
  lineId: string | null;
}

export interface ReservationRecord {
  id: string;
  itemId: string;
  facilityId: string;
  qty: Micro;
  qtyAllocated: Micro;
  qtyFulfilled: Micro;
  status: ReservationStatus;
  demand: Demand;
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface AllocationRecord {
  id: string;
  reservationId: string;
  itemId: string;
  facilityId: string;
  locationId: string;
  lotId: string | null;
  qty: Micro;
  createdAt: string;
}

export interface Reservation extends Omit<ReservationRecord, 'qty' | 'qtyAllocated' | 'qtyFulfilled'> {
  qty: number;
  qtyAllocated: number;
  qtyFulfilled: number;
}

export interface Allocation extends Omit<AllocationRecord, 'qty'> {
  lotNo: string | null;
  qty: number;
}

export interface ReservationFilter {
  itemId?: string;
  facilityId?: string;
  status?: ReservationStatus;
  demandType?: DemandType;
  demandId?: string;
}

export interface AllocationFilter {
  itemId?: string;
  locationId?: string;
  reservationId?: string;
}

export interface ReservationInput {
  itemId: string;
  facilityId: string;
  qty: number;
  demand: { type: DemandType; id?: string | null; lineId?: string | null };
  expiresAt?: string | null;
}

export interface ReservationPatch {
  qty?: number;
  expiresAt?: string | null;
}

export interface AllocateInput {
  allocations?: Array<{ locationId: string; lotId?: string | null; qty: number }>;
}

export interface FulfillInput {
  qty?: number;
  serialNos?: string[];
}

const demandSchema: Schema = object(
  { type: oneOf(DEMAND_TYPES), id: nullable(string(1, 200)), lineId: nullable(string(1, 200)) },
  ['type'],
);

export const reservationInputSchema: Schema = object(
  { itemId: id, facilityId: id, qty: positiveQuantity, demand: demandSchema, expiresAt: nullable(timestamp) },
  ['itemId', 'facilityId', 'qty', 'demand'],
);
export const reservationPatchSchema: Schema = { ...object({ qty: positiveQuantity, expiresAt: nullable(timestamp) }), minProperties: 1 };
export const allocateInputSchema: Schema = object({
  allocations: array(object({ locationId: id, lotId: nullable(id), qty: positiveQuantity }, ['locationId', 'qty']), 1000, 1),
});
export const fulfillInputSchema: Schema = object({
  qty: positiveQuantity,
  serialNos: { ...array(string(1, 128), 10000, 1), uniqueItems: true },
});
export const releaseInputSchema: Schema = object({});

/** Whether a reservation holds stock now: open or allocated, and not expired. */
export function isHolding(r: Pick<ReservationRecord, 'status' | 'expiresAt'>, now: string): boolean {
  return (r.status === 'open' || r.status === 'allocated') && (r.expiresAt === null || r.expiresAt > now);
}

/** The status a client sees: an expired reservation has been released. */
export function effectiveStatus(r: ReservationRecord, now: string): ReservationStatus {
  return (r.status === 'open' || r.status === 'allocated') && !isHolding(r, now) ? 'released' : r.status;
}

export function reservationView(r: ReservationRecord, now: string): Reservation {
  return {
    ...r, status: effectiveStatus(r, now), qty: fromMicro(r.qty), qtyAllocated: fromMicro(r.qtyAllocated), qtyFulfilled: fromMicro(r.qtyFulfilled),
  };
}

/** The quantity a reservation still promises without a location: not allocated, not fulfilled. */
export function softQty(r: ReservationRecord): Micro {
  return (r.qty - r.qtyAllocated - r.qtyFulfilled) as Micro;
}

const ACTION_PHRASES: Record<ReservationAction, string> = {
  patch: 'be changed', allocate: 'allocate', fulfill: 'fulfill', release: 'release', cancel: 'cancel',
};

function reservationTransition(r: ReservationRecord, action: ReservationAction, now: string): Result<ReservationStatus> {
  return transition(RESERVATION_TRANSITIONS, 'reservation', ACTION_PHRASES, effectiveStatus(r, now), action);
}

/** A quantity of an item in its base UOM: exact, within the UOM's decimals, whole for serials. */
function itemQty(item: Item, decimals: number, value: number, path: string): Result<Micro> {
  const micro = toMicro(value);
  if (micro === null || !fitsDecimals(micro, decimals)) return failAt('bad_request', path, `takes at most ${decimals} decimal places`);
  if (item.serialTracking === 'tracked' && !isWhole(micro)) return failAt('bad_request', path, 'a serial-tracked quantity must be whole');
  return ok(micro);
}

async function loadItem(tx: Writer, itemId: string, path: string): Promise<Result<{ item: Item; decimals: number }>> {
  // getItems, not getItem: on PostgreSQL it locks the item FOR SHARE, as postings do. FOR
  // UPDATE (for commands that change the item) taken after the item-facility lock would wait
  // in a cycle with any posting of the item, which takes FOR SHARE before that lock.
  const [item] = await tx.catalog.getItems([itemId]);
  if (!item) return notFound('item', path);
  if (item.itemKind === 'service' || item.itemKind === 'phantom') {
    return failAt('bad_request', path, `item ${item.itemNo} is a ${item.itemKind} item and holds no stock`);
  }
  const uom = await tx.catalog.getUom(item.baseUomId);
  return ok({ item, decimals: uom?.decimals ?? 6 });
}

export interface ReserveRequest {
  itemId: string;
  facilityId: string;
  qty: number;
  demand: Demand;
  expiresAt: string | null;
  /** JSON Pointer of the request part, for errors. */
  at: string;
}

/**
 * Reserves every request in one step, or none: requests for the same item and facility are
 * summed before the check, so two lines of 6 against 10 available are refused together.
 */
export async function reserveAll(tx: Writer, requests: readonly ReserveRequest[], now: string): Promise<Result<ReservationRecord[]>> {
  const records: ReservationRecord[] = [];
  for (const r of requests) {
    const loaded = await loadItem(tx, r.itemId, `${r.at}/itemId`);
    if (!loaded.ok) return loaded;
    const qty = itemQty(loaded.value.item, loaded.value.decimals, r.qty, `${r.at}/qty`);
    if (!qty.ok) return qty;
    if (r.expiresAt !== null && r.expiresAt <= now) return failAt('bad_request', `${r.at}/expiresAt`, 'is in the past');
    records.push({
      id: newId(), itemId: r.itemId, facilityId: r.facilityId, qty: qty.value, qtyAllocated: ZERO, qtyFulfilled: ZERO,
      status: 'open', demand: r.demand, expiresAt: r.expiresAt, createdAt: now, updatedAt: now, version: 1,
    });
  }
  const facilities = [...new Set(requests.map((r) => r.facilityId))];
  for (const f of facilities) if (!(await tx.facilities.getFacility(f))) return notFound('facility', `${requests.find((r) => r.facilityId === f)!.at}/facilityId`);
  const positions = await tx.ledger.getStockPositions(records.map((r) => ({ itemId: r.itemId, facilityId: r.facilityId })), now);
  const short = shortfalls(positions, records.map((r, i) => ({ ...r, at: requests[i]!.at })));
  if (short) return short;
  for (const r of records) {
    await tx.reservations.insertReservation(r);
    await recordStatusChange(tx, reservationRef(r), null, r.status, now, null);
  }
  return ok(records);
}

function shortfalls(positions: StockPosition[], wanted: Array<ReservationRecord & { at: string }>): Failure | null {
  const details = [];
  for (const p of positions) {
    const mine = wanted.filter((w) => w.itemId === p.itemId && w.facilityId === p.facilityId);
    const total = mine.reduce((s, w) => s + w.qty, 0);
    if (total > availableAt(p)) {
      for (const w of mine) {
        details.push({ path: `${w.at}/qty`, message: `available ${fromMicro(availableAt(p))}, requested ${fromMicro(total)} of this item here` });
      }
    }
  }
  return details.length ? fail('insufficient_stock', `not enough available stock: ${details.map((d) => d.message).join('; ')}`, details) : null;
}

export async function createReservation(tx: Writer, input: ReservationInput, now: string): Promise<Result<Reservation>> {
  const demand: Demand = { type: input.demand.type, id: input.demand.id ?? null, lineId: input.demand.lineId ?? null };
  const r = await reserveAll(tx, [{ ...input, demand, expiresAt: normalize(input.expiresAt), at: '' }], now);
  return r.ok ? ok(reservationView(r.value[0]!, now)) : r;
}

function normalize(t: string | null | undefined): string | null {
  return t == null ? null : new Date(t).toISOString();
}

/** Loads a reservation for a change: not found, or the state machine's verdict on `action`. */
async function forAction(tx: Writer, id: string, action: ReservationAction, now: string, ifMatch?: number) {
  const r = await tx.reservations.getReservation(id);
  if (!r) return notFound('reservation');
  if (ifMatch !== undefined && ifMatch !== r.version) return fail('conflict', `reservation is at version ${r.version}, not ${ifMatch}`);
  const to = reservationTransition(r, action, now);
  return to.ok ? ok({ r, to: to.value }) : to;
}

const reservationRef = (r: ReservationRecord): DocumentRef => ({ type: 'reservation', id: r.id, number: null });

/** Writes the reservation as changed from `before`, with the status change as an event. */
async function save(tx: Writer, before: ReservationRecord, r: ReservationRecord, now: string): Promise<Reservation> {
  const next = { ...r, updatedAt: now, version: r.version + 1 };
  await tx.reservations.updateReservation(next);
  await recordStatusChange(tx, reservationRef(next), before.status, next.status, now, null);
  return reservationView(next, now);
}

export async function patchReservation(
  tx: Writer, id: string, patch: ReservationPatch, now: string, ifMatch?: number,
): Promise<Result<Reservation>> {
  const found = await forAction(tx, id, 'patch', now, ifMatch);
  if (!found.ok) return found;
  const { r } = found.value;
  let next = r;
  if (patch.expiresAt !== undefined) {
    const expiresAt = normalize(patch.expiresAt);
    if (expiresAt !== null && expiresAt <= now) return failAt('bad_request', '/expiresAt', 'is in the past');
    next = { ...next, expiresAt };
  }
  if (patch.qty !== undefined) {
    const loaded = await loadItem(tx, r.itemId, '/qty');
    if (!loaded.ok) return loaded;
    const qty = itemQty(loaded.value.item, loaded.value.decimals, patch.qty, '/qty');
    if (!qty.ok) return qty;
    if (qty.value > r.qty) {
      const [position] = await tx.ledger.getStockPositions([r], now);
      const more = (qty.value - r.qty) as Micro;
      if (more > availableAt(position!)) {
        return failAt('insufficient_stock', '/qty', `available ${fromMicro(availableAt(position!))}, requested ${fromMicro(more)} more`);
      }
    }
    next = { ...next, qty: qty.value };
  }
  return ok(await save(tx, r, next, now));
}

export async function allocateReservation(tx: Writer, id: string, input: AllocateInput, now: string): Promise<Result<Reservation>> {
  const found = await forAction(tx, id, 'allocate', now);
  if (!found.ok) return found;
  const { r, to } = found.value;
  const [position] = await tx.ledger.getStockPositions([r], now);
  const open = softQty(r);
  const picks = input.allocations
    ? await explicitPicks(tx, r, position!, input.allocations, open)
    : automaticPicks(position!, open);
  if (!picks.ok) return picks;
  const existing = await tx.reservations.getAllocations(r.id);
  await tx.reservations.putAllocations(r.id, mergeAllocations(r, existing, picks.value, now));
  const allocated = picks.value.reduce((s, p) => s + p.qty, 0);
  return ok(await save(tx, r, { ...r, status: to, qtyAllocated: (r.qtyAllocated + allocated) as Micro }, now));
}

function automaticPicks(position: StockPosition, open: Micro): Result<StockPick[]> {
  if (open <= 0) return fail('conflict', 'the reservation has nothing left to allocate');
  const picks = pickStock(position, open);
  if (!picks) return fail('insufficient_stock', `not enough unallocated stock at pickable locations for ${fromMicro(open)}`);
  return ok(picks);
}

async function explicitPicks(
  tx: Writer, r: ReservationRecord, position: StockPosition, wanted: NonNullable<AllocateInput['allocations']>, open: Micro,
): Promise<Result<StockPick[]>> {
  const loaded = await loadItem(tx, r.itemId, '/itemId');
  if (!loaded.ok) return loaded;
  const { item, decimals } = loaded.value;
  const picks: StockPick[] = [];
  const byPlace = new Map<string, Micro>();
  for (const [i, a] of wanted.entries()) {
    const at = `/allocations/${i}`;
    const location = await tx.facilities.getLocation(a.locationId);
    if (!location || location.facilityId !== r.facilityId) return notFound('location in the reservation\'s facility', `${at}/locationId`);
    if (location.type === 'transit') return failAt('bad_request', `${at}/locationId`, 'stock in transit cannot be allocated');
    const lotId = a.lotId ?? null;
    if (item.lotTracking === 'tracked' && lotId === null) return failAt('bad_request', `${at}/lotId`, `item ${item.itemNo} is lot tracked: a lot is required`);
    if (item.lotTracking === 'none' && lotId !== null) return failAt('bad_request', `${at}/lotId`, `item ${item.itemNo} is not lot tracked`);
    const qty = itemQty(item, decimals, a.qty, `${at}/qty`);
    if (!qty.ok) return qty;
    const key = placeKey(a.locationId, lotId);
    byPlace.set(key, (( byPlace.get(key) ?? 0) + qty.value) as Micro);
    picks.push({ locationId: a.locationId, lotId, qty: qty.value });
  }
  const total = picks.reduce((s, p) => s + p.qty, 0);
  if (total > open) return fail('conflict', `the allocations (${fromMicro(total)}) exceed what the reservation has open (${fromMicro(open)})`);
  for (const [key, qty] of byPlace) {
    const place = position.locations.find((l) => placeKey(l.locationId, l.lotId) === key);
    const free = place ? place.onHand - place.allocated : 0;
    if (qty > free) {
      const i = wanted.findIndex((a) => placeKey(a.locationId, a.lotId ?? null) === key);
      return failAt('insufficient_stock', `/allocations/${i}/qty`, `unallocated stock there is ${fromMicro(free)}, requested ${fromMicro(qty)}`);
    }
  }
  return ok(picks);
}

function mergeAllocations(r: ReservationRecord, existing: AllocationRecord[], picks: StockPick[], now: string): AllocationRecord[] {
  const out = existing.map((a) => ({ ...a }));
  for (const p of picks) {
    const same = out.find((a) => a.locationId === p.locationId && a.lotId === p.lotId);
    if (same) same.qty = (same.qty + p.qty) as Micro;
    else out.push({ id: newId(), reservationId: r.id, itemId: r.itemId, facilityId: r.facilityId, locationId: p.locationId, lotId: p.lotId, qty: p.qty, createdAt: now });
  }
  return out;
}

/** Release and cancel end the hold: allocations go, the quantities stay as they were. */
export async function endReservation(tx: Writer, id: string, action: 'release' | 'cancel', now: string): Promise<Result<Reservation>> {
  const found = await forAction(tx, id, action, now);
  if (!found.ok) return found;
  await tx.reservations.putAllocations(id, []);
  return ok(await save(tx, found.value.r, { ...found.value.r, status: found.value.to, qtyAllocated: ZERO }, now));
}

/**
 * Fulfils (part of) a reservation by shipping it: one `shipment` transaction issues the
 * quantity from the reservation's allocations first, then from unallocated stock in pick
 * order, and the reservation's hold shrinks by the same quantity in the same unit.
 */
export async function fulfillReservation(
  tx: Writer, id: string, input: FulfillInput, now: string,
): Promise<Result<{ reservation: Reservation; transaction: TransactionView }>> {
  const found = await forAction(tx, id, 'fulfill', now);
  if (!found.ok) return found;
  const { r } = found.value;
  const remaining = (r.qty - r.qtyFulfilled) as Micro;
  const loaded = await loadItem(tx, r.itemId, '/itemId');
  if (!loaded.ok) return loaded;
  const qty = input.qty === undefined ? ok(remaining) : itemQty(loaded.value.item, loaded.value.decimals, input.qty, '/qty');
  if (!qty.ok) return qty;
  if (qty.value > remaining) return failAt('conflict', '/qty', `the reservation has ${fromMicro(remaining)} left to fulfil`);
  const allocations = await tx.reservations.getAllocations(r.id);
  const [position] = await tx.ledger.getStockPositions([r], now);
  const plan = await shipmentPlan(tx, r, loaded.value.item, position!, allocations, qty.value, input.serialNos);
  if (!plan.ok) return plan;
  const { lines, consumed } = plan.value;
  const transaction = await post(tx, {
    type: 'shipment',
    reason: null,
    reference: { type: 'reservation', id: r.id },
    lines,
    consumes: [{ itemId: r.itemId, facilityId: r.facilityId, qty: qty.value, places: consumed }],
  }, now);
  if (!transaction.ok) return transaction;
  const reservation = await recordFulfilment(tx, r, allocations, consumed, qty.value, now);
  return ok({ reservation, transaction: transaction.value });
}

/**
 * Records, in the unit that posted the shipment (with `consumes` for the same quantity and
 * places), that `qty` of a holding reservation has shipped: its allocations shrink by what
 * the shipment consumed, `qtyFulfilled` grows, and the status follows (fulfilled once
 * nothing is left). Shared by every document that ships against a reservation.
 */
export async function recordFulfilment(
  tx: Writer, r: ReservationRecord, allocations: readonly AllocationRecord[], consumed: ReadonlyMap<string, Micro>, qty: Micro, now: string,
): Promise<Reservation> {
  const left = allocations.map((a) => ({ ...a, qty: (a.qty - (consumed.get(placeKey(a.locationId, a.lotId)) ?? 0)) as Micro }))
    .filter((a) => a.qty > 0);
  await tx.reservations.putAllocations(r.id, left);
  const allocatedNow = left.reduce((s, a) => s + a.qty, 0) as Micro;
  const fulfilled = (r.qtyFulfilled + qty) as Micro;
  const status: ReservationRecord['status'] = fulfilled === r.qty ? 'fulfilled' : allocatedNow > 0 ? 'allocated' : 'open';
  return save(tx, r, { ...r, qtyFulfilled: fulfilled, qtyAllocated: allocatedNow, status }, now);
}

/**
 * Where a shipment of `qty` comes from: serials where they are (serial-tracked items), else
 * the reservation's own allocations first, then unallocated stock in pick order. `consumed`
 * is the allocated quantity each place gives up.
 */
async function shipmentPlan(
  tx: Writer, r: ReservationRecord, item: Item, position: StockPosition, allocations: AllocationRecord[], qty: Micro, serialNos?: string[],
): Promise<Result<{ lines: PostingLine[]; consumed: Map<string, Micro> }>> {
  const line = (p: StockPick, serials: string[] = []): PostingLine => ({
    itemId: r.itemId, locationId: p.locationId, statusId: AVAILABLE, lotId: p.lotId, qty: -p.qty as Micro, serialNos: serials, at: '',
  });
  if (item.serialTracking === 'tracked') {
    if (!serialNos || serialNos.length !== qty / 1_000_000) {
      return failAt('bad_request', '/serialNos', `item ${item.itemNo} is serial tracked: name one serial number per unit shipped`);
    }
    const states = await tx.ledger.getSerials(r.itemId, serialNos);
    const byPlace = new Map<string, { pick: StockPick; serials: string[] }>();
    for (const [j, no] of serialNos.entries()) {
      const s = states.find((x) => x.serialNo === no);
      if (!s?.locationId || s.facilityId !== r.facilityId || s.statusId !== AVAILABLE) {
        return failAt('conflict', `/serialNos/${j}`, `serial ${no} is not available at the reservation's facility`);
      }
      const key = placeKey(s.locationId, s.lotId);
      const entry = byPlace.get(key) ?? { pick: { locationId: s.locationId, lotId: s.lotId, qty: ZERO }, serials: [] };
      entry.pick.qty = (entry.pick.qty + 1_000_000) as Micro;
      entry.serials.push(no);
      byPlace.set(key, entry);
    }
    const shipped = new Map([...byPlace].map(([key, e]) => [key, e.pick.qty]));
    return ok({ lines: [...byPlace.values()].map((e) => line(e.pick, e.serials)), consumed: consumedAllocations(allocations, shipped, r.qtyAllocated, qty) });
  }
  const plan = pickShipment(position, allocations, qty);
  if (!plan) return fail('insufficient_stock', `not enough allocated and unallocated stock at pickable locations to ship ${fromMicro(qty)}`);
  return ok({ lines: plan.picks.map((p) => line(p)), consumed: plan.consumed });
}

/**
 * Where a shipment of `qty` against a reservation comes from when nobody names the place:
 * the reservation's own allocations first (oldest first), then unallocated stock at pickable
 * locations in pick order, less `taken` (what the same command already took, per place).
 * `consumed` is the allocated quantity each place gives up. Null when there is not enough.
 */
export function pickShipment(
  position: StockPosition, allocations: readonly AllocationRecord[], qty: Micro, taken: ReadonlyMap<string, Micro> = new Map(),
): { picks: StockPick[]; consumed: Map<string, Micro> } | null {
  const consumed = new Map<string, Micro>();
  const picks: StockPick[] = [];
  let rest = qty as number;
  for (const a of [...allocations].sort((x, y) => x.createdAt.localeCompare(y.createdAt))) {
    if (rest <= 0) break;
    const q = Math.min(a.qty, rest) as Micro;
    if (q <= 0) continue;
    picks.push({ locationId: a.locationId, lotId: a.lotId, qty: q });
    consumed.set(placeKey(a.locationId, a.lotId), ((consumed.get(placeKey(a.locationId, a.lotId)) ?? 0) + q) as Micro);
    rest -= q;
  }
  if (rest > 0) {
    const more = pickStock(position, rest as Micro, taken);
    if (!more) return null;
    picks.push(...more);
  }
  return { picks, consumed };
}

/**
 * The allocations a shipment of `qty` against a reservation uses up, per place, when the
 * places it ships from are given (`shipped`: quantity per place key): at each place, the
 * reservation's own allocation there first; then, oldest first, as much of its other
 * allocations as keeps what stays allocated within what is left to fulfil. Never more than
 * `qty` in all.
 */
export function consumedAllocations(
  allocations: readonly AllocationRecord[], shipped: ReadonlyMap<string, Micro>, qtyAllocated: Micro, qty: Micro,
): Map<string, Micro> {
  const consumed = new Map<string, Micro>();
  let fromAllocations = 0;
  for (const [key, q] of shipped) {
    const own = allocations.filter((a) => placeKey(a.locationId, a.lotId) === key).reduce((s, a) => s + a.qty, 0);
    const c = Math.min(own, q, qty - fromAllocations);
    if (c > 0) consumed.set(key, ((consumed.get(key) ?? 0) + c) as Micro);
    fromAllocations += Math.max(0, c);
  }
  consumeAllocationsInOrder(allocations, consumed, Math.max(0, Math.min(qtyAllocated, qty) - fromAllocations));
  return consumed;
}

/** Serials shipped from places without an allocation still use up allocations, oldest first. */
function consumeAllocationsInOrder(allocations: readonly AllocationRecord[], consumed: Map<string, Micro>, qty: number): void {
  let rest = qty;
  for (const a of [...allocations].sort((x, y) => x.createdAt.localeCompare(y.createdAt))) {
    if (rest <= 0) return;
    const key = placeKey(a.locationId, a.lotId);
    const free = a.qty - (consumed.get(key) ?? 0);
    const c = Math.min(free, rest);
    if (c > 0) {
      consumed.set(key, ((consumed.get(key) ?? 0) + c) as Micro);
      rest -= c;
    }
  }
}

export function allocationView(a: AllocationRecord, lotNo: string | null): Allocation {
  return { ...a, lotNo, qty: fromMicro(a.qty) };
}
