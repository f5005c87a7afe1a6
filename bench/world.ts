// The benchmark's world: one UOM, N items, one facility with M bins, and opening stock at
// every item × bin, so every posting of the workloads updates an existing balance row.
import { runCommand } from '../core/command.js';
import type { Ims } from '../core/ims.js';
import { nowIso } from '../core/clock.js';
import type { PostingLine, PostingRequest } from '../core/posting.js';
import { post } from '../core/posting.js';
import { SCALE, type Micro } from '../core/quantity.js';
import { unwrap, type Result } from '../core/result.js';
import { AVAILABLE } from '../core/status.js';

export interface WorldSize {
  items: number;
  bins: number;
  /** Opening on-hand of every item at every bin, in units. */
  opening: number;
}

export const DEFAULT_WORLD: WorldSize = { items: 200, bins: 20, opening: 1000 };

export interface World {
  uomId: string;
  facilityId: string;
  itemIds: string[];
  binIds: string[];
  /** Transactions the setup posted (opening stock). */
  setupPostings: number;
}

const one = <T>(r: Result<T>): T => unwrap(r);

export async function seedWorld(ims: Ims, size: WorldSize = DEFAULT_WORLD): Promise<World> {
  const uom = one(await ims.uoms.create({ code: 'EA', name: 'Each', decimals: 0 })) as { id: string };
  // Each batch of creates arrives in one event-loop turn, so group commit writes it at once.
  const items = (await Promise.all(
    Array.from({ length: size.items }, (_, i) => ims.items.create({
      itemNo: `BENCH-${String(i).padStart(4, '0')}`, name: `Bench item ${i}`, itemKind: 'purchased', baseUomId: uom.id,
    })),
  )).map((r) => one(r) as { id: string });
  const facility = one(await ims.facilities.create({ code: 'WH1', name: 'Bench warehouse', type: 'warehouse' })) as { id: string };
  const bins = (await Promise.all(
    Array.from({ length: size.bins }, (_, i) => ims.locations.create(facility.id, {
      code: `B${String(i).padStart(2, '0')}`, name: `Bin ${i}`, type: 'bin',
    })),
  )).map((r) => one(r) as { id: string });
  const binIds = bins.map((b) => b.id);
  // Opening stock: one adjustment per item with a line at every bin.
  const qty = (size.opening * SCALE) as Micro;
  await Promise.all(items.map(async (item) => {
    const lines: PostingLine[] = binIds.map((locationId) => ({ itemId: item.id, locationId, statusId: AVAILABLE, qty, at: '' }));
    one(await runCommand(ims.store, (tx) => post(tx, { type: 'adjustment', reason: 'opening stock', lines }, nowIso())));
  }));
  return { uomId: uom.id, facilityId: facility.id, itemIds: items.map((i) => i.id), binIds, setupPostings: items.length };
}

/** The k-th posting's keys: items and bin pairs rotate, so postings spread over every balance. */
export function keysOf(k: number, items: number, bins: number): { item: number; a: number; b: number } {
  const item = k % items;
  const a = Math.floor(k / items) % bins;
  return { item, a, b: (a + 1) % bins };
}

const ONE = SCALE as Micro;

/** A 2-line adjustment: +1 at one bin and +1 at the next, of one item. */
export function adjustmentRequest(w: World, k: number): PostingRequest {
  const { item, a, b } = keysOf(k, w.itemIds.length, w.binIds.length);
  const itemId = w.itemIds[item]!;
  return {
    type: 'adjustment',
    reason: 'bench',
    lines: [
      { itemId, locationId: w.binIds[a]!, statusId: AVAILABLE, qty: ONE, at: '/lines/0' },
      { itemId, locationId: w.binIds[b]!, statusId: AVAILABLE, qty: ONE, at: '/lines/1' },
    ],
  };
}
