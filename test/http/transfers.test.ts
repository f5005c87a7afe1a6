// Transfers over HTTP: the document and its numbering, the state machine, release reserving
// every line at the source (all or none), partial shipping into the destination's transit
// location and partial receiving out of it, lots and serials following what shipped, the
// network's total on hand never changing, stock in transit never available, and the 4xx a
// client can cause, each leaving everything as it was.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyBalances } from '../../core/verify.js';
import { expectStatus, seedWorld, startTestServer, type Reply, type TestServer, type World } from './harness.js';

let t: TestServer;
let src: World;
let dst: World;

const created = (r: Reply) => (expectStatus(r, 201), r.body.data);
const okay = (r: Reply) => (expectStatus(r, 200), r.body.data);

function expectError(r: Reply, status: number, code: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code, JSON.stringify(r.body));
}

let items = 0;
async function item(extra: Record<string, unknown> = {}): Promise<string> {
  items += 1;
  return created(await t.call('POST', '/v1/items', { itemNo: `TRF-${items}`, name: `Transferred ${items}`, itemKind: 'purchased', baseUomId: src.eaId, ...extra })).id;
}

const adjust = (body: Record<string, unknown>) => t.call('POST', '/v1/inventory/adjustments', body);

async function stocked(qty: number, at = src.binA, extra: Record<string, unknown> = {}): Promise<string> {
  const itemId = await item();
  created(await adjust({ itemId, locationId: at, qtyDelta: qty, ...extra }));
  return itemId;
}

const create = (lines: unknown[], extra: Record<string, unknown> = {}) =>
  t.call('POST', '/v1/inventory/transfers', { fromFacilityId: src.facilityId, toFacilityId: dst.facilityId, lines, ...extra });
const act = (id: string, name: string, body: unknown = {}) => t.call('POST', `/v1/inventory/transfers/${id}/${name}`, body);
const get = async (id: string) => okay(await t.call('GET', `/v1/inventory/transfers/${id}`));

async function balances(itemId: string): Promise<Array<{ facilityId: string; locationId: string; lotNo: string | null; statusId: string; onHand: number }>> {
  return okay(await t.call('GET', `/v1/inventory/balances?itemId=${itemId}&limit=1000`));
}

/** On hand at one location (any lot, any status). */
async function at(itemId: string, locationId: string): Promise<number> {
  return (await balances(itemId)).filter((b) => b.locationId === locationId).reduce((s, b) => s + b.onHand, 0);
}

/** The network's total on hand of the item: every balance of both facilities, transit included. */
async function network(itemId: string): Promise<number> {
  const rows = await balances(itemId);
  assert.ok(rows.every((b) => b.facilityId === src.facilityId || b.facilityId === dst.facilityId));
  return rows.reduce((s, b) => s + b.onHand, 0);
}

async function availability(itemId: string, facilityId: string) {
  const rows = okay(await t.call('GET', `/v1/inventory/availability?groupBy=facility&itemId=${itemId}&facilityId=${facilityId}`));
  return rows[0] ?? { onHand: 0, reserved: 0, allocated: 0, available: 0 };
}

async function reservationsOf(transferId: string) {
  return okay(await t.call('GET', `/v1/inventory/reservations?demandType=transfer&demandId=${transferId}&limit=1000`));
}

async function transactionsOf(transferId: string) {
  const rows = okay(await t.call('GET', `/v1/inventory/transactions?referenceType=transfer&referenceId=${transferId}`));
  return rows.reverse(); // oldest first
}

test.before(async () => {
  t = await startTestServer();
  src = await seedWorld(t, '1');
  dst = await seedWorld(t, '2');
});
test.after(async () => {
  await t.close();
});

test('a transfer reads as the API shows it, numbered per type', async () => {
  const itemId = await stocked(5);
  const a = created(await create([{ itemId, qty: 2 }], { notes: 'weekly top-up' }));
  assert.equal(Object.keys(a).sort(), ['createdAt', 'fromFacilityId', 'id', 'lines', 'notes', 'status', 'statusHistory', 'toFacilityId',
    'transferNo', 'updatedAt', 'version'].sort());
  assert.match(a.transferNo, /^TR-\d{6}$/);
  assert.equal([a.status, a.version, a.notes, a.fromFacilityId, a.toFacilityId], ['draft', 1, 'weekly top-up', src.facilityId, dst.facilityId]);
  assert.equal(a.statusHistory, [{ from: null, to: 'draft', at: a.createdAt, by: { tokenId: a.statusHistory[0].by.tokenId, name: 'admin (IMS_ADMIN_TOKEN)' } }]);
  assert.ok(a.statusHistory[0].by.tokenId, 'the token that made the change is recorded');
  assert.is(a.lines.length, 1);
  assert.equal(Object.keys(a.lines[0]).sort(), ['id', 'itemId', 'lineNo', 'lotId', 'qty', 'qtyReceived', 'qtyShipped'].sort());
  assert.equal([a.lines[0].lineNo, a.lines[0].itemId, a.lines[0].qty, a.lines[0].lotId, a.lines[0].qtyShipped, a.lines[0].qtyReceived],
    [1, itemId, 2, null, 0, 0]);
  const b = created(await create([{ itemId, qty: 1 }, { itemId, qty: 1 }]));
  assert.is(Number(b.transferNo.slice(3)), Number(a.transferNo.slice(3)) + 1);
  assert.equal(b.lines.map((l: { lineNo: number }) => l.lineNo), [1, 2]);
  assert.is(b.notes, null);
  assert.equal(await get(a.id), a);
  // A draft promises nothing.
  assert.equal((await availability(itemId, src.facilityId)).available, 5);
});

test('full lifecycle: release reserves at the source; partial ship and receive; the network total never changes', async () => {
  const itemId = await stocked(10);
  const tr = created(await create([{ itemId, qty: 6 }]));
  const lineId = tr.lines[0].id;
  assert.is(await network(itemId), 10);

  const released = okay(await act(tr.id, 'release'));
  assert.equal([released.status, released.version], ['released', 2]);
  const [r] = await reservationsOf(tr.id);
  assert.equal([r.qty, r.status, r.facilityId, r.demand], [6, 'open', src.facilityId, { type: 'transfer', id: tr.id, lineId }]);
  let a = await availability(itemId, src.facilityId);
  assert.equal([a.onHand, a.reserved, a.available], [10, 6, 4]);
  // What the transfer reserved is not there for anyone else.
  expectError(await adjust({ itemId, locationId: src.binA, qtyDelta: -5 }), 409, 'insufficient_stock');
  assert.is(await network(itemId), 10);

  const s1 = okay(await act(tr.id, 'ship', { lines: [{ lineId, qty: 2, fromLocationId: src.binA }] }));
  assert.equal([s1.status, s1.lines[0].qtyShipped, s1.lines[0].qtyReceived], ['partially_shipped', 2, 0]);
  assert.equal([await at(itemId, src.binA), await at(itemId, dst.transitId)], [8, 2]);
  assert.is(await network(itemId), 10);
  a = await availability(itemId, src.facilityId);
  assert.equal([a.onHand, a.reserved, a.available], [8, 4, 4]);
  // In transit is on hand at the destination, and never available there.
  assert.equal(okay(await t.call('GET', `/v1/inventory/availability?itemId=${itemId}&facilityId=${dst.facilityId}`)), []);
  assert.equal((await availability(itemId, dst.facilityId)).onHand, 0);
  const [out] = await transactionsOf(tr.id);
  assert.is(out.type, 'transfer_out');
  assert.equal(out.lines.map((l: { locationId: string; qtyDelta: number }) => [l.locationId, l.qtyDelta]), [[src.binA, -2], [dst.transitId, 2]]);
  assert.equal((await reservationsOf(tr.id)).map((x: { qtyFulfilled: number; status: string }) => [x.qtyFulfilled, x.status]), [[2, 'open']]);

  // Receiving what is in transit while the rest is still to ship.
  const r1 = okay(await act(tr.id, 'receive', { lines: [{ lineId, qty: 1, toLocationId: dst.binA }] }));
  assert.equal([r1.status, r1.lines[0].qtyReceived], ['partially_shipped', 1]);
  assert.equal([await at(itemId, dst.transitId), await at(itemId, dst.binA)], [1, 1]);
  assert.is(await network(itemId), 10);
  assert.equal((await availability(itemId, dst.facilityId)).available, 1);

  // The rest ships: everything has shipped and part has arrived.
  const s2 = okay(await act(tr.id, 'ship', { lines: [{ lineId, qty: 4, fromLocationId: src.binA }] }));
  assert.equal([s2.status, s2.lines[0].qtyShipped], ['partially_received', 6]);
  assert.equal((await reservationsOf(tr.id)).map((x: { qtyFulfilled: number; status: string }) => [x.qtyFulfilled, x.status]), [[6, 'fulfilled']]);
  a = await availability(itemId, src.facilityId);
  assert.equal([a.onHand, a.reserved, a.available], [4, 0, 4]);
  assert.is(await at(itemId, dst.transitId), 5);
  assert.is(await network(itemId), 10);

  const r2 = okay(await act(tr.id, 'receive', { lines: [{ lineId, qty: 2, toLocationId: dst.binB }] }));
  assert.equal([r2.status, r2.lines[0].qtyReceived], ['partially_received', 3]);
  assert.is(await network(itemId), 10);
  const r3 = okay(await act(tr.id, 'receive', { lines: [{ lineId, qty: 2, toLocationId: dst.binA }, { lineId, qty: 1, toLocationId: dst.binB }] }));
  assert.equal([r3.status, r3.lines[0].qtyShipped, r3.lines[0].qtyReceived], ['received', 6, 6]);
  assert.equal([await at(itemId, dst.transitId), await at(itemId, dst.binA), await at(itemId, dst.binB), await at(itemId, src.binA)], [0, 3, 3, 4]);
  assert.is(await network(itemId), 10);
  const d = await availability(itemId, dst.facilityId);
  assert.equal([d.onHand, d.available], [6, 6]);
  assert.equal(r3.statusHistory.map((h: { to: string }) => h.to), ['draft', 'released', 'partially_shipped', 'partially_received', 'received']);
  assert.ok(r3.statusHistory.every((h: { at: string }, i: number, all: Array<{ at: string }>) => i === 0 || all[i - 1]!.at <= h.at));
  assert.is(r3.version, 7);
  assert.equal((await transactionsOf(tr.id)).map((x: { type: string }) => x.type),
    ['transfer_out', 'transfer_in', 'transfer_out', 'transfer_in', 'transfer_in']);

  // A received transfer is done.
  expectError(await act(tr.id, 'ship', { lines: [{ lineId, qty: 1, fromLocationId: src.binA }] }), 409, 'invalid_state');
  expectError(await act(tr.id, 'receive', { lines: [{ lineId, qty: 1, toLocationId: dst.binA }] }), 409, 'invalid_state');
  expectError(await act(tr.id, 'cancel'), 409, 'invalid_state');
  expectError(await act(tr.id, 'release'), 409, 'invalid_state');
  assert.equal(await get(tr.id), r3);
});

test('several lines and items in one call: one transaction per ship and per receive', async () => {
  const x = await stocked(5);
  const y = await stocked(5, src.binB);
  const tr = created(await create([{ itemId: x, qty: 3 }, { itemId: y, qty: 2 }, { itemId: x, qty: 1 }]));
  okay(await act(tr.id, 'release'));
  assert.equal([(await availability(x, src.facilityId)).reserved, (await availability(y, src.facilityId)).reserved], [4, 2]);
  const [l1, l2, l3] = tr.lines.map((l: { id: string }) => l.id);
  const shipped = okay(await act(tr.id, 'ship', { lines: [
    { lineId: l1, qty: 2, fromLocationId: src.binA }, { lineId: l1, qty: 1, fromLocationId: src.binA },
    { lineId: l2, qty: 2, fromLocationId: src.binB }, { lineId: l3, qty: 1, fromLocationId: src.binA },
  ] }));
  assert.is(shipped.status, 'shipped');
  assert.equal([(await availability(x, src.facilityId)).reserved, (await availability(y, src.facilityId)).reserved], [0, 0]);
  const part = okay(await act(tr.id, 'receive', { lines: [{ lineId: l1, qty: 3, toLocationId: dst.binA }] }));
  assert.is(part.status, 'partially_received');
  const received = okay(await act(tr.id, 'receive', { lines: [
    { lineId: l2, qty: 2, toLocationId: dst.binB }, { lineId: l3, qty: 1, toLocationId: dst.binB },
  ] }));
  assert.is(received.status, 'received');
  assert.equal(received.statusHistory.map((h: { to: string }) => h.to), ['draft', 'released', 'shipped', 'partially_received', 'received']);
  const txs = await transactionsOf(tr.id);
  assert.equal(txs.map((x: { type: string }) => x.type), ['transfer_out', 'transfer_in', 'transfer_in']);
  assert.equal(txs[0].lines.length, 8);
  assert.equal([await network(x), await network(y)], [5, 5]);
  assert.equal([await at(x, dst.binA), await at(x, dst.binB), await at(y, dst.binB)], [3, 1, 2]);
});

test('lots: ship names the lot (or the line\'s own); receipts follow the lots shipped, oldest first', async () => {
  const itemId = await item({ lotTracking: 'tracked' });
  created(await adjust({ itemId, locationId: src.binA, qtyDelta: 3, lotNo: 'L-OLD' }));
  created(await adjust({ itemId, locationId: src.binB, qtyDelta: 4, lotNo: 'L-NEW' }));
  const lotOf = async (lotNo: string) => (await balances(itemId)).find((b) => b.lotNo === lotNo) as unknown as { lotId: string };
  const oldLot = (await lotOf('L-OLD')).lotId;
  const newLot = (await lotOf('L-NEW')).lotId;

  const tr = created(await create([{ itemId, qty: 5 }]));
  const lineId = tr.lines[0].id;
  okay(await act(tr.id, 'release'));
  // A lot-tracked line without a lot needs one named when it ships.
  expectError(await act(tr.id, 'ship', { lines: [{ lineId, qty: 1, fromLocationId: src.binA }] }), 400, 'bad_request');
  okay(await act(tr.id, 'ship', { lines: [{ lineId, qty: 2, fromLocationId: src.binA, lotId: oldLot }] }));
  okay(await act(tr.id, 'ship', { lines: [{ lineId, qty: 3, fromLocationId: src.binB, lotId: newLot }] }));
  okay(await act(tr.id, 'receive', { lines: [{ lineId, qty: 3, toLocationId: dst.binA }] }));
  const atDst = async () => Object.fromEntries((await balances(itemId)).filter((b) => b.facilityId === dst.facilityId)
    .map((b) => [`${b.locationId === dst.transitId ? 'transit' : b.locationId === dst.binA ? 'A' : 'B'}:${b.lotNo}`, b.onHand]));
  assert.equal(await atDst(), { 'A:L-OLD': 2, 'A:L-NEW': 1, 'transit:L-NEW': 2 });
  okay(await act(tr.id, 'receive', { lines: [{ lineId, qty: 2, toLocationId: dst.binB }] }));
  assert.equal(await atDst(), { 'A:L-OLD': 2, 'A:L-NEW': 1, 'B:L-NEW': 2 });
  assert.is(await network(itemId), 7);

  // A line for a lot ships that lot only; release needs that much of the lot unallocated.
  const pinned = created(await create([{ itemId, qty: 1, lotId: oldLot }]));
  assert.is(pinned.lines[0].lotId, oldLot);
  okay(await act(pinned.id, 'release'));
  expectError(await act(pinned.id, 'ship', { lines: [{ lineId: pinned.lines[0].id, qty: 1, fromLocationId: src.binB, lotId: newLot }] }), 400, 'bad_request');
  const shipped = okay(await act(pinned.id, 'ship', { lines: [{ lineId: pinned.lines[0].id, qty: 1, fromLocationId: src.binA }] }));
  assert.is(shipped.status, 'shipped');
  const [out] = await transactionsOf(pinned.id);
  assert.equal(out.lines.map((l: { lotNo: string }) => l.lotNo), ['L-OLD', 'L-OLD']);
  const tooMuch = created(await create([{ itemId, qty: 1, lotId: oldLot }]));
  const refused = await act(tooMuch.id, 'release');
  expectError(refused, 409, 'insufficient_stock');
  assert.equal(refused.body.details.map((d: { path: string }) => d.path), ['/lines/0/qty']);
  assert.is((await get(tooMuch.id)).status, 'draft');
  assert.equal(await reservationsOf(tooMuch.id), []);
});

test('serials: named when shipped, received in the order they shipped', async () => {
  const itemId = await item({ serialTracking: 'tracked' });
  created(await adjust({ itemId, locationId: src.binA, qtyDelta: 3, serialNos: ['SN-1', 'SN-2', 'SN-3'] }));
  const tr = created(await create([{ itemId, qty: 3 }]));
  const lineId = tr.lines[0].id;
  okay(await act(tr.id, 'release'));
  expectError(await act(tr.id, 'ship', { lines: [{ lineId, qty: 1, fromLocationId: src.binA }] }), 400, 'bad_request');
  expectError(await act(tr.id, 'ship', { lines: [{ lineId, qty: 1, fromLocationId: src.binA, serialNos: ['SN-9'] }] }), 409, 'conflict');
  expectError(await act(tr.id, 'ship', { lines: [{ lineId, qty: 1.5, fromLocationId: src.binA, serialNos: ['SN-1'] }] }), 400, 'bad_request');
  okay(await act(tr.id, 'ship', { lines: [{ lineId, qty: 2, fromLocationId: src.binA, serialNos: ['SN-3', 'SN-1'] }] }));
  okay(await act(tr.id, 'ship', { lines: [{ lineId, qty: 1, fromLocationId: src.binA, serialNos: ['SN-2'] }] }));
  okay(await act(tr.id, 'receive', { lines: [{ lineId, qty: 1, toLocationId: dst.binA }] }));
  okay(await act(tr.id, 'receive', { lines: [{ lineId, qty: 2, toLocationId: dst.binB }] }));
  const ins = (await transactionsOf(tr.id)).filter((x: { type: string }) => x.type === 'transfer_in');
  const arrived = ins.map((x: { lines: Array<{ locationId: string; qtyDelta: number; serialNos: string[] }> }) =>
    x.lines.filter((l) => l.qtyDelta > 0).map((l) => [l.locationId === dst.binA ? 'A' : 'B', l.serialNos]));
  assert.equal(arrived, [[['A', ['SN-3']]], [['B', ['SN-1']], ['B', ['SN-2']]]]);
  // Each serial is where it was received: issuing it there works, anywhere else does not.
  expectError(await adjust({ itemId, locationId: dst.binB, qtyDelta: -1, serialNos: ['SN-3'] }), 409, 'conflict');
  created(await adjust({ itemId, locationId: dst.binA, qtyDelta: -1, serialNos: ['SN-3'] }));
  assert.is(await network(itemId), 2);
});

test('release is refused when the lines together exceed stock: nothing reserved, still a draft', async () => {
  const short = await stocked(10);
  const plenty = await stocked(10);
  const tr = created(await create([{ itemId: short, qty: 6 }, { itemId: plenty, qty: 1 }, { itemId: short, qty: 6 }]));
  const r = await act(tr.id, 'release');
  expectError(r, 409, 'insufficient_stock');
  assert.equal(r.body.details.map((d: { path: string }) => d.path).sort(), ['/lines/0/qty', '/lines/2/qty']);
  const after = await get(tr.id);
  assert.equal([after.status, after.version, after.statusHistory.length], ['draft', 1, 1]);
  assert.equal(await reservationsOf(tr.id), []);
  assert.equal([(await availability(short, src.facilityId)).reserved, (await availability(plenty, src.facilityId)).reserved], [0, 0]);
  // Enough once more stock arrives.
  created(await adjust({ itemId: short, locationId: src.binB, qtyDelta: 2 }));
  assert.is(okay(await act(tr.id, 'release')).status, 'released');
  assert.is((await availability(short, src.facilityId)).available, 0);
});

test('cancel: a draft, or a released transfer whose reservations are released; refused once anything shipped', async () => {
  const itemId = await stocked(10);
  const draft = created(await create([{ itemId, qty: 2 }]));
  const cancelled = okay(await act(draft.id, 'cancel'));
  assert.equal([cancelled.status, cancelled.statusHistory.map((h: { to: string }) => h.to)], ['cancelled', ['draft', 'cancelled']]);
  expectError(await act(draft.id, 'release'), 409, 'invalid_state');
  expectError(await act(draft.id, 'cancel'), 409, 'invalid_state');

  const released = created(await create([{ itemId, qty: 4 }, { itemId, qty: 3 }]));
  okay(await act(released.id, 'release'));
  assert.is((await availability(itemId, src.facilityId)).reserved, 7);
  assert.is(okay(await act(released.id, 'cancel')).status, 'cancelled');
  assert.equal((await reservationsOf(released.id)).map((x: { status: string }) => x.status), ['released', 'released']);
  assert.is((await availability(itemId, src.facilityId)).available, 10);
  expectError(await act(released.id, 'ship', { lines: [{ lineId: released.lines[0].id, qty: 1, fromLocationId: src.binA }] }), 409, 'invalid_state');

  const moving = created(await create([{ itemId, qty: 4 }]));
  okay(await act(moving.id, 'release'));
  okay(await act(moving.id, 'ship', { lines: [{ lineId: moving.lines[0].id, qty: 1, fromLocationId: src.binA }] }));
  expectError(await act(moving.id, 'cancel'), 409, 'invalid_state');
  assert.is((await get(moving.id)).status, 'partially_shipped');
  assert.is((await availability(itemId, src.facilityId)).reserved, 3);
});

test('409s: actions the state does not allow, shipping or receiving more than is left; nothing changes', async () => {
  const itemId = await stocked(10);
  const tr = created(await create([{ itemId, qty: 4 }]));
  const lineId = tr.lines[0].id;
  expectError(await act(tr.id, 'ship', { lines: [{ lineId, qty: 1, fromLocationId: src.binA }] }), 409, 'invalid_state');
  expectError(await act(tr.id, 'receive', { lines: [{ lineId, qty: 1, toLocationId: dst.binA }] }), 409, 'invalid_state');
  okay(await act(tr.id, 'release'));
  expectError(await act(tr.id, 'release'), 409, 'invalid_state');
  expectError(await act(tr.id, 'receive', { lines: [{ lineId, qty: 1, toLocationId: dst.binA }] }), 409, 'invalid_state');
  const over = await act(tr.id, 'ship', { lines: [{ lineId, qty: 5, fromLocationId: src.binA }] });
  expectError(over, 409, 'conflict');
  assert.is(over.body.details[0].path, '/lines/0/qty');
  // Two ship lines of one transfer line are summed.
  expectError(await act(tr.id, 'ship', { lines: [{ lineId, qty: 3, fromLocationId: src.binA }, { lineId, qty: 2, fromLocationId: src.binA }] }), 409, 'conflict');
  assert.equal([await at(itemId, src.binA), await at(itemId, dst.transitId)], [10, 0]);
  assert.equal([(await get(tr.id)).version, (await get(tr.id)).lines[0].qtyShipped], [2, 0]);
  okay(await act(tr.id, 'ship', { lines: [{ lineId, qty: 3, fromLocationId: src.binA }] }));
  expectError(await act(tr.id, 'ship', { lines: [{ lineId, qty: 2, fromLocationId: src.binA }] }), 409, 'conflict');
  expectError(await act(tr.id, 'receive', { lines: [{ lineId, qty: 4, toLocationId: dst.binA }] }), 409, 'conflict');
  expectError(await act(tr.id, 'receive', { lines: [{ lineId, qty: 2, toLocationId: dst.binA }, { lineId, qty: 2, toLocationId: dst.binB }] }), 409, 'conflict');
  assert.equal([await at(itemId, dst.transitId), await at(itemId, dst.binA), await at(itemId, dst.binB)], [3, 0, 0]);
  // Stock the source does not have is refused by the posting rule, and nothing ships.
  const big = created(await create([{ itemId, qty: 6 }]));
  okay(await act(big.id, 'release'));
  expectError(await act(big.id, 'ship', { lines: [{ lineId: big.lines[0].id, qty: 6, fromLocationId: src.binB }] }), 409, 'insufficient_stock');
  assert.is((await get(big.id)).lines[0].qtyShipped, 0);
  assert.is(await network(itemId), 10);
});

test('concurrent ships of one line never ship more than the line', async () => {
  const itemId = await stocked(10);
  const tr = created(await create([{ itemId, qty: 6 }]));
  okay(await act(tr.id, 'release'));
  const ship = () => act(tr.id, 'ship', { lines: [{ lineId: tr.lines[0].id, qty: 4, fromLocationId: src.binA }] });
  const replies = await Promise.all([ship(), ship(), ship()]);
  assert.equal(replies.map((r) => r.status).sort(), [200, 409, 409]);
  assert.ok(replies.filter((r) => r.status === 409).every((r) => r.body.error === 'conflict'));
  assert.equal([await at(itemId, src.binA), await at(itemId, dst.transitId)], [6, 4]);
  assert.is((await get(tr.id)).lines[0].qtyShipped, 4);
});

test('a transfer reservation allocated by hand: shipping consumes the allocation', async () => {
  const itemId = await stocked(5, src.binA);
  created(await adjust({ itemId, locationId: src.binB, qtyDelta: 5 }));
  const tr = created(await create([{ itemId, qty: 6 }]));
  okay(await act(tr.id, 'release'));
  const [r] = await reservationsOf(tr.id);
  okay(await t.call('POST', `/v1/inventory/reservations/${r.id}/allocate`, { allocations: [{ locationId: src.binB, qty: 4 }] }));
  okay(await act(tr.id, 'ship', { lines: [{ lineId: tr.lines[0].id, qty: 3, fromLocationId: src.binB }] }));
  const [after] = await reservationsOf(tr.id);
  assert.equal([after.qtyFulfilled, after.qtyAllocated, after.status], [3, 1, 'allocated']);
  let a = await availability(itemId, src.facilityId);
  assert.equal([a.onHand, a.reserved, a.allocated, a.available], [7, 2, 1, 4]);
  // Shipping from a place without an allocation still ends the hold by what ships.
  okay(await act(tr.id, 'ship', { lines: [{ lineId: tr.lines[0].id, qty: 3, fromLocationId: src.binA }] }));
  const [done] = await reservationsOf(tr.id);
  assert.equal([done.qtyFulfilled, done.qtyAllocated, done.status], [6, 0, 'fulfilled']);
  a = await availability(itemId, src.facilityId);
  assert.equal([a.onHand, a.reserved, a.allocated, a.available], [4, 0, 0, 4]);
  assert.equal(okay(await t.call('GET', `/v1/inventory/allocations?reservationId=${r.id}`)), []);
});

test('404s: unknown transfer, facility, item, lot, line and locations of the wrong facility', async () => {
  const itemId = await stocked(5);
  const none = '00000000-0000-7000-8000-000000000000';
  expectError(await t.call('GET', `/v1/inventory/transfers/${none}`), 404, 'not_found');
  for (const name of ['release', 'cancel']) expectError(await act(none, name), 404, 'not_found');
  expectError(await act(none, 'ship', { lines: [{ lineId: none, qty: 1, fromLocationId: src.binA }] }), 404, 'not_found');
  expectError(await act(none, 'receive', { lines: [{ lineId: none, qty: 1, toLocationId: dst.binA }] }), 404, 'not_found');
  const path = (r: Reply) => r.body.details?.[0]?.path;
  let r = await create([{ itemId, qty: 1 }], { toFacilityId: none });
  expectError(r, 404, 'not_found');
  assert.is(path(r), '/toFacilityId');
  r = await create([{ itemId, qty: 1 }, { itemId: none, qty: 1 }]);
  expectError(r, 404, 'not_found');
  assert.is(path(r), '/lines/1/itemId');
  const lotItem = await item({ lotTracking: 'tracked' });
  r = await create([{ itemId: lotItem, qty: 1, lotId: none }]);
  expectError(r, 404, 'not_found');
  assert.is(path(r), '/lines/0/lotId');

  const tr = created(await create([{ itemId, qty: 2 }]));
  okay(await act(tr.id, 'release'));
  r = await act(tr.id, 'ship', { lines: [{ lineId: none, qty: 1, fromLocationId: src.binA }] });
  expectError(r, 404, 'not_found');
  assert.is(path(r), '/lines/0/lineId');
  r = await act(tr.id, 'ship', { lines: [{ lineId: tr.lines[0].id, qty: 1, fromLocationId: dst.binA }] });
  expectError(r, 404, 'not_found');
  assert.is(path(r), '/lines/0/fromLocationId');
  okay(await act(tr.id, 'ship', { lines: [{ lineId: tr.lines[0].id, qty: 2, fromLocationId: src.binA }] }));
  r = await act(tr.id, 'receive', { lines: [{ lineId: tr.lines[0].id, qty: 1, toLocationId: src.binB }] });
  expectError(r, 404, 'not_found');
  assert.is(path(r), '/lines/0/toLocationId');
  assert.equal([await at(itemId, dst.transitId), (await get(tr.id)).lines[0].qtyReceived], [2, 0]);
});

test('400s: bad bodies are refused and create nothing', async () => {
  const itemId = await stocked(5);
  const count = async () => (await t.call('GET', '/v1/inventory/transfers')).body.count;
  const before = await count();
  const bad = [
    { fromFacilityId: src.facilityId, toFacilityId: src.facilityId, lines: [{ itemId, qty: 1 }] },
    { fromFacilityId: src.facilityId, toFacilityId: dst.facilityId, lines: [] },
    { fromFacilityId: src.facilityId, toFacilityId: dst.facilityId, lines: Array.from({ length: 1001 }, () => ({ itemId, qty: 1 })) },
    { fromFacilityId: src.facilityId, toFacilityId: dst.facilityId },
    { toFacilityId: dst.facilityId, lines: [{ itemId, qty: 1 }] },
    { fromFacilityId: 'WH1', toFacilityId: dst.facilityId, lines: [{ itemId, qty: 1 }] },
    { fromFacilityId: src.facilityId, toFacilityId: dst.facilityId, lines: [{ itemId, qty: 0 }] },
    { fromFacilityId: src.facilityId, toFacilityId: dst.facilityId, lines: [{ itemId, qty: -1 }] },
    { fromFacilityId: src.facilityId, toFacilityId: dst.facilityId, lines: [{ itemId, qty: 0.0000001 }] },
    { fromFacilityId: src.facilityId, toFacilityId: dst.facilityId, lines: [{ itemId, qty: 1.5 }] }, // EA takes no decimals
    { fromFacilityId: src.facilityId, toFacilityId: dst.facilityId, lines: [{ itemId, qty: 1, uomId: src.eaId }] },
    { fromFacilityId: src.facilityId, toFacilityId: dst.facilityId, lines: [{ itemId, qty: 1 }], status: 'received' },
    { fromFacilityId: src.facilityId, toFacilityId: dst.facilityId, lines: [{ itemId, qty: 1, lotId: itemId }] }, // not lot tracked
  ];
  for (const body of bad) expectError(await t.call('POST', '/v1/inventory/transfers', body), 400, 'bad_request');
  const service = await item({ itemKind: 'service' });
  expectError(await create([{ itemId: service, qty: 1 }]), 400, 'bad_request');
  assert.is(await count(), before);

  const tr = created(await create([{ itemId, qty: 3 }]));
  okay(await act(tr.id, 'release'));
  const lineId = tr.lines[0].id;
  const badShips = [
    {},
    { lines: [] },
    { lines: [{ lineId, qty: 1 }] },
    { lines: [{ lineId, qty: 1, fromLocationId: src.binA, toLocationId: dst.binA }] },
    { lines: Array.from({ length: 501 }, () => ({ lineId, qty: 1, fromLocationId: src.binA })) },
    { lines: [{ lineId, qty: 1, fromLocationId: src.transitId }] },
    { lines: [{ lineId, qty: 0.5, fromLocationId: src.binA }] },
  ];
  for (const body of badShips) expectError(await act(tr.id, 'ship', body), 400, 'bad_request');
  expectError(await act(tr.id, 'release', { force: true }), 400, 'bad_request');
  okay(await act(tr.id, 'ship', { lines: [{ lineId, qty: 2, fromLocationId: src.binA }] }));
  for (const body of [{ lines: [{ lineId, qty: 1 }] }, { lines: [{ lineId, qty: 1, toLocationId: dst.transitId }] }, { lines: [{ lineId, qty: 1, toLocationId: dst.binA, lotId: null }] }]) {
    expectError(await act(tr.id, 'receive', body), 400, 'bad_request');
  }
  assert.equal([await at(itemId, src.binA), await at(itemId, dst.transitId), await at(itemId, dst.binA)], [3, 2, 0]);
  expectError(await t.call('GET', '/v1/inventory/transfers?status=bogus'), 400, 'bad_request');
  expectError(await t.call('GET', '/v1/inventory/transfers?fromFacilityId=nope'), 400, 'bad_request');
  expectError(await t.call('GET', '/v1/inventory/transfers?limit=1001'), 400, 'bad_request');
});

test('lists filter by status, facilities, item and transfer number', async () => {
  const itemId = await stocked(5);
  const other = await stocked(5, dst.binA);
  const a = created(await create([{ itemId, qty: 1 }]));
  const b = created(await t.call('POST', '/v1/inventory/transfers', { fromFacilityId: dst.facilityId, toFacilityId: src.facilityId, lines: [{ itemId: other, qty: 1 }] }));
  okay(await act(b.id, 'release'));
  const ids = async (query: string) => okay(await t.call('GET', `/v1/inventory/transfers?limit=1000&${query}`)).map((x: { id: string }) => x.id);
  assert.equal(await ids(`itemId=${itemId}`), [a.id]);
  assert.equal(await ids(`itemId=${other}`), [b.id]);
  assert.ok((await ids(`fromFacilityId=${dst.facilityId}`)).includes(b.id));
  assert.ok(!(await ids(`fromFacilityId=${dst.facilityId}`)).includes(a.id));
  assert.ok((await ids(`toFacilityId=${dst.facilityId}`)).includes(a.id));
  assert.ok(!(await ids(`toFacilityId=${dst.facilityId}`)).includes(b.id));
  assert.equal(await ids(`itemId=${other}&status=released`), [b.id]);
  assert.equal(await ids(`itemId=${other}&status=draft`), []);
  assert.equal(await ids(`q=${a.transferNo}`), [a.id]);
  assert.equal(await ids(`q=${a.transferNo.toLowerCase()}`), [a.id]);
  assert.ok((await ids('q=TR-')).length >= 2);
  assert.equal(await ids('q=nothing-like-it'), []);
  const all = await t.call('GET', '/v1/inventory/transfers?limit=2');
  expectStatus(all, 200);
  assert.equal([all.body.data.length, all.body.limit, all.body.offset], [2, 2, 0]);
  assert.ok(all.body.count > 2);
  // Newest first, each with its lines.
  const first = all.body.data[0];
  assert.is(first.id, b.id);
  assert.is(first.lines.length, 1);
});

test('1000 lines: created, released, shipped and received in calls of up to 500 lines', async () => {
  const itemId = await stocked(1000);
  const tr = created(await create(Array.from({ length: 1000 }, () => ({ itemId, qty: 1 }))));
  assert.is(tr.lines.length, 1000);
  okay(await act(tr.id, 'release'));
  assert.is((await availability(itemId, src.facilityId)).reserved, 1000);
  const ids: string[] = tr.lines.map((l: { id: string }) => l.id);
  for (const half of [ids.slice(0, 500), ids.slice(500)]) {
    okay(await act(tr.id, 'ship', { lines: half.map((lineId) => ({ lineId, qty: 1, fromLocationId: src.binA })) }));
  }
  assert.equal([await at(itemId, dst.transitId), (await availability(itemId, src.facilityId)).reserved], [1000, 0]);
  for (const half of [ids.slice(0, 500), ids.slice(500)]) {
    okay(await act(tr.id, 'receive', { lines: half.map((lineId) => ({ lineId, qty: 1, toLocationId: dst.binB })) }));
  }
  const done = await get(tr.id);
  assert.is(done.status, 'received');
  assert.equal([await at(itemId, dst.binB), await network(itemId)], [1000, 1000]);
});

test('at the end, every balance and promise adds up', async () => {
  assert.equal(await verifyBalances(t.store.read), []);
});

test.run();
