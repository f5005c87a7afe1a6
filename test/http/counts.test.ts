// Cycle counts over HTTP: a session snapshots the available stock in its scope, takes counts
// (repeatable, for places not expected too), detects stock that moved between the snapshot and
// the count, and posts the variances as one `count` transaction through the one posting rule;
// blind sessions hide what is expected until posted; every refusal changes nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyBalances } from '../../core/verify.js';
import { expectStatus, seedWorld, startTestServer, type Reply, type TestServer, type World } from './harness.js';

let t: TestServer;
let w: World;

const created = (r: Reply) => (expectStatus(r, 201), r.body.data);
const okay = (r: Reply) => (expectStatus(r, 200), r.body.data);

function expectError(r: Reply, status: number, code: string, path?: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code, JSON.stringify(r.body));
  if (path !== undefined) assert.ok(r.body.details?.some((d: { path: string }) => d.path === path), `a detail at ${path}: ${JSON.stringify(r.body)}`);
}

let n = 0;
async function item(extra: Record<string, unknown> = {}): Promise<string> {
  n += 1;
  return created(await t.call('POST', '/v1/items', { itemNo: `CNT-${n}`, name: `Counted ${n}`, itemKind: 'purchased', baseUomId: w.eaId, ...extra })).id;
}

interface Site {
  facilityId: string;
  a: string;
  b: string;
  zone: string;
  zoneBin: string;
  transitId: string;
}

/** A facility of its own per test: bins A and B, and zone Z holding bin Z1. */
async function site(): Promise<Site> {
  n += 1;
  const f = created(await t.call('POST', '/v1/facilities', { code: `CF${n}`, name: `Count ${n}`, type: 'warehouse' }));
  const loc = async (body: Record<string, unknown>) => created(await t.call('POST', `/v1/facilities/${f.id}/locations`, body)).id as string;
  const a = await loc({ code: 'A', name: 'A', type: 'bin' });
  const b = await loc({ code: 'B', name: 'B', type: 'bin' });
  const zone = await loc({ code: 'Z', name: 'Zone', type: 'zone' });
  const zoneBin = await loc({ code: 'Z1', name: 'Z1', type: 'bin', parentId: zone });
  const all = okay(await t.call('GET', `/v1/facilities/${f.id}/locations`));
  return { facilityId: f.id, a, b, zone, zoneBin, transitId: all.find((l: { type: string }) => l.type === 'transit').id };
}

const adjust = (body: Record<string, unknown>) => t.call('POST', '/v1/inventory/adjustments', body);
const open = (body: Record<string, unknown>) => t.call('POST', '/v1/inventory/count-sessions', body);
const count = (id: string, lines: unknown[]) => t.call('POST', `/v1/inventory/count-sessions/${id}/counts`, { lines });
const act = (id: string, action: 'post' | 'cancel', body: unknown = {}) => t.call('POST', `/v1/inventory/count-sessions/${id}/${action}`, body);
const get = async (id: string) => okay(await t.call('GET', `/v1/inventory/count-sessions/${id}`));

async function onHand(itemId: string, locationId: string, statusId = 'available'): Promise<number> {
  const rows = okay(await t.call('GET', `/v1/inventory/balances?itemId=${itemId}&locationId=${locationId}&statusId=${statusId}`));
  return rows.reduce((s: number, r: { onHand: number }) => s + r.onHand, 0);
}

async function lastSeq(): Promise<number> {
  const rows = okay(await t.call('GET', '/v1/inventory/transactions?limit=1'));
  return rows[0]?.seq ?? 0;
}

async function countPostings(sessionId: string): Promise<unknown[]> {
  return okay(await t.call('GET', `/v1/inventory/transactions?referenceType=count_session&referenceId=${sessionId}`));
}


test.before(async () => {
  t = await startTestServer();
  w = await seedWorld(t);
});
test.after(async () => {
  await t.close();
});

test('the whole flow: snapshot, counts, one count transaction of the variances, balances equal to the counts', async () => {
  const s = await site();
  const x = await item();
  const lotted = await item({ lotTracking: 'tracked' });
  created(await adjust({ itemId: x, locationId: s.a, qtyDelta: 10 }));
  created(await adjust({ itemId: x, locationId: s.b, qtyDelta: 5 }));
  const lot = created(await adjust({ itemId: lotted, locationId: s.a, qtyDelta: 3, lotNo: 'L1' })).lines[0];
  const seq = await lastSeq();
  const session = created(await open({ facilityId: s.facilityId, notes: 'weekly' }));
  assert.equal(Object.keys(session).sort(), ['blind', 'createdAt', 'facilityId', 'id', 'itemIds', 'lines', 'locationIds', 'notes',
    'postedTransactionId', 'sessionNo', 'snapshotSeq', 'status', 'statusHistory', 'updatedAt', 'version'].sort());
  assert.match(session.sessionNo, /^CC-\d{6}$/);
  assert.equal([session.status, session.blind, session.locationIds, session.itemIds, session.notes, session.version], ['open', false, null, null, 'weekly', 1]);
  assert.is(session.snapshotSeq, seq);
  assert.equal(session.statusHistory.map((h: { to: string }) => h.to), ['open']);
  // Lines by location path, then item number, then lot.
  assert.equal(session.lines.map((l: any) => [l.locationId, l.itemId, l.lotNo, l.snapshotQty, l.expectedQty, l.countedQty, l.variance, l.movedSinceSnapshot]), [
    [s.a, x, null, 10, 10, null, null, null],
    [s.a, lotted, 'L1', 3, 3, null, null, null],
    [s.b, x, null, 5, 5, null, null, null],
  ]);
  assert.equal(Object.keys(session.lines[0]).sort(), ['countedAt', 'countedQty', 'expectedQty', 'id', 'itemId', 'lotId', 'lotNo',
    'locationId', 'movedSinceSnapshot', 'serialNos', 'snapshotQty', 'variance'].sort());
  assert.is(session.lines[1].lotId, lot.lotId);

  const counted = okay(await count(session.id, [
    { itemId: x, locationId: s.a, countedQty: 8 },
    { itemId: x, locationId: s.b, countedQty: 5 },
    { itemId: lotted, locationId: s.a, lotId: lot.lotId, countedQty: 4 },
  ]));
  assert.is(counted.version, 2);
  assert.equal(counted.lines.map((l: any) => [l.countedQty, l.variance, l.movedSinceSnapshot]), [[8, -2, false], [4, 1, false], [5, 0, false]]);
  assert.ok(counted.lines.every((l: any) => typeof l.countedAt === 'string'));
  assert.equal(await get(session.id), counted);
  assert.is((await countPostings(session.id)).length, 0, 'counting posts nothing');

  const posted = okay(await act(session.id, 'post'));
  assert.is(posted.status, 'posted');
  assert.is(posted.version, 3);
  assert.equal(posted.statusHistory.map((h: { to: string }) => h.to), ['open', 'posted']);
  const tx = okay(await t.call('GET', `/v1/inventory/transactions/${posted.postedTransactionId}`));
  assert.is(tx.type, 'count');
  assert.equal(tx.reference, { type: 'count_session', id: session.id });
  // Only the lines that differ are posted.
  assert.equal(tx.lines.map((l: any) => [l.itemId, l.locationId, l.lotId, l.statusId, l.qtyDelta]).sort(), [
    [lotted, s.a, lot.lotId, 'available', 1],
    [x, s.a, null, 'available', -2],
  ].sort());
  assert.equal([await onHand(x, s.a), await onHand(x, s.b), await onHand(lotted, s.a)], [8, 5, 4]);
  assert.equal(await countPostings(session.id), [tx]);
});

test('the scope: locations with their descendants, items; transit and other statuses are not counted', async () => {
  const s = await site();
  const x = await item();
  const y = await item();
  created(await adjust({ itemId: x, locationId: s.a, qtyDelta: 4 }));
  created(await adjust({ itemId: x, locationId: s.zoneBin, qtyDelta: 6 }));
  created(await adjust({ itemId: y, locationId: s.zoneBin, qtyDelta: 2 }));
  created(await adjust({ itemId: x, locationId: s.zoneBin, qtyDelta: 3, statusId: 'quarantine' }));
  const zone = created(await open({ facilityId: s.facilityId, locationIds: [s.zone] }));
  assert.equal(zone.locationIds, [s.zone]);
  assert.equal(zone.lines.map((l: any) => [l.itemId, l.locationId, l.expectedQty]), [[x, s.zoneBin, 6], [y, s.zoneBin, 2]]);
  const onlyX = created(await open({ facilityId: s.facilityId, itemIds: [x] }));
  assert.equal(onlyX.lines.map((l: any) => [l.locationId, l.expectedQty]), [[s.a, 4], [s.zoneBin, 6]]);
  const both = created(await open({ facilityId: s.facilityId, locationIds: [s.a, s.zone], itemIds: [y] }));
  assert.equal(both.lines.map((l: any) => [l.itemId, l.locationId]), [[y, s.zoneBin]]);
  // Outside the scope: another location, another item, the transit location.
  expectError(await count(zone.id, [{ itemId: x, locationId: s.a, countedQty: 4 }]), 400, 'bad_request', '/lines/0/locationId');
  expectError(await count(onlyX.id, [{ itemId: y, locationId: s.a, countedQty: 1 }]), 400, 'bad_request', '/lines/0/itemId');
  expectError(await count(onlyX.id, [{ itemId: x, locationId: s.transitId, countedQty: 1 }]), 400, 'bad_request', '/lines/0/locationId');
  expectError(await open({ facilityId: s.facilityId, locationIds: [s.transitId] }), 400, 'bad_request', '/locationIds/0');
  // Inside it: the zone's bin.
  okay(await count(zone.id, [{ itemId: x, locationId: s.zoneBin, countedQty: 6 }]));
  // Sessions list, newest first, filtered by facility and status.
  for (const id of [zone.id, both.id]) okay(await act(id, 'cancel'));
  const listed = await t.call('GET', `/v1/inventory/count-sessions?facilityId=${s.facilityId}`);
  assert.equal(okay(listed).map((x: any) => x.id), [both.id, onlyX.id, zone.id]);
  assert.is(listed.body.count, 3);
  const cancelled = okay(await t.call('GET', `/v1/inventory/count-sessions?facilityId=${s.facilityId}&status=cancelled`));
  assert.equal(cancelled.map((x: any) => x.id), [both.id, zone.id]);
  const openOnes = okay(await t.call('GET', `/v1/inventory/count-sessions?facilityId=${s.facilityId}&status=open`));
  assert.equal(openOnes.map((x: any) => [x.id, x.lines.length]), [[onlyX.id, 2]]);
  const paged = await t.call('GET', `/v1/inventory/count-sessions?facilityId=${s.facilityId}&limit=1&offset=1`);
  assert.equal([okay(paged).map((x: any) => x.id), paged.body.count], [[onlyX.id], 3]);
  expectError(await t.call('GET', '/v1/inventory/count-sessions?status=closed'), 400, 'bad_request');
});

test('a blind session hides expected quantities, snapshot quantities and variances in every answer until posted', async () => {
  const s = await site();
  const x = await item();
  created(await adjust({ itemId: x, locationId: s.a, qtyDelta: 7 }));
  const session = created(await open({ facilityId: s.facilityId, blind: true }));
  const hidden = (v: any) => v.lines.every((l: any) => l.expectedQty === null && l.snapshotQty === null && l.variance === null);
  assert.is(session.blind, true);
  assert.equal(session.lines.map((l: any) => [l.itemId, l.locationId]), [[x, s.a]]);
  assert.ok(hidden(session));
  const counted = okay(await count(session.id, [{ itemId: x, locationId: s.a, countedQty: 6 }, { itemId: x, locationId: s.b, countedQty: 1 }]));
  assert.ok(hidden(counted));
  assert.equal(counted.lines.map((l: any) => l.countedQty), [6, 1]);
  assert.ok(hidden(await get(session.id)));
  const listed = okay(await t.call('GET', `/v1/inventory/count-sessions?facilityId=${s.facilityId}`));
  assert.ok(hidden(listed[0]));
  const posted = okay(await act(session.id, 'post'));
  assert.equal(posted.lines.map((l: any) => [l.snapshotQty, l.expectedQty, l.countedQty, l.variance]), [[7, 7, 6, -1], [0, 0, 1, 1]]);
  assert.equal((await get(session.id)).lines.map((l: any) => l.variance), [-1, 1]);
  assert.equal([await onHand(x, s.a), await onHand(x, s.b)], [6, 1]);
  // A cancelled blind session never shows them.
  const other = created(await open({ facilityId: s.facilityId, blind: true }));
  assert.ok(hidden(okay(await act(other.id, 'cancel'))));
});

test('a recount replaces the earlier count of the same line; a place not expected is added with expected 0', async () => {
  const s = await site();
  const x = await item();
  const stray = await item();
  created(await adjust({ itemId: x, locationId: s.a, qtyDelta: 10 }));
  const session = created(await open({ facilityId: s.facilityId }));
  okay(await count(session.id, [{ itemId: x, locationId: s.a, countedQty: 7 }]));
  const recounted = okay(await count(session.id, [{ itemId: x, locationId: s.a, countedQty: 9 }, { itemId: stray, locationId: s.b, countedQty: 2 }]));
  assert.equal(recounted.lines.map((l: any) => [l.itemId, l.locationId, l.snapshotQty, l.expectedQty, l.countedQty, l.variance]), [
    [x, s.a, 10, 10, 9, -1],
    [stray, s.b, 0, 0, 2, 2],
  ]);
  const again = okay(await count(session.id, [{ itemId: stray, locationId: s.b, countedQty: 3 }]));
  assert.is(again.lines.length, 2, 'a recount of an added line replaces it too');
  assert.equal(again.lines[1].countedQty, 3);
  assert.is(again.version, 4);
  const posted = okay(await act(session.id, 'post'));
  const tx = okay(await t.call('GET', `/v1/inventory/transactions/${posted.postedTransactionId}`));
  assert.equal(tx.lines.map((l: any) => [l.itemId, l.qtyDelta]), [[x, -1], [stray, 3]]);
  assert.equal([await onHand(x, s.a), await onHand(stray, s.b)], [9, 3]);
});

test('stock that moved between the snapshot and the count: detected, and the count is measured against what was there', async () => {
  const s = await site();
  const x = await item();
  created(await adjust({ itemId: x, locationId: s.a, qtyDelta: 10 }));
  created(await adjust({ itemId: x, locationId: s.b, qtyDelta: 5 }));
  const session = created(await open({ facilityId: s.facilityId }));
  // After the snapshot: 3 arrive at A; B moves out and back (same quantity, but it moved).
  created(await adjust({ itemId: x, locationId: s.a, qtyDelta: 3 }));
  created(await t.call('POST', '/v1/inventory/moves', { itemId: x, fromLocationId: s.b, toLocationId: s.zoneBin, qty: 1 }));
  created(await t.call('POST', '/v1/inventory/moves', { itemId: x, fromLocationId: s.zoneBin, toLocationId: s.b, qty: 1 }));
  assert.ok((await lastSeq()) > session.snapshotSeq);
  const counted = okay(await count(session.id, [
    { itemId: x, locationId: s.a, countedQty: 12 },
    { itemId: x, locationId: s.b, countedQty: 5 },
    { itemId: x, locationId: s.zoneBin, countedQty: 0 },
  ]));
  assert.equal(counted.lines.map((l: any) => [l.locationId, l.snapshotQty, l.expectedQty, l.countedQty, l.variance, l.movedSinceSnapshot]), [
    [s.a, 10, 13, 12, -1, true],
    [s.b, 5, 5, 5, 0, true],
    [s.zoneBin, 0, 0, 0, 0, true],
  ]);
  // Stock that moves after the count stays accounted for: the variance is posted, not the count.
  created(await adjust({ itemId: x, locationId: s.a, qtyDelta: -2 }));
  const posted = okay(await act(session.id, 'post'));
  const tx = okay(await t.call('GET', `/v1/inventory/transactions/${posted.postedTransactionId}`));
  assert.equal(tx.lines.map((l: any) => [l.locationId, l.qtyDelta]), [[s.a, -1]]);
  assert.equal([await onHand(x, s.a), await onHand(x, s.b)], [10, 5]);
  // A line counted before anything moved is not flagged.
  const later = created(await open({ facilityId: s.facilityId, itemIds: [x] }));
  assert.equal(okay(await count(later.id, [{ itemId: x, locationId: s.a, countedQty: 10 }])).lines[0].movedSinceSnapshot, false);
  okay(await act(later.id, 'cancel'));
});

test('posting is exact in fractional units; a session without variance posts no transaction and is posted', async () => {
  const s = await site();
  const kg = created(await t.call('POST', '/v1/uoms', { code: 'KGC', name: 'Kilogram', decimals: 3 }));
  const flour = await item({ baseUomId: kg.id });
  for (let i = 0; i < 10; i++) created(await adjust({ itemId: flour, locationId: s.a, qtyDelta: 0.1 }));
  const session = created(await open({ facilityId: s.facilityId }));
  assert.is(session.lines[0].expectedQty, 1);
  expectError(await count(session.id, [{ itemId: flour, locationId: s.a, countedQty: 0.8125 }]), 400, 'bad_request', '/lines/0/countedQty');
  expectError(await count(session.id, [{ itemId: flour, locationId: s.a, countedQty: 0.1234567 }]), 400, 'bad_request');
  const counted = okay(await count(session.id, [{ itemId: flour, locationId: s.a, countedQty: 0.825 }]));
  assert.is(counted.lines[0].variance, -0.175);
  const posted = okay(await act(session.id, 'post'));
  assert.equal(okay(await t.call('GET', `/v1/inventory/transactions/${posted.postedTransactionId}`)).lines[0].qtyDelta, -0.175);
  assert.is(await onHand(flour, s.a), 0.825);

  const quiet = created(await open({ facilityId: s.facilityId }));
  okay(await count(quiet.id, [{ itemId: flour, locationId: s.a, countedQty: 0.825 }]));
  const seq = await lastSeq();
  const done = okay(await act(quiet.id, 'post'));
  assert.equal([done.status, done.postedTransactionId], ['posted', null]);
  assert.is(await lastSeq(), seq, 'nothing was posted');
  // Uncounted lines are left as they are; an empty session posts too.
  const untouched = created(await open({ facilityId: s.facilityId }));
  assert.equal(okay(await act(untouched.id, 'post')).postedTransactionId, null);
  assert.is(await onHand(flour, s.a), 0.825);
});

test('a count that would leave less than is allocated is refused with insufficient_stock and posts nothing', async () => {
  const s = await site();
  const x = await item();
  created(await adjust({ itemId: x, locationId: s.a, qtyDelta: 10 }));
  const r = created(await t.call('POST', '/v1/inventory/reservations', { itemId: x, facilityId: s.facilityId, qty: 8, demand: { type: 'manual' } }));
  okay(await t.call('POST', `/v1/inventory/reservations/${r.id}/allocate`, { allocations: [{ locationId: s.a, qty: 8 }] }));
  const session = created(await open({ facilityId: s.facilityId }));
  okay(await count(session.id, [{ itemId: x, locationId: s.a, countedQty: 5 }]));
  const seq = await lastSeq();
  expectError(await act(session.id, 'post'), 409, 'insufficient_stock', '/lines/0/countedQty');
  const after = await get(session.id);
  assert.equal([after.status, after.postedTransactionId, after.version], ['open', null, 2]);
  assert.is(await lastSeq(), seq);
  assert.is((await countPostings(session.id)).length, 0);
  assert.is(await onHand(x, s.a), 10);
  // Counted at what is allocated, it posts.
  okay(await count(session.id, [{ itemId: x, locationId: s.a, countedQty: 8 }]));
  okay(await act(session.id, 'post'));
  assert.is(await onHand(x, s.a), 8);
});

test('serial-tracked items are counted by serial: missing serials are issued, new ones received', async () => {
  const s = await site();
  const x = await item({ serialTracking: 'tracked' });
  created(await adjust({ itemId: x, locationId: s.a, qtyDelta: 3, serialNos: ['S1', 'S2', 'S3'] }));
  const session = created(await open({ facilityId: s.facilityId }));
  expectError(await count(session.id, [{ itemId: x, locationId: s.a, countedQty: 3 }]), 400, 'bad_request', '/lines/0/serialNos');
  expectError(await count(session.id, [{ itemId: x, locationId: s.a, countedQty: 2, serialNos: ['S1'] }]), 400, 'bad_request', '/lines/0/serialNos');
  const counted = okay(await count(session.id, [{ itemId: x, locationId: s.a, countedQty: 4, serialNos: ['S1', 'S2', 'S4', 'S5'] }]));
  assert.equal([counted.lines[0].variance, counted.lines[0].serialNos], [1, ['S1', 'S2', 'S4', 'S5']]);
  const posted = okay(await act(session.id, 'post'));
  const tx = okay(await t.call('GET', `/v1/inventory/transactions/${posted.postedTransactionId}`));
  assert.equal(tx.lines.map((l: any) => [l.qtyDelta, l.serialNos]), [[-1, ['S3']], [2, ['S4', 'S5']]]);
  assert.is(await onHand(x, s.a), 4);
  // A swapped serial is corrected even though the quantity matches.
  const swap = created(await open({ facilityId: s.facilityId }));
  okay(await count(swap.id, [{ itemId: x, locationId: s.a, countedQty: 4, serialNos: ['S1', 'S2', 'S4', 'S9'] }]));
  const swapped = okay(await act(swap.id, 'post'));
  assert.equal(okay(await t.call('GET', `/v1/inventory/transactions/${swapped.postedTransactionId}`)).lines.map((l: any) => [l.qtyDelta, l.serialNos]),
    [[-1, ['S5']], [1, ['S9']]]);
  // A serial counted here that is on hand elsewhere is a conflict: it is moved, not received twice.
  created(await adjust({ itemId: x, locationId: s.b, qtyDelta: 1, serialNos: ['S7'] }));
  const misplaced = created(await open({ facilityId: s.facilityId, locationIds: [s.a] }));
  okay(await count(misplaced.id, [{ itemId: x, locationId: s.a, countedQty: 5, serialNos: ['S1', 'S2', 'S4', 'S9', 'S7'] }]));
  expectError(await act(misplaced.id, 'post'), 409, 'conflict', '/lines/0/serialNos/0');
  assert.is((await get(misplaced.id)).status, 'open');
  assert.equal([await onHand(x, s.a), await onHand(x, s.b)], [4, 1]);
});

test('cancel, and what the state machine refuses: 409 invalid_state, nothing changed', async () => {
  const s = await site();
  const x = await item();
  created(await adjust({ itemId: x, locationId: s.a, qtyDelta: 4 }));
  const session = created(await open({ facilityId: s.facilityId }));
  okay(await count(session.id, [{ itemId: x, locationId: s.a, countedQty: 1 }]));
  const cancelled = okay(await act(session.id, 'cancel'));
  assert.equal([cancelled.status, cancelled.version, cancelled.postedTransactionId], ['cancelled', 3, null]);
  assert.equal(cancelled.statusHistory.map((h: { to: string }) => h.to), ['open', 'cancelled']);
  expectError(await act(session.id, 'post'), 409, 'invalid_state');
  expectError(await act(session.id, 'cancel'), 409, 'invalid_state');
  expectError(await count(session.id, [{ itemId: x, locationId: s.a, countedQty: 2 }]), 409, 'invalid_state');
  assert.equal(await get(session.id), cancelled);
  assert.is(await onHand(x, s.a), 4);

  const posted = created(await open({ facilityId: s.facilityId }));
  okay(await count(posted.id, [{ itemId: x, locationId: s.a, countedQty: 3 }]));
  const done = okay(await act(posted.id, 'post'));
  expectError(await act(posted.id, 'post'), 409, 'invalid_state');
  expectError(await act(posted.id, 'cancel'), 409, 'invalid_state');
  expectError(await count(posted.id, [{ itemId: x, locationId: s.a, countedQty: 4 }]), 409, 'invalid_state');
  assert.equal(await get(posted.id), done);
  assert.is((await countPostings(posted.id)).length, 1);
  assert.is(await onHand(x, s.a), 3);
});

test('two posts of one session at once: one posts, the other is invalid_state; parallel counts both land', async () => {
  const s = await site();
  const x = await item();
  const y = await item();
  created(await adjust({ itemId: x, locationId: s.a, qtyDelta: 10 }));
  const session = created(await open({ facilityId: s.facilityId }));
  const [c1, c2] = await Promise.all([
    count(session.id, [{ itemId: x, locationId: s.a, countedQty: 9 }]),
    count(session.id, [{ itemId: y, locationId: s.b, countedQty: 2 }]),
  ]);
  okay(c1);
  okay(c2);
  const both = await get(session.id);
  assert.equal([both.version, both.lines.map((l: any) => l.countedQty)], [3, [9, 2]]);
  const replies = await Promise.all([act(session.id, 'post'), act(session.id, 'post')]);
  assert.equal(replies.map((r) => r.status).sort(), [200, 409]);
  assert.is(replies.find((r) => r.status === 409)!.body.error, 'invalid_state');
  assert.is((await countPostings(session.id)).length, 1);
  assert.equal([await onHand(x, s.a), await onHand(y, s.b)], [9, 2]);
});

test('404s: unknown session, facility, location, item, lot', async () => {
  const s = await site();
  const other = await site();
  const x = await item();
  const lotted = await item({ lotTracking: 'tracked' });
  created(await adjust({ itemId: lotted, locationId: s.a, qtyDelta: 1, lotNo: 'K1' }));
  const missing = '01890000-0000-7000-8000-000000000000';
  expectError(await t.call('GET', `/v1/inventory/count-sessions/${missing}`), 404, 'not_found');
  expectError(await t.call('GET', '/v1/inventory/count-sessions/not-a-session'), 404, 'not_found');
  expectError(await count(missing, [{ itemId: x, locationId: s.a, countedQty: 1 }]), 404, 'not_found');
  expectError(await act(missing, 'post'), 404, 'not_found');
  expectError(await act(missing, 'cancel'), 404, 'not_found');
  expectError(await open({ facilityId: missing }), 404, 'not_found', '/facilityId');
  expectError(await open({ facilityId: s.facilityId, locationIds: [s.a, missing] }), 404, 'not_found', '/locationIds/1');
  expectError(await open({ facilityId: s.facilityId, locationIds: [other.a] }), 404, 'not_found', '/locationIds/0');
  expectError(await open({ facilityId: s.facilityId, itemIds: [missing] }), 404, 'not_found', '/itemIds/0');
  const session = created(await open({ facilityId: s.facilityId }));
  expectError(await count(session.id, [{ itemId: missing, locationId: s.a, countedQty: 1 }]), 404, 'not_found', '/lines/0/itemId');
  expectError(await count(session.id, [{ itemId: x, locationId: s.a, countedQty: 1 }, { itemId: x, locationId: missing, countedQty: 1 }]), 404, 'not_found', '/lines/1/locationId');
  expectError(await count(session.id, [{ itemId: lotted, locationId: s.a, lotId: missing, countedQty: 1 }]), 404, 'not_found', '/lines/0/lotId');
  assert.equal(await get(session.id), session, 'nothing changed');
});

test('400s: bad bodies and counts the rules refuse change nothing', async () => {
  const s = await site();
  const other = await site();
  const x = await item();
  const lotted = await item({ lotTracking: 'tracked' });
  const service = await item({ itemKind: 'service' });
  const lot = created(await adjust({ itemId: lotted, locationId: s.a, qtyDelta: 1, lotNo: 'K2' })).lines[0];
  created(await adjust({ itemId: x, locationId: s.a, qtyDelta: 2 }));
  const session = created(await open({ facilityId: s.facilityId }));
  const at = (i: number, f: string) => `/lines/${i}/${f}`;
  const refused: Array<[unknown, string | undefined]> = [
    [[{ itemId: x, locationId: s.a, countedQty: -1 }], undefined],
    [[{ itemId: x, locationId: s.a, countedQty: 1.5 }], at(0, 'countedQty')],
    [[{ itemId: x, locationId: s.a, countedQty: 1, color: 'red' }], undefined],
    [[{ itemId: x, locationId: s.a }], undefined],
    [[], undefined],
    [[{ itemId: x, locationId: other.a, countedQty: 1 }], at(0, 'locationId')],
    [[{ itemId: x, locationId: s.transitId, countedQty: 1 }], at(0, 'locationId')],
    [[{ itemId: lotted, locationId: s.a, countedQty: 1 }], at(0, 'lotId')],
    [[{ itemId: x, locationId: s.a, lotId: lot.lotId, countedQty: 1 }], at(0, 'lotId')],
    [[{ itemId: x, locationId: s.a, countedQty: 1, serialNos: ['Q'] }], at(0, 'serialNos')],
    [[{ itemId: service, locationId: s.a, countedQty: 1 }], at(0, 'itemId')],
    [[{ itemId: x, locationId: s.a, countedQty: 1 }, { itemId: x, locationId: s.a, countedQty: 2 }], '/lines/1'],
  ];
  for (const [lines, path] of refused) expectError(await count(session.id, lines as unknown[]), 400, 'bad_request', path);
  expectError(await t.call('POST', `/v1/inventory/count-sessions/${session.id}/counts`, { lines: [], extra: 1 }), 400, 'bad_request');
  expectError(await act(session.id, 'post', { force: true }), 400, 'bad_request');
  expectError(await act(session.id, 'cancel', { why: 'x' }), 400, 'bad_request');
  assert.equal(await get(session.id), session, 'nothing changed');
  expectError(await open({}), 400, 'bad_request');
  expectError(await open({ facilityId: s.facilityId, shelf: 'x' }), 400, 'bad_request');
  expectError(await open({ facilityId: s.facilityId, locationIds: [] }), 400, 'bad_request');
  expectError(await open({ facilityId: s.facilityId, itemIds: [x, x] }), 400, 'bad_request');
  expectError(await open({ facilityId: s.facilityId, itemIds: [service] }), 400, 'bad_request', '/itemIds/0');
  expectError(await open({ facilityId: s.facilityId, blind: 'yes' }), 400, 'bad_request');
  const listed = await t.call('GET', `/v1/inventory/count-sessions?facilityId=${s.facilityId}`);
  assert.equal(okay(listed).map((x: any) => x.id), [session.id], 'no session was created by a refused request');
});

test('a retried create with the same Idempotency-Key replays the session', async () => {
  const s = await site();
  const headers = { 'idempotency-key': `count-${s.facilityId}` };
  const first = created(await t.call('POST', '/v1/inventory/count-sessions', { facilityId: s.facilityId }, { headers }));
  const again = created(await t.call('POST', '/v1/inventory/count-sessions', { facilityId: s.facilityId }, { headers }));
  assert.equal(again, first);
  assert.is(okay(await t.call('GET', `/v1/inventory/count-sessions?facilityId=${s.facilityId}`)).length, 1);
});

test('session numbers count up per session', async () => {
  const s = await site();
  const a = created(await open({ facilityId: s.facilityId }));
  const b = created(await open({ facilityId: s.facilityId }));
  assert.is(Number(b.sessionNo.slice(3)), Number(a.sessionNo.slice(3)) + 1);
});

test('the ledger and the balances agree after it all', async () => {
  assert.equal(await verifyBalances(t.store.read), []);
});

test.run();
