// BOM explosion, pure: a function of a loaded snapshot (items and the active BOM of each),
// no I/O, the same on every adapter and tested without a database.
//
// The quantity rule. A BOM line says: `qtyBase` of the component (in its base UOM) per batch
// of `outputQty` of the parent, plus `scrapPct` percent of scrap. For a parent quantity P the
// component needs
//
//     P × qtyBase × (1 + scrapPct / 100) / outputQty
//
// computed exactly (integers of micro-units: exact doubles while a product stays below 2^53,
// BigInt past it; no binary fractions, no intermediate rounding), then rounded UP, once, to the component's base UOM decimals: a
// node is a quantity of a real item that will be issued, built or assembled, and no item is
// ever planned or issued in finer steps than its UOM allows. Up, never down, because a
// shop floor short of one screw cannot build; once per node on its total (not per unit),
// so the excess is less than one UOM step per node; and never silently: a node whose exact
// quantity was not a multiple of its step says `roundedUp: true`. Refusing inexact results
// instead would make most quantities of a batch BOM (outputQty 3) impossible to build.
// Children explode from their parent's rounded quantity (whole subassemblies are built).
//
// What is exploded: a manufactured or phantom component with an active BOM. Phantoms are
// always exploded through and do not count as a level; `levels` limits how many levels of
// manufactured BOMs are exploded (1: the direct components, phantoms blown through: exactly
// what a work order issues from stock). Everything else is a leaf, marked with why:
// purchased, service, no active BOM, or cut off by `levels`. The flattened requirement is
// the sum of the leaves per item: what must come from stock when everything exploded is
// built. A component reached twice (a diamond) is two nodes, each rounded on its own.
import { assert } from './assert.js';
import type { ItemKind } from './item.js';
import { DECIMALS, fromMicro, MAX_UNITS, SCALE, type Micro } from './quantity.js';
import { fail, ok, type Failure, type Result } from './result.js';

/** Most nodes one explosion builds (a tree of diamonds grows fast): past it, ask fewer levels. */
export const MAX_EXPLOSION_NODES = 50_000;
/** Deepest tree an explosion follows (levels of the tree, phantoms included). */
export const MAX_EXPLOSION_DEPTH = 64;
/** The largest `levels` a client may ask for; without it every level is exploded. */
export const MAX_LEVELS = 20;

const MAX_MICRO = BigInt(MAX_UNITS) * BigInt(SCALE);
const MAX_MICRO_N = MAX_UNITS * SCALE;
/** 100 % in micro-units of a percent: scrapPct 12.5 is 12_500_000. */
const HUNDRED_PERCENT = 100n * BigInt(SCALE);

export interface ExplosionItem {
  id: string;
  itemNo: string;
  itemKind: ItemKind;
  baseUomId: string;
  /** Decimals of the base UOM: requirements are rounded up to them. */
  decimals: number;
}

export interface ExplosionLine {
  itemId: string;
  /** Base-UOM quantity per batch of the BOM. */
  qtyBase: Micro;
  /** Percent of scrap, in micro-units (12.5 % is 12_500_000). */
  scrapPct: Micro;
}

export interface ExplosionBom {
  id: string;
  itemId: string;
  version: number;
  /** The batch size the lines are for. */
  outputQty: Micro;
  components: readonly ExplosionLine[];
}

export interface ExplosionSnapshot {
  /** Every item the explosion may reach (the root's and every component's). */
  items: ReadonlyMap<string, ExplosionItem>;
  /** The active BOM of each item that has one, by item id. */
  activeBoms: ReadonlyMap<string, ExplosionBom>;
}

export type LeafReason = 'purchased' | 'service' | 'no_active_bom' | 'levels';

export interface ExplosionNode {
  itemId: string;
  itemNo: string;
  itemKind: ItemKind;
  /** 1 for the root BOM's own components. */
  level: number;
  /** The BOM line: base quantity per batch of the parent's BOM, and its scrap percent. */
  qtyPerBatch: number;
  scrapPct: number;
  /** What the parent's quantity needs of it, scrap included, rounded up to its UOM. */
  qty: number;
  roundedUp: boolean;
  /** The active BOM exploded through; null for a leaf. */
  bomId: string | null;
  bomVersion: number | null;
  /** Why the node is a leaf; null when it was exploded. */
  leafReason: LeafReason | null;
  components: ExplosionNode[];
}

/** One item's total over the leaves of the tree. */
export interface Requirement {
  itemId: string;
  itemNo: string;
  itemKind: ItemKind;
  uomId: string;
  qty: Micro;
  /** Whether any node of it was rounded up. */
  roundedUp: boolean;
}

export interface Explosion {
  bom: ExplosionBom;
  qty: Micro;
  levels: number | null;
  /** Nodes in the tree. */
  nodes: number;
  /** The root BOM's components and, nested, theirs. Empty when not asked for. */
  tree: ExplosionNode[];
  /** The leaves summed per item, by item number. */
  flattened: Requirement[];
}

export interface ExplodeOptions {
  /** Levels of manufactured BOMs to explode (phantoms do not count); null or absent: all. */
  levels?: number | null;
  /** Build the tree (default true); totals only when false. */
  tree?: boolean;
}

/**
 * A BOM line made ready for the walk: component needed = ceil(P × n / dd) × step, with P the
 * parent's quantity in micro-units. Reduced by their gcd, n and dd are small for ordinary
 * lines (1 and 1 for "1 per 1"; 41 and 40 for 2.5 % scrap), so the walk computes in exact
 * integer doubles whenever P × n stays below 2^53, and in BigInt otherwise.
 */
interface CompiledLine {
  item: ExplosionItem;
  line: ExplosionLine;
  n: bigint;
  dd: bigint;
  step: bigint;
  /** The same as doubles, when n and dd are safe integers; else 0 (the BigInt path). */
  nN: number;
  ddN: number;
  stepN: number;
}

const gcd = (a: bigint, b: bigint): bigint => {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
};

function compile(s: ExplosionSnapshot, bom: ExplosionBom): CompiledLine[] {
  const d0 = BigInt(bom.outputQty) * HUNDRED_PERCENT;
  assert(d0 > 0n, `BOM ${bom.id} has a positive output quantity`);
  return bom.components.map((line) => {
    const item = s.items.get(line.itemId);
    assert(item, `item ${line.itemId} of BOM ${bom.id} is in the explosion snapshot`);
    // P (micro) × qtyBase (micro) × (100 % + scrap) / (outputQty (micro) × 100 %): micro-units.
    let n = BigInt(line.qtyBase) * (HUNDRED_PERCENT + BigInt(line.scrapPct));
    let d = d0;
    const g = gcd(n, d);
    n /= g;
    d /= g;
    const step = 10n ** BigInt(DECIMALS - item.decimals);
    const dd = d * step;
    const safe = n <= MAX_SAFE && dd <= MAX_SAFE;
    return { item, line, n, dd, step, nN: safe ? Number(n) : 0, ddN: safe ? Number(dd) : 0, stepN: Number(step) };
  });
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** ceil(P × n / dd) × step, exactly, and whether the ceiling rounded anything. */
function need(parentQty: number, c: CompiledLine): { q: number; roundedUp: boolean } {
  const product = parentQty * c.nN;
  if (c.nN !== 0 && product <= Number.MAX_SAFE_INTEGER) {
    // Integers below 2^53: the product, the remainder and an exact quotient are all exact.
    const rem = product % c.ddN;
    return { q: ((product - rem) / c.ddN + (rem === 0 ? 0 : 1)) * c.stepN, roundedUp: rem !== 0 };
  }
  const p = BigInt(parentQty) * c.n;
  let quotient = p / c.dd;
  const roundedUp = quotient * c.dd !== p;
  if (roundedUp) quotient += 1n;
  const q = quotient * c.step;
  // Past the limit either way: the caller refuses it; keep it a number above the limit.
  return { q: q > MAX_MICRO ? Number.POSITIVE_INFINITY : Number(q), roundedUp };
}

/**
 * Explodes `bom` for `qty` of its item through the active BOMs of the snapshot. Fails with
 * `conflict` when it reaches an item already on its path, the root's own item included,
 * exploded or not (a cycle, named), and with `bad_request` when a requirement exceeds 1e9
 * units or the tree is too large.
 */
export function explode(s: ExplosionSnapshot, bom: ExplosionBom, qty: Micro, options: ExplodeOptions = {}): Result<Explosion> {
  const levels = options.levels ?? null;
  const wantTree = options.tree ?? true;
  const compiled = new Map<ExplosionBom, CompiledLine[]>();
  const linesOf = (b: ExplosionBom) => {
    let c = compiled.get(b);
    if (!c) compiled.set(b, (c = compile(s, b)));
    return c;
  };
  const totals = new Map<string, { item: ExplosionItem; qty: number; roundedUp: boolean }>();
  const path: string[] = [bom.itemId];
  const onPath = new Set(path);
  const state = { nodes: 0, failure: null as Failure | null };

  const walk = (b: ExplosionBom, parentQty: number, level: number, stage: number, rootIndex: number): ExplosionNode[] => {
    const out: ExplosionNode[] = [];
    const lines = linesOf(b);
    for (let i = 0; i < lines.length; i++) {
      const compiled = lines[i]!;
      const { item, line } = compiled;
      const at = level === 1 ? i : rootIndex;
      if (++state.nodes > MAX_EXPLOSION_NODES) {
        state.failure = fail('bad_request', `the explosion has more than ${MAX_EXPLOSION_NODES} nodes; ask for fewer levels`,
          [{ path: '/query/levels', message: `more than ${MAX_EXPLOSION_NODES} nodes` }]);
        return out;
      }
      const { q, roundedUp } = need(parentQty, compiled);
      if (q > MAX_MICRO_N) {
        state.failure = fail('bad_request', `item ${item.itemNo} would need more than ${MAX_UNITS} units`,
          [{ path: `/components/${at}/qty`, message: `item ${item.itemNo} would need more than ${MAX_UNITS} units` }]);
        return out;
      }
      // An item already on the path (the root's own item included), exploded or not, needs itself.
      if (onPath.has(item.id)) {
        state.failure = cycleFailure(s, [...path.slice(path.indexOf(item.id)), item.id], at);
        return out;
      }
      let leafReason: LeafReason | null = null;
      let child: ExplosionBom | undefined;
      if (item.itemKind === 'service') leafReason = 'service';
      else if (item.itemKind === 'purchased') leafReason = 'purchased';
      else {
        child = s.activeBoms.get(item.id);
        if (!child) leafReason = 'no_active_bom';
        else if (item.itemKind === 'manufactured' && levels !== null && stage >= levels) {
          leafReason = 'levels';
          child = undefined;
        }
      }
      let components: ExplosionNode[] = [];
      if (child) {
        if (level >= MAX_EXPLOSION_DEPTH) {
          state.failure = fail('bad_request', `the BOM is deeper than ${MAX_EXPLOSION_DEPTH} levels`,
            [{ path: `/components/${at}/itemId`, message: `deeper than ${MAX_EXPLOSION_DEPTH} levels` }]);
          return out;
        }
        path.push(item.id);
        onPath.add(item.id);
        components = walk(child, q, level + 1, item.itemKind === 'phantom' ? stage : stage + 1, at);
        path.pop();
        onPath.delete(item.id);
        if (state.failure) return out;
      } else {
        const t = totals.get(item.id);
        if (t) {
          // Both at most 1e15: the sum is exact; past the limit it is refused below.
          t.qty += q;
          t.roundedUp ||= roundedUp;
        } else {
          totals.set(item.id, { item, qty: q, roundedUp });
        }
      }
      if (wantTree) {
        out.push({
          itemId: item.id,
          itemNo: item.itemNo,
          itemKind: item.itemKind,
          level,
          qtyPerBatch: fromMicro(line.qtyBase),
          scrapPct: fromMicro(line.scrapPct),
          qty: fromMicro(q),
          roundedUp,
          bomId: child?.id ?? null,
          bomVersion: child?.version ?? null,
          leafReason,
          components,
        });
      }
    }
    return out;
  };

  const tree = walk(bom, qty, 1, 1, 0);
  if (state.failure) return state.failure;
  const flattened: Requirement[] = [];
  for (const t of totals.values()) {
    if (t.qty > MAX_MICRO_N) {
      return fail('bad_request', `item ${t.item.itemNo} would need more than ${MAX_UNITS} units`,
        [{ path: '/query/qty', message: `item ${t.item.itemNo} would need more than ${MAX_UNITS} units` }]);
    }
    flattened.push({
      itemId: t.item.id, itemNo: t.item.itemNo, itemKind: t.item.itemKind, uomId: t.item.baseUomId,
      qty: t.qty as Micro, roundedUp: t.roundedUp,
    });
  }
  flattened.sort((a, b) => (a.itemNo < b.itemNo ? -1 : a.itemNo > b.itemNo ? 1 : a.itemId < b.itemId ? -1 : 1));
  return ok({ bom, qty, levels, nodes: state.nodes, tree: wantTree ? tree : [], flattened });
}

function cycleFailure(s: ExplosionSnapshot, itemIds: string[], rootIndex: number): Failure {
  const text = itemIds.map((id) => s.items.get(id)?.itemNo ?? id).join(' → ');
  return fail('conflict', `the BOM reaches its own item: ${text}`, [{ path: `/components/${rootIndex}/itemId`, message: `cycle: ${text}` }]);
}

/** A BOM as far as cycles are concerned: an item and the items of its lines. */
export interface BomEdges {
  itemId: string;
  components: ReadonlyArray<{ itemId: string }>;
}

/**
 * The first cycle `bom` would close in the graph of active BOMs: following the active BOM of
 * every component that has one, whatever the item's kind (stricter than the explosion, so a
 * latent cycle through an item whose kind changes later is refused too), at any depth.
 * Returns the index of the root line it starts from and the item ids around the cycle
 * (first and last the same), or null. Each item is explored once: linear in the graph.
 */
export function findCycle(bom: BomEdges, activeBoms: ReadonlyMap<string, BomEdges>): { index: number; itemIds: string[] } | null {
  const clean = new Set<string>();
  const path: string[] = [bom.itemId];
  const onPath = new Set(path);
  const visit = (itemId: string): string[] | null => {
    if (onPath.has(itemId)) return [...path.slice(path.indexOf(itemId)), itemId];
    if (clean.has(itemId)) return null;
    const b = activeBoms.get(itemId);
    if (b) {
      path.push(itemId);
      onPath.add(itemId);
      for (const c of b.components) {
        const found = visit(c.itemId);
        if (found) return found;
      }
      path.pop();
      onPath.delete(itemId);
    }
    clean.add(itemId);
    return null;
  };
  for (const [index, c] of bom.components.entries()) {
    const found = visit(c.itemId);
    if (found) return { index, itemIds: found };
  }
  return null;
}

/** The refusal of a cycle found by findCycle, naming it by item numbers. */
export function cycleRefusal(items: ReadonlyMap<string, { itemNo: string }>, cycle: { index: number; itemIds: string[] }): Failure {
  const text = cycle.itemIds.map((id) => items.get(id)?.itemNo ?? id).join(' → ');
  return fail('conflict', `activating this BOM would close a cycle: ${text}`,
    [{ path: `/components/${cycle.index}/itemId`, message: `cycle: ${text}` }]);
}

/**
 * The most of the BOM's item buildable from `available` stock (per item; missing: none), in
 * steps of `step` micro-units (the item's UOM): the largest quantity whose flattened
 * requirement (with the same `levels`) fits, for every leaf that is not a service. A phantom
 * leaf (no active BOM) can never be had, so it allows nothing. Null when no leaf limits it
 * (services only). Requirements only grow with the quantity, so the answer is searched: from
 * a linear estimate (available × k / requirement at k, refined while it grows), galloping to a bracket, then
 * bisecting: a handful of explosions of totals.
 */
export function maxBuildable(
  s: ExplosionSnapshot, bom: ExplosionBom, available: ReadonlyMap<string, Micro>, levels: number | null, step: Micro,
): Micro | null {
  const maxK = Math.floor((MAX_UNITS * SCALE) / step);
  const totalsAt = (k: number) => explode(s, bom, (k * step) as Micro, { levels, tree: false });
  const fits = (k: number): boolean => {
    const e = totalsAt(k);
    return e.ok && e.value.flattened.every((r) => r.itemKind === 'service' || r.qty <= (available.get(r.itemId) ?? 0));
  };
  /** The quantity (in steps) each leaf's stock would allow if requirements grew in proportion from k. */
  const estimate = (k: number): number | null => {
    const e = totalsAt(k);
    if (!e.ok) return null;
    let best: bigint | null = null;
    for (const r of e.value.flattened) {
      if (r.itemKind === 'service' || r.qty <= 0) continue;
      const allows = (BigInt(available.get(r.itemId) ?? 0) * BigInt(k)) / BigInt(r.qty);
      if (best === null || allows < best) best = allows;
    }
    return best === null ? null : Number(best > BigInt(maxK) ? BigInt(maxK) : best);
  };
  const first = estimate(1);
  if (first === null) {
    const probe = totalsAt(1);
    // Services only: nothing limits it. A refused explosion (too large) builds nothing.
    return probe.ok && probe.value.flattened.every((r) => r.itemKind === 'service') ? null : (0 as Micro);
  }
  // Rounding weighs less the larger the quantity: estimate again from each estimate while it grows.
  let guess = first;
  for (let i = 0; i < 4 && guess > 0; i++) {
    const next = estimate(guess);
    if (next === null || next <= guess) break;
    guess = next;
  }
  let lo: number;
  let hi: number;
  if (guess === 0 || fits(guess)) {
    lo = guess;
    for (let d = 1; ; d *= 2) {
      hi = Math.min(lo + d, maxK + 1);
      if (hi > maxK || !fits(hi)) break;
      lo = hi;
    }
  } else {
    hi = guess;
    for (let d = 1; ; d *= 2) {
      lo = Math.max(hi - d, 0);
      if (lo === 0 || fits(lo)) break;
      hi = lo;
    }
  }
  // lo fits (0 always does), hi does not (maxK + 1 stands for "beyond the limit").
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return (lo * step) as Micro;
}
