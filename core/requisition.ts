// Purchase requisitions: what a facility asks to buy, before anyone has chosen to order it.
// A draft is edited freely, submitted, then approved or rejected; an approved requisition is
// converted into draft purchase orders, one per supplier, and becomes `ordered`. Draft,
// submitted and approved requisitions can be cancelled. Replenishment suggestions turn into
// draft requisitions, one per facility (`requisitionsFromReplenishment`).
import { recordHistory } from './event.js';
import { assert } from './assert.js';
import { documentNo, transition, withChange, type Actor } from './document.js';
import { newId } from './id.js';
import type { Page, PageRequest } from './page.js';
import type { PartyRecord } from './party.js';
import type { Reader, Writer } from './ports.js';
import { decideLines, insertPurchaseOrder, type NewLine } from './purchase-order.js';
import {
  activeSuppliers, distinct, lineQuantity, loadCatalog, orderableItem, type RequisitionFilter, type RequisitionLineRecord,
  type RequisitionRecord, type RequisitionStatus,
} from './purchasing.js';
import { fromMicro, multiply, ZERO, type Micro } from './quantity.js';
import { suggestReplenishment } from './replenishment.js';
import { fail, notFound, ok, type Detail, type Result } from './result.js';
import { array, date, id, MAX_LINES, nullable, object, positiveQuantity, string, type Schema } from './schema.js';
import { positionKey } from './stock.js';

export const REQUISITION_ACTIONS = ['update', 'submit', 'approve', 'reject', 'convert', 'cancel'] as const;
export type RequisitionAction = (typeof REQUISITION_ACTIONS)[number];

/**
 * The state machine: for each state, the actions it allows and the state each leads to.
 * `update` (PATCH) keeps a draft a draft. Rejected, ordered and cancelled are terminal.
 */
export const REQUISITION_TRANSITIONS: Readonly<Record<RequisitionStatus, Partial<Record<RequisitionAction, RequisitionStatus>>>> = {
  draft: { update: 'draft', submit: 'submitted', cancel: 'cancelled' },
  submitted: { approve: 'approved', reject: 'rejected', cancel: 'cancelled' },
  approved: { convert: 'ordered', cancel: 'cancelled' },
  rejected: {},
  ordered: {},
  cancelled: {},
};

export const REQUISITION_COUNTER = 'requisition';
export const REQUISITION_PREFIX = 'RQ';

// --- inputs --------------------------------------------------------------------------------

export interface RequisitionLineInput {
  itemId: string;
  qty: number;
  uomId?: string | null;
  neededBy?: string | null;
  supplierId?: string | null;
}

export interface RequisitionInput {
  facilityId: string;
  notes?: string | null;
  lines: RequisitionLineInput[];
}

export type RequisitionPatch = Partial<RequisitionInput>;

export interface ReplenishmentRequisitionInput {
  facilityId?: string;
  policyIds?: string[];
}

const lineSchema = object(
  { itemId: id, qty: positiveQuantity, uomId: nullable(id), neededBy: nullable(date), supplierId: nullable(id) },
  ['itemId', 'qty'],
);
const fields: Record<string, Schema> = { facilityId: id, notes: nullable(string(0, 2000)), lines: array(lineSchema, MAX_LINES, 1) };

export const requisitionInputSchema: Schema = object(fields, ['facilityId', 'lines']);
export const requisitionPatchSchema: Schema = { ...object(fields), minProperties: 1 };
export const replenishmentRequisitionSchema: Schema = object({
  facilityId: id,
  policyIds: { ...array(id, MAX_LINES, 1), uniqueItems: true },
});

// --- the state machine, pure ----------------------------------------------------------------

const ACTION_PHRASES: Record<RequisitionAction, string> = {
  update: 'be changed', submit: 'be submitted', approve: 'be approved', reject: 'be rejected', convert: 'be converted to purchase orders',
  cancel: 'be cancelled',
};

/** The state `action` leads to from `status`, or invalid_state. */
export function requisitionTransition(status: RequisitionStatus, action: RequisitionAction): Result<RequisitionStatus> {
  return transition(REQUISITION_TRANSITIONS, 'requisition', ACTION_PHRASES, status, action);
}

export interface Group {
  supplierId: string;
  /** Indexes of the requisition's lines, in line order. */
  lines: number[];
}

/** Lines grouped by supplier, suppliers in the order their first line comes: one purchase order each. */
export function groupBySupplier(supplierIds: readonly string[]): Group[] {
  const groups = new Map<string, Group>();
  supplierIds.forEach((supplierId, i) => {
    const g = groups.get(supplierId) ?? { supplierId, lines: [] };
    g.lines.push(i);
    groups.set(supplierId, g);
  });
  return [...groups.values()];
}

// --- views ---------------------------------------------------------------------------------

export interface RequisitionLine {
  id: string;
  lineNo: number;
  itemId: string;
  qty: number;
  uomId: string;
  neededBy: string | null;
  supplierId: string | null;
  purchaseOrderId: string | null;
}

export interface Requisition extends Omit<RequisitionRecord, 'lines'> {
  lines: RequisitionLine[];
}

export function requisitionView(r: RequisitionRecord): Requisition {
  return {
    id: r.id,
    requisitionNo: r.requisitionNo,
    facilityId: r.facilityId,
    status: r.status,
    notes: r.notes,
    lines: r.lines.map((l) => ({
      id: l.id, lineNo: l.lineNo, itemId: l.itemId, qty: fromMicro(l.qty), uomId: l.uomId, neededBy: l.neededBy,
      supplierId: l.supplierId, purchaseOrderId: l.purchaseOrderId,
    })),
    statusHistory: r.statusHistory.map((h) => ({ ...h })),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    version: r.version,
  };
}

export async function getRequisition(r: Reader, id: string): Promise<Result<Requisition>> {
  const found = await r.purchasing.getRequisition(id);
  return found ? ok(requisitionView(found)) : notFound('requisition');
}

export async function listRequisitions(r: Reader, filter: RequisitionFilter, page: PageRequest): Promise<Page<Requisition>> {
  const p = await r.purchasing.listRequisitions(filter, page);
  return { items: p.items.map(requisitionView), total: p.total };
}

// --- commands ------------------------------------------------------------------------------

/** The lines as records: items orderable, quantities exact in their UOM, suppliers existing and active. */
async function decideRequisitionLines(tx: Writer, lines: readonly RequisitionLineInput[]): Promise<Result<RequisitionLineRecord[]>> {
  const catalog = await loadCatalog(tx, lines.map((l) => l.itemId), lines.map((l) => l.uomId));
  const records: RequisitionLineRecord[] = [];
  for (const [i, l] of lines.entries()) {
    const item = orderableItem(catalog, l.itemId, `/lines/${i}/itemId`);
    if (!item.ok) return item;
    const q = lineQuantity(catalog, item.value, l.qty, l.uomId, `/lines/${i}`);
    if (!q.ok) return q;
    records.push({
      id: newId(), lineNo: i + 1, itemId: l.itemId, ...q.value, neededBy: l.neededBy ?? null, supplierId: l.supplierId ?? null,
      purchaseOrderId: null,
    });
  }
  const suppliers = await activeSuppliers(tx, records.flatMap((l, i) => (l.supplierId ? [{ supplierId: l.supplierId, path: `/lines/${i}/supplierId` }] : [])));
  return suppliers.ok ? ok(records) : suppliers;
}

async function insertRequisition(
  tx: Writer, facilityId: string, notes: string | null, lines: RequisitionLineRecord[], now: string, by: Actor | null,
): Promise<RequisitionRecord> {
  const n = await tx.documents.nextNumber(REQUISITION_COUNTER);
  const r: RequisitionRecord = {
    id: newId(),
    requisitionNo: documentNo(REQUISITION_PREFIX, n),
    facilityId,
    status: 'draft',
    notes,
    lines,
    statusHistory: withChange([], null, 'draft', now, by),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await tx.purchasing.insertRequisition(r);
  await recordHistory(tx, { type: 'requisition', id: r.id, number: r.requisitionNo }, [], r.statusHistory);
  return r;
}

export async function createRequisition(tx: Writer, input: RequisitionInput, now: string, by: Actor | null = null): Promise<Result<Requisition>> {
  if (!(await tx.facilities.getFacility(input.facilityId))) return notFound('facility', '/facilityId');
  const lines = await decideRequisitionLines(tx, input.lines);
  if (!lines.ok) return lines;
  return ok(requisitionView(await insertRequisition(tx, input.facilityId, input.notes ?? null, lines.value, now, by)));
}

/** Changes a draft; lines, when given, replace its lines wholesale. */
export async function patchRequisition(tx: Writer, id: string, patch: RequisitionPatch, now: string, ifMatch?: number): Promise<Result<Requisition>> {
  const r = await tx.purchasing.getRequisition(id);
  if (!r) return notFound('requisition');
  if (ifMatch !== undefined && ifMatch !== r.version) return fail('conflict', `requisition is at version ${r.version}, not ${ifMatch}`);
  const can = requisitionTransition(r.status, 'update');
  if (!can.ok) return can;
  if (patch.facilityId !== undefined && !(await tx.facilities.getFacility(patch.facilityId))) return notFound('facility', '/facilityId');
  let lines = r.lines;
  if (patch.lines !== undefined) {
    const decided = await decideRequisitionLines(tx, patch.lines);
    if (!decided.ok) return decided;
    lines = decided.value;
  }
  const next: RequisitionRecord = {
    ...r,
    facilityId: patch.facilityId ?? r.facilityId,
    notes: patch.notes !== undefined ? patch.notes : r.notes,
    lines,
    updatedAt: now,
    version: r.version + 1,
  };
  await tx.purchasing.updateRequisition(next, { replaceLines: patch.lines !== undefined });
  return ok(requisitionView(next));
}

async function save(
  tx: Writer, r: RequisitionRecord, lines: RequisitionLineRecord[], action: RequisitionAction, now: string, by: Actor | null,
): Promise<Requisition> {
  const to = requisitionTransition(r.status, action);
  assert(to.ok, `${action} of requisition ${r.id} was allowed`);
  const next: RequisitionRecord = {
    ...r,
    lines,
    status: to.value,
    statusHistory: withChange(r.statusHistory, r.status, to.value, now, by),
    updatedAt: now,
    version: r.version + 1,
  };
  await tx.purchasing.updateRequisition(next);
  await recordHistory(tx, { type: 'requisition', id: next.id, number: next.requisitionNo }, r.statusHistory, next.statusHistory);
  return requisitionView(next);
}

async function forAction(tx: Writer, id: string, action: RequisitionAction): Promise<Result<RequisitionRecord>> {
  const r = await tx.purchasing.getRequisition(id);
  if (!r) return notFound('requisition');
  const can = requisitionTransition(r.status, action);
  return can.ok ? ok(r) : can;
}

async function act(tx: Writer, id: string, action: 'submit' | 'approve' | 'reject' | 'cancel', now: string, by: Actor | null): Promise<Result<Requisition>> {
  const found = await forAction(tx, id, action);
  return found.ok ? ok(await save(tx, found.value, found.value.lines, action, now, by)) : found;
}

export const submitRequisition = (tx: Writer, id: string, now: string, by: Actor | null = null) => act(tx, id, 'submit', now, by);
export const approveRequisition = (tx: Writer, id: string, now: string, by: Actor | null = null) => act(tx, id, 'approve', now, by);
export const rejectRequisition = (tx: Writer, id: string, now: string, by: Actor | null = null) => act(tx, id, 'reject', now, by);
/** Cancels a draft, submitted or approved requisition. */
export const cancelRequisition = (tx: Writer, id: string, now: string, by: Actor | null = null) => act(tx, id, 'cancel', now, by);

/**
 * Converts an approved requisition into draft purchase orders, one per supplier, and marks
 * it ordered. A line's supplier is its own, else the preferred supplier of the item's reorder
 * policy at the requisition's facility; lines with neither (or whose policy names no
 * supplier on file) are a 400 naming each (`/lines/<i>/supplierId`), and an inactive
 * supplier or item a 409 invalid_state; nothing is created then. Each order line keeps the
 * requisition line's quantity and UOM and remembers the line; its price is the supplier's
 * last price for the item in that UOM (0 when there is none, or when it would not give an
 * exact amount), for the buyer to confirm while the order is a draft. An order's currency is
 * the supplier's, and it is expected on the earliest date its lines are needed by.
 */
export async function convertRequisition(tx: Writer, id: string, now: string, by: Actor | null = null): Promise<Result<Requisition>> {
  const found = await forAction(tx, id, 'convert');
  if (!found.ok) return found;
  const r = found.value;
  const supplierIds: string[] = [];
  const missing: Detail[] = [];
  for (const [i, l] of r.lines.entries()) {
    let supplierId = l.supplierId;
    if (supplierId === null) {
      const preferred = (await tx.policies.findPolicy(l.itemId, r.facilityId))?.preferredSupplierId ?? null;
      // A policy may name any UUID; only a supplier on file can take an order.
      if (preferred !== null && (await tx.parties.getParty('supplier', preferred))) supplierId = preferred;
    }
    if (supplierId === null) missing.push({ path: `/lines/${i}/supplierId`, message: `line ${l.lineNo} has no supplier, and its item's reorder policy names none` });
    supplierIds.push(supplierId ?? '');
  }
  if (missing.length) return fail('bad_request', `lines without a supplier: ${missing.map((d) => d.path).join(', ')}`, missing);
  const active = await activeSuppliers(tx, supplierIds.map((supplierId, i) => ({ supplierId, path: `/lines/${i}/supplierId` })));
  if (!active.ok) return active;

  const orderOf = new Map<number, string>();
  for (const group of groupBySupplier(supplierIds)) {
    const supplier = active.value.get(group.supplierId)!;
    const mine = group.lines.map((i) => r.lines[i]!);
    const prices = await tx.purchasing.lastUnitPrices(supplier.id, distinct(mine.map((l) => l.itemId)));
    const lines: NewLine[] = mine.map((l) => {
      const last = prices.find((p) => p.itemId === l.itemId && p.uomId === l.uomId)?.unitPrice;
      const unitPrice = last !== undefined && multiply(l.qty, last) !== null ? last : ZERO;
      return { itemId: l.itemId, qty: fromMicro(l.qty), uomId: l.uomId, unitPrice, requisitionLineId: l.id };
    });
    const decided = await decideLines(tx, lines, (k) => `/lines/${group.lines[k]}`);
    if (!decided.ok) return decided;
    const neededBy = mine.map((l) => l.neededBy).filter((d): d is string => d !== null).sort();
    const po = await insertPurchaseOrder(tx, {
      supplier,
      facilityId: r.facilityId,
      currency: supplier.currency,
      expectedOn: neededBy[0] ?? null,
      notes: `From requisition ${r.requisitionNo}`,
      lines: decided.value,
    }, now, by);
    for (const i of group.lines) orderOf.set(i, po.id);
  }
  const lines = r.lines.map((l, i) => ({ ...l, purchaseOrderId: orderOf.get(i)! }));
  return ok(await save(tx, r, lines, 'convert', now, by));
}

/**
 * Turns the current replenishment suggestions (of one facility, or all; of the policies
 * named, or all) into draft requisitions, one per facility, a line per suggestion in base
 * units, with the policy's preferred supplier when it is an active supplier on file. What
 * open requisitions (draft, submitted, approved) already ask for the item at the facility is
 * not asked again: a line asks for the rest of the suggestion, and a suggestion they cover
 * makes no line. Inactive items are left out. No suggestion left: no requisition.
 */
export async function requisitionsFromReplenishment(
  tx: Writer, input: ReplenishmentRequisitionInput, now: string, by: Actor | null = null,
): Promise<Result<Requisition[]>> {
  if (input.facilityId !== undefined && !(await tx.facilities.getFacility(input.facilityId))) return notFound('facility', '/facilityId');
  for (const [i, policyId] of (input.policyIds ?? []).entries()) {
    if (!(await tx.policies.getPolicy(policyId))) return notFound('reorder policy', `/policyIds/${i}`);
  }
  const named = input.policyIds ? new Set(input.policyIds) : null;
  const suggestions = (await suggestReplenishment(tx, { facilityId: input.facilityId }, now)).filter((s) => !named || named.has(s.policyId));
  const requested = new Map((await tx.purchasing.requested(suggestions)).map((x) => [positionKey(x), x.qty]));
  const catalog = await loadCatalog(tx, suggestions.map((s) => s.itemId));
  const suppliers = new Map<string, PartyRecord | null>();
  for (const supplierId of distinct(suggestions.map((s) => s.preferredSupplierId))) {
    suppliers.set(supplierId, await tx.parties.getParty('supplier', supplierId));
  }
  const byFacility = new Map<string, RequisitionLineRecord[]>();
  for (const s of suggestions) {
    const qty = (s.suggestedQty - (requested.get(positionKey(s)) ?? 0)) as Micro;
    const item = catalog.items.get(s.itemId);
    if (qty <= 0 || !item?.isActive) continue;
    const supplier = s.preferredSupplierId === null ? null : suppliers.get(s.preferredSupplierId);
    const lines = byFacility.get(s.facilityId) ?? [];
    lines.push({
      id: newId(), lineNo: lines.length + 1, itemId: s.itemId, qty, uomId: item.baseUomId, qtyBase: qty, neededBy: null,
      supplierId: supplier?.isActive ? supplier.id : null, purchaseOrderId: null,
    });
    byFacility.set(s.facilityId, lines);
  }
  const made: Requisition[] = [];
  for (const [facilityId, lines] of byFacility) {
    made.push(requisitionView(await insertRequisition(tx, facilityId, 'From replenishment suggestions', lines, now, by)));
  }
  return ok(made);
}
