// The growth benchmark's workload: which items and bins each posting touches, and the local
// stock model the fill keeps so that every posting it makes is accepted.
//
// Items are drawn with a skew: one "hot" item takes HOT_SHARE of all lines, the rest share
// the remainder evenly, so at 1M lines with 200 items the hot item holds ~100k lines and a
// typical item ~4.5k. The fill mixes the postings a warehouse makes:
//   75 %  moves between two bins of one item (2 lines, netting to zero),
//   20 %  single-line adjustments, up or down (1 line),
//    5 %  multi-item receipts put away over several bins (3 to 8 lines).
import type { PostingLine, PostingRequest } from '../core/posting.js';
import { SCALE, type Micro } from '../core/quantity.js';
import { AVAILABLE } from '../core/status.js';
import type { World } from './world.js';

export const HOT_SHARE = 0.1;
/** The hot item and the typical item whose `asOf` balances are measured. */
export const HOT_INDEX = 0;
export const TYPICAL_INDEX = 117;

/** mulberry32: a small deterministic PRNG, so a run's workload is repeatable. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An item index: HOT_INDEX with probability HOT_SHARE, otherwise uniform over the others. */
export function pickItem(random: () => number, items: number): number {
  if (random() < HOT_SHARE) return HOT_INDEX;
  const i = 1 + Math.floor(random() * (items - 1));
  return i <= HOT_INDEX ? i - 1 : i;
}

/** Two distinct bin indexes. */
export function pickBins(random: () => number, bins: number): [number, number] {
  const a = Math.floor(random() * bins);
  const b = (a + 1 + Math.floor(random() * (bins - 1))) % bins;
  return [a, b];
}

const int = (random: () => number, lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const micro = (units: number) => (units * SCALE) as Micro;

/**
 * Builds fill postings and tracks on-hand per item × bin in whole units (the fill only posts
 * whole units to the `available` status), so that no posting it builds is refused.
 */
export class FillWorkload {
  private readonly random: () => number;
  /** onHand[item][bin] in units. */
  readonly onHand: number[][];

  constructor(readonly world: World, seed: number, opening: number) {
    this.random = prng(seed);
    this.onHand = world.itemIds.map(() => world.binIds.map(() => opening));
  }

  /** Replaces the model with balances read back from the store (after the server posted). */
  reset(balances: ReadonlyArray<{ itemId: string; locationId: string; statusId: string; onHand: number }>): void {
    const item = new Map(this.world.itemIds.map((id, i) => [id, i]));
    const bin = new Map(this.world.binIds.map((id, i) => [id, i]));
    for (const row of this.onHand) row.fill(0);
    for (const b of balances) {
      const i = item.get(b.itemId);
      const j = bin.get(b.locationId);
      if (i === undefined || j === undefined || b.statusId !== AVAILABLE || !Number.isInteger(b.onHand)) {
        throw new Error(`unexpected balance ${JSON.stringify(b)}: the workload posts whole units to bins, status available`);
      }
      this.onHand[i]![j] = b.onHand;
    }
  }

  /** On hand of one item per bin id, zero balances left out (as `balances` answers). */
  snapshot(itemIndex: number): Record<string, number> {
    const out: Record<string, number> = {};
    this.onHand[itemIndex]!.forEach((q, j) => {
      if (q !== 0) out[this.world.binIds[j]!] = q;
    });
    return out;
  }

  private line(item: number, bin: number, units: number, at: string): PostingLine {
    this.onHand[item]![bin]! += units;
    return { itemId: this.world.itemIds[item]!, locationId: this.world.binIds[bin]!, statusId: AVAILABLE, qty: micro(units), at };
  }

  next(): PostingRequest {
    const r = this.random();
    const items = this.world.itemIds.length;
    const bins = this.world.binIds.length;
    if (r < 0.75) {
      const item = pickItem(this.random, items);
      let [from, to] = pickBins(this.random, bins);
      const have = this.onHand[item]!;
      if (have[from]! < have[to]!) [from, to] = [to, from];
      const qty = Math.min(int(this.random, 1, 5), have[from]!);
      if (qty > 0) {
        return {
          type: 'move', reason: 'growth: move',
          lines: [this.line(item, from, -qty, '/lines/0'), this.line(item, to, qty, '/lines/1')],
        };
      }
      // Both bins empty: fall through to a receipt.
    }
    if (r < 0.95) {
      const item = pickItem(this.random, items);
      const bin = Math.floor(this.random() * bins);
      let qty = int(this.random, 1, 10);
      if (this.random() < 0.5 && this.onHand[item]![bin]! >= qty) qty = -qty;
      return { type: 'adjustment', reason: qty > 0 ? 'growth: found' : 'growth: write-off', lines: [this.line(item, bin, qty, '/lines/0')] };
    }
    const n = int(this.random, 3, 8);
    const lines = Array.from({ length: n }, (_, k) =>
      this.line(pickItem(this.random, items), Math.floor(this.random() * bins), int(this.random, 1, 20), `/lines/${k}`));
    return { type: 'adjustment', reason: 'growth: receipt', lines };
  }
}
