// Sales orders over HTTP: the document and its numbering, exact amounts, lines in other
// UOMs, every transition allowed and refused, open reserving every line (all or none),
// partial shipments from named places or picked first-expired / first-received with the
// lines' own allocations first, reservations fulfilled and allocations consumed in the same
// transaction, cancel rules, PATCH of drafts, list filters, racing opens, and the 4xx a client
// can cause, each leaving everything as it was. The stock and availability each step leaves
// are checked as it goes, and `ims verify` is clean at the end.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyBalances } from '../../core/verify.js';
import { expectStatus, seedWorld, startTestServer, type Reply, type TestServer, type World } from './harness.js';

let t: TestServer;
let w: World;
let other: World;
let customerId: string;

const created = (r: Reply) => (expectStatus(r, 201), r.body.data);
const okay = (r: Reply) => (expectStatus(r, 200), r.body.data);
const paths = (r: Reply) => (r.body.details ?? []).map((d: { path: string }) => d.path);
const NONE = '00000000-0000-7000-8000-000000000000';

function expectError(r: Reply, status: number, code: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code, JSON.stringify(r.body));
  assert.is(r.body.status, status);
}

let items = 0;
async function item(extra: Record<string, unknown> = {}): Promise<string> {
  items += 1;
  return created(await t.call('POST', '/v1/items', { itemNo: `SOLD-${items}`, name: `Sold ${items}`, itemKind: 'purchased', baseUomId: w.eaId, ...extra })).id;
}

const adjust = (body: Record<string, unknown>) => t.call('POST', '/v1/inventory/adjustments', body);

async function stocked(qty: number, at = w.binA, extra: Record<string, unknown> = {}): Promise<string> {
  const itemId = await item();
  created(await adjust({ itemId, locationId: at, qtyDelta: qty, ...extra }));
  return itemId;
}

let customers = 0;
async function customer(extra: Record<string, unknown> = {}): Promise<{ id: string; code: string }> {
  customers += 1;
  return created(await t.call('POST', '/v1/sales/customers', { code: `CUST-${customers}`, name: `Customer ${customers}`, ...extra }));
}

const create = (lines: unknown[], extra: Record<string, unknown> = {}) =>
  t.call('POST', '/v1/sales/orders', { customerId, facilityId: w.facilityId, lines, ...extra });
const act = (id: string, name: string, body: unknown = {}) => t.call('POST', `/v1/sales/orders/${id}/${name}`, body);
const patch = (id: string, body: unknown, headers: Record<string, string> = {}) => t.call('PATCH', `/v1/sales/orders/${id}`, body, { headers });
const get = async (id: string) => okay(await t.call('GET', `/v1/sales/orders/${id}`));
const ship = (id: string, lines: unknown[]) => act(id, 'ship', { lines });

async function balances(itemId: string): Promise<Array<{ locationId: string; lotId: string | null; lotNo: string | null; onHand: number }>> {
  return okay(await t.call('GET', `/v1/inventory/balances?itemId=${itemId}&limit=1000`));
}

/** On hand at one location (any lot). */
async function at(itemId: string, locationId: string): Promise<number> {
  return (await balances(itemId)).filter((b) => b.locationId === locationId).reduce((s, b) => s + b.onHand, 0);
}

async function availability(itemId: string, facilityId = w.facilityId) {
  const rows = okay(await t.call('GET', `/v1/inventory/availability?groupBy=facility&itemId=${itemId}&facilityId=${facilityId}`));
  return rows[0] ?? { onHand: 0, reserved: 0, allocated: 0, available: 0 };
}

/** [onHand, reserved, allocated, available] of the item at the main facility. */
async function position(itemId: string): Promise<number[]> {
  const a = await availability(itemId);
  return [a.onHand, a.reserved, a.allocated, a.available];
}

async function reservationsOf(orderId: string) {
  return okay(await t.call('GET', `/v1/inventory/reservations?demandType=sales_order&demandId=${orderId}&limit=1000`));
}

async function allocationsOf(reservationId: string) {
  return okay(await t.call('GET', `/v1/inventory/allocations?reservationId=${reservationId}&limit=1000`));
}

async function shipmentsOf(orderId: string) {
  const rows = okay(await t.call('GET', `/v1/inventory/transactions?referenceType=sales_order&referenceId=${orderId}`));
  return rows.reverse(); // oldest first
}

const orderCount = async () => (await t.call('GET', '/v1/sales/orders?limit=1')).body.count as number;

test.before(async () => {
  t = await startTestServer();
  w = await seedWorld(t, '1');
  other = await seedWorld(t, '2');
  customerId = (await customer()).id;
});
test.after(async () => {
  await t.close();
});

test('an order reads as the API shows it, numbered per type, with exact amounts and total', async () => {
  const x = await stocked(5);
  const y = await stocked(5);
  const a = created(await create([{ itemId: x, qty: 3, unitPrice: 0.1 }, { itemId: y, qty: 1, unitPrice: 0.2 }],
    { notes: 'rush', requestedOn: '2030-02-01', currency: 'EUR' }));
  assert.equal(Object.keys(a).sort(), ['createdAt', 'currency', 'customerId', 'facilityId', 'id', 'lines', 'notes', 'orderNo',
    'requestedOn', 'status', 'statusHistory', 'total', 'updatedAt', 'version'].sort());
  assert.match(a.orderNo, /^SO-\d{6}$/);
  assert.equal([a.status, a.version, a.customerId, a.facilityId, a.notes, a.requestedOn, a.currency],
    ['draft', 1, customerId, w.facilityId, 'rush', '2030-02-01', 'EUR']);
  assert.equal(a.statusHistory, [{ from: null, to: 'draft', at: a.createdAt, by: { tokenId: a.statusHistory[0].by.tokenId, name: 'admin (IMS_ADMIN_TOKEN)' } }]);
  assert.ok(a.statusHistory[0].by.tokenId, 'the token that made the change is recorded');
  assert.equal(a.createdAt, a.updatedAt);
  assert.equal(Object.keys(a.lines[0]).sort(), ['amount', 'id', 'itemId', 'lineNo', 'qty', 'qtyShipped', 'reservationId', 'unitPrice', 'uomId'].sort());
  assert.equal(a.lines.map((l: any) => [l.lineNo, l.itemId, l.qty, l.uomId, l.unitPrice, l.amount, l.qtyShipped, l.reservationId]),
    [[1, x, 3, w.eaId, 0.1, 0.3, 0, null], [2, y, 1, w.eaId, 0.2, 0.2, 0, null]]);
  // 3 × 0.1 in binary floating point is 0.30000000000000004: exact here.
  assert.is(a.total, 0.5);
  const b = created(await create([{ itemId: x, qty: 1, unitPrice: 0 }]));
  assert.is(Number(b.orderNo.slice(3)), Number(a.orderNo.slice(3)) + 1);
  assert.equal([b.notes, b.requestedOn, b.currency, b.total], [null, null, null, 0]);
  assert.equal(await get(a.id), a);
  // A draft promises nothing.
  assert.equal(await position(x), [5, 0, 0, 5]);
  assert.equal(await reservationsOf(a.id), []);
});

test('money: amounts that need more than six decimals, or past 1e9, are refused; large exact ones kept', async () => {
  const x = await item();
  const before = await orderCount();
  let r = await create([{ itemId: x, qty: 3, unitPrice: 0.1234565 }]);
  expectError(r, 400, 'bad_request'); // a price of seven decimals
  r = await create([{ itemId: x, qty: 3, unitPrice: -1 }]);
  expectError(r, 400, 'bad_request');
  const kg = created(await t.call('POST', '/v1/uoms', { code: 'KG', name: 'Kilogram', decimals: 3 }));
  const weighed = await item({ baseUomId: kg.id });
  r = await create([{ itemId: weighed, qty: 0.125, unitPrice: 0.333333 }]); // 0.041666625
  expectError(r, 400, 'bad_request');
  assert.equal(paths(r), ['/lines/0/unitPrice']);
  r = await create([{ itemId: x, qty: 1000, unitPrice: 1000000.5 }]); // 1000000500 > 1e9
  expectError(r, 400, 'bad_request');
  assert.equal(paths(r), ['/lines/0/unitPrice']);
  r = await create([{ itemId: x, qty: 1000, unitPrice: 600000 }, { itemId: x, qty: 1000, unitPrice: 600000 }]);
  expectError(r, 400, 'bad_request');
  assert.equal(paths(r), ['/lines']);
  assert.is(await orderCount(), before);
  const exact = created(await create([{ itemId: weighed, qty: 1.5, unitPrice: 2.000002 }, { itemId: x, qty: 999, unitPrice: 1000000.999999 }]));
  assert.equal(exact.lines.map((l: { amount: number }) => l.amount), [3.000003, 999000998.999001]);
  assert.is(exact.total, 999001001.999004);
  // 0.1 + 0.2 in binary floating point is 0.30000000000000004.
  assert.is(created(await create([{ itemId: x, qty: 1, unitPrice: 0.1 }, { itemId: x, qty: 1, unitPrice: 0.2 }])).total, 0.3);
});

test('lines in another UOM: qty and price per that UOM; reserved and shipped in base units, exactly', async () => {
  const box = created(await t.call('POST', '/v1/uoms', { code: 'BOX12', name: 'Box of 12', decimals: 0 }));
  const itemId = await item({ uomConversions: [{ uomId: box.id, factor: 12 }] });
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 30 }));
  const so = created(await create([{ itemId, qty: 2, uomId: box.id, unitPrice: 24.5 }]));
  assert.equal([so.lines[0].qty, so.lines[0].uomId, so.lines[0].amount, so.total], [2, box.id, 49, 49]);
  okay(await act(so.id, 'open'));
  const [r] = await reservationsOf(so.id);
  assert.is(r.qty, 24);
  assert.equal(await position(itemId), [30, 24, 0, 6]);
  // Half a box does not exist.
  expectError(await ship(so.id, [{ lineId: so.lines[0].id, qty: 0.5, locationId: w.binA }]), 400, 'bad_request');
  const s1 = okay(await ship(so.id, [{ lineId: so.lines[0].id, qty: 1, locationId: w.binA }]));
  assert.equal([s1.status, s1.lines[0].qtyShipped], ['partially_shipped', 1]);
  const [tx] = await shipmentsOf(so.id);
  assert.equal(tx.lines.map((l: { qtyDelta: number }) => l.qtyDelta), [-12]);
  assert.equal(await position(itemId), [18, 12, 0, 6]);
  const s2 = okay(await ship(so.id, [{ lineId: so.lines[0].id, qty: 1 }]));
  assert.equal([s2.status, s2.lines[0].qtyShipped], ['shipped', 2]);
  assert.equal(await position(itemId), [6, 0, 0, 6]);
  // A UOM the item does not convert.
  const pallet = created(await t.call('POST', '/v1/uoms', { code: 'PAL', name: 'Pallet' }));
  const r2 = await create([{ itemId, qty: 1, uomId: pallet.id, unitPrice: 1 }]);
  expectError(r2, 400, 'bad_request');
  assert.equal(paths(r2), ['/lines/0/uomId']);
});

test('full lifecycle: open reserves every line; partial shipments; each leaves stock and availability as it should', async () => {
  const itemId = await stocked(10);
  const so = created(await create([{ itemId, qty: 6, unitPrice: 2.5 }]));
  const lineId = so.lines[0].id;

  const opened = okay(await act(so.id, 'open'));
  assert.equal([opened.status, opened.version], ['open', 2]);
  const [r] = await reservationsOf(so.id);
  assert.equal([r.qty, r.status, r.facilityId, r.demand], [6, 'open', w.facilityId, { type: 'sales_order', id: so.id, lineId }]);
  assert.is(opened.lines[0].reservationId, r.id);
  assert.equal(await position(itemId), [10, 6, 0, 4]);
  // What the order reserved is not there for anyone else.
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: -5 }), 409, 'insufficient_stock');

  const s1 = okay(await ship(so.id, [{ lineId, qty: 2, locationId: w.binA }]));
  assert.equal([s1.status, s1.lines[0].qtyShipped, s1.version], ['partially_shipped', 2, 3]);
  assert.equal(await position(itemId), [8, 4, 0, 4]);
  let txs = await shipmentsOf(so.id);
  assert.equal(txs.map((x: { type: string; reference: unknown }) => [x.type, x.reference]), [['shipment', { type: 'sales_order', id: so.id }]]);
  assert.equal(txs[0].lines.map((l: { locationId: string; qtyDelta: number }) => [l.locationId, l.qtyDelta]), [[w.binA, -2]]);
  assert.equal((await reservationsOf(so.id)).map((x: { qtyFulfilled: number; status: string }) => [x.qtyFulfilled, x.status]), [[2, 'open']]);

  const s2 = okay(await ship(so.id, [{ lineId, qty: 1 }, { lineId, qty: 3 }]));
  assert.equal([s2.status, s2.lines[0].qtyShipped], ['shipped', 6]);
  assert.equal(await position(itemId), [4, 0, 0, 4]);
  assert.equal(await at(itemId, w.binA), 4);
  txs = await shipmentsOf(so.id);
  assert.is(txs.length, 2, 'one shipment transaction per ship call');
  assert.equal((await reservationsOf(so.id)).map((x: { qtyFulfilled: number; status: string }) => [x.qtyFulfilled, x.status]), [[6, 'fulfilled']]);
  assert.equal(s2.statusHistory.map((h: { from: string | null; to: string }) => [h.from, h.to]),
    [[null, 'draft'], ['draft', 'open'], ['open', 'partially_shipped'], ['partially_shipped', 'shipped']]);
  assert.ok(s2.statusHistory.every((h: { at: string; by: { tokenId: string } }) => h.at && h.by.tokenId));
  assert.equal(await get(so.id), s2);
});

test('transitions, allowed and refused (409 invalid_state) in every state, each refusal changing nothing', async () => {
  const itemId = await stocked(100);
  const line = [{ itemId, qty: 2, unitPrice: 1 }];
  const inState = async (status: string) => {
    const so = created(await create(line));
    if (status === 'cancelled') okay(await act(so.id, 'cancel'));
    if (['open', 'partially_shipped', 'shipped'].includes(status)) okay(await act(so.id, 'open'));
    if (status === 'partially_shipped') okay(await ship(so.id, [{ lineId: so.lines[0].id, qty: 1 }]));
    if (status === 'shipped') okay(await ship(so.id, [{ lineId: so.lines[0].id, qty: 2 }]));
    const now = await get(so.id);
    assert.is(now.status, status);
    return now;
  };
  const attempts: Record<string, (so: any) => Promise<Reply>> = {
    open: (so) => act(so.id, 'open'),
    ship: (so) => ship(so.id, [{ lineId: so.lines[0].id, qty: 1 }]),
    cancel: (so) => act(so.id, 'cancel'),
    patch: (so) => patch(so.id, { notes: 'changed' }),
  };
  // [state, action, the state after, or null for invalid_state]
  const table: Array<[string, string, string | null]> = [
    ['draft', 'open', 'open'], ['draft', 'ship', null], ['draft', 'cancel', 'cancelled'], ['draft', 'patch', 'draft'],
    ['open', 'open', null], ['open', 'ship', 'partially_shipped'], ['open', 'cancel', 'cancelled'], ['open', 'patch', null],
    ['partially_shipped', 'open', null], ['partially_shipped', 'ship', 'shipped'], ['partially_shipped', 'cancel', null],
    ['partially_shipped', 'patch', null],
    ['shipped', 'open', null], ['shipped', 'ship', null], ['shipped', 'cancel', null], ['shipped', 'patch', null],
    ['cancelled', 'open', null], ['cancelled', 'ship', null], ['cancelled', 'cancel', null], ['cancelled', 'patch', null],
  ];
  for (const [status, action, to] of table) {
    const so = await inState(status);
    const before = await position(itemId);
    const r = await attempts[action]!(so);
    if (to === null) {
      expectError(r, 409, 'invalid_state');
      assert.equal(await get(so.id), so, `${status} + ${action} changed the order`);
      assert.equal(await position(itemId), before, `${status} + ${action} changed the stock`);
    } else {
      const after = okay(r);
      assert.is(after.status, to, `${status} + ${action}`);
      assert.is(after.version, so.version + 1);
    }
  }
});

test('open is all or none: a short line is named, the order stays draft, nothing is reserved', async () => {
  const x = await stocked(5);
  const y = await stocked(2);
  const so = created(await create([{ itemId: x, qty: 5, unitPrice: 1 }, { itemId: y, qty: 3, unitPrice: 1 }]));
  let r = await act(so.id, 'open');
  expectError(r, 409, 'insufficient_stock');
  assert.equal(paths(r), ['/lines/1/qty']);
  assert.equal(await get(so.id), so);
  assert.equal(await reservationsOf(so.id), []);
  assert.equal([await position(x), await position(y)], [[5, 0, 0, 5], [2, 0, 0, 2]]);
  // Lines of the same item are summed before the check: both are named.
  const twice = created(await create([{ itemId: x, qty: 3, unitPrice: 1 }, { itemId: x, qty: 3, unitPrice: 1 }]));
  r = await act(twice.id, 'open');
  expectError(r, 409, 'insufficient_stock');
  assert.equal(paths(r), ['/lines/0/qty', '/lines/1/qty']);
  // Once the stock is there, the same order opens.
  created(await adjust({ itemId: y, locationId: w.binB, qtyDelta: 1 }));
  assert.is(okay(await act(so.id, 'open')).status, 'open');
  assert.equal([await position(x), await position(y)], [[5, 5, 0, 0], [3, 3, 0, 0]]);
  okay(await act(so.id, 'cancel'));
});

test('cancel: a draft; an open order releases its reservations; refused once anything shipped', async () => {
  const itemId = await stocked(10);
  const draft = created(await create([{ itemId, qty: 4, unitPrice: 1 }]));
  const cancelled = okay(await act(draft.id, 'cancel'));
  assert.equal([cancelled.status, cancelled.statusHistory.map((h: { to: string }) => h.to)], ['cancelled', ['draft', 'cancelled']]);

  const open = created(await create([{ itemId, qty: 4, unitPrice: 1 }, { itemId, qty: 2, unitPrice: 1 }]));
  okay(await act(open.id, 'open'));
  // Part of one line's reservation is allocated: cancelling releases that too.
  const [r1] = (await reservationsOf(open.id)).filter((r: { qty: number }) => r.qty === 4);
  okay(await t.call('POST', `/v1/inventory/reservations/${r1.id}/allocate`, { allocations: [{ locationId: w.binA, qty: 3 }] }));
  assert.equal(await position(itemId), [10, 3, 3, 4]);
  const done = okay(await act(open.id, 'cancel'));
  assert.equal([done.status, done.statusHistory.map((h: { to: string }) => h.to)], ['cancelled', ['draft', 'open', 'cancelled']]);
  assert.equal((await reservationsOf(open.id)).map((r: { status: string }) => r.status), ['released', 'released']);
  assert.equal(await allocationsOf(r1.id), []);
  assert.equal(await position(itemId), [10, 0, 0, 10]);

  const shipped = created(await create([{ itemId, qty: 4, unitPrice: 1 }]));
  okay(await act(shipped.id, 'open'));
  okay(await ship(shipped.id, [{ lineId: shipped.lines[0].id, qty: 1 }]));
  const before = await get(shipped.id);
  expectError(await act(shipped.id, 'cancel'), 409, 'invalid_state');
  assert.equal(await get(shipped.id), before);
  assert.equal(await position(itemId), [9, 3, 0, 6]);
  // The rest still ships.
  assert.is(okay(await ship(shipped.id, [{ lineId: shipped.lines[0].id, qty: 3 }])).status, 'shipped');
  assert.equal(await position(itemId), [6, 0, 0, 6]);
});

test('picking: the line\'s own allocations first, then first-expired; nothing stays allocated after shipping', async () => {
  const itemId = await item({ lotTracking: 'tracked', expiryTracking: 'tracked' });
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 4, lotNo: 'L-LATE', expiresOn: '2031-01-01' }));
  created(await adjust({ itemId, locationId: w.binB, qtyDelta: 4, lotNo: 'L-SOON', expiresOn: '2030-06-01' }));
  const lotOf = async (lotNo: string) => (await balances(itemId)).find((b) => b.lotNo === lotNo)!.lotId!;
  const late = await lotOf('L-LATE');
  const soon = await lotOf('L-SOON');

  const so = created(await create([{ itemId, qty: 6, unitPrice: 3 }]));
  const lineId = so.lines[0].id;
  okay(await act(so.id, 'open'));
  const [r] = await reservationsOf(so.id);
  okay(await t.call('POST', `/v1/inventory/reservations/${r.id}/allocate`, { allocations: [{ locationId: w.binA, lotId: late, qty: 2 }] }));
  assert.equal(await position(itemId), [8, 4, 2, 2]);

  // 3 picked: the allocation (2 of L-LATE) first, then the first to expire (L-SOON).
  okay(await ship(so.id, [{ lineId, qty: 3 }]));
  let [tx] = await shipmentsOf(so.id);
  assert.equal(tx.lines.map((l: { lotNo: string; locationId: string; qtyDelta: number }) => [l.lotNo, l.locationId, l.qtyDelta]),
    [['L-LATE', w.binA, -2], ['L-SOON', w.binB, -1]]);
  assert.equal(await allocationsOf(r.id), []);
  assert.equal(await position(itemId), [5, 3, 0, 2]);

  // A lot named without a location: picked within that lot.
  okay(await ship(so.id, [{ lineId, qty: 2, lotId: late }]));
  tx = (await shipmentsOf(so.id))[1];
  assert.equal(tx.lines.map((l: { lotNo: string; qtyDelta: number }) => [l.lotNo, l.qtyDelta]), [['L-LATE', -2]]);

  // Allocated at one place, shipped from another named: the allocation is consumed, not left behind.
  okay(await t.call('POST', `/v1/inventory/reservations/${r.id}/allocate`, { allocations: [{ locationId: w.binB, lotId: soon, qty: 1 }] }));
  assert.equal(await position(itemId), [3, 0, 1, 2]);
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 1, lotId: late }));
  const done = okay(await ship(so.id, [{ lineId, qty: 1, locationId: w.binA, lotId: late }]));
  assert.is(done.status, 'shipped');
  assert.equal(await allocationsOf(r.id), []);
  const [final] = await reservationsOf(so.id);
  assert.equal([final.status, final.qtyFulfilled, final.qtyAllocated], ['fulfilled', 6, 0]);
  assert.equal(await position(itemId), [3, 0, 0, 3]);
});

test('picking spans lines of the same item in one call without taking the same stock twice', async () => {
  const itemId = await stocked(2, w.binA);
  created(await adjust({ itemId, locationId: w.binB, qtyDelta: 2 }));
  const so = created(await create([{ itemId, qty: 2, unitPrice: 1 }, { itemId, qty: 2, unitPrice: 1 }]));
  okay(await act(so.id, 'open'));
  const done = okay(await ship(so.id, so.lines.map((l: { id: string }) => ({ lineId: l.id, qty: 2 }))));
  assert.is(done.status, 'shipped');
  const [tx] = await shipmentsOf(so.id);
  assert.equal(tx.lines.map((l: { locationId: string; qtyDelta: number }) => [l.locationId, l.qtyDelta]), [[w.binA, -2], [w.binB, -2]]);
  assert.equal(await position(itemId), [0, 0, 0, 0]);
});

test('places named: location in the facility, not transit; a lot for lot-tracked items; stock must be there', async () => {
  const lotItem = await item({ lotTracking: 'tracked' });
  created(await adjust({ itemId: lotItem, locationId: w.binA, qtyDelta: 3, lotNo: 'L-1' }));
  const plain = await stocked(3);
  const so = created(await create([{ itemId: lotItem, qty: 3, unitPrice: 1 }, { itemId: plain, qty: 3, unitPrice: 1 }]));
  okay(await act(so.id, 'open'));
  const [l1, l2] = so.lines.map((l: { id: string }) => l.id);
  const before = await get(so.id);
  let r = await ship(so.id, [{ lineId: l1, qty: 1, locationId: w.binA }]);
  expectError(r, 400, 'bad_request');
  assert.equal(paths(r), ['/lines/0/lotId']);
  r = await ship(so.id, [{ lineId: l2, qty: 1, locationId: other.binA }]);
  expectError(r, 404, 'not_found');
  assert.equal(paths(r), ['/lines/0/locationId']);
  r = await ship(so.id, [{ lineId: l2, qty: 1, locationId: w.transitId }]);
  expectError(r, 400, 'bad_request');
  r = await ship(so.id, [{ lineId: l2, qty: 1, lotId: NONE }]);
  expectError(r, 400, 'bad_request'); // not lot tracked
  r = await ship(so.id, [{ lineId: l1, qty: 1, lotId: NONE }]);
  expectError(r, 404, 'not_found');
  assert.equal(paths(r), ['/lines/0/lotId']);
  r = await ship(so.id, [{ lineId: NONE, qty: 1 }]);
  expectError(r, 404, 'not_found');
  assert.equal(paths(r), ['/lines/0/lineId']);
  r = await ship(so.id, [{ lineId: l2, qty: 1, serialNos: ['S-1'] }]);
  expectError(r, 400, 'bad_request');
  // Nothing at bin B: the ledger refuses, naming the line.
  r = await ship(so.id, [{ lineId: l1, qty: 1 }, { lineId: l2, qty: 1, locationId: w.binB }]);
  expectError(r, 409, 'insufficient_stock');
  assert.equal(paths(r), ['/lines/1/qty']);
  assert.equal(await get(so.id), before);
  assert.equal(await shipmentsOf(so.id), []);
  assert.equal([await position(lotItem), await position(plain)], [[3, 3, 0, 0], [3, 3, 0, 0]]);
  const lot = (await balances(lotItem))[0]!.lotId;
  const done = okay(await ship(so.id, [{ lineId: l1, qty: 3, locationId: w.binA, lotId: lot }, { lineId: l2, qty: 3, locationId: w.binA }]));
  assert.is(done.status, 'shipped');
  assert.equal([await position(lotItem), await position(plain)], [[0, 0, 0, 0], [0, 0, 0, 0]]);
});

test('serials: one per unit, where the order ships from; shipped serials are gone', async () => {
  const itemId = await item({ serialTracking: 'tracked' });
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 2, serialNos: ['SN-1', 'SN-2'] }));
  created(await adjust({ itemId, locationId: w.binB, qtyDelta: 1, serialNos: ['SN-3'] }));
  created(await adjust({ itemId, locationId: other.binA, qtyDelta: 1, serialNos: ['SN-9'] }));
  const so = created(await create([{ itemId, qty: 3, unitPrice: 100 }]));
  const lineId = so.lines[0].id;
  okay(await act(so.id, 'open'));
  expectError(await ship(so.id, [{ lineId, qty: 1 }]), 400, 'bad_request');
  expectError(await ship(so.id, [{ lineId, qty: 2, serialNos: ['SN-1'] }]), 400, 'bad_request');
  let r = await ship(so.id, [{ lineId, qty: 1, serialNos: ['SN-9'] }]);
  expectError(r, 409, 'conflict');
  assert.equal(paths(r), ['/lines/0/serialNos/0']);
  r = await ship(so.id, [{ lineId, qty: 1, locationId: w.binA, serialNos: ['SN-3'] }]);
  expectError(r, 409, 'conflict');
  okay(await ship(so.id, [{ lineId, qty: 2, serialNos: ['SN-3', 'SN-1'] }]));
  const [tx] = await shipmentsOf(so.id);
  assert.equal(tx.lines.map((l: { locationId: string; serialNos: string[] }) => [l.locationId, l.serialNos]).sort(),
    [[w.binA, ['SN-1']], [w.binB, ['SN-3']]].sort());
  expectError(await ship(so.id, [{ lineId, qty: 1, serialNos: ['SN-1'] }]), 409, 'conflict');
  assert.is(okay(await ship(so.id, [{ lineId, qty: 1, serialNos: ['SN-2'] }])).status, 'shipped');
  assert.equal(await position(itemId), [0, 0, 0, 0]);
});

test('shipping more than a line has left is a 409 conflict, request lines summed; nothing changes', async () => {
  const itemId = await stocked(10);
  const so = created(await create([{ itemId, qty: 3, unitPrice: 1 }]));
  const lineId = so.lines[0].id;
  okay(await act(so.id, 'open'));
  let r = await ship(so.id, [{ lineId, qty: 4 }]);
  expectError(r, 409, 'conflict');
  assert.equal(paths(r), ['/lines/0/qty']);
  r = await ship(so.id, [{ lineId, qty: 2 }, { lineId, qty: 2 }]);
  expectError(r, 409, 'conflict');
  okay(await ship(so.id, [{ lineId, qty: 2 }]));
  const before = await get(so.id);
  expectError(await ship(so.id, [{ lineId, qty: 2 }]), 409, 'conflict');
  assert.equal(await get(so.id), before);
  assert.equal(await position(itemId), [8, 1, 0, 7]);
  for (const body of [{}, { lines: [] }, { lines: [{ lineId }] }, { lines: [{ lineId, qty: 0 }] }, { lines: [{ lineId, qty: 1, fromLocationId: w.binA }] },
    { lines: Array.from({ length: 1001 }, () => ({ lineId, qty: 1 })) }]) {
    expectError(await act(so.id, 'ship', body), 400, 'bad_request');
  }
  expectError(await act(so.id, 'cancel', { force: true }), 400, 'bad_request');
  assert.equal(await get(so.id), before);
});

test('a line whose reservation was released by hand ships from free stock', async () => {
  const itemId = await stocked(5);
  const so = created(await create([{ itemId, qty: 3, unitPrice: 1 }]));
  okay(await act(so.id, 'open'));
  const [r] = await reservationsOf(so.id);
  okay(await t.call('POST', `/v1/inventory/reservations/${r.id}/release`, {}));
  assert.equal(await position(itemId), [5, 0, 0, 5]);
  // Someone else takes 3 of the 5; the order's 3 are no longer there for it.
  created(await t.call('POST', '/v1/inventory/reservations', { itemId, facilityId: w.facilityId, qty: 3, demand: { type: 'manual' } }));
  expectError(await ship(so.id, [{ lineId: so.lines[0].id, qty: 3 }]), 409, 'insufficient_stock');
  assert.is(okay(await ship(so.id, [{ lineId: so.lines[0].id, qty: 2 }])).status, 'partially_shipped');
  assert.equal(await position(itemId), [3, 3, 0, 0]);
});

test('a line shipped in full promises nothing more, even when its reservation was raised by hand', async () => {
  const itemId = await stocked(10);
  const so = created(await create([{ itemId, qty: 3, unitPrice: 1 }]));
  okay(await act(so.id, 'open'));
  const [r] = await reservationsOf(so.id);
  okay(await t.call('PATCH', `/v1/inventory/reservations/${r.id}`, { qty: 5 }));
  assert.equal(await position(itemId), [10, 5, 0, 5]);
  assert.is(okay(await ship(so.id, [{ lineId: so.lines[0].id, qty: 3 }])).status, 'shipped');
  const [after] = await reservationsOf(so.id);
  assert.equal([after.status, after.qtyFulfilled], ['released', 3]);
  assert.equal(await position(itemId), [7, 0, 0, 7]);
});

test('Idempotency-Key on ship replays the answer and ships once', async () => {
  const itemId = await stocked(5);
  const so = created(await create([{ itemId, qty: 4, unitPrice: 1 }]));
  okay(await act(so.id, 'open'));
  const body = { lines: [{ lineId: so.lines[0].id, qty: 1 }] };
  const headers = { 'idempotency-key': `ship-${so.id}` };
  const first = await t.call('POST', `/v1/sales/orders/${so.id}/ship`, body, { headers });
  const again = await t.call('POST', `/v1/sales/orders/${so.id}/ship`, body, { headers });
  assert.equal([first.status, again.status], [200, 200]);
  assert.equal(again.body, first.body);
  assert.equal((await get(so.id)).lines[0].qtyShipped, 1);
  assert.is((await shipmentsOf(so.id)).length, 1);
  assert.equal(await position(itemId), [4, 3, 0, 1]);
});

test('PATCH: a draft only; header fields and lines (replaced wholesale); If-Match; nothing changed on refusal', async () => {
  const x = await stocked(5);
  const y = await stocked(5);
  const so = created(await create([{ itemId: x, qty: 1, unitPrice: 2 }]));
  const p1 = okay(await patch(so.id, { notes: 'call first', requestedOn: '2030-03-01' }));
  assert.equal([p1.notes, p1.requestedOn, p1.version, p1.lines, p1.status], ['call first', '2030-03-01', 2, so.lines, 'draft']);
  assert.equal(p1.statusHistory, so.statusHistory);
  expectError(await patch(so.id, { notes: 'stale' }, { 'if-match': '1' }), 409, 'conflict');
  const p2 = okay(await patch(so.id, { lines: [{ itemId: y, qty: 2, unitPrice: 1.25 }, { itemId: x, qty: 1, unitPrice: 0.5 }], notes: null },
    { 'if-match': '2' }));
  assert.equal([p2.version, p2.notes, p2.total, p2.lines.length], [3, null, 3, 2]);
  assert.equal(p2.lines.map((l: any) => [l.lineNo, l.itemId, l.qty, l.amount]), [[1, y, 2, 2.5], [2, x, 1, 0.5]]);
  assert.ok(!p2.lines.some((l: { id: string }) => l.id === so.lines[0].id), 'new lines, new ids');
  assert.equal(await get(so.id), p2);
  const cust = await customer();
  const p3 = okay(await patch(so.id, { customerId: cust.id, facilityId: other.facilityId }));
  assert.equal([p3.customerId, p3.facilityId], [cust.id, other.facilityId]);
  okay(await patch(so.id, { facilityId: w.facilityId }));

  const current = await get(so.id);
  for (const [body, status, code, path] of [
    [{}, 400, 'bad_request', null],
    [{ status: 'open' }, 400, 'bad_request', null],
    [{ lines: [] }, 400, 'bad_request', null],
    [{ customerId: null }, 400, 'bad_request', null],
    [{ customerId: NONE }, 404, 'not_found', '/customerId'],
    [{ facilityId: NONE }, 404, 'not_found', '/facilityId'],
    [{ lines: [{ itemId: NONE, qty: 1, unitPrice: 1 }] }, 404, 'not_found', '/lines/0/itemId'],
  ] as Array<[unknown, number, string, string | null]>) {
    const r = await patch(so.id, body);
    expectError(r, status, code);
    if (path) assert.equal(paths(r), [path]);
  }
  assert.equal(await get(so.id), current);
  okay(await act(so.id, 'open'));
  expectError(await patch(so.id, { notes: 'too late' }), 409, 'invalid_state');
  expectError(await patch(NONE, { notes: 'x' }), 404, 'not_found');
  okay(await act(so.id, 'cancel'));
});

test('customers and items: unknown is a 404, inactive a 409 invalid_state, on create, patch and open', async () => {
  const itemId = await stocked(5);
  const before = await orderCount();
  let r = await create([{ itemId, qty: 1, unitPrice: 1 }], { customerId: NONE });
  expectError(r, 404, 'not_found');
  assert.equal(paths(r), ['/customerId']);
  const supplier = created(await t.call('POST', '/v1/procurement/suppliers', { code: 'SUP-AS-CUST', name: 'Supplier' }));
  expectError(await create([{ itemId, qty: 1, unitPrice: 1 }], { customerId: supplier.id }), 404, 'not_found');
  r = await create([{ itemId, qty: 1, unitPrice: 1 }], { facilityId: NONE });
  expectError(r, 404, 'not_found');
  assert.equal(paths(r), ['/facilityId']);
  const sleepy = await customer({ isActive: false });
  r = await create([{ itemId, qty: 1, unitPrice: 1 }], { customerId: sleepy.id });
  expectError(r, 409, 'invalid_state');
  assert.equal(paths(r), ['/customerId']);
  const retired = await stocked(1);
  okay(await t.call('PATCH', `/v1/items/${retired}`, { isActive: false }));
  r = await create([{ itemId, qty: 1, unitPrice: 1 }, { itemId: retired, qty: 1, unitPrice: 1 }]);
  expectError(r, 409, 'invalid_state');
  assert.equal(paths(r), ['/lines/1/itemId']);
  assert.is(await orderCount(), before);

  const active = await customer();
  const so = created(await create([{ itemId, qty: 1, unitPrice: 1 }], { customerId: active.id }));
  expectError(await patch(so.id, { customerId: sleepy.id }), 409, 'invalid_state');
  okay(await t.call('PATCH', `/v1/sales/customers/${active.id}`, { isActive: false }));
  r = await act(so.id, 'open');
  expectError(r, 409, 'invalid_state');
  assert.equal(paths(r), ['/customerId']);
  assert.equal([(await get(so.id)).status, await reservationsOf(so.id)], ['draft', []]);
  // An order already open ships for a customer made inactive since.
  okay(await t.call('PATCH', `/v1/sales/customers/${active.id}`, { isActive: true }));
  okay(await act(so.id, 'open'));
  okay(await t.call('PATCH', `/v1/sales/customers/${active.id}`, { isActive: false }));
  assert.is(okay(await ship(so.id, [{ lineId: so.lines[0].id, qty: 1 }])).status, 'shipped');
});

test('400s on create: bad bodies are refused and create nothing, and use no order number', async () => {
  const itemId = await stocked(5);
  const service = await item({ itemKind: 'service' });
  const first = created(await create([{ itemId, qty: 1, unitPrice: 1 }]));
  const bad = [
    {},
    { customerId, facilityId: w.facilityId },
    { customerId, facilityId: w.facilityId, lines: [] },
    { customerId, facilityId: w.facilityId, lines: Array.from({ length: 1001 }, () => ({ itemId, qty: 1, unitPrice: 1 })) },
    { facilityId: w.facilityId, lines: [{ itemId, qty: 1, unitPrice: 1 }] },
    { customerId: 'CUST-1', facilityId: w.facilityId, lines: [{ itemId, qty: 1, unitPrice: 1 }] },
    { customerId, facilityId: w.facilityId, lines: [{ itemId, qty: 1 }] },
    { customerId, facilityId: w.facilityId, lines: [{ itemId, qty: 0, unitPrice: 1 }] },
    { customerId, facilityId: w.facilityId, lines: [{ itemId, qty: -1, unitPrice: 1 }] },
    { customerId, facilityId: w.facilityId, lines: [{ itemId, qty: 0.0000001, unitPrice: 1 }] },
    { customerId, facilityId: w.facilityId, lines: [{ itemId, qty: 1.5, unitPrice: 1 }] }, // EA takes no decimals
    { customerId, facilityId: w.facilityId, lines: [{ itemId, qty: 1, unitPrice: 1, lotId: itemId }] },
    { customerId, facilityId: w.facilityId, lines: [{ itemId: service, qty: 1, unitPrice: 1 }] },
    { customerId, facilityId: w.facilityId, lines: [{ itemId, qty: 1, unitPrice: 1 }], status: 'open' },
    { customerId, facilityId: w.facilityId, lines: [{ itemId, qty: 1, unitPrice: 1 }], currency: 'euro' },
    { customerId, facilityId: w.facilityId, lines: [{ itemId, qty: 1, unitPrice: 1 }], requestedOn: '2030-13-01' },
  ];
  for (const body of bad) expectError(await t.call('POST', '/v1/sales/orders', body), 400, 'bad_request');
  const next = created(await create([{ itemId, qty: 1, unitPrice: 1 }]));
  assert.is(Number(next.orderNo.slice(3)), Number(first.orderNo.slice(3)) + 1);
  expectError(await t.call('GET', '/v1/sales/orders?status=bogus'), 400, 'bad_request');
  expectError(await t.call('GET', '/v1/sales/orders?customerId=nope'), 400, 'bad_request');
  expectError(await t.call('GET', '/v1/sales/orders?limit=1001'), 400, 'bad_request');
  expectError(await t.call('GET', `/v1/sales/orders/${NONE}`), 404, 'not_found');
  expectError(await act(NONE, 'open'), 404, 'not_found');
  expectError(await act(NONE, 'cancel'), 404, 'not_found');
  expectError(await ship(NONE, [{ lineId: NONE, qty: 1 }]), 404, 'not_found');
  expectError(await t.call('DELETE', `/v1/sales/orders/${first.id}`), 405, 'method_not_allowed');
});

test('lists filter by status, customer, facility, item, and q on the order number or customer code; newest first, paged', async () => {
  const itemId = await stocked(5);
  const otherItem = await stocked(5, other.binA);
  const acme = await customer({ code: 'ACME-TRADING' });
  const a = created(await create([{ itemId, qty: 1, unitPrice: 1 }], { customerId: acme.id }));
  const b = created(await create([{ itemId: otherItem, qty: 1, unitPrice: 1 }], { facilityId: other.facilityId }));
  okay(await act(b.id, 'open'));
  const ids = async (query: string) => okay(await t.call('GET', `/v1/sales/orders?limit=1000&${query}`)).map((x: { id: string }) => x.id);
  assert.equal(await ids(`customerId=${acme.id}`), [a.id]);
  assert.equal(await ids(`facilityId=${other.facilityId}`), [b.id]);
  assert.equal(await ids(`itemId=${otherItem}`), [b.id]);
  assert.equal(await ids(`itemId=${otherItem}&status=open`), [b.id]);
  assert.equal(await ids(`itemId=${otherItem}&status=draft`), []);
  assert.ok((await ids('status=draft')).includes(a.id));
  assert.ok(!(await ids('status=draft')).includes(b.id));
  assert.equal(await ids(`q=${a.orderNo}`), [a.id]);
  assert.equal(await ids(`q=${a.orderNo.toLowerCase()}`), [a.id]);
  assert.equal(await ids('q=acme-trad'), [a.id]);
  assert.ok((await ids('q=SO-')).length >= 2);
  assert.equal(await ids('q=nothing-like-it'), []);
  const page = await t.call('GET', '/v1/sales/orders?limit=2');
  expectStatus(page, 200);
  assert.equal([page.body.data.length, page.body.limit, page.body.offset], [2, 2, 0]);
  assert.ok(page.body.count > 2);
  assert.equal(page.body.data[0], await get(b.id));
  const second = await t.call('GET', '/v1/sales/orders?limit=1&offset=1');
  assert.is(second.body.data[0].id, a.id);
});

test('two orders racing to open on the same stock: exactly one opens, the other stays draft (10 rounds)', async () => {
  for (let round = 0; round < 10; round++) {
    const itemId = await stocked(5);
    const first = created(await create([{ itemId, qty: 4, unitPrice: 1 }]));
    const second = created(await create([{ itemId, qty: 4, unitPrice: 1 }]));
    const replies = await Promise.all([act(first.id, 'open'), act(second.id, 'open')]);
    const statuses = replies.map((r) => r.status).sort();
    assert.equal(statuses, [200, 409], `round ${round}: ${JSON.stringify(replies.map((r) => r.body))}`);
    const refused = replies.find((r) => r.status === 409)!;
    assert.is(refused.body.error, 'insufficient_stock');
    const loser = replies[0]!.status === 409 ? first : second;
    assert.equal([(await get(loser.id)).status, await reservationsOf(loser.id)], ['draft', []]);
    assert.equal(await position(itemId), [5, 4, 0, 1]);
  }
});

test('racing shipments of two orders never take the same stock twice', async () => {
  const itemId = await stocked(6);
  const a = created(await create([{ itemId, qty: 3, unitPrice: 1 }]));
  const b = created(await create([{ itemId, qty: 3, unitPrice: 1 }]));
  okay(await act(a.id, 'open'));
  okay(await act(b.id, 'open'));
  const replies = await Promise.all([
    ship(a.id, [{ lineId: a.lines[0].id, qty: 3 }]),
    ship(b.id, [{ lineId: b.lines[0].id, qty: 3 }]),
    adjust({ itemId, locationId: w.binA, qtyDelta: -1 }),
  ]);
  assert.equal(replies.map((r) => r.status), [200, 200, 409]);
  assert.equal(await position(itemId), [0, 0, 0, 0]);
});

test('at the end, every balance and promise adds up (ims verify)', async () => {
  assert.equal(await verifyBalances(t.store.read), []);
});

test.run();
