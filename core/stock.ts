// Stock positions: what an item holds at a facility and what is already promised from it.
// Reservations soft-hold quantity at a facility; allocations hard-assign part of it to a
// location and lot. At all times, per item and facility, reserved + allocated ≤ on hand in
// available statuses (transit excluded), and per location and lot, allocated ≤ on hand
// there. Every command that lowers available stock or raises a commitment checks this here.
import type { Micro } from './quantity.js';

export interface LocationStock {
  locationId: string;
  locationPath: string;
  isPickable: boolean;
  lotId: string | null;
  lotNo: string | null;
  lotExpiresOn: string | null;
  lotCreatedAt: string | null;
  /** On hand in available statuses at this location and lot. */
  onHand: Micro;
  /** Allocated here to holding reservations. */
  allocated: Micro;
}

export interface StockPosition {
  itemId: string;
  facilityId: string;
  /** On hand in available statuses, transit excluded. */
  onHand: Micro;
  /** Open reservation quantity not yet allocated (nor fulfilled), of holding reservations. */
  reserved: Micro;
  /** Allocated quantity of holding reservations. */
  allocated: Micro;
  /** Every location and lot with available stock or an allocation. */
  locations: LocationStock[];
}

export interface ItemFacility {
  itemId: string;
  facilityId: string;
}

export const positionKey = (p: ItemFacility) => `${p.itemId}|${p.facilityId}`;
export const placeKey = (locationId: string, lotId: string | null) => `${locationId}|${lotId ?? ''}`;

/** What a facility can still promise: on hand less what is reserved and allocated. */
export function availableAt(p: StockPosition): Micro {
  return (p.onHand - p.reserved - p.allocated) as Micro;
}

/** What a location and lot can still give to a new allocation. */
export function unallocated(l: LocationStock): Micro {
  return (l.onHand - l.allocated) as Micro;
}

/**
 * The order stock is picked in when nobody names a location: first expired-first (FEFO) for
 * expiry-tracked lots, then first-in (FIFO) by when the lot was received, then by location.
 */
export function pickOrder(a: LocationStock, b: LocationStock): number {
  const exp = (x: LocationStock) => x.lotExpiresOn ?? '9999-12-31';
  const received = (x: LocationStock) => x.lotCreatedAt ?? '';
  return exp(a).localeCompare(exp(b)) || received(a).localeCompare(received(b)) || a.locationPath.localeCompare(b.locationPath)
    || (a.lotNo ?? '').localeCompare(b.lotNo ?? '');
}

export interface StockPick {
  locationId: string;
  lotId: string | null;
  qty: Micro;
}

/**
 * Picks `qty` from unallocated stock at pickable locations in pick order; null when there
 * is not enough. `taken` is stock already picked by this same command, per place.
 */
export function pickStock(p: StockPosition, qty: Micro, taken: ReadonlyMap<string, Micro> = new Map()): StockPick[] | null {
  const picks: StockPick[] = [];
  let rest = qty as number;
  for (const l of p.locations.filter((x) => x.isPickable).sort(pickOrder)) {
    if (rest <= 0) break;
    const free = unallocated(l) - (taken.get(placeKey(l.locationId, l.lotId)) ?? 0);
    if (free <= 0) continue;
    const q = Math.min(free, rest);
    picks.push({ locationId: l.locationId, lotId: l.lotId, qty: q as Micro });
    rest -= q;
  }
  return rest > 0 ? null : picks;
}
