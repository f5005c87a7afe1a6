// The BOM explosion as a pure function, no database: exact batch and scrap arithmetic rounded
// up once per node to the component's UOM (and said so), diamonds (a component reached by two
// paths), phantoms blown through and not counted as levels, leaves and why, deep chains,
// cycles named, limits; the most buildable from stock; and the work order's pure pieces
// (cumulative shares of a requirement, where an issue is picked from).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  explode, findCycle, maxBuildable, MAX_EXPLOSION_NODES, type ExplosionBom, type ExplosionItem, type ExplosionNode, type ExplosionSnapshot,
} from '../../core/explosion.js';
import type { ItemKind } from '../../core/item.js';
import { toMicro, type Micro } from '../../core/quantity.js';
import type { AllocationRecord } from '../../core/reservation.js';
import { unwrap } from '../../core/result.js';
import type { StockPosition } from '../../core/stock.js';
import { cumulativeShare, issuePicks } from '../../core/work-order.js';

const m = (n: number) => toMicro(n)! as Micro;

/** A tiny catalog: items by number, with kind and UOM decimals; BOMs by item number. */
class World {
  readonly items = new Map<string, ExplosionItem>();
  readonly activeBoms = new Map<string, ExplosionBom>();
  private boms = 0;

  item(itemNo: string, itemKind: ItemKind = 'purchased', decimals = 0): string {
    this.items.set(itemNo, { id: itemNo, itemNo, itemKind, baseUomId: decimals === 0 ? 'EA' : `D${decimals}`, decimals });
    return itemNo;
  }

  /** A BOM of `itemId`: lines [component, qty per batch, scrapPct?]; active unless said otherwise. */
  bom(itemId: string, lines: Array<[string, number, number?]>, outputQty = 1, active = true): ExplosionBom {
    const bom: ExplosionBom = {
      id: `bom-${++this.boms}`,
      itemId,
      version: 1,
      outputQty: m(outputQty),
      components: lines.map(([c, qty, scrap]) => ({ itemId: c, qtyBase: m(qty), scrapPct: m(scrap ?? 0) })),
    };
    if (active) this.activeBoms.set(itemId, bom);
    return bom;
  }

  get snapshot(): ExplosionSnapshot {
    return { items: this.items, activeBoms: this.activeBoms };
  }
}

const totals = (e: { flattened: Array<{ itemNo: string; qty: Micro }> }) =>
  Object.fromEntries(e.flattened.map((f) => [f.itemNo, f.qty / 1e6]));

/** The tree as `itemNo:qty` strings, depth-first, indented by level. */
function shape(nodes: ExplosionNode[]): string[] {
  return nodes.flatMap((n) => [`${'  '.repeat(n.level - 1)}${n.itemNo}:${n.qty}${n.leafReason ? `(${n.leafReason})` : ''}`, ...shape(n.components)]);
}

test('one level: quantity per batch times the quantity asked, exact', () => {
  const w = new World();
  w.item('TOP', 'manufactured');
  w.item('A');
  w.item('B', 'purchased', 3);
  const bom = w.bom('TOP', [['A', 2], ['B', 0.125]]);
  const e = unwrap(explode(w.snapshot, bom, m(100)));
  assert.equal(shape(e.tree), ['A:200(purchased)', 'B:12.5(purchased)']);
  assert.equal(totals(e), { A: 200, B: 12.5 });
  assert.equal(e.tree.map((n) => [n.qtyPerBatch, n.scrapPct, n.roundedUp, n.bomId]), [[2, 0, false, null], [0.125, 0, false, null]]);
  assert.is(e.nodes, 2);
  // 0.1 × 3 is 0.3 exactly, never 0.30000000000000004.
  const tenth = w.bom('TOP', [['B', 0.1]], 1, false);
  assert.equal(totals(unwrap(explode(w.snapshot, tenth, m(3)))), { B: 0.3 });
});

test('scrap: qty × (1 + scrapPct/100), exact when it fits the UOM, else rounded up once and flagged', () => {
  const w = new World();
  w.item('TOP', 'manufactured');
  w.item('EA-ITEM');
  w.item('KG-ITEM', 'purchased', 3);
  const bom = w.bom('TOP', [['EA-ITEM', 3, 2.5], ['KG-ITEM', 1.2, 12.5]]);
  // 100 × 3 × 1.025 = 307.5 EA → 308; 100 × 1.2 × 1.125 = 135 KG exactly.
  const e = unwrap(explode(w.snapshot, bom, m(100)));
  assert.equal(totals(e), { 'EA-ITEM': 308, 'KG-ITEM': 135 });
  assert.equal(e.tree.map((n) => n.roundedUp), [true, false]);
  assert.equal(e.flattened.map((f) => f.roundedUp), [true, false]);
  // Rounded on the total, not per unit: 200 × 3 × 1.025 = 615 exactly.
  assert.equal(totals(unwrap(explode(w.snapshot, bom, m(200)))), { 'EA-ITEM': 615, 'KG-ITEM': 270 });
  // One unit: 3.075 → 4 EA; 1.35 KG.
  assert.equal(totals(unwrap(explode(w.snapshot, bom, m(1)))), { 'EA-ITEM': 4, 'KG-ITEM': 1.35 });
  // A scrap percent with six decimals still computes exactly: 1000 × 1 × 1.00000125 = 1000.00125 → KG (3 decimals) 1000.002.
  const fine = w.bom('TOP', [['KG-ITEM', 1, 0.000125]], 1, false);
  const f = unwrap(explode(w.snapshot, fine, m(1000)));
  assert.equal([totals(f), f.flattened[0]!.roundedUp], [{ 'KG-ITEM': 1000.002 }, true]);
});

test('the arithmetic: 3,000 random lines agree with a plain BigInt ceil(P × qty × (100 % + scrap) / (outputQty × 100 %))', () => {
  // A seeded generator: the same cases on every run.
  let seed = 0x1234_5678;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return Math.floor((seed / 2 ** 32) * n);
  };
  const pick = () => [1, 7, 999_999, 1_000_000, 2_500_000, 123_456_789, 999_999_999_999][rand(7)]! + rand(1000);
  let bigPath = 0;
  for (let k = 0; k < 3000; k++) {
    const decimals = rand(7);
    const w = new World();
    w.item('TOP', 'manufactured', 6);
    w.item('C', 'purchased', decimals);
    const qtyBase = pick();
    const scrap = rand(3) === 0 ? 0 : rand(1_000_000_000);
    const output = pick();
    const parent = rand(2) === 0 ? pick() : 1 + rand(1_000_000_000_000_000);
    const bom: ExplosionBom = { id: 'b', itemId: 'TOP', version: 1, outputQty: output as Micro, components: [{ itemId: 'C', qtyBase: qtyBase as Micro, scrapPct: scrap as Micro }] };
    const num = BigInt(parent) * BigInt(qtyBase) * (100_000_000n + BigInt(scrap));
    const den = BigInt(output) * 100_000_000n * 10n ** BigInt(6 - decimals);
    const expected = (num / den + (num % den === 0n ? 0n : 1n)) * 10n ** BigInt(6 - decimals);
    if (num > BigInt(Number.MAX_SAFE_INTEGER)) bigPath++;
    const e = explode(w.snapshot, bom, parent as Micro);
    if (expected > 1_000_000_000_000_000n) {
      assert.is(!e.ok && e.code, 'bad_request', `case ${k}: over the limit`);
      continue;
    }
    const got = unwrap(e).flattened[0]!;
    assert.is(got.qty, Number(expected), `case ${k}: ${parent} × ${qtyBase} × (1e8 + ${scrap}) / ${output} at ${decimals} decimals`);
    assert.is(got.roundedUp, num % den !== 0n, `case ${k}: roundedUp`);
  }
  assert.ok(bigPath > 500, `both paths ran (${bigPath} past 2^53)`);
});

test('batch sizes: the lines are per outputQty; a third of a batch rounds up, never down', () => {
  const w = new World();
  w.item('BREAD', 'manufactured');
  w.item('FLOUR', 'purchased', 3);
  w.item('TIN');
  const bom = w.bom('BREAD', [['FLOUR', 1], ['TIN', 1]], 3);
  assert.equal(totals(unwrap(explode(w.snapshot, bom, m(3)))), { FLOUR: 1, TIN: 1 });
  assert.equal(totals(unwrap(explode(w.snapshot, bom, m(6)))), { FLOUR: 2, TIN: 2 });
  // 10 / 3 = 3.333...: 3.334 KG, 4 tins.
  const e = unwrap(explode(w.snapshot, bom, m(10)));
  assert.equal(totals(e), { FLOUR: 3.334, TIN: 4 });
  assert.ok(e.flattened.every((f) => f.roundedUp));
  // A fractional batch size: 2.5 per batch of 0.5 is 5 per unit.
  w.item('PASTE', 'manufactured', 1);
  const paste = w.bom('PASTE', [['FLOUR', 2.5]], 0.5);
  assert.equal(totals(unwrap(explode(w.snapshot, paste, m(0.3)))), { FLOUR: 1.5 });
});

test('multi-level: children explode from the parent\'s rounded quantity; subassemblies are not in the flattened list', () => {
  const w = new World();
  w.item('BIKE', 'manufactured');
  w.item('WHEEL', 'manufactured');
  w.item('FRAME', 'manufactured');
  w.item('SPOKE');
  w.item('TUBE', 'purchased', 2);
  w.bom('WHEEL', [['SPOKE', 36]]);
  // A frame is made in pairs from 3.3 m of tube, 5 % scrap: 1.7325 m per frame.
  w.bom('FRAME', [['TUBE', 3.3, 5]], 2);
  const bike = w.bom('BIKE', [['WHEEL', 2], ['FRAME', 1]]);
  const e = unwrap(explode(w.snapshot, bike, m(3)));
  assert.equal(shape(e.tree), ['WHEEL:6', '  SPOKE:216(purchased)', 'FRAME:3', '  TUBE:5.2(purchased)']);
  // 3 frames × 3.3 × 1.05 / 2 = 5.1975 m → 5.20 (two decimals).
  assert.equal(totals(e), { SPOKE: 216, TUBE: 5.2 });
  assert.equal(e.tree.map((n) => [n.bomId, n.bomVersion, n.leafReason]), [['bom-1', 1, null], ['bom-2', 1, null]]);
  // A subassembly rounded up is built whole, and its components follow the whole quantity.
  w.item('HALF', 'manufactured');
  const half = w.bom('HALF', [['WHEEL', 1]], 2, false);
  const h = unwrap(explode(w.snapshot, half, m(3)));
  assert.equal(shape(h.tree), ['WHEEL:2', '  SPOKE:72(purchased)']);
  assert.ok(h.tree[0]!.roundedUp);
});

test('diamonds: a component reached by two paths is two nodes, summed in the flattened list, each rounded on its own', () => {
  const w = new World();
  w.item('TOP', 'manufactured');
  w.item('LEFT', 'manufactured');
  w.item('RIGHT', 'manufactured');
  w.item('BOLT');
  w.bom('LEFT', [['BOLT', 1]], 2);
  w.bom('RIGHT', [['BOLT', 3]]);
  const top = w.bom('TOP', [['LEFT', 1], ['RIGHT', 1], ['BOLT', 1]]);
  const e = unwrap(explode(w.snapshot, top, m(1)));
  // LEFT: 0.5 bolt → 1; RIGHT: 3; TOP itself: 1.
  assert.equal(shape(e.tree), ['LEFT:1', '  BOLT:1(purchased)', 'RIGHT:1', '  BOLT:3(purchased)', 'BOLT:1(purchased)']);
  assert.equal(totals(e), { BOLT: 5 });
  assert.is(e.flattened.length, 1);
  assert.is(e.flattened[0]!.roundedUp, true);
  assert.is(e.nodes, 5);
  // A diamond is not a cycle.
  assert.is(findCycle(top, w.activeBoms), null);
});

test('phantoms: always exploded through, never a level; without an active BOM a phantom is a leaf that allows nothing', () => {
  const w = new World();
  w.item('TOP', 'manufactured');
  w.item('KIT', 'phantom');
  w.item('SUB', 'manufactured');
  w.item('NUT');
  w.item('WASHER');
  w.bom('KIT', [['NUT', 2], ['SUB', 1]]);
  w.bom('SUB', [['WASHER', 4]]);
  const top = w.bom('TOP', [['KIT', 1], ['NUT', 1]]);
  const all = unwrap(explode(w.snapshot, top, m(10)));
  assert.equal(shape(all.tree), ['KIT:10', '  NUT:20(purchased)', '  SUB:10', '    WASHER:40(purchased)', 'NUT:10(purchased)']);
  assert.equal(totals(all), { NUT: 30, WASHER: 40 });
  // levels=1: manufactured components stay leaves, phantoms are still blown through: what a work order issues.
  const one = unwrap(explode(w.snapshot, top, m(10), { levels: 1 }));
  assert.equal(shape(one.tree), ['KIT:10', '  NUT:20(purchased)', '  SUB:10(levels)', 'NUT:10(purchased)']);
  assert.equal(totals(one), { NUT: 30, SUB: 10 });
  assert.equal(one.tree[0]!.components[1]!.bomId, null);
  const two = unwrap(explode(w.snapshot, top, m(10), { levels: 2 }));
  assert.equal(totals(two), totals(all));
  // A phantom with no active BOM cannot be exploded, nor ever held.
  w.activeBoms.delete('KIT');
  const stuck = unwrap(explode(w.snapshot, top, m(10)));
  assert.equal(shape(stuck.tree), ['KIT:10(no_active_bom)', 'NUT:10(purchased)']);
  assert.equal(maxBuildable(w.snapshot, top, new Map([['NUT', m(1000)]]), null, m(1)), 0);
});

test('leaves say why: purchased, service (listed, never stocked), no active BOM, levels', () => {
  const w = new World();
  w.item('TOP', 'manufactured');
  w.item('BOUGHT');
  w.item('LABOUR', 'service', 2);
  w.item('PLAIN', 'manufactured');
  w.item('DEEP', 'manufactured');
  w.item('CHANGED');
  w.item('INNER');
  w.bom('DEEP', [['INNER', 1]]);
  // A purchased item that once had a BOM: bought, not built.
  w.bom('CHANGED', [['INNER', 1]]);
  const top = w.bom('TOP', [['BOUGHT', 1], ['LABOUR', 0.25], ['PLAIN', 1], ['DEEP', 1], ['CHANGED', 1]]);
  const e = unwrap(explode(w.snapshot, top, m(4)));
  assert.equal(e.tree.map((n) => [n.itemNo, n.leafReason]),
    [['BOUGHT', 'purchased'], ['LABOUR', 'service'], ['PLAIN', 'no_active_bom'], ['DEEP', null], ['CHANGED', 'purchased']]);
  assert.equal(totals(e), { BOUGHT: 4, CHANGED: 4, INNER: 4, LABOUR: 1, PLAIN: 4 });
  assert.equal(e.flattened.map((f) => f.itemNo), ['BOUGHT', 'CHANGED', 'INNER', 'LABOUR', 'PLAIN'], 'by item number');
  // Services do not limit what can be built.
  const labourOnly = w.bom('TOP', [['LABOUR', 1]], 1, false);
  assert.is(maxBuildable(w.snapshot, labourOnly, new Map(), null, m(1)), null);
  // Totals only: the same sums, no tree.
  const flat = unwrap(explode(w.snapshot, top, m(4), { tree: false }));
  assert.equal([flat.tree, totals(flat)], [[], totals(e)]);
});

test('deep chains: 40 levels of batches and scrap, exact to the micro-unit', () => {
  const w = new World();
  const n = 40;
  for (let i = 0; i <= n; i++) w.item(`L${i}`, i === n ? 'purchased' : 'manufactured', 6);
  // Each level needs 1.5 of the next per batch of 2, scrap 0: a factor 0.75 per level.
  for (let i = 0; i < n; i++) w.bom(`L${i}`, [[`L${i + 1}`, 1.5]], 2);
  const top = w.activeBoms.get('L0')!;
  const e = unwrap(explode(w.snapshot, top, m(1000)));
  let depth = 0;
  for (let node = e.tree[0]; node; node = node.components[0]) depth = node.level;
  assert.is(depth, n);
  // 1000 × 0.75^k rounded up to 6 decimals at each level, which we recompute with BigInt here.
  let q = 1000_000_000n;
  for (let i = 0; i < n; i++) q = (q * 3n + 3n) / 4n; // ceil(q × 0.75)
  assert.is(e.flattened[0]!.qty, Number(q));
  assert.equal(e.flattened.map((f) => f.itemNo), [`L${n}`]);
});

test('cycles: the explosion stops at an item already on its path and names the cycle', () => {
  const w = new World();
  w.item('A', 'manufactured');
  w.item('B', 'manufactured');
  w.item('C', 'phantom');
  w.item('X');
  w.bom('B', [['X', 1], ['C', 1]]);
  w.bom('C', [['A', 1]]);
  const a = w.bom('A', [['X', 1], ['B', 2]], 1, false);
  const e = explode(w.snapshot, a, m(1));
  assert.is(e.ok, false);
  if (e.ok) return;
  assert.is(e.code, 'conflict');
  assert.equal(e.details, [{ path: '/components/1/itemId', message: 'cycle: A → B → C → A' }]);
  // Cut off above the cycle by levels, it is not followed.
  assert.equal(shape(unwrap(explode(w.snapshot, a, m(1), { levels: 1 })).tree), ['X:1(purchased)', 'B:2(levels)']);
  // findCycle: the same cycle, as item ids, from the root line it starts at.
  assert.equal(findCycle(a, w.activeBoms), { index: 1, itemIds: ['A', 'B', 'C', 'A'] });
  // Without the closing edge there is none.
  w.activeBoms.delete('C');
  assert.is(findCycle(a, w.activeBoms), null);
  // A cycle below the root, not through it, is found too.
  w.item('P', 'manufactured');
  w.item('Q', 'manufactured');
  w.bom('P', [['Q', 1]]);
  w.bom('Q', [['P', 1]]);
  const r = w.bom('A', [['P', 1]], 1, false);
  assert.equal(findCycle(r, w.activeBoms), { index: 0, itemIds: ['P', 'Q', 'P'] });
  const loop = explode(w.snapshot, r, m(1));
  assert.is(!loop.ok && loop.code, 'conflict');
});

test('findCycle follows every active BOM, whatever the item kind now (a latent cycle is one too)', () => {
  const w = new World();
  w.item('A', 'manufactured');
  w.item('P');
  w.bom('P', [['A', 1]]);
  const a = w.bom('A', [['P', 1]], 1, false);
  assert.equal(findCycle(a, w.activeBoms), { index: 0, itemIds: ['A', 'P', 'A'] });
  // The explosion, which buys P, has no cycle to follow.
  assert.equal(totals(unwrap(explode(w.snapshot, a, m(1)))), { P: 1 });
});

test('limits: a requirement over 1e9 units and a tree over the node limit are refused', () => {
  const w = new World();
  w.item('TOP', 'manufactured');
  w.item('A');
  const big = w.bom('TOP', [['A', 1000]]);
  const over = explode(w.snapshot, big, m(1_000_001));
  assert.is(!over.ok && over.code, 'bad_request');
  assert.ok(explode(w.snapshot, big, m(1_000_000)).ok);
  // Two summed nodes over the limit together.
  const twice = w.bom('TOP', [['A', 600], ['A', 600]], 1, false);
  const sum = explode(w.snapshot, twice, m(1_000_000));
  assert.is(!sum.ok && sum.code, 'bad_request');
  // 17 levels of two lines each to the next: 2^17 nodes.
  for (let i = 0; i <= 17; i++) w.item(`D${i}`, i === 17 ? 'purchased' : 'manufactured');
  for (let i = 0; i < 17; i++) w.bom(`D${i}`, [[`D${i + 1}`, 1], [`D${i + 1}`, 1]]);
  const wide = explode(w.snapshot, w.activeBoms.get('D0')!, m(1));
  assert.is(!wide.ok && wide.code, 'bad_request');
  const fewer = unwrap(explode(w.snapshot, w.activeBoms.get('D0')!, m(1), { levels: 10 }));
  assert.ok(fewer.nodes < MAX_EXPLOSION_NODES);
  assert.equal(totals(fewer), { D10: 1024 });
});

test('maxBuildable: the largest quantity whose requirement fits available stock, rounding included', () => {
  const w = new World();
  w.item('TOP', 'manufactured');
  w.item('SUB', 'manufactured');
  w.item('FLOUR', 'purchased', 3);
  w.item('SCREW');
  w.bom('SUB', [['FLOUR', 1, 2.5]], 3);
  const top = w.bom('TOP', [['SUB', 2], ['SCREW', 5]]);
  const stock = (flour: number, screw: number) => new Map([['FLOUR', m(flour)], ['SCREW', m(screw)]]);
  // Flour: ceil(2N × 1.025 / 3, 3 dp) ≤ 10 → N ≤ 14.63; screws 5N ≤ 1000.
  assert.is(maxBuildable(w.snapshot, top, stock(10, 1000), null, m(1)), m(14));
  assert.is(maxBuildable(w.snapshot, top, stock(10, 60), null, m(1)), m(12));
  assert.is(maxBuildable(w.snapshot, top, stock(0, 1000), null, m(1)), 0);
  assert.is(maxBuildable(w.snapshot, top, stock(1e9, 1e9), null, m(1)), m(200_000_000));
  // One level: SUB is taken from stock instead.
  assert.is(maxBuildable(w.snapshot, top, new Map([['SUB', m(7)], ['SCREW', m(1000)]]), 1, m(1)), m(3));
  // In the item's UOM step: a tenth of a unit at a time.
  w.item('GOO', 'manufactured', 1);
  const goo = w.bom('GOO', [['SCREW', 3]]);
  assert.is(maxBuildable(w.snapshot, goo, new Map([['SCREW', m(10)]]), null, m(0.1)), m(3.3));
  // Every answer fits and one step more does not.
  for (const [flour, screw] of [[10, 1000], [3.4, 77], [0.7, 5]] as const) {
    const most = maxBuildable(w.snapshot, top, stock(flour, screw), null, m(1))!;
    const fits = (q: number) => unwrap(explode(w.snapshot, top, q as Micro, { tree: false })).flattened
      .every((f) => f.qty <= (f.itemNo === 'FLOUR' ? m(flour) : m(screw)));
    if (most > 0) assert.ok(fits(most), `${most} fits`);
    assert.not.ok(fits(most + m(1)), `${most} + 1 does not`);
  }
});

test('cumulativeShare: partial completions issue their share, rounded up, adding up to exactly the requirement', () => {
  // 51 screws for 10 units, completed 3 + 3 + 4.
  const done = [3, 6, 10].map((d) => cumulativeShare(m(51), m(d), m(10), 0) / 1e6);
  assert.equal(done, [16, 31, 51]);
  // Any sequence of completions issues exactly the requirement in the end, never decreasing.
  for (const [required, total, decimals] of [[7.333, 3, 3], [1, 7, 0], [1000000, 0.000003, 6]] as const) {
    let before = 0;
    for (let k = 1; k <= 7; k++) {
      const d = Math.min(total, (total * k) / 7);
      const share = cumulativeShare(m(required), m(Number(d.toFixed(6))), m(total), decimals);
      assert.ok(share >= before);
      before = share;
    }
    assert.is(cumulativeShare(m(required), m(total), m(total), decimals), m(required));
  }
  assert.is(cumulativeShare(m(5), m(0), m(10), 0), 0);
});

test('issuePicks: the line\'s own allocations first, then unallocated stock FEFO at pickable places, or one place only', () => {
  const place = (locationId: string, lotId: string | null, onHand: number, allocated: number, expires: string | null, pickable = true) => ({
    locationId, locationPath: locationId, isPickable: pickable, lotId, lotNo: lotId, lotExpiresOn: expires, lotCreatedAt: '2030-01-01',
    onHand: m(onHand), allocated: m(allocated),
  });
  const position: StockPosition = {
    itemId: 'I', facilityId: 'F', onHand: m(30), reserved: m(0), allocated: m(4),
    locations: [place('A', 'L2', 10, 4, '2031-06-01'), place('B', 'L1', 10, 0, '2031-01-01'), place('C', 'L3', 10, 0, '2030-06-01', false)],
  };
  const own: AllocationRecord[] = [
    { id: 'x', reservationId: 'r', itemId: 'I', facilityId: 'F', locationId: 'A', lotId: 'L2', qty: m(4), createdAt: '2030-01-01' },
  ];
  const plain = (p: ReturnType<typeof issuePicks>) => p?.map((x) => [x.locationId, x.qty / 1e6]);
  // Own allocation at A, then B's lot (expires first among pickable places), then A's free stock.
  assert.equal(plain(issuePicks(position, own, m(18), null)), [['A', 8], ['B', 10]]);
  assert.equal(plain(issuePicks(position, own, m(3), null)), [['A', 3]]);
  assert.equal(plain(issuePicks(position, [], m(12), null)), [['B', 10], ['A', 2]]);
  // Not pickable: never chosen, unless named.
  assert.is(issuePicks(position, [], m(17), null), null);
  assert.equal(plain(issuePicks(position, [], m(10), 'C')), [['C', 10]]);
  assert.equal(plain(issuePicks(position, own, m(10), 'A')), [['A', 10]]);
  assert.is(issuePicks(position, own, m(11), 'A'), null);
  assert.is(issuePicks(undefined, [], m(1), null), null);
});

test.run();
