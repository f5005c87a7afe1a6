// Work orders: build a quantity of a manufactured item at a facility from a pinned BOM
// version. Creating one explodes the BOM one level, blowing through phantoms (what is issued
// from stock), into component lines with the quantity each needs, scrap included and rounded
// up to its UOM (core/explosion.ts). `release` reserves every line at the facility, all or
// none (demand `work_order`). `complete` (the whole rest, or part: `qty`) issues each line's
// share of its requirement in one `production_issue` transaction, from the line's
// reservation (its allocations first, then unallocated stock in pick order, or only
// `componentLocationId` when given), and posts the output in one `production_output`
// transaction; both in one unit, so a refusal of either writes nothing. A partial completion
// keeps the order `released` with `qtyCompleted`; the last one makes it `completed`.
// `cancel` ends it before that: a draft, or a released order, whose reservations are
// released (after a partial completion this closes the order short: what was issued and made
// stays in the ledger).
import { recordHistory } from './event.js';
import { lotNo as lotNoSchema, serialNos as serialNosSchema } from './adjustment.js';
import { assert } from './assert.js';
import { explosionBom, explosionSnapshot, loadBomGraph, type BomRecord } from './bom.js';
import { documentNo, transition, holdsStock, itemQuantity, withChange, type Actor, type StatusChange } from './document.js';
import { explode } from './explosion.js';
import { newId } from './id.js';
import type { Item } from './item.js';
import type { Location } from './location.js';
import type { Page, PageRequest } from './page.js';
import { MAX_POSTING_LINES, post, type Consumption, type PostingLine } from './posting.js';
import { addMoney, negMoney, NO_MONEY, toMoney } from './money.js';
import type { Reader, Writer } from './ports.js';
import { DECIMALS, fromMicro, neg, ZERO, type Micro } from './quantity.js';
import {
  consumedAllocations, endReservation, isHolding, recordFulfilment, reserveAll, type AllocationRecord, type ReservationRecord,
} from './reservation.js';
import { fail, failAt, notFound, ok, type Detail, type Failure, type Result } from './result.js';
import { date, id, MAX_LINES, nullable, object, oneOf, positiveQuantity, string, type Schema } from './schema.js';
import { AVAILABLE } from './status.js';
import { pickOrder, placeKey, unallocated, type StockPick, type StockPosition } from './stock.js';

export const WORK_ORDER_STATUSES = ['draft', 'released', 'completed', 'cancelled'] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];
export const WORK_ORDER_ACTIONS = ['release', 'complete', 'cancel'] as const;
export type WorkOrderAction = (typeof WORK_ORDER_ACTIONS)[number];

/**
 * The state machine: for each state, the actions it allows and the states they may lead to.
 * `complete` keeps a released order released until its whole quantity is done (qtyCompleted
 * tells how far it is), then leads to completed. Terminal states allow nothing.
 */
export const WORK_ORDER_TRANSITIONS: Readonly<Record<WorkOrderStatus, Partial<Record<WorkOrderAction, readonly WorkOrderStatus[]>>>> = {
  draft: { release: ['released'], cancel: ['cancelled'] },
  released: { complete: ['released', 'completed'], cancel: ['cancelled'] },
  completed: {},
  cancelled: {},
};

/** The counter type work order numbers come from (see core/document.ts). */
export const WORK_ORDER_COUNTER = 'work_order';
export const WORK_ORDER_PREFIX = 'WO';
/** The reference type of a work order's ledger transactions. */
export const WORK_ORDER_REFERENCE = 'work_order';

export interface WorkOrderComponentRecord {
  id: string;
  lineNo: number;
  itemId: string;
  /** The whole order's requirement, in the item's base UOM, scrap included. */
  qtyRequired: Micro;
  qtyIssued: Micro;
  /** The line's reservation at the facility, once released. */
  reservationId: string | null;
}

/** One completion: what it made and the two transactions it posted. */
export interface WorkOrderCompletionRecord {
  id: string;
  workOrderId: string;
  /** 1, 2, ... within the work order. */
  completionNo: number;
  qty: Micro;
  /** Null when nothing was issued (components that are all services, or shares rounded to zero). */
  issueTransactionId: string | null;
  outputTransactionId: string;
  lotId: string | null;
  lotNo: string | null;
  createdAt: string;
}

export interface WorkOrderRecord {
  id: string;
  workOrderNo: string;
  itemId: string;
  /** The BOM pinned at creation, and its version number. */
  bomId: string;
  bomVersion: number;
  facilityId: string;
  outputLocationId: string;
  componentLocationId: string | null;
  qty: Micro;
  qtyCompleted: Micro;
  status: WorkOrderStatus;
  notes: string | null;
  components: WorkOrderComponentRecord[];
  completions: WorkOrderCompletionRecord[];
  statusHistory: Array<StatusChange<WorkOrderStatus>>;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Where a produced lot came from. */
export interface LotOrigin {
  lotId: string;
  itemId: string;
  workOrderId: string;
  workOrderNo: string;
  bomId: string;
  bomVersion: number;
  createdAt: string;
}

export interface WorkOrderComponent {
  id: string;
  lineNo: number;
  itemId: string;
  qtyRequired: number;
  qtyIssued: number;
  reservationId: string | null;
}

export interface WorkOrderCompletion extends Omit<WorkOrderCompletionRecord, 'qty' | 'workOrderId'> {
  qty: number;
}

export interface WorkOrder extends Omit<WorkOrderRecord, 'qty' | 'qtyCompleted' | 'components' | 'completions'> {
  qty: number;
  qtyCompleted: number;
  components: WorkOrderComponent[];
  completions: WorkOrderCompletion[];
}

export interface WorkOrderFilter {
  status?: WorkOrderStatus;
  itemId?: string;
  facilityId?: string;
  /** Part of the work order number, in any case. */
  q?: string;
}

export interface WorkOrderInput {
  itemId: string;
  qty: number;
  facilityId: string;
  bomId?: string | null;
  outputLocationId: string;
  componentLocationId?: string | null;
  notes?: string | null;
}

export interface CompleteInput {
  qty?: number;
  lotNo?: string;
  expiresOn?: string;
  serialNos?: string[];
  componentLocationId?: string;
}

/** A lot a client reads: the lot, and the work order and BOM version that made it. */
export interface ProductionLot {
  id: string;
  itemId: string;
  lotNo: string;
  expiresOn: string | null;
  createdAt: string;
  origin: { type: 'work_order'; workOrderId: string; workOrderNo: string; bomId: string; bomVersion: number } | null;
}

export const workOrderInputSchema: Schema = object(
  {
    itemId: id,
    qty: positiveQuantity,
    facilityId: id,
    bomId: nullable(id),
    outputLocationId: id,
    componentLocationId: nullable(id),
    notes: nullable(string(0, 2000)),
  },
  ['itemId', 'qty', 'facilityId', 'outputLocationId'],
);

export const completeInputSchema: Schema = object({
  qty: positiveQuantity,
  lotNo: lotNoSchema,
  expiresOn: date,
  serialNos: serialNosSchema,
  componentLocationId: id,
});

export const workOrderListQuery: Record<string, Schema> = {
  status: oneOf(WORK_ORDER_STATUSES), itemId: id, facilityId: id, q: string(1, 64),
};

// --- the state machine, pure ----------------------------------------------------------------

export function allowed(status: WorkOrderStatus, action: WorkOrderAction): Result<readonly WorkOrderStatus[]> {
  return transition(WORK_ORDER_TRANSITIONS, 'work order', ACTION_PHRASES, status, action);
}

const ACTION_PHRASES: Record<WorkOrderAction, string> = { release: 'be released', complete: 'be completed', cancel: 'be cancelled' };

/** The state after `action`: the one outcome of release and cancel; for complete, what qtyCompleted shows. */
export function nextStatus(status: WorkOrderStatus, action: WorkOrderAction, progress: Pick<WorkOrderRecord, 'qty' | 'qtyCompleted'>): Result<WorkOrderStatus> {
  const outcomes = allowed(status, action);
  if (!outcomes.ok) return outcomes;
  const to = action === 'complete' ? (progress.qtyCompleted === progress.qty ? 'completed' : 'released') : outcomes.value[0]!;
  assert(outcomes.value.includes(to), `${action} of a ${status} work order leads to one of ${outcomes.value.join(', ')}, not ${to}`);
  return ok(to);
}

/**
 * A line's cumulative share of its requirement once `done` of `total` is completed:
 * required × done / total, exact, rounded up to the component's UOM step. It grows with
 * `done` and is the whole requirement when done = total, so the issues of successive partial
 * completions add up to exactly what was reserved.
 */
export function cumulativeShare(required: Micro, done: Micro, total: Micro, decimals: number): Micro {
  assert(total > 0 && done >= 0 && done <= total, 'a share of a positive total');
  const step = 10n ** BigInt(DECIMALS - decimals);
  const num = BigInt(required) * BigInt(done);
  const den = BigInt(total) * step;
  const q = num / den + (num % den === 0n ? 0n : 1n);
  return Number(q * step) as Micro;
}

/**
 * Where an issue of `qty` comes from: the line's own allocations first (oldest first), then
 * unallocated stock at pickable locations in pick order (FEFO, then FIFO); with `locationId`,
 * only there (pickable or not). Null when there is not enough. One pick per place.
 */
export function issuePicks(
  position: StockPosition | undefined, own: readonly AllocationRecord[], qty: Micro, locationId: string | null,
): StockPick[] | null {
  const picks = new Map<string, StockPick>();
  const take = (loc: string, lotId: string | null, q: number) => {
    const key = placeKey(loc, lotId);
    const p = picks.get(key);
    if (p) p.qty = (p.qty + q) as Micro;
    else picks.set(key, { locationId: loc, lotId, qty: q as Micro });
  };
  let rest = qty as number;
  for (const a of [...own].filter((x) => locationId === null || x.locationId === locationId).sort((x, y) => x.createdAt.localeCompare(y.createdAt))) {
    if (rest <= 0) break;
    const q = Math.min(a.qty, rest);
    take(a.locationId, a.lotId, q);
    rest -= q;
  }
  const places = (position?.locations ?? []).filter((l) => (locationId === null ? l.isPickable : l.locationId === locationId)).sort(pickOrder);
  for (const l of places) {
    if (rest <= 0) break;
    const q = Math.min(unallocated(l), rest);
    if (q <= 0) continue;
    take(l.locationId, l.lotId, q);
    rest -= q;
  }
  return rest > 0 ? null : [...picks.values()];
}

// --- views ---------------------------------------------------------------------------------

export function workOrderView(w: WorkOrderRecord): WorkOrder {
  return {
    ...w,
    qty: fromMicro(w.qty),
    qtyCompleted: fromMicro(w.qtyCompleted),
    components: w.components.map((c) => ({
      id: c.id, lineNo: c.lineNo, itemId: c.itemId, qtyRequired: fromMicro(c.qtyRequired), qtyIssued: fromMicro(c.qtyIssued), reservationId: c.reservationId,
    })),
    completions: w.completions.map(({ workOrderId: _, ...c }) => ({ ...c, qty: fromMicro(c.qty) })),
    statusHistory: w.statusHistory.map((h) => ({ ...h })),
  };
}

export async function getWorkOrder(r: Reader, id: string): Promise<Result<WorkOrder>> {
  const w = await r.production.getWorkOrder(id);
  return w ? ok(workOrderView(w)) : notFound('work order');
}

export async function listWorkOrders(r: Reader, filter: WorkOrderFilter, page: PageRequest): Promise<Page<WorkOrder>> {
  const p = await r.production.listWorkOrders(filter, page);
  return { items: p.items.map(workOrderView), total: p.total };
}

/** A lot with the work order and BOM version that produced it (origin null for other lots). */
export async function getProductionLot(r: Reader, lotId: string): Promise<Result<ProductionLot>> {
  const [lot] = await r.ledger.getLots([lotId]);
  if (!lot) return notFound('lot');
  const origin = await r.production.getLotOrigin(lotId);
  return ok({
    id: lot.id, itemId: lot.itemId, lotNo: lot.lotNo, expiresOn: lot.expiresOn, createdAt: lot.createdAt,
    origin: origin && { type: 'work_order', workOrderId: origin.workOrderId, workOrderNo: origin.workOrderNo, bomId: origin.bomId, bomVersion: origin.bomVersion },
  });
}

// --- commands ------------------------------------------------------------------------------

const distinct = (xs: ReadonlyArray<string | null | undefined>) => [...new Set(xs.filter((x): x is string => x != null))];

/** A location of the work order's facility that can hold stock (not its transit location). */
async function placeIn(tx: Writer, facilityId: string, locationId: string, field: string): Promise<Result<Location>> {
  const [location] = await tx.facilities.getLocations([locationId]);
  if (!location || location.facilityId !== facilityId) return notFound('location in the work order\'s facility', `/${field}`);
  if (location.type === 'transit') return failAt('bad_request', `/${field}`, 'production uses a storage location, not transit');
  return ok(location);
}

/** The BOM a new work order pins: the one named (active, of the item), else the item's active one. */
async function pinnedBom(tx: Writer, item: Item, bomId: string | null): Promise<Result<BomRecord>> {
  let pinned = bomId;
  if (pinned === null) {
    const [active] = await tx.production.getActiveBoms([item.id]);
    if (!active) return failAt('conflict', '/bomId', `item ${item.itemNo} has no active BOM`);
    pinned = active.id;
  }
  // In a write unit on PostgreSQL this locks the BOM: its status is current, not a moment old.
  const bom = await tx.production.getBom(pinned);
  if (!bom) return notFound('BOM', '/bomId');
  if (bom.itemId !== item.id) return failAt('bad_request', '/bomId', `is a BOM of another item than ${item.itemNo}`);
  if (bom.status !== 'active') return failAt('invalid_state', '/bomId', `BOM version ${bom.version} is ${bom.status}: a work order uses an active BOM`);
  return ok(bom);
}

/** The component lines of `qty` of the BOM's item: one level, through phantoms, per item. */
async function requirementLines(tx: Writer, bom: BomRecord, qty: Micro): Promise<Result<WorkOrderComponentRecord[]>> {
  const graph = await loadBomGraph(tx, [bom.itemId], bom.components.map((c) => c.itemId));
  const e = explode(explosionSnapshot(graph), explosionBom(bom), qty, { levels: 1, tree: false });
  if (!e.ok) return { ...e, details: [{ path: '/bomId', message: e.message }] };
  const lines: WorkOrderComponentRecord[] = [];
  for (const r of e.value.flattened) {
    if (r.itemKind === 'service') continue; // listed by the explosion; never issued from stock
    if (r.itemKind === 'phantom') return failAt('conflict', '/bomId', `phantom component ${r.itemNo} has no active BOM to explode through`);
    const item = graph.items.get(r.itemId)!;
    if (item.serialTracking === 'tracked') {
      return failAt('bad_request', '/bomId', `component ${item.itemNo} is serial tracked: work orders do not issue serial-tracked components`);
    }
    lines.push({ id: newId(), lineNo: lines.length + 1, itemId: r.itemId, qtyRequired: r.qty, qtyIssued: ZERO, reservationId: null });
  }
  if (lines.length > MAX_LINES) return failAt('bad_request', '/bomId', `the BOM needs ${lines.length} components; a work order issues at most ${MAX_LINES}`);
  return ok(lines);
}

export async function createWorkOrder(tx: Writer, input: WorkOrderInput, now: string, by: Actor | null = null): Promise<Result<WorkOrder>> {
  const [item] = await tx.catalog.getItems([input.itemId]);
  if (!item) return notFound('item', '/itemId');
  if (!holdsStock(item)) return failAt('bad_request', '/itemId', `item ${item.itemNo} is a ${item.itemKind} item and holds no stock`);
  if (!(await tx.facilities.getFacility(input.facilityId))) return notFound('facility', '/facilityId');
  const output = await placeIn(tx, input.facilityId, input.outputLocationId, 'outputLocationId');
  if (!output.ok) return output;
  if (input.componentLocationId != null) {
    const from = await placeIn(tx, input.facilityId, input.componentLocationId, 'componentLocationId');
    if (!from.ok) return from;
  }
  const qty = itemQuantity(item, (await tx.catalog.getUom(item.baseUomId)) ?? undefined, input.qty, '/qty');
  if (!qty.ok) return qty;
  const bom = await pinnedBom(tx, item, input.bomId ?? null);
  if (!bom.ok) return bom;
  const lines = await requirementLines(tx, bom.value, qty.value);
  if (!lines.ok) return lines;
  const n = await tx.documents.nextNumber(WORK_ORDER_COUNTER);
  const workOrder: WorkOrderRecord = {
    id: newId(),
    workOrderNo: documentNo(WORK_ORDER_PREFIX, n),
    itemId: item.id,
    bomId: bom.value.id,
    bomVersion: bom.value.version,
    facilityId: input.facilityId,
    outputLocationId: input.outputLocationId,
    componentLocationId: input.componentLocationId ?? null,
    qty: qty.value,
    qtyCompleted: ZERO,
    status: 'draft',
    notes: input.notes ?? null,
    components: lines.value,
    completions: [],
    statusHistory: withChange([], null, 'draft', now, by),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await tx.production.insertWorkOrder(workOrder);
  await recordHistory(tx, { type: 'work_order', id: workOrder.id, number: workOrder.workOrderNo }, [], workOrder.statusHistory);
  return ok(workOrderView(workOrder));
}

/** Loads a work order for an action: not found, or the state machine's verdict. */
async function forAction(tx: Writer, id: string, action: WorkOrderAction): Promise<Result<WorkOrderRecord>> {
  const w = await tx.production.getWorkOrder(id);
  if (!w) return notFound('work order');
  const can = allowed(w.status, action);
  return can.ok ? ok(w) : can;
}

async function save(tx: Writer, w: WorkOrderRecord, next: WorkOrderRecord, action: WorkOrderAction, now: string, by: Actor | null): Promise<Result<WorkOrder>> {
  const status = nextStatus(w.status, action, next);
  if (!status.ok) return status;
  const saved: WorkOrderRecord = {
    ...next,
    status: status.value,
    statusHistory: withChange(w.statusHistory, w.status, status.value, now, by),
    updatedAt: now,
    version: w.version + 1,
  };
  await tx.production.updateWorkOrder(saved);
  await recordHistory(tx, { type: 'work_order', id: saved.id, number: saved.workOrderNo }, w.statusHistory, saved.statusHistory);
  return ok(workOrderView(saved));
}

/**
 * Reserves every component line at the facility, all or none: lines are checked together,
 * and a short one is a 409 insufficient_stock naming it (`/components/<i>/qty`); the order
 * stays a draft.
 */
export async function releaseWorkOrder(tx: Writer, id: string, now: string, by: Actor | null = null): Promise<Result<WorkOrder>> {
  const found = await forAction(tx, id, 'release');
  if (!found.ok) return found;
  const w = found.value;
  const reserved = w.components.length === 0 ? ok([]) : await reserveAll(tx, w.components.map((l, i) => ({
    itemId: l.itemId,
    facilityId: w.facilityId,
    qty: fromMicro(l.qtyRequired),
    demand: { type: 'work_order' as const, id: w.id, lineId: l.id },
    expiresAt: null,
    at: `/components/${i}`,
  })), now);
  if (!reserved.ok) return reserved;
  return save(tx, w, { ...w, components: w.components.map((l, i) => ({ ...l, reservationId: reserved.value[i]!.id })) }, 'release', now, by);
}

interface LineIssue {
  index: number;
  line: WorkOrderComponentRecord;
  qty: Micro;
  picks: StockPick[];
  reservation: ReservationRecord | null;
  allocations: AllocationRecord[];
  /** The reservation quantity this issue ends, and the allocated part of it per place. */
  consumedQty: Micro;
  consumed: Map<string, Micro>;
}

/**
 * Completes `qty` (default: all that is left): issues each component line's share, scrap
 * included, in one production_issue, and posts the output in one production_output, in one
 * unit; if either posting is refused, nothing is written. A lot-tracked output needs `lotNo`
 * (a new lot records this work order and its BOM version; an existing lot must be one this
 * order made), an expiry-tracked one `expiresOn` for a new lot, a serial-tracked one
 * `serialNos`.
 */
export async function completeWorkOrder(
  tx: Writer, id: string, input: CompleteInput, now: string, by: Actor | null = null,
): Promise<Result<WorkOrder>> {
  const found = await forAction(tx, id, 'complete');
  if (!found.ok) return found;
  const w = found.value;
  const [item] = await tx.catalog.getItems([w.itemId]);
  assert(item, `item ${w.itemId} of work order ${w.id} exists`);
  const remaining = (w.qty - w.qtyCompleted) as Micro;
  const qty = input.qty === undefined ? ok(remaining) : itemQuantity(item, (await tx.catalog.getUom(item.baseUomId)) ?? undefined, input.qty, '/qty');
  if (!qty.ok) return qty;
  if (qty.value > remaining) return failAt('conflict', '/qty', `the work order has ${fromMicro(remaining)} left to complete, not ${fromMicro(qty.value)}`);
  let componentLocationId = w.componentLocationId;
  if (input.componentLocationId !== undefined) {
    const from = await placeIn(tx, w.facilityId, input.componentLocationId, 'componentLocationId');
    if (!from.ok) return from;
    componentLocationId = from.value.id;
  }
  let existingLot = false;
  if (input.lotNo !== undefined && item.lotTracking === 'tracked') {
    const [lot] = await tx.ledger.findLots([{ itemId: item.id, lotNo: input.lotNo }]);
    if (lot) {
      const origin = await tx.production.getLotOrigin(lot.id);
      if (origin?.workOrderId !== w.id) return failAt('conflict', '/lotNo', `lot ${input.lotNo} of item ${item.itemNo} exists and was not made by this work order`);
      existingLot = true;
    }
  }

  const done = (w.qtyCompleted + qty.value) as Micro;
  const plan = await issuePlan(tx, w, done, componentLocationId, now);
  if (!plan.ok) return plan;
  const issues = plan.value;
  const reference = { type: WORK_ORDER_REFERENCE, id: w.id };
  let issueTransactionId: string | null = null;
  // The output is worth exactly what the components it consumed took out of stock.
  let consumedValue = NO_MONEY;
  if (issues.length > 0) {
    const lines: PostingLine[] = issues.flatMap((x) => x.picks.map((p) => ({
      itemId: x.line.itemId, locationId: p.locationId, statusId: AVAILABLE, lotId: p.lotId, qty: neg(p.qty), at: `/components/${x.index}`,
    })));
    if (lines.length > MAX_POSTING_LINES) {
      return failAt('bad_request', '/qty', `the components come from ${lines.length} places; complete less at once (at most ${MAX_POSTING_LINES} per issue)`);
    }
    const consumes: Consumption[] = issues.filter((x) => x.reservation !== null && x.consumedQty > 0).map((x) => ({
      itemId: x.line.itemId, facilityId: w.facilityId, qty: x.consumedQty, places: x.consumed,
    }));
    const issued = await post(tx, { type: 'production_issue', reference, lines, consumes }, now);
    if (!issued.ok) return issued;
    issueTransactionId = issued.value.id;
    for (const l of issued.value.lines) consumedValue = addMoney(consumedValue, negMoney(toMoney(l.valueDelta)!));
  }
  const made = await post(tx, {
    type: 'production_output',
    reference,
    lines: [{
      itemId: item.id, locationId: w.outputLocationId, statusId: AVAILABLE, lotNo: input.lotNo ?? null, expiresOn: input.expiresOn ?? null,
      serialNos: input.serialNos ?? [], qty: qty.value, at: '', fields: { locationId: 'outputLocationId' },
      cost: { kind: 'value', value: consumedValue },
    }],
  }, now);
  if (!made.ok) return made;

  for (const x of issues) {
    if (x.reservation && x.consumedQty > 0) await recordFulfilment(tx, x.reservation, x.allocations, x.consumed, x.consumedQty, now);
  }
  const out = made.value.lines[0]!;
  if (out.lotId !== null && !existingLot) {
    await tx.production.insertLotOrigin({ lotId: out.lotId, itemId: item.id, workOrderId: w.id, bomId: w.bomId, bomVersion: w.bomVersion, createdAt: now });
  }
  const completion: WorkOrderCompletionRecord = {
    id: newId(), workOrderId: w.id, completionNo: w.completions.length + 1, qty: qty.value, issueTransactionId,
    outputTransactionId: made.value.id, lotId: out.lotId, lotNo: out.lotNo, createdAt: now,
  };
  await tx.production.insertCompletion(completion);
  const issuedNow = new Map(issues.map((x) => [x.line.id, x.qty]));
  return save(tx, w, {
    ...w,
    qtyCompleted: done,
    components: w.components.map((l) => ({ ...l, qtyIssued: (l.qtyIssued + (issuedNow.get(l.id) ?? 0)) as Micro })),
    completions: [...w.completions, completion],
  }, 'complete', now, by);
}

/**
 * What each line issues once `done` is completed (its cumulative share less what it issued
 * before) and from where; every short line is named (`/components/<i>/qty`) in one 409.
 */
async function issuePlan(tx: Writer, w: WorkOrderRecord, done: Micro, locationId: string | null, now: string): Promise<Result<LineIssue[]>> {
  const items = await tx.catalog.getItems(distinct(w.components.map((l) => l.itemId)));
  const uoms = new Map((await tx.catalog.getUoms(distinct(items.map((i) => i.baseUomId)))).map((u) => [u.id, u]));
  const decimalsOf = new Map(items.map((i) => [i.id, uoms.get(i.baseUomId)?.decimals ?? DECIMALS]));
  const wanted = w.components.map((line, index) => ({
    index, line, qty: (cumulativeShare(line.qtyRequired, done, w.qty, decimalsOf.get(line.itemId)!) - line.qtyIssued) as Micro,
  })).filter((x) => x.qty > 0);
  if (wanted.length === 0) return ok([]);
  const positions = new Map((await tx.ledger.getStockPositions(wanted.map((x) => ({ itemId: x.line.itemId, facilityId: w.facilityId })), now))
    .map((p) => [p.itemId, p]));
  const issues: LineIssue[] = [];
  const short: Detail[] = [];
  for (const x of wanted) {
    const found = x.line.reservationId === null ? null : await tx.reservations.getReservation(x.line.reservationId);
    // A reservation ended by hand (through the reservations API) no longer holds: free stock it is.
    const reservation = found && isHolding(found, now) ? found : null;
    const allocations = reservation ? await tx.reservations.getAllocations(reservation.id) : [];
    const picks = issuePicks(positions.get(x.line.itemId), allocations, x.qty, locationId);
    if (!picks) {
      short.push({ path: `/components/${x.index}/qty`, message: `component line ${x.line.lineNo}: ${fromMicro(x.qty)} to issue${locationId ? ' from the component location' : ''}, not there to take` });
      continue;
    }
    const consumedQty = reservation ? (Math.min(x.qty, reservation.qty - reservation.qtyFulfilled) as Micro) : ZERO;
    const shipped = new Map(picks.map((p) => [placeKey(p.locationId, p.lotId), p.qty]));
    const consumed = reservation && consumedQty > 0 ? consumedAllocations(allocations, shipped, reservation.qtyAllocated, consumedQty) : new Map<string, Micro>();
    issues.push({ ...x, picks, reservation, allocations, consumedQty, consumed });
  }
  if (short.length) return shortage(short);
  return ok(issues);
}

function shortage(details: Detail[]): Failure {
  return fail('insufficient_stock', `not enough of the components: ${details.map((d) => d.message).join('; ')}`, details);
}

/** Cancels a draft or released work order; the reservations still holding are released. */
export async function cancelWorkOrder(tx: Writer, id: string, now: string, by: Actor | null = null): Promise<Result<WorkOrder>> {
  const found = await forAction(tx, id, 'cancel');
  if (!found.ok) return found;
  const w = found.value;
  for (const l of w.components) {
    if (l.reservationId === null) continue;
    const r = await tx.reservations.getReservation(l.reservationId);
    if (!r || !isHolding(r, now)) continue;
    const ended = await endReservation(tx, r.id, 'release', now);
    if (!ended.ok) return ended;
  }
  return save(tx, w, w, 'cancel', now, by);
}
