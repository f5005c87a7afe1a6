// Inventory valuation. Stock is valued per item and facility (the costing unit), in the same
// transaction that moves it: every ledger line carries the value it adds or takes away, and
// the facility's value of an item is exactly the sum of those lines. Nothing later is ever
// revalued, so a backdated or cancelled entry never asks for a repost.
//
// Two cost methods. Moving average: an issue takes its share of the value at the current
// average; the last unit out takes all that is left, so an empty stock is worth exactly 0.
// FIFO: each receipt opens a cost layer; an issue consumes layers oldest first, a partial
// layer giving up its share of value and a whole layer all of it. Lines of one item and
// facility that net to zero in one posting (a move between locations or statuses, a
// transfer's arrival from transit) carry value between themselves and leave the costing
// unit, and its layers, as they were.
import { assert } from './assert.js';
import {
  MAX_VALUE, negMoney, NO_MONEY, shareOf, unitCostOf, valueOf, type Money,
} from './money.js';
import { add, neg, ZERO, type Micro } from './quantity.js';
import { failAt, ok, type Failure, type Result } from './result.js';
import { positionKey, type ItemFacility } from './stock.js';

export const COST_METHODS = ['moving_average', 'fifo'] as const;
export type CostMethod = (typeof COST_METHODS)[number];

/** A FIFO receipt's remaining quantity and value; ids sort oldest first. */
export interface CostLayer extends ItemFacility {
  id: string;
  /** The line that opened the layer: a reversal of it removes the layer. */
  transactionId: string;
  lineNo: number;
  qtyIn: Micro;
  valueIn: Money;
  qtyLeft: Micro;
  valueLeft: Money;
}

/** An item's stock and value at one facility. */
export interface Valuation extends ItemFacility {
  qty: Micro;
  value: Money;
  /**
   * The unit cost inbound stock takes when its document names none: the average while there
   * is stock, else the last one there was (null when the item never had a cost here).
   */
  unitCost: Money | null;
  /**
   * The method this stock is valued by. It is the item's, except when the item's method
   * changed while a posting that read the old one was bringing stock in (PostgreSQL, another
   * host): the stock then keeps the method it came in under until it is gone, so its value
   * and layers stay consistent; the next stock takes the item's method.
   */
  costMethod: CostMethod;
}

/** Where a line's value comes from; a line without one is valued at the current cost. */
export type LineCost =
  /** A document's unit cost, per unit of the line's UOM (inbound lines). */
  | { kind: 'unit'; unitCost: Money }
  /** An exact total value (inbound lines: production output). */
  | { kind: 'value'; value: Money }
  /** The value the line at index `from` of the same posting takes out (a transfer's transit line). */
  | { kind: 'carry'; from: number }
  /** Exactly the negation of an original line (reversals). */
  | { kind: 'reverse'; valueDelta: Money; transactionId: string; lineNo: number };

export interface ValuedLine extends ItemFacility {
  /** Change in the item's base UOM. */
  qty: Micro;
  /** Change in the line's own UOM (what a document's unit cost is per). */
  qtyInUom: Micro;
  cost?: LineCost | undefined;
  /** Where a refusal of this line points. */
  path: string;
}

export interface LineValue {
  unitCost: Money;
  valueDelta: Money;
}

export interface ValuationEffects {
  lines: LineValue[];
  valuations: Valuation[];
  newLayers: CostLayer[];
  /** Layers whose remaining quantity and value changed (consumed, or removed by a reversal). */
  changedLayers: CostLayer[];
}

export interface ValuationSnapshot {
  methods: ReadonlyMap<string, CostMethod>;
  /** By item and facility; a missing one has no stock and no cost. */
  valuations: ReadonlyMap<string, Valuation>;
  /** Open layers (qtyLeft > 0) of FIFO items, by item and facility, oldest first. */
  layers: ReadonlyMap<string, readonly CostLayer[]>;
}

interface Unit {
  method: CostMethod;
  v: Valuation;
  layers: CostLayer[];
}

/**
 * Values a posting's lines (quantities already checked) against the costing units they
 * touch. Refuses only what would break the units' invariants: a reversal whose exact
 * negation no longer fits what is left (409 invalid_state).
 */
export function decideValuation(
  s: ValuationSnapshot, lines: readonly ValuedLine[], transactionId: string, newLayerId: () => string,
): Result<ValuationEffects> {
  const units = new Map<string, Unit>();
  const unitOf = (l: ItemFacility): Unit => {
    const k = positionKey(l);
    let u = units.get(k);
    if (!u) {
      const method = methodOf(s, l);
      const v = s.valuations.get(k) ?? { itemId: l.itemId, facilityId: l.facilityId, qty: ZERO, value: NO_MONEY, unitCost: null, costMethod: method };
      // Copies field by field: the records may be the driver's row objects, which are slow to spread.
      u = {
        method,
        v: { itemId: v.itemId, facilityId: v.facilityId, qty: v.qty, value: v.value, unitCost: v.unitCost, costMethod: method },
        layers: (s.layers.get(k) ?? []).map(copyLayer),
      };
      units.set(k, u);
    }
    return u;
  };
  const values: Array<LineValue | undefined> = new Array(lines.length);
  const newLayers: CostLayer[] = [];
  const changed = new Map<string, CostLayer>();

  // Lines of a unit that net to zero move value inside it.
  const keys = lines.map(positionKey);
  const net = new Map<string, number>();
  keys.forEach((k, i) => net.set(k, (net.get(k) ?? 0) + lines[i]!.qty));
  const inside = new Set<string>();
  for (const [k, n] of net) if (n === 0) inside.add(k);
  for (const k of inside) {
    const idx = keys.flatMap((key, i) => (key === k ? [i] : []));
    valueInside(unitOf(lines[idx[0]!]!), lines, idx, values);
  }

  for (const [i, l] of lines.entries()) {
    if (inside.has(keys[i]!)) continue;
    const u = unitOf(l);
    if (l.qty > 0) {
      const value = inboundValue(u, l, values);
      if (value === null || u.v.value + value > MAX_VALUE) return tooValuable(l);
      values[i] = { unitCost: lineUnitCost(l, value), valueDelta: value };
      if (u.method === 'fifo') {
        const layer: CostLayer = {
          id: newLayerId(), itemId: l.itemId, facilityId: l.facilityId, transactionId, lineNo: i + 1,
          qtyIn: l.qty, valueIn: value, qtyLeft: l.qty, valueLeft: value,
        };
        u.layers.push(layer);
        newLayers.push(layer);
      }
      u.v.qty = add(u.v.qty, l.qty);
      u.v.value = (u.v.value + value) as Money;
    } else {
      const out = outboundValue(u, l, changed);
      if (!out.ok) return out;
      values[i] = { unitCost: unitCostOf(out.value, neg(l.qty)) ?? NO_MONEY, valueDelta: negMoney(out.value) };
      u.v.qty = add(u.v.qty, l.qty);
      u.v.value = (u.v.value - out.value) as Money;
    }
    if (u.v.qty > 0) u.v.unitCost = unitCostOf(u.v.value, u.v.qty);
    assertUnit(u);
  }
  for (const l of newLayers) changed.delete(l.id);
  return ok({
    lines: values.map((v) => v!),
    // A unit the posting left as it was (a move inside it) is not written again.
    valuations: [...units.values()].filter((u) => !sameValuation(u.v, s.valuations.get(positionKey(u.v)))).map((u) => u.v),
    newLayers,
    changedLayers: [...changed.values()],
  });
}

function tooValuable(l: ValuedLine): Failure {
  return failAt('bad_request', l.path, `the stock value would exceed ${Math.floor(MAX_VALUE / 1e6)} (the largest exact amount)`);
}

/** What an inbound line is worth: its document's cost, the value it carries, or the current cost; null past MAX_VALUE. */
function inboundValue(u: Unit, l: ValuedLine, values: ReadonlyArray<LineValue | undefined>): Money | null {
  const c = l.cost;
  if (!c) return valueOf(l.qty, currentCost(u));
  switch (c.kind) {
    case 'unit': return valueOf(l.qtyInUom, c.unitCost);
    case 'value': return c.value;
    case 'reverse': return c.valueDelta;
    case 'carry': {
      const from = values[c.from];
      assert(from && from.valueDelta <= 0, 'a carried value comes from an outbound line valued before it');
      return negMoney(from.valueDelta);
    }
  }
}

/** What an outbound line takes (a non-negative amount), by the unit's method. */
function outboundValue(u: Unit, l: ValuedLine, changed: Map<string, CostLayer>): Result<Money> {
  const qty = neg(l.qty);
  assert(qty <= u.v.qty, `issue of ${qty} from item ${l.itemId} at facility ${l.facilityId} holding ${u.v.qty}`);
  if (l.cost?.kind === 'reverse') return reverseOutbound(u, l, l.cost, changed);
  if (u.method === 'moving_average') return ok(shareOf(u.v.value, qty, u.v.qty));
  let need: number = qty;
  let taken = NO_MONEY;
  for (const layer of u.layers) {
    if (need === 0) break;
    if (layer.qtyLeft === 0) continue;
    const q = Math.min(need, layer.qtyLeft) as Micro;
    const v = shareOf(layer.valueLeft, q, layer.qtyLeft);
    layer.qtyLeft = (layer.qtyLeft - q) as Micro;
    layer.valueLeft = (layer.valueLeft - v) as Money;
    changed.set(layer.id, layer);
    taken = (taken + v) as Money;
    need -= q;
  }
  assert(need === 0, 'the layers hold the stock');
  return ok(taken);
}

/**
 * A reversal takes out exactly what the original brought in. With FIFO that is the original's
 * own layer, which must still be whole; with moving average what is left must still be worth
 * something, and nothing once the stock is gone. Otherwise later issues already used that
 * cost, and undoing it exactly would leave the stock's value wrong: refused.
 */
function reverseOutbound(u: Unit, l: ValuedLine, c: Extract<LineCost, { kind: 'reverse' }>, changed: Map<string, CostLayer>): Result<Money> {
  const value = negMoney(c.valueDelta);
  const qty = neg(l.qty);
  const refuse = () => failAt('invalid_state', l.path, 'stock received by the original has since been issued at its cost; it cannot be reversed exactly (post an adjustment instead)');
  if (u.method === 'fifo') {
    const layer = u.layers.find((x) => x.transactionId === c.transactionId && x.lineNo === c.lineNo);
    if (!layer || layer.qtyLeft !== layer.qtyIn || layer.qtyIn !== qty || layer.valueLeft !== value) return refuse();
    layer.qtyLeft = ZERO;
    layer.valueLeft = NO_MONEY;
    changed.set(layer.id, layer);
    return ok(value);
  }
  const qtyAfter = u.v.qty - qty;
  const valueAfter = u.v.value - value;
  if (valueAfter < 0 || (qtyAfter === 0 && valueAfter !== 0)) return refuse();
  return ok(value);
}

/** The cost of stock coming in with no document cost: the average, else the last known, else 0. */
function currentCost(u: Unit): Money {
  return (u.v.qty > 0 ? unitCostOf(u.v.value, u.v.qty) : u.v.unitCost) ?? NO_MONEY;
}

function lineUnitCost(l: ValuedLine, value: Money): Money {
  if (l.cost?.kind === 'unit' && l.qtyInUom === l.qty) return l.cost.unitCost;
  return unitCostOf(value, l.qty) ?? NO_MONEY;
}

/**
 * Lines inside one unit that net to zero: the outbound ones are valued at the unit's average
 * (or exactly, for a reversal), the inbound ones share that same total, so the unit's value
 * does not change. Each side's last line takes what is left of the total.
 */
function valueInside(u: Unit, lines: readonly ValuedLine[], idx: readonly number[], values: Array<LineValue | undefined>): void {
  if (idx.every((i) => lines[i]!.cost?.kind === 'reverse')) {
    for (const i of idx) {
      const l = lines[i]!;
      const c = l.cost as Extract<LineCost, { kind: 'reverse' }>;
      values[i] = { unitCost: unitCostOf(c.valueDelta < 0 ? negMoney(c.valueDelta) : c.valueDelta, l.qty < 0 ? neg(l.qty) : l.qty) ?? NO_MONEY, valueDelta: c.valueDelta };
    }
    assert(idx.reduce((s, i) => s + values[i]!.valueDelta, 0) === 0, 'a reversal inside a unit nets to zero value');
    return;
  }
  const outs = idx.filter((i) => lines[i]!.qty < 0);
  const ins = idx.filter((i) => lines[i]!.qty > 0);
  const qtyOut = outs.reduce((s, i) => s - lines[i]!.qty, 0) as Micro;
  const total = u.v.qty === 0 ? NO_MONEY : shareOf(u.v.value, Math.min(qtyOut, u.v.qty) as Micro, u.v.qty);
  const spread = (side: readonly number[], sign: 1 | -1) => {
    let left = total as number;
    let qtyLeft = qtyOut as number;
    for (const i of side) {
      const q = Math.abs(lines[i]!.qty) as Micro;
      const v = shareOf(left as Money, q, qtyLeft as Micro);
      values[i] = { unitCost: unitCostOf(v, q) ?? NO_MONEY, valueDelta: (sign * v || 0) as Money };
      left -= v;
      qtyLeft -= q;
    }
  };
  spread(outs, -1);
  spread(ins, 1);
}

function sameValuation(a: Valuation, b: Valuation | undefined): boolean {
  return b !== undefined && a.qty === b.qty && a.value === b.value && a.unitCost === b.unitCost && a.costMethod === b.costMethod;
}

/** Stock on hand keeps the method it came in under; new stock takes the item's. */
export function methodOf(s: Pick<ValuationSnapshot, 'methods' | 'valuations'>, p: ItemFacility): CostMethod {
  const v = s.valuations.get(positionKey(p));
  if (v && v.qty > 0) return v.costMethod;
  const method = s.methods.get(p.itemId);
  assert(method, `cost method of item ${p.itemId} is loaded`);
  return method;
}

/** The unit's invariants: never negative, worth nothing when empty, layers sum to it. */
function assertUnit(u: Unit): void {
  assert(u.v.qty >= 0 && u.v.value >= 0, `valuation of item ${u.v.itemId} at ${u.v.facilityId} is not negative`);
  assert(u.v.qty !== 0 || u.v.value === 0, `an empty stock of item ${u.v.itemId} at ${u.v.facilityId} is worth 0`);
  if (u.method === 'fifo') {
    const qty = u.layers.reduce((s, x) => s + x.qtyLeft, 0);
    const value = u.layers.reduce((s, x) => s + x.valueLeft, 0);
    assert(qty === u.v.qty && value === u.v.value, `FIFO layers of item ${u.v.itemId} at ${u.v.facilityId} sum to its valuation`);
  }
}

function copyLayer(x: CostLayer): CostLayer {
  return {
    id: x.id, itemId: x.itemId, facilityId: x.facilityId, transactionId: x.transactionId, lineNo: x.lineNo,
    qtyIn: x.qtyIn, valueIn: x.valueIn, qtyLeft: x.qtyLeft, valueLeft: x.valueLeft,
  };
}
