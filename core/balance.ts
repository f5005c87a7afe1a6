// Reading stock: balances per key (now, or recomputed from the ledger as of an instant) and
// availability, which counts only available statuses and never transit.
import type { AvailabilityFilter, AvailabilityRow, Balance, BalanceFilter, FacilityAvailabilityRow } from './ledger.js';
import type { Page, PageRequest } from './page.js';
import type { Reader } from './ports.js';

export async function listBalances(r: Reader, filter: BalanceFilter, page: PageRequest): Promise<Page<Balance>> {
  const asOf = filter.asOf === undefined ? undefined : new Date(filter.asOf).toISOString();
  return r.ledger.listBalances({ ...filter, asOf }, page);
}

export type AvailabilityGrouping = 'location' | 'facility';

export async function listAvailability(
  r: Reader, filter: AvailabilityFilter, groupBy: AvailabilityGrouping, page: PageRequest, now: string,
): Promise<Page<AvailabilityRow | FacilityAvailabilityRow>> {
  return groupBy === 'facility' ? r.ledger.listFacilityAvailability(filter, page, now) : r.ledger.listAvailability(filter, page, now);
}
