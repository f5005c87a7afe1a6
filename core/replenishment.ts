// Replenishment: which reorder policies need stock, and how much. The decision is a pure
// function of a policy and three quantities of its item at its facility:
//
//   available  on hand in available statuses outside transit, less reserved and allocated
//   onOrder    open purchase order quantity not yet received
//   inbound    quantity of released or shipped transfers to the facility not yet received
//   projected  available + onOrder + inbound
//
// A policy whose projected quantity is below its reorder point (minQty + safetyStockQty) gets
// a suggestion: reorderQty when the policy sets one, else maxQty - projected; and when maxQty
// itself lies below the reorder point (a safety stock larger than max - min), what brings the
// projection up to the reorder point instead, so a suggestion is never zero or negative.
//
// On order counts purchase orders in an open status (draft to partially received: see
// OPEN_PURCHASE_ORDER_STATUSES in core/purchasing.ts), in base units, less what they received.
import type { Page, PageRequest } from './page.js';
import type { PolicyRecord } from './policy.js';
import type { Reader } from './ports.js';
import { fromMicro, ZERO, type Micro } from './quantity.js';
import { positionKey } from './stock.js';

export interface ReplenishmentInput {
  policy: Pick<PolicyRecord, 'id' | 'itemId' | 'facilityId' | 'minQty' | 'maxQty' | 'safetyStockQty' | 'reorderQty' | 'preferredSupplierId'>;
  available: Micro;
  onOrder: Micro;
  inbound: Micro;
}

export interface Suggestion {
  policyId: string;
  itemId: string;
  facilityId: string;
  available: Micro;
  onOrder: Micro;
  inbound: Micro;
  projected: Micro;
  suggestedQty: Micro;
  preferredSupplierId: string | null;
}

export interface ReplenishmentRow extends Omit<Suggestion, 'available' | 'onOrder' | 'inbound' | 'projected' | 'suggestedQty'> {
  available: number;
  onOrder: number;
  inbound: number;
  projected: number;
  suggestedQty: number;
}

/** The suggestion for one policy, or null when its projected quantity is at or above the reorder point. */
export function decideReplenishment(input: ReplenishmentInput): Suggestion | null {
  const { policy: p, available, onOrder, inbound } = input;
  const projected = (available + onOrder + inbound) as Micro;
  const reorderPoint = p.minQty + p.safetyStockQty;
  if (projected >= reorderPoint) return null;
  const upToMax = p.maxQty - projected;
  const suggestedQty = (p.reorderQty ?? (upToMax > 0 ? upToMax : reorderPoint - projected)) as Micro;
  return {
    policyId: p.id,
    itemId: p.itemId,
    facilityId: p.facilityId,
    available,
    onOrder,
    inbound,
    projected,
    suggestedQty,
    preferredSupplierId: p.preferredSupplierId,
  };
}

function rowView(s: Suggestion): ReplenishmentRow {
  return {
    ...s,
    available: fromMicro(s.available),
    onOrder: fromMicro(s.onOrder),
    inbound: fromMicro(s.inbound),
    projected: fromMicro(s.projected),
    suggestedQty: fromMicro(s.suggestedQty),
  };
}

/**
 * The suggestions for every policy of a facility (or of all facilities), in policy order
 * (item number, then facility code). Three set-based reads: the policies with what is
 * available, then what is inbound to them and what is on order for them.
 */
export async function suggestReplenishment(r: Reader, filter: { facilityId?: string }, now: string): Promise<Suggestion[]> {
  const policies = await r.policies.policyPositions(filter, now);
  const pairs = policies.map((p) => ({ itemId: p.itemId, facilityId: p.facilityId }));
  const inbound = new Map((await r.transfers.inbound(pairs)).map((x) => [positionKey(x), x.qty]));
  const onOrder = new Map((await r.purchasing.onOrder(pairs)).map((x) => [positionKey(x), x.qty]));
  return policies.flatMap((policy) => {
    const key = positionKey(policy);
    const s = decideReplenishment({ policy, available: policy.available, onOrder: onOrder.get(key) ?? ZERO, inbound: inbound.get(key) ?? ZERO });
    return s ? [s] : [];
  });
}

/** The suggestions of suggestReplenishment, paged. */
export async function listReplenishment(
  r: Reader, filter: { facilityId?: string }, page: PageRequest, now: string,
): Promise<Page<ReplenishmentRow>> {
  const suggestions = await suggestReplenishment(r, filter, now);
  return { items: suggestions.slice(page.offset, page.offset + page.limit).map(rowView), total: suggestions.length };
}
