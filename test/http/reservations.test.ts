// Reservations and allocations over HTTP: the state machine, automatic allocation (FEFO,
// FIFO), fulfilment by shipment, expiry, the invariant every posting keeps, and the races the
// systems our users leave lose: parallel reservations never oversell, two allocations of the
// whole of one lot never both succeed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyBalances } from '../../core/verify.js';
import { expectStatus, seedWorld, startTestServer, type Reply, type TestServer, type World } from './harness.js';

let t: TestServer;
let w: World;

const created = (r: Reply) => (expectStatus(r, 201), r.body.data);
const okay = (r: Reply) => (expectStatus(r, 200), r.body.data);

function expectError(r: Reply, status: number, code: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code, JSON.stringify(r.body));
}

let items = 0;
async function item(extra: Record<string, unknown> = {}): Promise<string> {
  items += 1;
  return created(await t.call('POST', '/v1/items', { itemNo: `RES-${items}`, name: `Reserved ${items}`, itemKind: 'purchased', baseUomId: w.eaId, ...extra })).id;
}

const adjust = (body: Record<string, unknown>) => t.call('POST', '/v1/inventory/adjustments', body);
const reserve = (itemId: string, qty: number, extra: Record<string, unknown> = {}) =>
  t.call('POST', '/v1/inventory/reservations', { itemId, facilityId: w.facilityId, qty, demand: { type: 'manual' }, ...extra });
const act = (id: string, name: string, body: unknown = {}) => t.call('POST', `/v1/inventory/reservations/${id}/${name}`, body);

async function stocked(qty: number, at = w.binA, extra: Record<string, unknown> = {}): Promise<string> {
  const itemId = await item();
  created(await adjust({ itemId, locationId: at, qtyDelta: qty, ...extra }));
  return itemId;
}

async function facilityAvailability(itemId: string) {
  const rows = okay(await t.call('GET', `/v1/inventory/availability?groupBy=facility&itemId=${itemId}`));
  return rows[0] ?? { onHand: 0, reserved: 0, allocated: 0, available: 0 };
}

test.before(async () => {
  t = await startTestServer();
  w = await seedWorld(t);
});
test.after(async () => {
  await t.close();
});

test('a reservation reads as the API shows it, and availability reflects it at once', async () => {
  const itemId = await stocked(10);
  const r = created(await reserve(itemId, 4, { demand: { type: 'sales_order', id: 'SO-1', lineId: 'L1' } }));
  assert.equal(Object.keys(r).sort(), ['createdAt', 'demand', 'expiresAt', 'facilityId', 'id', 'itemId', 'qty', 'qtyAllocated',
    'qtyFulfilled', 'status', 'updatedAt', 'version'].sort());
  assert.is(r.status, 'open');
  assert.equal(r.demand, { type: 'sales_order', id: 'SO-1', lineId: 'L1' });
  assert.equal([r.qty, r.qtyAllocated, r.qtyFulfilled], [4, 0, 0]);
  const a = await facilityAvailability(itemId);
  assert.equal([a.onHand, a.reserved, a.allocated, a.available], [10, 4, 0, 6]);
  expectError(await reserve(itemId, 7), 409, 'insufficient_stock');
  created(await reserve(itemId, 6));
  assert.is((await facilityAvailability(itemId)).available, 0);
});

test('32 parallel reservations of 1 against 10 available: exactly 10 succeed, 20 rounds', async () => {
  for (let round = 0; round < 20; round++) {
    const itemId = await stocked(10);
    const replies = await Promise.all(Array.from({ length: 32 }, () => reserve(itemId, 1)));
    const statuses = replies.map((r) => r.status);
    assert.is(statuses.filter((s) => s === 201).length, 10, `round ${round}: ${statuses.join(',')}`);
    assert.is(statuses.filter((s) => s === 409).length, 22);
    assert.ok(replies.filter((r) => r.status === 409).every((r) => r.body.error === 'insufficient_stock'));
    const a = await facilityAvailability(itemId);
    assert.equal([a.reserved, a.available], [10, 0]);
  }
});

test('64 parallel reservations of mixed sizes never over-reserve', async () => {
  const itemId = await stocked(100);
  const sizes = Array.from({ length: 64 }, (_, i) => 1 + ((i * 7) % 5));
  const replies = await Promise.all(sizes.map((q) => reserve(itemId, q)));
  const granted = replies.reduce((s, r, i) => s + (r.status === 201 ? sizes[i]! : 0), 0);
  assert.ok(granted <= 100, `granted ${granted}`);
  assert.ok(replies.every((r) => r.status === 201 || (r.status === 409 && r.body.error === 'insufficient_stock')));
  const a = await facilityAvailability(itemId);
  assert.is(a.reserved, granted);
  assert.is(a.available, 100 - granted);
  // Nothing smaller than what is left was refused for want of stock.
  const refused = replies.map((r, i) => (r.status === 409 ? sizes[i]! : Infinity));
  assert.ok(Math.min(...refused) > 0);
});

test('two concurrent allocations of the whole of one lot: exactly one succeeds', async () => {
  const itemId = await item({ lotTracking: 'tracked' });
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 5, lotNo: 'ONE' }));
  created(await adjust({ itemId, locationId: w.binB, qtyDelta: 5, lotNo: 'TWO' }));
  const lots = okay(await t.call('GET', `/v1/inventory/balances?itemId=${itemId}`));
  const lotId = lots.find((b: { lotNo: string }) => b.lotNo === 'ONE').lotId;
  const r1 = created(await reserve(itemId, 5));
  const r2 = created(await reserve(itemId, 5));
  const [a, b] = await Promise.all([
    act(r1.id, 'allocate', { allocations: [{ locationId: w.binA, lotId, qty: 5 }] }),
    act(r2.id, 'allocate', { allocations: [{ locationId: w.binA, lotId, qty: 5 }] }),
  ]);
  assert.equal([a.status, b.status].sort(), [200, 409]);
  const loser = a.status === 409 ? a : b;
  assert.is(loser.body.error, 'insufficient_stock');
  const allocations = okay(await t.call('GET', `/v1/inventory/allocations?itemId=${itemId}`));
  assert.is(allocations.length, 1);
  assert.equal([allocations[0].lotNo, allocations[0].qty, allocations[0].locationId], ['ONE', 5, w.binA]);
});

test('automatic allocation: FEFO for expiry-tracked lots, FIFO by receipt otherwise', async () => {
  const fefo = await item({ lotTracking: 'tracked', expiryTracking: 'tracked' });
  created(await adjust({ itemId: fefo, locationId: w.binA, qtyDelta: 3, lotNo: 'LATE', expiresOn: '2027-09-01' }));
  created(await adjust({ itemId: fefo, locationId: w.binB, qtyDelta: 3, lotNo: 'SOON', expiresOn: '2027-02-01' }));
  const r = created(await reserve(fefo, 4));
  const allocated = okay(await act(r.id, 'allocate', {}));
  assert.is(allocated.status, 'allocated');
  assert.is(allocated.qtyAllocated, 4);
  const rows = okay(await t.call('GET', `/v1/inventory/allocations?reservationId=${r.id}`));
  assert.equal(rows.map((x: { lotNo: string; qty: number }) => [x.lotNo, x.qty]), [['SOON', 3], ['LATE', 1]]);

  const fifo = await item({ lotTracking: 'tracked' });
  created(await adjust({ itemId: fifo, locationId: w.binA, qtyDelta: 2, lotNo: 'FIRST' }));
  created(await adjust({ itemId: fifo, locationId: w.binA, qtyDelta: 2, lotNo: 'SECOND' }));
  const f = created(await reserve(fifo, 3));
  okay(await act(f.id, 'allocate', {}));
  const frows = okay(await t.call('GET', `/v1/inventory/allocations?reservationId=${f.id}`));
  assert.equal(frows.map((x: { lotNo: string; qty: number }) => [x.lotNo, x.qty]), [['FIRST', 2], ['SECOND', 1]]);
});

test('availability over many items gives each item and location its own allocations, page by page', async () => {
  const first = await stocked(6, w.binA);
  created(await adjust({ itemId: first, locationId: w.binB, qtyDelta: 6 }));
  const second = await stocked(4, w.binA);
  created(await adjust({ itemId: second, locationId: w.binB, qtyDelta: 4 }));
  okay(await act(created(await reserve(first, 3)).id, 'allocate', { allocations: [{ locationId: w.binA, qty: 3 }] }));
  okay(await act(created(await reserve(second, 2)).id, 'allocate', { allocations: [{ locationId: w.binB, qty: 2 }] }));
  const ours = new Set([first, second]);
  type Row = { itemId: string; locationId: string; onHand: number; allocated: number; available: number };
  const seen = (rows: Row[]) => Object.fromEntries(rows.filter((x) => ours.has(x.itemId))
    .map((x) => [`${x.itemId === first ? 'first' : 'second'} ${x.locationId === w.binA ? 'A' : 'B'}`, [x.onHand, x.allocated, x.available]]));
  const expected = { 'first A': [6, 3, 3], 'first B': [6, 0, 6], 'second A': [4, 0, 4], 'second B': [4, 2, 2] };
  assert.equal(seen(okay(await t.call('GET', `/v1/inventory/availability?facilityId=${w.facilityId}&limit=1000`))), expected);
  const paged: Row[] = [];
  for (let offset = 0; ; offset += 1) {
    const r = await t.call('GET', `/v1/inventory/availability?facilityId=${w.facilityId}&limit=1&offset=${offset}`);
    expectStatus(r, 200);
    paged.push(...r.body.data);
    if (offset + 1 >= r.body.count) break;
  }
  assert.equal(seen(paged), expected);
});

test('allocations count in availability per location, and a posting that would break one is refused', async () => {
  const itemId = await stocked(5, w.binA);
  created(await adjust({ itemId, locationId: w.binB, qtyDelta: 5 }));
  const r = created(await reserve(itemId, 4));
  okay(await act(r.id, 'allocate', { allocations: [{ locationId: w.binA, qty: 4 }] }));
  const perLocation = okay(await t.call('GET', `/v1/inventory/availability?itemId=${itemId}`));
  const atA = perLocation.find((x: { locationId: string }) => x.locationId === w.binA);
  assert.equal([atA.onHand, atA.allocated, atA.available], [5, 4, 1]);
  const fac = await facilityAvailability(itemId);
  assert.equal([fac.onHand, fac.reserved, fac.allocated, fac.available], [10, 0, 4, 6]);
  // Bin A keeps what is allocated there: one unit may go, two may not.
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: -2 }), 409, 'insufficient_stock');
  expectError(await t.call('POST', '/v1/inventory/moves', { itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 2 }), 409, 'insufficient_stock');
  expectError(await t.call('POST', '/v1/inventory/moves', { itemId, fromLocationId: w.binA, toLocationId: w.binA, qty: 2, toStatusId: 'quarantine' }), 409, 'insufficient_stock');
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: -1 }));
  // Bin B is free to go, down to what the facility still owes.
  created(await adjust({ itemId, locationId: w.binB, qtyDelta: -5 }));
  assert.is((await facilityAvailability(itemId)).available, 0);
});

test('soft reservations hold stock at the facility against any posting', async () => {
  const itemId = await stocked(10);
  created(await reserve(itemId, 8));
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: -3 }), 409, 'insufficient_stock');
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: -2 }));
  // A status change away from available lowers what counts as available just the same.
  expectError(await t.call('POST', '/v1/inventory/moves', { itemId, fromLocationId: w.binA, toLocationId: w.binA, qty: 1, toStatusId: 'damaged' }), 409, 'insufficient_stock');
});

test('release and cancel end the hold; the state machine refuses what it does not allow', async () => {
  const itemId = await stocked(10);
  const r = created(await reserve(itemId, 6));
  okay(await act(r.id, 'allocate', {}));
  expectError(await t.call('PATCH', `/v1/inventory/reservations/${r.id}`, { qty: 3 }), 409, 'invalid_state');
  const released = okay(await act(r.id, 'release'));
  assert.is(released.status, 'released');
  assert.is(released.qtyAllocated, 0);
  assert.is((await facilityAvailability(itemId)).available, 10);
  assert.is(okay(await t.call('GET', `/v1/inventory/allocations?reservationId=${r.id}`)).length, 0);
  for (const name of ['allocate', 'release', 'cancel', 'fulfill']) expectError(await act(r.id, name), 409, 'invalid_state');
  const c = created(await reserve(itemId, 2));
  assert.is(okay(await act(c.id, 'cancel')).status, 'cancelled');
  expectError(await act(c.id, 'release'), 409, 'invalid_state');
  expectError(await act('00000000-0000-7000-8000-000000000000', 'release'), 404, 'not_found');
});

test('patch: quantity within what is available, expiry, If-Match', async () => {
  const itemId = await stocked(10);
  const r = created(await reserve(itemId, 4));
  expectError(await t.call('PATCH', `/v1/inventory/reservations/${r.id}`, { qty: 11 }), 409, 'insufficient_stock');
  const p = okay(await t.call('PATCH', `/v1/inventory/reservations/${r.id}`, { qty: 10 }));
  assert.is(p.qty, 10);
  assert.is(p.version, 2);
  expectError(await t.call('PATCH', `/v1/inventory/reservations/${r.id}`, { qty: 1 }, { headers: { 'if-match': '1' } }), 409, 'conflict');
  assert.is(okay(await t.call('PATCH', `/v1/inventory/reservations/${r.id}`, { qty: 1 }, { headers: { 'if-match': '2' } })).qty, 1);
  expectError(await t.call('PATCH', `/v1/inventory/reservations/${r.id}`, { status: 'fulfilled' }), 400, 'bad_request');
});

test('fulfil ships from the allocations first, in one shipment transaction, whole or in part', async () => {
  const itemId = await stocked(6, w.binA);
  created(await adjust({ itemId, locationId: w.binB, qtyDelta: 6 }));
  const r = created(await reserve(itemId, 8));
  okay(await act(r.id, 'allocate', { allocations: [{ locationId: w.binB, qty: 5 }] }));
  const part = okay(await act(r.id, 'fulfill', { qty: 3 }));
  assert.equal([part.status, part.qtyFulfilled, part.qtyAllocated], ['allocated', 3, 2]);
  const txs = okay(await t.call('GET', `/v1/inventory/transactions?referenceType=reservation&referenceId=${r.id}`));
  assert.is(txs.length, 1);
  assert.is(txs[0].type, 'shipment');
  assert.equal(txs[0].lines.map((l: { locationId: string; qtyDelta: number }) => [l.locationId, l.qtyDelta]), [[w.binB, -3]]);
  expectError(await act(r.id, 'fulfill', { qty: 6 }), 409, 'conflict');
  const rest = okay(await act(r.id, 'fulfill'));
  assert.equal([rest.status, rest.qtyFulfilled, rest.qtyAllocated], ['fulfilled', 8, 0]);
  const fac = await facilityAvailability(itemId);
  assert.equal([fac.onHand, fac.reserved, fac.allocated, fac.available], [4, 0, 0, 4]);
  expectError(await act(r.id, 'fulfill'), 409, 'invalid_state');
});

test('fulfilling a serial-tracked reservation names the serials shipped', async () => {
  const itemId = await item({ serialTracking: 'tracked' });
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 2, serialNos: ['S-1', 'S-2'] }));
  const r = created(await reserve(itemId, 1));
  expectError(await act(r.id, 'fulfill'), 400, 'bad_request');
  expectError(await act(r.id, 'fulfill', { serialNos: ['S-9'] }), 409, 'conflict');
  assert.is(okay(await act(r.id, 'fulfill', { serialNos: ['S-2'] })).status, 'fulfilled');
  const left = okay(await t.call('GET', `/v1/inventory/balances?itemId=${itemId}`));
  assert.is(left[0].onHand, 1);
});

test('an expired reservation stops holding stock without anyone calling an endpoint', async () => {
  const itemId = await stocked(10);
  const expiresAt = new Date(Date.now() + 1200).toISOString();
  const r = created(await reserve(itemId, 7, { expiresAt }));
  okay(await act(r.id, 'allocate', {}));
  assert.is((await facilityAvailability(itemId)).available, 3);
  await new Promise((res) => setTimeout(res, 1400));
  const fac = await facilityAvailability(itemId);
  assert.equal([fac.reserved, fac.allocated, fac.available], [0, 0, 10]);
  assert.is(okay(await t.call('GET', `/v1/inventory/reservations/${r.id}`)).status, 'released');
  const listed = okay(await t.call('GET', `/v1/inventory/reservations?itemId=${itemId}&status=released`));
  assert.is(listed.length, 1);
  expectError(await act(r.id, 'fulfill'), 409, 'invalid_state');
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: -10 }));
  expectError(await reserve(itemId, 1, { expiresAt: new Date(Date.now() - 1000).toISOString() }), 400, 'bad_request');
});

test('lists filter by item, facility, status, demand; allocations by item, location, reservation', async () => {
  const itemId = await stocked(10);
  const a = created(await reserve(itemId, 1, { demand: { type: 'sales_order', id: 'SO-77' } }));
  created(await reserve(itemId, 1, { demand: { type: 'work_order', id: 'WO-1' } }));
  okay(await act(a.id, 'allocate', {}));
  const q = (s: string) => t.call('GET', `/v1/inventory/reservations?itemId=${itemId}&${s}`);
  assert.is(okay(await q('demandType=sales_order')).length, 1);
  assert.is(okay(await q('demandId=SO-77'))[0].id, a.id);
  assert.is(okay(await q('status=allocated')).length, 1);
  assert.is(okay(await q('status=open')).length, 1);
  assert.is(okay(await q(`facilityId=${w.facilityId}`)).length, 2);
  expectError(await q('status=bogus'), 400, 'bad_request');
  assert.is(okay(await t.call('GET', `/v1/inventory/allocations?locationId=${w.binA}&itemId=${itemId}`)).length, 1);
  assert.is(okay(await t.call('GET', `/v1/inventory/allocations?locationId=${w.binB}&itemId=${itemId}`)).length, 0);
});

test('bad input: unknown item or facility, a service item, too many decimals, unknown fields', async () => {
  const itemId = await stocked(10);
  expectError(await t.call('POST', '/v1/inventory/reservations', { itemId: w.facilityId, facilityId: w.facilityId, qty: 1, demand: { type: 'manual' } }), 404, 'not_found');
  expectError(await t.call('POST', '/v1/inventory/reservations', { itemId, facilityId: itemId, qty: 1, demand: { type: 'manual' } }), 404, 'not_found');
  expectError(await reserve(itemId, 1.5), 400, 'bad_request');
  expectError(await reserve(itemId, 0), 400, 'bad_request');
  expectError(await reserve(itemId, 1, { extra: true }), 400, 'bad_request');
  expectError(await reserve(itemId, 1, { demand: { type: 'invoice' } }), 400, 'bad_request');
  const service = await item({ itemKind: 'service' });
  expectError(await reserve(service, 1), 400, 'bad_request');
  const r = created(await reserve(itemId, 2));
  expectError(await act(r.id, 'allocate', { allocations: [{ locationId: w.transitId, qty: 1 }] }), 400, 'bad_request');
  expectError(await act(r.id, 'allocate', { allocations: [{ locationId: w.binA, qty: 3 }] }), 409, 'conflict');
});

test('after all of the above, the ledger and every promise verify', async () => {
  assert.equal(await verifyBalances(t.store.read), []);
});

test.run();
