// Reading stock value: per item and facility now (the valuations the postings keep), or
// recomputed from the ledger's lines as of an instant; grouped per item or per facility.
// The figures at an instant are the sums of the lines posted by then, so asOf now equals
// the live figures, exactly.
import { fromMoney, unitCostOf, type Money } from './money.js';
import type { Page, PageRequest } from './page.js';
import type { Reader } from './ports.js';
import { fromMicro, type Micro } from './quantity.js';

export const VALUE_GROUPINGS = ['item', 'facility'] as const;
export type ValueGrouping = (typeof VALUE_GROUPINGS)[number];

export interface StockValueFilter {
  itemId?: string;
  facilityId?: string;
  /** Recompute from ledger lines posted at or before this instant. */
  asOf?: string;
  /** Absent: one row per item and facility. */
  groupBy?: ValueGrouping;
}

/** A stored row: sums in micro-units; the grouped-away key is null. */
export interface StockValueSum {
  itemId: string | null;
  itemNo: string | null;
  facilityId: string | null;
  qty: Micro;
  value: Money;
}

export interface StockValueRow {
  itemId?: string;
  itemNo?: string;
  facilityId?: string;
  /** Units in the item's base UOM (left out per facility: units of different items do not add). */
  onHand?: number;
  value: number;
  /** value / onHand, rounded to six decimals (left out per facility). */
  unitCost?: number | null;
  currency: string;
}

export async function listStockValue(r: Reader, filter: StockValueFilter, page: PageRequest, currency: string): Promise<Page<StockValueRow>> {
  const asOf = filter.asOf === undefined ? undefined : new Date(filter.asOf).toISOString();
  const sums = await r.ledger.listStockValue({ ...filter, asOf }, page);
  return { items: sums.items.map((s) => row(s, filter.groupBy, currency)), total: sums.total };
}

function row(s: StockValueSum, groupBy: ValueGrouping | undefined, currency: string): StockValueRow {
  const value = fromMoney(s.value);
  if (groupBy === 'facility') return { facilityId: s.facilityId!, value, currency };
  const perItem = { itemId: s.itemId!, itemNo: s.itemNo!, onHand: fromMicro(s.qty), value, unitCost: nullableCost(unitCostOf(s.value, s.qty)), currency };
  return groupBy === 'item' ? perItem : { itemId: perItem.itemId, itemNo: perItem.itemNo, facilityId: s.facilityId!, onHand: perItem.onHand, value, unitCost: perItem.unitCost, currency };
}

function nullableCost(m: Money | null): number | null {
  return m === null ? null : fromMoney(m);
}
