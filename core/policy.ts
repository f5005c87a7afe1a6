// Reorder policies: per item and facility, the levels replenishment plans against. Below
// `minQty + safetyStockQty` (the reorder point) of projected stock, replenishment suggests
// `reorderQty`, or what brings the projection up to `maxQty` (core/replenishment.ts).
import type { Item } from './item.js';
import { holdsStock, itemQuantity } from './document.js';
import { newId } from './id.js';
import type { Page, PageRequest } from './page.js';
import type { Writer } from './ports.js';
import { fromMicro, toMicro, type Micro } from './quantity.js';
import { fail, failAt, notFound, ok, type Result } from './result.js';
import { id, nonNegativeQuantity, nullable, object, positiveQuantity, type Schema } from './schema.js';

export interface PolicyRecord {
  id: string;
  itemId: string;
  facilityId: string;
  minQty: Micro;
  maxQty: Micro;
  safetyStockQty: Micro;
  /** A fixed order quantity; null: order up to maxQty. */
  reorderQty: Micro | null;
  leadTimeDays: number | null;
  /**
   * The supplier to order from. Suppliers arrive with procurement: until then this is any
   * UUID, checked against nothing; procurement will make it refer to a supplier.
   */
  preferredSupplierId: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Policy extends Omit<PolicyRecord, 'minQty' | 'maxQty' | 'safetyStockQty' | 'reorderQty'> {
  minQty: number;
  maxQty: number;
  safetyStockQty: number;
  reorderQty: number | null;
}

export interface PolicyFilter {
  itemId?: string;
  facilityId?: string;
}

/** A policy and its facility's available quantity of its item. */
export interface PolicyPosition extends PolicyRecord {
  /** On hand in available statuses outside transit, less what holding reservations promise (reserved and allocated). */
  available: Micro;
}

export interface PolicyReader {
  /** In a write unit on PostgreSQL the row is locked FOR UPDATE (a PATCH reads it to change it). */
  getPolicy(id: string): Promise<PolicyRecord | null>;
  findPolicy(itemId: string, facilityId: string): Promise<PolicyRecord | null>;
  /** By item number, then facility code. */
  listPolicies(filter: PolicyFilter, page: PageRequest): Promise<Page<PolicyRecord>>;
  /**
   * Every policy of the facility (all facilities when none is given), in the order of
   * listPolicies, with the available quantity at `now`: one set-based read, for replenishment.
   */
  policyPositions(filter: { facilityId?: string }, now: string): Promise<PolicyPosition[]>;
}

export interface PolicyWriter extends PolicyReader {
  insertPolicy(policy: PolicyRecord): Promise<void>;
  updatePolicy(policy: PolicyRecord): Promise<void>;
}

export interface PolicyInput {
  itemId: string;
  facilityId: string;
  minQty: number;
  maxQty: number;
  safetyStockQty: number;
  reorderQty?: number | null;
  leadTimeDays?: number | null;
  preferredSupplierId?: string | null;
}

export type PolicyPatch = Partial<Omit<PolicyInput, 'itemId' | 'facilityId'>>;

const leadTimeDays: Schema = { type: 'integer', minimum: 0, maximum: 3650 };

const levels = {
  minQty: nonNegativeQuantity,
  maxQty: nonNegativeQuantity,
  safetyStockQty: nonNegativeQuantity,
  reorderQty: nullable(positiveQuantity),
  leadTimeDays: nullable(leadTimeDays),
  // Suppliers arrive with procurement; until then any UUID is accepted (see PolicyRecord).
  preferredSupplierId: nullable(id),
};

export const policyInputSchema: Schema = object(
  { itemId: id, facilityId: id, ...levels },
  ['itemId', 'facilityId', 'minQty', 'maxQty', 'safetyStockQty'],
);
export const policyPatchSchema: Schema = { ...object(levels), minProperties: 1 };

export function policyView(p: PolicyRecord): Policy {
  return {
    ...p,
    minQty: fromMicro(p.minQty),
    maxQty: fromMicro(p.maxQty),
    safetyStockQty: fromMicro(p.safetyStockQty),
    reorderQty: p.reorderQty === null ? null : fromMicro(p.reorderQty),
  };
}

const QTY_FIELDS = ['minQty', 'maxQty', 'safetyStockQty', 'reorderQty'] as const;
type Levels = Pick<PolicyInput, (typeof QTY_FIELDS)[number]>;

/** The quantities in micro-units, each within the item's base UOM, and minQty ≤ maxQty. */
async function quantities(tx: Writer, item: Item, values: Levels): Promise<Result<Pick<PolicyRecord, (typeof QTY_FIELDS)[number]>>> {
  const uom = await tx.catalog.getUom(item.baseUomId);
  const out: Partial<Record<(typeof QTY_FIELDS)[number], Micro | null>> = {};
  for (const field of QTY_FIELDS) {
    const value = values[field];
    if (value == null) {
      out[field] = null;
      continue;
    }
    const q = itemQuantity(item, uom ?? undefined, value, `/${field}`);
    if (!q.ok) return q;
    out[field] = q.value;
  }
  return ok({ minQty: out.minQty!, maxQty: out.maxQty!, safetyStockQty: out.safetyStockQty!, reorderQty: out.reorderQty ?? null });
}

function minWithinMax(values: Pick<PolicyInput, 'minQty' | 'maxQty'>): Result<true> {
  // Exact: both are valid quantities (the schema checked), compared as micro-units.
  return toMicro(values.minQty)! <= toMicro(values.maxQty)! ? ok(true) : failAt('bad_request', '/minQty', 'must not be more than maxQty');
}

async function stockItem(tx: Writer, itemId: string): Promise<Result<Item>> {
  // getItems, not getItem: on PostgreSQL it locks the item FOR SHARE, not FOR UPDATE.
  const [item] = await tx.catalog.getItems([itemId]);
  if (!item) return notFound('item', '/itemId');
  if (!holdsStock(item)) return failAt('bad_request', '/itemId', `item ${item.itemNo} is a ${item.itemKind} item and holds no stock`);
  return ok(item);
}

export async function createPolicy(tx: Writer, input: PolicyInput, now: string): Promise<Result<Policy>> {
  const shape = minWithinMax(input);
  if (!shape.ok) return shape;
  const item = await stockItem(tx, input.itemId);
  if (!item.ok) return item;
  if (!(await tx.facilities.getFacility(input.facilityId))) return notFound('facility', '/facilityId');
  const q = await quantities(tx, item.value, input);
  if (!q.ok) return q;
  if (await tx.policies.findPolicy(input.itemId, input.facilityId)) {
    return failAt('conflict', '/itemId', `item ${item.value.itemNo} already has a reorder policy at this facility`);
  }
  const policy: PolicyRecord = {
    id: newId(),
    itemId: input.itemId,
    facilityId: input.facilityId,
    ...q.value,
    leadTimeDays: input.leadTimeDays ?? null,
    preferredSupplierId: input.preferredSupplierId ?? null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await tx.policies.insertPolicy(policy);
  return ok(policyView(policy));
}

export async function patchPolicy(tx: Writer, id: string, patch: PolicyPatch, now: string, ifMatch?: number): Promise<Result<Policy>> {
  const current = await tx.policies.getPolicy(id);
  if (!current) return notFound('reorder policy');
  if (ifMatch !== undefined && ifMatch !== current.version) return fail('conflict', `reorder policy is at version ${current.version}, not ${ifMatch}`);
  const merged = { ...policyView(current), ...withoutUndefined(patch) };
  const shape = minWithinMax(merged);
  if (!shape.ok) return shape;
  const item = await stockItem(tx, current.itemId);
  if (!item.ok) return item;
  const q = await quantities(tx, item.value, merged);
  if (!q.ok) return q;
  const next: PolicyRecord = {
    ...current,
    ...q.value,
    leadTimeDays: merged.leadTimeDays ?? null,
    preferredSupplierId: merged.preferredSupplierId ?? null,
    updatedAt: now,
    version: current.version + 1,
  };
  await tx.policies.updatePolicy(next);
  return ok(policyView(next));
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
