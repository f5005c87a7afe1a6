// Valuation decisions without a database: exact money, moving average, FIFO layers, the
// whole stock issued leaving exactly 0, UOM-converted prices, moves, carried values and
// reversals. Every scenario also checks the unit's invariants after each step.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromMoney, shareOf, toMoney, unitCostOf, valueOf, type Money } from '../../core/money.js';
import { positionKey } from '../../core/stock.js';
import { toMicro, type Micro } from '../../core/quantity.js';
import {
  decideValuation, type CostLayer, type CostMethod, type LineCost, type Valuation, type ValuationEffects, type ValuedLine,
} from '../../core/valuation.js';

const q = (n: number): Micro => {
  const v = toMicro(n);
  if (v === null) throw new Error(`test setup: ${n} is not exact`);
  return v;
};
const $ = (n: number): Money => {
  const v = toMoney(n);
  if (v === null) throw new Error(`test setup: ${n} is not exact money`);
  return v;
};

const ITEM = 'item';
const F1 = 'f1';
const F2 = 'f2';

/** A costing world that applies each decided posting, like storage does. */
class World {
  valuations = new Map<string, Valuation>();
  layers = new Map<string, CostLayer[]>();
  private n = 0;
  private tx = 0;
  readonly posted: Array<{ transactionId: string; lines: ValuedLine[]; effects: ValuationEffects }> = [];

  constructor(public method: CostMethod) {}

  post(lines: Array<Partial<ValuedLine> & { qty: Micro }>): ValuationEffects {
    const r = this.tryPost(lines);
    if (!r.ok) throw new Error(`refused: ${r.message}`);
    return r.value;
  }

  tryPost(partial: Array<Partial<ValuedLine> & { qty: Micro }>) {
    const lines: ValuedLine[] = partial.map((l, i) => ({
      itemId: ITEM, facilityId: F1, qtyInUom: l.qty, path: `/lines/${i}`, ...l,
    }));
    const transactionId = `t${++this.tx}`;
    const r = decideValuation(
      { methods: new Map([[ITEM, this.method]]), valuations: this.valuations, layers: this.layers },
      lines, transactionId, () => `layer-${String(++this.n).padStart(6, '0')}`,
    );
    if (!r.ok) return r;
    for (const v of r.value.valuations) this.valuations.set(positionKey(v), v);
    const byId = new Map([...r.value.newLayers, ...r.value.changedLayers].map((l) => [l.id, l]));
    for (const [k, ls] of this.layers) this.layers.set(k, ls.map((l) => byId.get(l.id) ?? l).filter((l) => l.qtyLeft > 0));
    for (const l of r.value.newLayers) this.layers.set(positionKey(l), [...(this.layers.get(positionKey(l)) ?? []), l]);
    this.posted.push({ transactionId, lines, effects: r.value });
    this.check();
    return r;
  }

  /** Value of item at a facility, as a plain number. */
  value(facilityId = F1): number {
    return fromMoney(this.valuations.get(`${ITEM}|${facilityId}`)?.value ?? 0);
  }

  qty(facilityId = F1): number {
    return (this.valuations.get(`${ITEM}|${facilityId}`)?.qty ?? 0) / 1e6;
  }

  /** Value is the sum of all lines' valueDelta per unit; FIFO layers sum to the unit. */
  private check(): void {
    const sums = new Map<string, number>();
    for (const p of this.posted) {
      p.lines.forEach((l, i) => sums.set(positionKey(l), (sums.get(positionKey(l)) ?? 0) + p.effects.lines[i]!.valueDelta));
    }
    for (const [k, v] of this.valuations) {
      assert.is(v.value, sums.get(k) ?? 0, `value of ${k} is the sum of its lines`);
      if (v.qty === 0) assert.is(v.value, 0, `empty ${k} is worth 0`);
      if (v.costMethod === 'fifo') {
        const open = this.layers.get(k) ?? [];
        assert.is(open.reduce((s, l) => s + l.qtyLeft, 0), v.qty, `layers of ${k} hold its quantity`);
        assert.is(open.reduce((s, l) => s + l.valueLeft, 0), v.value, `layers of ${k} hold its value`);
      }
    }
  }
}

const unit = (unitCost: number): LineCost => ({ kind: 'unit', unitCost: $(unitCost) });
const values = (e: ValuationEffects) => e.lines.map((l) => fromMoney(l.valueDelta));

// ---- money --------------------------------------------------------------------------------

test('money: qty × unit cost is exact, rounded once half away from zero', () => {
  assert.is(valueOf(q(3), $(0.1)), $(0.3));
  assert.is(valueOf(q(0.5), $(0.000001)), 1 as Money, '0.0000005 rounds up');
  assert.is(valueOf(q(-0.5), $(0.000001)), -1 as Money, 'and away from zero below it');
  assert.is(valueOf(q(0.4), $(0.000001)), 0 as Money);
  assert.is(valueOf(q(1e6), $(999.999999)), $(999999999), 'a large product stays exact (BigInt inside)');
  assert.is(valueOf(q(1e9), $(1000)), null, 'past the largest exact amount');
  assert.is(valueOf(q(1e6), $(1126)), null, '1.126e9 is past 2^50 micro-units');
  for (let m = 2 ** 50 - 1000; m < 2 ** 50; m++) assert.is(toMoney(fromMoney(m)), m, 'every amount below it survives JSON');
  assert.is(unitCostOf($(10), q(3)), $(3.333333));
  assert.is(unitCostOf($(1), q(0)), null);
  assert.is(shareOf($(10), q(3), q(3)), $(10), 'the whole takes all the value');
  assert.is(shareOf($(10), q(1), q(3)), $(3.333333));
  assert.is(toMoney(0.1234567), null, 'more than six decimals is not money');
});

// ---- moving average -----------------------------------------------------------------------

test('moving average across receipts at different prices', () => {
  const w = new World('moving_average');
  w.post([{ qty: q(10), cost: unit(2) }]);
  w.post([{ qty: q(30), cost: unit(3) }]);
  assert.is(w.value(), 110);
  assert.is(w.valuations.get(`${ITEM}|${F1}`)!.unitCost, $(2.75));
  const out = w.post([{ qty: q(-4) }]);
  assert.equal(values(out), [-11]);
  assert.is(fromMoney(out.lines[0]!.unitCost), 2.75);
  w.post([{ qty: q(14), cost: unit(5) }]);
  // (99 + 70) / 50 = 3.38
  assert.is(w.value(), 169);
  assert.equal(values(w.post([{ qty: q(-1) }])), [-3.38]);
});

test('moving average: issuing the whole stock leaves exactly 0, though the average does not divide', () => {
  const w = new World('moving_average');
  w.post([{ qty: q(1), cost: unit(1) }]);
  w.post([{ qty: q(2), cost: unit(1) }]);
  w.post([{ qty: q(1), cost: unit(0.01) }]);
  // 3.01 over 4 units; three single issues take 0.7525 each, rounding never leaves a residue.
  const taken = [w.post([{ qty: q(-1) }]), w.post([{ qty: q(-1) }]), w.post([{ qty: q(-1) }]), w.post([{ qty: q(-1) }])]
    .map((e) => values(e)[0]!);
  assert.is(Math.round(taken.reduce((s, v) => s + v, 0) * 1e6), -3_010_000, 'the issues took exactly 3.01');
  assert.is(w.qty(), 0);
  assert.is(w.value(), 0);
});

test('moving average: thirds leave exactly 0 and keep the last cost for stock coming in without one', () => {
  const w = new World('moving_average');
  w.post([{ qty: q(3), cost: unit(3.333333) }]);
  w.post([{ qty: q(0.000001), cost: unit(0.5) }]);
  const before = w.value();
  w.post([{ qty: q(-1) }]);
  w.post([{ qty: q(-2.000001) }]);
  assert.is(w.value(), 0);
  assert.ok(before > 0);
  const lastCost = w.valuations.get(`${ITEM}|${F1}`)!.unitCost;
  assert.ok(lastCost !== null && lastCost > 0, 'the last average is kept');
  const back = w.post([{ qty: q(2) }]);
  assert.is(back.lines[0]!.valueDelta, valueOf(q(2), lastCost), 'stock without a cost comes in at the last average');
});

test('a receipt in another UOM is valued per unit of that UOM, exactly', () => {
  const w = new World('moving_average');
  // 3 boxes of 12 at 10 per box: 36 base units worth 30, a unit cost of 0.833333.
  const e = w.post([{ qty: q(36), qtyInUom: q(3), cost: unit(10) }]);
  assert.equal(values(e), [30]);
  assert.is(fromMoney(e.lines[0]!.unitCost), 0.833333);
  assert.is(w.value(), 30);
  // The whole stock out takes exactly 30, not 36 × 0.833333.
  assert.equal(values(w.post([{ qty: q(-36) }])), [-30]);
  assert.is(w.value(), 0);
});

test('a value past the largest exact amount is refused, not rounded or wrapped', () => {
  const w = new World('moving_average');
  const r = w.tryPost([{ qty: q(1e9), cost: unit(1000) }]);
  assert.is(r.ok, false);
  if (!r.ok) assert.is(r.code, 'bad_request');
});

test('stock coming in with no cost ever known is worth 0', () => {
  const w = new World('moving_average');
  assert.equal(values(w.post([{ qty: q(5) }])), [0]);
});

// ---- FIFO ---------------------------------------------------------------------------------

test('FIFO: an issue consumes layers oldest first, spanning layers', () => {
  const w = new World('fifo');
  w.post([{ qty: q(10), cost: unit(1) }]);
  w.post([{ qty: q(10), cost: unit(2) }]);
  w.post([{ qty: q(10), cost: unit(4) }]);
  assert.equal(values(w.post([{ qty: q(-15) }])), [-20], '10 × 1 + 5 × 2');
  assert.is(w.layers.get(`${ITEM}|${F1}`)!.length, 2);
  assert.equal(values(w.post([{ qty: q(-7) }])), [-18], '5 × 2 + 2 × 4');
  assert.is(w.value(), 32);
  assert.equal(values(w.post([{ qty: q(-8) }])), [-32], 'the last layer, all of it');
  assert.is(w.value(), 0);
  assert.is(w.layers.get(`${ITEM}|${F1}`)!.length, 0);
});

test('FIFO: a partial layer gives up its share, and its last unit what is left', () => {
  const w = new World('fifo');
  w.post([{ qty: q(3), cost: { kind: 'value', value: $(10) } }]);
  assert.equal(values(w.post([{ qty: q(-1) }])), [-3.333333]);
  assert.equal(values(w.post([{ qty: q(-1) }])), [-3.333334], 'share of what is left: 6.666667 / 2, rounded');
  assert.equal(values(w.post([{ qty: q(-1) }])), [-3.333333]);
  assert.is(w.value(), 0);
});

test('FIFO and moving average differ on the same history', () => {
  const fifo = new World('fifo');
  const avg = new World('moving_average');
  for (const w of [fifo, avg]) {
    w.post([{ qty: q(1), cost: unit(1) }]);
    w.post([{ qty: q(1), cost: unit(3) }]);
  }
  assert.equal(values(fifo.post([{ qty: q(-1) }])), [-1]);
  assert.equal(values(avg.post([{ qty: q(-1) }])), [-2]);
});

// ---- moves, transfers, reversals ----------------------------------------------------------

test('a move inside a facility carries value between its lines and leaves the unit and its layers as they were', () => {
  const w = new World('fifo');
  w.post([{ qty: q(2), cost: unit(1) }]);
  w.post([{ qty: q(1), cost: unit(4) }]);
  const layers = structuredClone(w.layers);
  const e = w.post([{ qty: q(-1) }, { qty: q(1) }]);
  assert.is(e.lines[0]!.valueDelta + e.lines[1]!.valueDelta, 0);
  assert.equal(values(e), [-2, 2], 'at the average of the unit');
  assert.equal(w.layers, layers, 'no layer consumed or opened');
  assert.is(w.value(), 6);
});

test('a transfer carries the value the source gives up into the destination', () => {
  const w = new World('fifo');
  w.post([{ qty: q(4), cost: unit(1) }]);
  w.post([{ qty: q(4), cost: unit(2) }]);
  const e = w.post([{ qty: q(-6) }, { qty: q(6), facilityId: F2, cost: { kind: 'carry', from: 0 } }]);
  assert.equal(values(e), [-8, 8]);
  assert.is(w.value(F1), 4);
  assert.is(w.value(F2), 8);
  assert.equal(values(w.post([{ qty: q(-6), facilityId: F2 }])), [-8]);
});

test('a reversal negates exactly what the original posted', () => {
  const w = new World('moving_average');
  w.post([{ qty: q(3), cost: unit(1) }]);
  w.post([{ qty: q(3), cost: unit(2) }]);
  const issue = w.post([{ qty: q(-2) }]);
  assert.equal(values(issue), [-3]);
  const back = w.post([{ qty: q(2), cost: { kind: 'reverse', valueDelta: $(3), transactionId: 't3', lineNo: 1 } }]);
  assert.equal(values(back), [3]);
  assert.is(w.value(), 9);
  const undoReceipt = w.post([{ qty: q(-3), cost: { kind: 'reverse', valueDelta: $(-6), transactionId: 't2', lineNo: 1 } }]);
  assert.equal(values(undoReceipt), [-6]);
  assert.is(w.value(), 3);
});

test('a reversal that no longer fits what is left is refused (moving average)', () => {
  const w = new World('moving_average');
  w.post([{ qty: q(10), cost: unit(1) }]);
  w.post([{ qty: q(10), cost: unit(100) }]);
  w.post([{ qty: q(-10) }]);
  // Undoing the 100-a-unit receipt exactly would take 1000 out of 505.
  const r = w.tryPost([{ qty: q(-10), cost: { kind: 'reverse', valueDelta: $(-1000), transactionId: 't2', lineNo: 1 } }]);
  assert.is(r.ok, false);
  if (!r.ok) assert.is(r.code, 'invalid_state');
  assert.is(w.value(), 505, 'nothing changed');
});

test('FIFO: reversing a receipt removes its own layer, only while it is whole', () => {
  const w = new World('fifo');
  w.post([{ qty: q(5), cost: unit(1) }]);
  w.post([{ qty: q(5), cost: unit(3) }]);
  const undo = w.post([{ qty: q(-5), cost: { kind: 'reverse', valueDelta: $(-15), transactionId: 't2', lineNo: 1 } }]);
  assert.equal(values(undo), [-15], 'the newer layer, though FIFO would issue the older first');
  assert.is(w.value(), 5);
  w.post([{ qty: q(5), cost: unit(2) }]);
  w.post([{ qty: q(-1) }]);
  const r = w.tryPost([{ qty: q(-5), cost: { kind: 'reverse', valueDelta: $(-5), transactionId: 't1', lineNo: 1 } }]);
  assert.is(r.ok, false, 'a layer already issued from cannot be undone exactly');
});

test('stock on hand keeps the method it came in under; the next stock takes the item\'s', () => {
  // As when a costMethod change on one host races a receipt on another that read the old one.
  const w = new World('moving_average');
  w.post([{ qty: q(1), cost: unit(1) }]);
  w.method = 'fifo';
  w.post([{ qty: q(1), cost: unit(3) }]);
  assert.is(w.valuations.get(`${ITEM}|${F1}`)!.costMethod, 'moving_average');
  assert.is(w.layers.get(`${ITEM}|${F1}`), undefined, 'no layer for stock valued at the average');
  assert.equal(values(w.post([{ qty: q(-1) }])), [-2], 'the average, not the oldest layer');
  w.post([{ qty: q(-1) }]);
  w.post([{ qty: q(1), cost: unit(1) }]);
  w.post([{ qty: q(1), cost: unit(3) }]);
  assert.is(w.valuations.get(`${ITEM}|${F1}`)!.costMethod, 'fifo');
  assert.equal(values(w.post([{ qty: q(-1) }])), [-1], 'now the oldest layer');
});

test('random postings: every unit stays exact and empties to 0 (moving average and FIFO)', () => {
  for (const method of ['moving_average', 'fifo'] as const) {
    const w = new World(method);
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 400; i++) {
      const held = w.valuations.get(`${ITEM}|${F1}`)?.qty ?? 0;
      if (held > 0 && rnd() < 0.45) {
        const out = Math.max(1000, Math.round(rnd() * held / 1000) * 1000);
        w.post([{ qty: -Math.min(out, held) as Micro }]);
      } else {
        w.post([{ qty: (Math.round(rnd() * 50_000) * 1000 + 1000) as Micro, cost: { kind: 'unit', unitCost: Math.round(rnd() * 10_000_000) as Money } }]);
      }
    }
    w.post([{ qty: -w.valuations.get(`${ITEM}|${F1}`)!.qty as Micro }]);
    assert.is(w.value(), 0, `${method}: the whole stock out leaves 0`);
  }
});

test.run();
