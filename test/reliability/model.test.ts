// Model-based testing: fast-check draws sequences of up to MAX_COMMANDS commands (receive,
// adjust, move, reserve, allocate, ship, transfer, count, cancel, reverse) that run over HTTP
// against an in-process server and against a small in-memory model of one item in two
// facilities (and a second item built from it). The model predicts each command's outcome (accepted, or refused with a 409)
// and its effect; after every command the API's balances per location and its availability
// per facility (on hand, reserved, allocated, available) must equal the model's, the
// model's own invariants must hold, and `verify` must find no drift. RUNS runs per CI, from a
// fixed seed (IMS_BATTERY_SEED replays another); a failure prints its seed, path and shrunk
// command sequence, and that sequence is added to REGRESSIONS (as commands, so it survives
// changes to the generators), which run on every CI.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyBalances } from '../../core/verify.js';
import { startTestServer, type Reply, type TestServer } from '../http/harness.js';
import { batterySeed } from './support.js';

const RUNS = 100;
const MAX_COMMANDS = 40;
const SEED = batterySeed(9_002);

type Loc = 'A' | 'B' | 'T1' | 'C' | 'T2';
const FACILITY: Record<Loc, 'F1' | 'F2'> = { A: 'F1', B: 'F1', T1: 'F1', C: 'F2', T2: 'F2' };
const TRANSIT = new Set<Loc>(['T1', 'T2']);

interface Res {
  id: string;
  facility: 'F1' | 'F2';
  qty: number;
  fulfilled: number;
  /** In the order they were first made: a shipment consumes the oldest first. */
  allocs: Array<{ loc: Loc; qty: number }>;
  status: 'open' | 'allocated' | 'fulfilled' | 'released' | 'cancelled';
}

/** What the ledger should hold: on hand per location, reservations, reversible postings. */
class Model {
  onHand = new Map<Loc, number>();
  /** The built item's on hand per location (it is only ever made, never moved). */
  built = new Map<Loc, number>();
  reservations: Res[] = [];
  postings: Array<{ id: string; lines: Array<{ loc: Loc; delta: number }>; reversed: boolean }> = [];

  at(loc: Loc): number {
    return this.onHand.get(loc) ?? 0;
  }
  holding(): Res[] {
    return this.reservations.filter((r) => r.status === 'open' || r.status === 'allocated');
  }
  allocatedAt(loc: Loc): number {
    return this.holding().reduce((s, r) => s + r.allocs.filter((a) => a.loc === loc).reduce((x, a) => x + a.qty, 0), 0);
  }
  position(f: 'F1' | 'F2') {
    const onHand = [...this.onHand].filter(([l]) => FACILITY[l] === f && !TRANSIT.has(l)).reduce((s, [, q]) => s + q, 0);
    const mine = this.holding().filter((r) => r.facility === f);
    const allocated = mine.reduce((s, r) => s + allocTotal(r), 0);
    const reserved = mine.reduce((s, r) => s + r.qty - r.fulfilled - allocTotal(r), 0);
    return { onHand, reserved, allocated, available: onHand - reserved - allocated };
  }
  /** The promises of stock.ts: per facility reserved + allocated ≤ on hand; per location allocated ≤ on hand; nothing negative. */
  promisesHold(): boolean {
    for (const [loc, q] of this.onHand) if (q < 0 || q < this.allocatedAt(loc)) return false;
    for (const f of ['F1', 'F2'] as const) {
      const p = this.position(f);
      if (p.reserved + p.allocated > p.onHand) return false;
    }
    return true;
  }
  /** Applies `deltas` if the result keeps every promise; says whether it did. */
  tryPost(deltas: Array<{ loc: Loc; delta: number }>): boolean {
    const before = new Map(this.onHand);
    for (const d of deltas) this.onHand.set(d.loc, this.at(d.loc) + d.delta);
    if (this.promisesHold()) return true;
    this.onHand = before;
    return false;
  }
}

const holds = (r: Res) => r.status === 'open' || r.status === 'allocated';
const allocTotal = (r: Res) => r.allocs.reduce((s, a) => s + a.qty, 0);

/** The server side of a run: a fresh in-memory database with one item in two facilities. */
interface Real {
  t: TestServer;
  itemId: string;
  /** Built from two of the item (an active BOM). */
  productId: string;
  ids: Record<Loc | 'F1' | 'F2' | 'po' | 'poLine', string>;
  names: Map<string, Loc>;
}

function data(r: Reply, what: string): any {
  if (r.status < 200 || r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
}

async function setup(): Promise<Real> {
  const t = await startTestServer({ databaseUrl: 'sqlite::memory:' });
  const ea = data(await t.call('POST', '/v1/uoms', { code: 'EA', name: 'Each' }), 'uom');
  const item = data(await t.call('POST', '/v1/items', { itemNo: 'M-1', name: 'Modelled', itemKind: 'purchased', baseUomId: ea.id }), 'item');
  const ids: Partial<Real['ids']> = {};
  for (const [f, bins] of [['F1', ['A', 'B']], ['F2', ['C']]] as const) {
    const facility = data(await t.call('POST', '/v1/facilities', { code: f, name: f, type: 'warehouse' }), 'facility');
    ids[f] = facility.id;
    for (const b of bins) ids[b] = data(await t.call('POST', `/v1/facilities/${facility.id}/locations`, { code: b, name: b, type: 'bin' }), 'bin').id;
    const locations = data(await t.call('GET', `/v1/facilities/${facility.id}/locations`), 'locations');
    ids[f === 'F1' ? 'T1' : 'T2'] = locations.find((l: { type: string }) => l.type === 'transit').id;
  }
  const product = data(await t.call('POST', '/v1/items', { itemNo: 'M-2', name: 'Built', itemKind: 'manufactured', baseUomId: ea.id }), 'product');
  const bom = data(await t.call('POST', '/v1/production/boms', { itemId: product.id, components: [{ itemId: item.id, qty: 2 }] }), 'bom');
  data(await t.call('POST', `/v1/production/boms/${bom.id}/activate`, {}), 'activate');
  const supplier = data(await t.call('POST', '/v1/procurement/suppliers', { code: 'S', name: 'S' }), 'supplier');
  const po = data(await t.call('POST', '/v1/procurement/purchase-orders', {
    supplierId: supplier.id, facilityId: ids.F1, lines: [{ itemId: item.id, qty: 1_000_000, unitPrice: 1 }],
  }), 'po');
  for (const a of ['submit', 'approve', 'send']) data(await t.call('POST', `/v1/procurement/purchase-orders/${po.id}/${a}`, {}), a);
  ids.po = po.id;
  ids.poLine = po.lines[0].id;
  const all = ids as Real['ids'];
  const names = new Map<string, Loc>((['A', 'B', 'T1', 'C', 'T2'] as Loc[]).map((l) => [all[l], l]));
  return { t, itemId: item.id, productId: product.id, ids: all, names };
}

/** After every command: the API's balances and availability are the model's, and nothing drifts. */
async function compare(m: Model, r: Real, after: string): Promise<void> {
  assert.ok(m.promisesHold(), `${after}: the model broke its own invariants`);
  const rows = data(await r.t.call('GET', `/v1/inventory/balances?itemId=${r.itemId}&limit=1000`), 'balances') as Array<{ locationId: string; onHand: number }>;
  const api = new Map<Loc, number>();
  for (const b of rows) {
    const loc = r.names.get(b.locationId)!;
    api.set(loc, (api.get(loc) ?? 0) + b.onHand);
  }
  for (const loc of ['A', 'B', 'T1', 'C', 'T2'] as Loc[]) {
    assert.is(api.get(loc) ?? 0, m.at(loc), `${after}: on hand at ${loc}`);
  }
  const built = data(await r.t.call('GET', `/v1/inventory/balances?itemId=${r.productId}&limit=1000`), 'built') as Array<{ locationId: string; onHand: number }>;
  const builtAt = new Map<Loc, number>();
  for (const b of built) builtAt.set(r.names.get(b.locationId)!, (builtAt.get(r.names.get(b.locationId)!) ?? 0) + b.onHand);
  for (const loc of ['A', 'B'] as Loc[]) assert.is(builtAt.get(loc) ?? 0, m.built.get(loc) ?? 0, `${after}: built on hand at ${loc}`);
  for (const f of ['F1', 'F2'] as const) {
    const got = data(await r.t.call('GET', `/v1/inventory/availability?groupBy=facility&itemId=${r.itemId}&facilityId=${r.ids[f]}`), 'availability')[0]
      ?? { onHand: 0, reserved: 0, allocated: 0, available: 0 };
    const want = m.position(f);
    assert.equal({ onHand: got.onHand, reserved: got.reserved, allocated: got.allocated, available: got.available }, want, `${after}: availability at ${f}`);
  }
  assert.equal(await verifyBalances(r.t.store.read), [], `${after}: verify`);
}

/** The outcome the model predicted: accepted (2xx) or refused (409, nothing changed). */
const tally: Record<string, number> = {};

function expectOutcome(reply: Reply, accepted: boolean, what: string): void {
  const kind = `${what.split('(')[0]}${what.includes(': ') ? ` ${what.split(': ').pop()}` : ''} ${accepted ? 'ok' : 'refused'}`;
  tally[kind] = (tally[kind] ?? 0) + 1;
  const ok = reply.status >= 200 && reply.status < 300;
  if (accepted) assert.ok(ok, `${what}: the model accepts, the API answered ${reply.status} ${JSON.stringify(reply.body)}`);
  else assert.is(reply.status, 409, `${what}: the model refuses, the API answered ${reply.status} ${JSON.stringify(reply.body)}`);
}

type Cmd = fc.AsyncCommand<Model, Real>;

abstract class Base implements Cmd {
  check(_: Readonly<Model>): boolean {
    return true;
  }
  abstract apply(m: Model, r: Real): Promise<void>;
  async run(m: Model, r: Real): Promise<void> {
    await this.apply(m, r);
    await compare(m, r, this.toString());
  }
  abstract toString(): string;
}

class Receive extends Base {
  constructor(readonly loc: 'A' | 'B', readonly qty: number) {
    super();
  }
  async apply(m: Model, r: Real) {
    const reply = await r.t.call('POST', `/v1/procurement/purchase-orders/${r.ids.po}/receipts`, { lines: [{ lineId: r.ids.poLine, qty: this.qty, locationId: r.ids[this.loc] }] });
    expectOutcome(reply, m.tryPost([{ loc: this.loc, delta: this.qty }]), this.toString());
  }
  toString() {
    return `receive(${this.loc}, ${this.qty})`;
  }
}

class Adjust extends Base {
  constructor(readonly loc: 'A' | 'B' | 'C', readonly delta: number) {
    super();
  }
  async apply(m: Model, r: Real) {
    const reply = await r.t.call('POST', '/v1/inventory/adjustments', { itemId: r.itemId, locationId: r.ids[this.loc], qtyDelta: this.delta });
    const accepted = m.tryPost([{ loc: this.loc, delta: this.delta }]);
    expectOutcome(reply, accepted, this.toString());
    if (accepted) m.postings.push({ id: reply.body.data.id, lines: [{ loc: this.loc, delta: this.delta }], reversed: false });
  }
  toString() {
    return `adjust(${this.loc}, ${this.delta})`;
  }
}

class Move extends Base {
  constructor(readonly from: 'A' | 'B', readonly qty: number) {
    super();
  }
  async apply(m: Model, r: Real) {
    const to = this.from === 'A' ? 'B' : 'A';
    const reply = await r.t.call('POST', '/v1/inventory/moves', { itemId: r.itemId, fromLocationId: r.ids[this.from], toLocationId: r.ids[to], qty: this.qty });
    const lines = [{ loc: this.from, delta: -this.qty }, { loc: to, delta: this.qty }] as Array<{ loc: Loc; delta: number }>;
    const accepted = m.tryPost(lines);
    expectOutcome(reply, accepted, this.toString());
    if (accepted) m.postings.push({ id: reply.body.data.id, lines, reversed: false });
  }
  toString() {
    return `move(${this.from}, ${this.qty})`;
  }
}

class Reserve extends Base {
  constructor(readonly qty: number) {
    super();
  }
  async apply(m: Model, r: Real) {
    const reply = await r.t.call('POST', '/v1/inventory/reservations', { itemId: r.itemId, facilityId: r.ids.F1, qty: this.qty, demand: { type: 'manual' } });
    const accepted = m.position('F1').available >= this.qty;
    expectOutcome(reply, accepted, this.toString());
    if (accepted) m.reservations.push({ id: reply.body.data.id, facility: 'F1', qty: this.qty, fulfilled: 0, allocs: [], status: 'open' });
  }
  toString() {
    return `reserve(${this.qty})`;
  }
}

/** A command on the n-th reservation (modulo how many there are). */
abstract class OnReservation extends Base {
  constructor(readonly n: number) {
    super();
  }
  override check(m: Readonly<Model>) {
    return m.reservations.length > 0;
  }
  /** Mostly one that still holds stock (a command on an ended one is a plain 409), now and then any. */
  res(m: Readonly<Model>): Res {
    const holding = m.reservations.filter(holds);
    const pool = holding.length && this.n % 4 !== 3 ? holding : m.reservations;
    return pool[this.n % pool.length]!;
  }
}

class Allocate extends OnReservation {
  constructor(n: number, readonly loc: 'A' | 'B', readonly qty: number) {
    super(n);
  }
  async apply(m: Model, r: Real) {
    const res = this.res(m);
    const reply = await r.t.call('POST', `/v1/inventory/reservations/${res.id}/allocate`, { allocations: [{ locationId: r.ids[this.loc], qty: this.qty }] });
    const open = res.qty - res.fulfilled - allocTotal(res);
    const accepted = holds(res) && this.qty <= open && this.qty <= m.at(this.loc) - m.allocatedAt(this.loc);
    expectOutcome(reply, accepted, this.toString());
    if (!accepted) return;
    const same = res.allocs.find((a) => a.loc === this.loc);
    if (same) same.qty += this.qty;
    else res.allocs.push({ loc: this.loc, qty: this.qty });
    res.status = 'allocated';
  }
  toString() {
    return `allocate(#${this.n}, ${this.loc}, ${this.qty})`;
  }
}

class Ship extends OnReservation {
  constructor(n: number, readonly qty: number) {
    super(n);
  }
  /** Shipping past the allocations picks unallocated stock in the server's pick order, which the model does not keep. */
  override check(m: Readonly<Model>) {
    if (!super.check(m)) return false;
    const res = this.res(m);
    return !holds(res) || this.qty > res.qty - res.fulfilled || this.qty <= allocTotal(res);
  }
  async apply(m: Model, r: Real) {
    const res = this.res(m);
    const reply = await r.t.call('POST', `/v1/inventory/reservations/${res.id}/fulfill`, { qty: this.qty });
    const accepted = holds(res) && this.qty <= res.qty - res.fulfilled && this.qty <= allocTotal(res);
    expectOutcome(reply, accepted, this.toString());
    if (!accepted) return;
    let rest = this.qty;
    for (const a of res.allocs) {
      const take = Math.min(a.qty, rest);
      a.qty -= take;
      rest -= take;
      m.onHand.set(a.loc, m.at(a.loc) - take);
    }
    res.allocs = res.allocs.filter((a) => a.qty > 0);
    res.fulfilled += this.qty;
    res.status = res.fulfilled === res.qty ? 'fulfilled' : allocTotal(res) > 0 ? 'allocated' : 'open';
  }
  toString() {
    return `ship(#${this.n}, ${this.qty})`;
  }
}

class Cancel extends OnReservation {
  async apply(m: Model, r: Real) {
    const res = this.res(m);
    const reply = await r.t.call('POST', `/v1/inventory/reservations/${res.id}/cancel`, {});
    const accepted = holds(res);
    expectOutcome(reply, accepted, this.toString());
    if (!accepted) return;
    res.status = 'cancelled';
    res.allocs = [];
  }
  toString() {
    return `cancel(#${this.n})`;
  }
}

class Reverse extends Base {
  constructor(readonly n: number) {
    super();
  }
  override check(m: Readonly<Model>) {
    return m.postings.length > 0;
  }
  async apply(m: Model, r: Real) {
    const p = m.postings[this.n % m.postings.length]!;
    const reply = await r.t.call('POST', `/v1/inventory/transactions/${p.id}/reverse`, {});
    const accepted = !p.reversed && m.tryPost(p.lines.map((l) => ({ loc: l.loc, delta: -l.delta })));
    expectOutcome(reply, accepted, this.toString());
    if (accepted) p.reversed = true;
  }
  toString() {
    return `reverse(#${this.n})`;
  }
}

/** A transfer from F1 to C in F2, all the way: create, release, ship, receive. */
class Transfer extends Base {
  constructor(readonly from: 'A' | 'B', readonly qty: number) {
    super();
  }
  async apply(m: Model, r: Real) {
    const what = this.toString();
    const created = data(await r.t.call('POST', '/v1/inventory/transfers', { fromFacilityId: r.ids.F1, toFacilityId: r.ids.F2, lines: [{ itemId: r.itemId, qty: this.qty }] }), what);
    const lineId = created.lines[0].id;
    const released = await r.t.call('POST', `/v1/inventory/transfers/${created.id}/release`, {});
    const canRelease = m.position('F1').available >= this.qty;
    expectOutcome(released, canRelease, `${what}: release`);
    if (!canRelease) return;
    const held = data(await r.t.call('GET', `/v1/inventory/reservations?demandType=transfer&demandId=${created.id}`), `${what}: its reservation`);
    assert.is(held.length, 1, `${what}: release holds the line's quantity`);
    const res: Res = { id: held[0].id, facility: 'F1', qty: this.qty, fulfilled: 0, allocs: [], status: 'open' };
    m.reservations.push(res);
    const shipped = await r.t.call('POST', `/v1/inventory/transfers/${created.id}/ship`, { lines: [{ lineId, qty: this.qty, fromLocationId: r.ids[this.from] }] });
    // The transfer's own hold is what this shipment consumes; others' allocations stay.
    const canShip = m.at(this.from) - m.allocatedAt(this.from) >= this.qty;
    expectOutcome(shipped, canShip, `${what}: ship`);
    if (!canShip) {
      data(await r.t.call('POST', `/v1/inventory/transfers/${created.id}/cancel`, {}), `${what}: cancel`);
      res.status = 'cancelled';
      return;
    }
    m.onHand.set(this.from, m.at(this.from) - this.qty);
    m.onHand.set('T2', m.at('T2') + this.qty);
    res.fulfilled = this.qty;
    res.status = 'fulfilled';
    await compare(m, r, `${what}: in transit`);
    data(await r.t.call('POST', `/v1/inventory/transfers/${created.id}/receive`, { lines: [{ lineId, qty: this.qty, toLocationId: r.ids.C }] }), `${what}: receive`);
    m.onHand.set('T2', m.at('T2') - this.qty);
    m.onHand.set('C', m.at('C') + this.qty);
  }
  toString() {
    return `transfer(${this.from}, ${this.qty})`;
  }
}

/** A count of one bin: open a session on it, count, post; the bin then holds what was counted. */
class Count extends Base {
  constructor(readonly loc: 'A' | 'B', readonly counted: number) {
    super();
  }
  async apply(m: Model, r: Real) {
    const what = this.toString();
    const session = data(await r.t.call('POST', '/v1/inventory/count-sessions', { facilityId: r.ids.F1, locationIds: [r.ids[this.loc]], itemIds: [r.itemId] }), what);
    data(await r.t.call('POST', `/v1/inventory/count-sessions/${session.id}/counts`, { lines: [{ itemId: r.itemId, locationId: r.ids[this.loc], countedQty: this.counted }] }), `${what}: counts`);
    const posted = await r.t.call('POST', `/v1/inventory/count-sessions/${session.id}/post`, {});
    const accepted = m.tryPost([{ loc: this.loc, delta: this.counted - m.at(this.loc) }]);
    expectOutcome(posted, accepted, `${what}: post`);
    if (!accepted) data(await r.t.call('POST', `/v1/inventory/count-sessions/${session.id}/cancel`, {}), `${what}: cancel`);
  }
  toString() {
    return `count(${this.loc}, ${this.counted})`;
  }
}

/** A work order for `qty` of the built item into A: release holds 2 × qty, complete issues it from `from`. */
class Build extends Base {
  constructor(readonly from: 'A' | 'B', readonly qty: number) {
    super();
  }
  async apply(m: Model, r: Real) {
    const what = this.toString();
    const need = 2 * this.qty;
    const wo = data(await r.t.call('POST', '/v1/production/work-orders', { itemId: r.productId, qty: this.qty, facilityId: r.ids.F1, outputLocationId: r.ids.A }), what);
    const released = await r.t.call('POST', `/v1/production/work-orders/${wo.id}/release`, {});
    const canRelease = m.position('F1').available >= need;
    expectOutcome(released, canRelease, `${what}: release`);
    if (!canRelease) return;
    const held = data(await r.t.call('GET', `/v1/inventory/reservations?demandType=work_order&demandId=${wo.id}`), `${what}: its reservation`);
    assert.is(held.length, 1, `${what}: release holds the component`);
    const res: Res = { id: held[0].id, facility: 'F1', qty: need, fulfilled: 0, allocs: [], status: 'open' };
    m.reservations.push(res);
    await compare(m, r, `${what}: released`);
    const done = await r.t.call('POST', `/v1/production/work-orders/${wo.id}/complete`, { componentLocationId: r.ids[this.from] });
    const canComplete = m.at(this.from) - m.allocatedAt(this.from) >= need;
    expectOutcome(done, canComplete, `${what}: complete`);
    if (!canComplete) {
      data(await r.t.call('POST', `/v1/production/work-orders/${wo.id}/cancel`, {}), `${what}: cancel`);
      res.status = 'released';
      return;
    }
    m.onHand.set(this.from, m.at(this.from) - need);
    m.built.set('A', (m.built.get('A') ?? 0) + this.qty);
    res.fulfilled = need;
    res.status = 'fulfilled';
  }
  toString() {
    return `build(${this.from}, ${this.qty})`;
  }
}

const qty = fc.integer({ min: 1, max: 12 });
/** Allocations and shipments are small, so they fit inside what reservations hold. */
const small = fc.integer({ min: 1, max: 4 });
const bin = fc.constantFrom<'A' | 'B'>('A', 'B');
const nth = fc.nat({ max: 7 });
const COMMANDS: Array<fc.Arbitrary<Cmd>> = [
  fc.tuple(bin, qty).map(([l, q]) => new Receive(l, q)),
  fc.tuple(fc.constantFrom<'A' | 'B' | 'C'>('A', 'B', 'C'), fc.integer({ min: -12, max: 12 }).filter((d) => d !== 0)).map(([l, d]) => new Adjust(l, d)),
  fc.tuple(bin, qty).map(([l, q]) => new Move(l, q)),
  qty.map((q) => new Reserve(q)),
  fc.tuple(nth, bin, small).map(([n, l, q]) => new Allocate(n, l, q)),
  fc.tuple(nth, small).map(([n, q]) => new Ship(n, q)),
  nth.map((n) => new Cancel(n)),
  nth.map((n) => new Reverse(n)),
  fc.tuple(bin, qty).map(([l, q]) => new Transfer(l, q)),
  fc.tuple(bin, fc.integer({ min: 0, max: 20 })).map(([l, c]) => new Count(l, c)),
  fc.tuple(bin, fc.integer({ min: 1, max: 5 })).map(([l, q]) => new Build(l, q)),
];

const property = fc.asyncProperty(fc.commands(COMMANDS, { maxCommands: MAX_COMMANDS, size: 'max' }), async (cmds) => {
  const real = await setup();
  try {
    await fc.asyncModelRun(() => ({ model: new Model(), real }), cmds);
  } finally {
    await real.t.close();
  }
});

test(`${RUNS} random runs of up to ${MAX_COMMANDS} commands: the API equals the model after every command (seed ${SEED})`, async () => {
  const started = Date.now();
  await fc.assert(property, { numRuns: RUNS, seed: SEED, endOnFailure: true, includeErrorInReport: true });
  console.log(`  model: ${RUNS} runs of up to ${MAX_COMMANDS} commands, API equal to the model after each, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`  model: outcomes ${JSON.stringify(tally)}`);
});

/** Shrunk sequences that once failed, run as they are on every CI. */
const REGRESSIONS: Array<{ why: string; commands: () => Cmd[] }> = [
  {
    // Seed 9002, the battery's first failing run: the transfer's hold was looked up where the
    // API does not show it. It stays for what it walks through: a transfer whose shipment is
    // refused is cancelled, and its ended hold then refuses a shipment with a 409.
    why: 'a cancelled transfer\'s hold refuses a shipment',
    commands: () => [new Receive('A', 10), new Transfer('B', 9), new Move('A', 5), new Ship(5, 12)],
  },
];

for (const r of REGRESSIONS) {
  test(`regression: ${r.why}`, async () => {
    const real = await setup();
    try {
      await fc.asyncModelRun(() => ({ model: new Model(), real }), r.commands());
    } finally {
      await real.t.close();
    }
  });
}

test.run();
