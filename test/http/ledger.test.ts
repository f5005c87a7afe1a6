// The stock ledger over HTTP: adjustments, moves, lots, serials, UOM conversion, balances,
// availability, the transaction list and feed, reversals, and at the end a verification
// that every balance still matches the ledger.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCommand } from '../../core/command.js';
import { nowIso } from '../../core/clock.js';
import { post } from '../../core/posting.js';
import { toMicro, type Micro } from '../../core/quantity.js';
import { verifyBalances } from '../../core/verify.js';
import { expectStatus, seedWorld, startTestServer, type Reply, type TestServer, type World } from './harness.js';

let t: TestServer;
let w: World;
let w2: { facilityId: string; binA: string };
let kgId: string;
let boxId: string;
let palId: string;
let microId: string;

const UNKNOWN_ID = '00000000-0000-7000-8000-000000000000';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function created(r: Reply): any {
  expectStatus(r, 201);
  return r.body.data;
}

function expectError(r: Reply, status: number, code: string, path?: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code);
  assert.is(r.body.status, status);
  if (path !== undefined) {
    assert.ok(Array.isArray(r.body.details), `details present: ${JSON.stringify(r.body)}`);
    assert.ok(r.body.details.some((d: { path: string }) => d.path === path), `a detail at ${path}: ${JSON.stringify(r.body.details)}`);
  }
}

async function uom(code: string, decimals: number): Promise<string> {
  return created(await t.call('POST', '/v1/uoms', { code, name: code, decimals })).id;
}

/** A second warehouse with one bin (seedWorld is not called twice: see the report on GET /v1/uoms). */
async function secondFacility(): Promise<{ facilityId: string; binA: string }> {
  const facility = created(await t.call('POST', '/v1/facilities', { code: 'WH2', name: 'Second warehouse', type: 'warehouse' }));
  const bin = created(await t.call('POST', `/v1/facilities/${facility.id}/locations`, { code: 'A', name: 'Bin A', type: 'bin' }));
  return { facilityId: facility.id, binA: bin.id };
}

let itemCount = 0;
async function newItem(extra: Record<string, unknown> = {}): Promise<string> {
  itemCount += 1;
  return created(await t.call('POST', '/v1/items', {
    itemNo: `LEDGER-${itemCount}`, name: `Ledger item ${itemCount}`, itemKind: 'purchased', baseUomId: w.eaId, ...extra,
  })).id;
}

const adjust = (body: Record<string, unknown>) => t.call('POST', '/v1/inventory/adjustments', body);
const move = (body: Record<string, unknown>) => t.call('POST', '/v1/inventory/moves', body);

function qs(q: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [key, v] of Object.entries(q)) if (v !== undefined) p.set(key, String(v));
  return p.toString();
}

async function balances(q: Record<string, string | undefined>): Promise<any[]> {
  const r = await t.call('GET', `/v1/inventory/balances?${qs({ limit: 1000, ...q })}`);
  expectStatus(r, 200);
  assert.is(r.body.count, r.body.data.length);
  return r.body.data;
}

async function onHand(q: Record<string, string | undefined>): Promise<number> {
  const rows = await balances(q);
  assert.ok(rows.length <= 1, `one balance row expected for ${JSON.stringify(q)}: ${JSON.stringify(rows)}`);
  return rows[0]?.onHand ?? 0;
}

async function transactions(q: Record<string, string | number | undefined> = {}): Promise<{ data: any[]; count: number }> {
  const r = await t.call('GET', `/v1/inventory/transactions?${qs({ limit: 1000, ...q })}`);
  expectStatus(r, 200);
  return r.body;
}

async function transactionCount(): Promise<number> {
  return (await transactions({ limit: 1 })).count;
}

async function availability(q: Record<string, string | undefined>): Promise<any[]> {
  const r = await t.call('GET', `/v1/inventory/availability?${qs({ limit: 1000, ...q })}`);
  expectStatus(r, 200);
  return r.body.data;
}

test.before(async () => {
  t = await startTestServer();
  w = await seedWorld(t);
  w2 = await secondFacility();
  kgId = await uom('KG', 3);
  boxId = await uom('BOX', 0);
  palId = await uom('PAL', 0);
  microId = await uom('UG', 6);
});

test.after(async () => {
  await t.close();
});

// ---- adjustments ---------------------------------------------------------------------------

test('adjustment in and out; statusId defaults to available', async () => {
  const itemId = await newItem();
  const inbound = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 10, reason: 'found' }));
  assert.is(inbound.type, 'adjustment');
  assert.is(inbound.reason, 'found');
  assert.ok(Number.isInteger(inbound.seq));
  assert.is(inbound.reversesTransactionId, null);
  assert.is(inbound.lines.length, 1);
  assert.equal(inbound.lines[0], {
    lineNo: 1, itemId, facilityId: w.facilityId, locationId: w.binA, lotId: null, lotNo: null, serialNos: [],
    statusId: 'available', qtyDelta: 10, onHandAfter: 10, unitCost: 0, valueDelta: 0,
  });
  const outbound = created(await adjust({ itemId, locationId: w.binA, qtyDelta: -4 }));
  assert.is(outbound.lines[0].qtyDelta, -4);
  assert.is(outbound.lines[0].onHandAfter, 6, 'each line carries its key\'s running balance');
  const read = (await t.call('GET', `/v1/inventory/transactions/${outbound.id}`)).body.data;
  assert.is(read.lines[0].onHandAfter, 6);
  assert.ok(outbound.seq > inbound.seq, 'seq increases');
  const rows = await balances({ itemId });
  assert.is(rows.length, 1);
  assert.is(rows[0].statusId, 'available');
  assert.is(rows[0].onHand, 6);
  assert.is(rows[0].itemNo, `LEDGER-${itemCount}`);
});

test('adjustment into another status keeps its own balance', async () => {
  const itemId = await newItem();
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 3, statusId: 'damaged' }));
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 2 }));
  assert.is(await onHand({ itemId, statusId: 'damaged' }), 3);
  assert.is(await onHand({ itemId, statusId: 'available' }), 2);
});

test('adjustment refusals: unknown references and fields', async () => {
  const itemId = await newItem();
  const before = await transactionCount();
  expectError(await adjust({ itemId: UNKNOWN_ID, locationId: w.binA, qtyDelta: 1 }), 404, 'not_found', '/itemId');
  expectError(await adjust({ itemId, locationId: UNKNOWN_ID, qtyDelta: 1 }), 404, 'not_found', '/locationId');
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 1, statusId: 'lost' }), 404, 'not_found', '/statusId');
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 1, colour: 'red' }), 400, 'bad_request', '/colour');
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 0 }), 400, 'bad_request', '/qtyDelta');
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 1.5 }), 400, 'bad_request', '/qtyDelta');
  expectError(await adjust({ itemId, locationId: w.binA }), 400, 'bad_request', '/qtyDelta');
  assert.is(await transactionCount(), before);
});

test('issuing more than on hand → 409 insufficient_stock and nothing is posted', async () => {
  const itemId = await newItem();
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 5 }));
  const before = await transactionCount();
  const balancesBefore = await balances({});
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: -6 }), 409, 'insufficient_stock', '/qtyDelta');
  expectError(await adjust({ itemId, locationId: w.binB, qtyDelta: -1 }), 409, 'insufficient_stock', '/qtyDelta');
  assert.is(await transactionCount(), before);
  assert.equal(await balances({}), balancesBefore);
  assert.is((await transactions({ itemId })).count, 1);
  // Exactly what is on hand may go.
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: -5 }));
  assert.is(await onHand({ itemId }), 0);
});

test('concurrent issues never oversell: 10 × -3 against 10 → 3 posted, 7 refused', async () => {
  const itemId = await newItem();
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 10 }));
  const replies = await Promise.all(Array.from({ length: 10 }, () => adjust({ itemId, locationId: w.binA, qtyDelta: -3 })));
  assert.equal(replies.map((r) => r.status).sort(), [201, 201, 201, 409, 409, 409, 409, 409, 409, 409]);
  for (const r of replies.filter((x) => x.status === 409)) assert.is(r.body.error, 'insufficient_stock');
  assert.is(await onHand({ itemId }), 1);
  assert.is((await transactions({ itemId })).count, 4);
});

test('a balance may not exceed 1e9 units', async () => {
  const itemId = await newItem();
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 1e9 }));
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 1 }), 400, 'bad_request', '/qtyDelta');
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 1e9 + 1 }), 400, 'bad_request', '/qtyDelta');
  assert.is(await onHand({ itemId }), 1e9);
});

test('0.1 posted 30 times is exactly 3', async () => {
  const itemId = await newItem({ baseUomId: kgId });
  for (let i = 0; i < 30; i++) {
    const tx = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 0.1 }));
    assert.is(tx.lines[0].qtyDelta, 0.1);
  }
  assert.is(await onHand({ itemId }), 3);
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: -2.9 }));
  assert.is(await onHand({ itemId }), 0.1);
});

test('a quantity with 7 decimals → 400', async () => {
  const itemId = await newItem({ baseUomId: kgId });
  const before = await transactionCount();
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 1.1234567 }), 400, 'bad_request', '/qtyDelta');
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 0.0000001 }), 400, 'bad_request', '/qtyDelta');
  // Within six decimals but finer than KG's three.
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 0.0001 }), 400, 'bad_request', '/qtyDelta');
  assert.is(await transactionCount(), before);
});

// ---- UOM conversion ------------------------------------------------------------------------

test('UOM conversion: 2 BOX of 12 posts 24 in the base UOM', async () => {
  const itemId = await newItem({ uomConversions: [{ uomId: boxId, factor: 12 }] });
  const tx = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 2, uomId: boxId }));
  assert.is(tx.lines[0].qtyDelta, 24);
  assert.is(await onHand({ itemId }), 24);
  const out = created(await adjust({ itemId, locationId: w.binA, qtyDelta: -1, uomId: boxId }));
  assert.is(out.lines[0].qtyDelta, -12);
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 1, uomId: w.eaId }));
  assert.is(await onHand({ itemId }), 13);
  const got = await t.call('GET', `/v1/inventory/transactions/${tx.id}`);
  expectStatus(got, 200);
  assert.is(got.body.data.lines[0].qtyDelta, 24, 'the converted quantity is what is stored');
});

test('UOM conversion refusals: no conversion, finer than the UOM, inexact product', async () => {
  const itemId = await newItem({ baseUomId: kgId, uomConversions: [{ uomId: boxId, factor: 12 }, { uomId: w.eaId, factor: 0.333 }] });
  const before = await transactionCount();
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 1, uomId: palId }), 400, 'bad_request', '/uomId');
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 0.5, uomId: boxId }), 400, 'bad_request', '/qtyDelta');
  assert.is(await transactionCount(), before);
  // 3 EA × 0.333 = 0.999 KG fits KG's decimals; the base quantity is posted.
  const tx = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 3, uomId: w.eaId }));
  assert.is(tx.lines[0].qtyDelta, 0.999);
  // 0.001 KG × 0.0001 = 0.0000001 of a six-decimal base UOM: not exact, refused rather than rounded.
  const fine = await newItem({ baseUomId: microId, uomConversions: [{ uomId: kgId, factor: 0.0001 }] });
  expectError(await adjust({ itemId: fine, locationId: w.binA, qtyDelta: 0.001, uomId: kgId }), 400, 'bad_request', '/qtyDelta');
  const exact = created(await adjust({ itemId: fine, locationId: w.binA, qtyDelta: 0.01, uomId: kgId }));
  assert.is(exact.lines[0].qtyDelta, 0.000001);
});

test('UOM conversion: a move names a UOM too', async () => {
  const itemId = await newItem({ uomConversions: [{ uomId: boxId, factor: 12 }] });
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 3, uomId: boxId }));
  const tx = created(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 1, uomId: boxId }));
  assert.equal(tx.lines.map((l: any) => l.qtyDelta), [-12, 12]);
  assert.is(await onHand({ itemId, locationId: w.binB }), 12);
});

// ---- lots ----------------------------------------------------------------------------------

test('lots: lotNo creates a lot on first inbound use; balances are kept per lot', async () => {
  const itemId = await newItem({ lotTracking: 'tracked' });
  const first = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 5, lotNo: 'L-1' }));
  const l1 = first.lines[0].lotId;
  assert.type(l1, 'string');
  assert.is(first.lines[0].lotNo, 'L-1');
  const second = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 3, lotNo: 'L-2' }));
  const l2 = second.lines[0].lotId;
  assert.is.not(l2, l1);
  const again = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 2, lotNo: 'L-1' }));
  assert.is(again.lines[0].lotId, l1, 'the second use of a lotNo finds the same lot');
  const rows = await balances({ itemId });
  assert.equal(rows.map((r) => [r.lotId, r.lotNo, r.onHand]), [[l1, 'L-1', 7], [l2, 'L-2', 3]]);
  assert.is(await onHand({ itemId, lotId: l2 }), 3);
  // Issuing by lotNo or lotId, from the right lot only.
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: -1, lotNo: 'L-2' }));
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: -1, lotId: l2 }));
  assert.is(await onHand({ itemId, lotId: l2 }), 1);
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: -2, lotId: l2 }), 409, 'insufficient_stock', '/qtyDelta');
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: -1, lotNo: 'L-404' }), 404, 'not_found', '/lotNo');
});

test('lots: a lot-tracked item needs a lot; others refuse one', async () => {
  const lotItem = await newItem({ lotTracking: 'tracked' });
  const plain = await newItem();
  const before = await transactionCount();
  expectError(await adjust({ itemId: lotItem, locationId: w.binA, qtyDelta: 1 }), 400, 'bad_request', '/lotNo');
  expectError(await adjust({ itemId: plain, locationId: w.binA, qtyDelta: 1, lotNo: 'X' }), 400, 'bad_request', '/lotNo');
  assert.is(await transactionCount(), before);
});

test('lots: expiry-tracked items need expiresOn on a new lot, and it must match after', async () => {
  const itemId = await newItem({ lotTracking: 'tracked', expiryTracking: 'tracked' });
  const before = await transactionCount();
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 1, lotNo: 'E-1' }), 400, 'bad_request', '/expiresOn');
  assert.is(await transactionCount(), before);
  const tx = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 4, lotNo: 'E-1', expiresOn: '2027-06-30' }));
  const rows = await balances({ itemId });
  assert.equal(rows.map((r) => [r.lotId, r.lotNo, r.expiresOn, r.onHand]), [[tx.lines[0].lotId, 'E-1', '2027-06-30', 4]]);
  // A known lot needs no expiresOn; a different one is a conflict.
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 1, lotNo: 'E-1' }));
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 1, lotNo: 'E-1', expiresOn: '2027-07-31' }), 409, 'conflict', '/expiresOn');
  assert.is(await onHand({ itemId }), 5);
});

test('lots: a move with lotId moves that lot only', async () => {
  const itemId = await newItem({ lotTracking: 'tracked' });
  const a = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 5, lotNo: 'M-1' })).lines[0].lotId;
  const b = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 5, lotNo: 'M-2' })).lines[0].lotId;
  const tx = created(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 2, lotId: a }));
  assert.equal(tx.lines.map((l: any) => [l.locationId, l.lotId, l.lotNo, l.qtyDelta]), [[w.binA, a, 'M-1', -2], [w.binB, a, 'M-1', 2]]);
  assert.is(await onHand({ itemId, lotId: a, locationId: w.binA }), 3);
  assert.is(await onHand({ itemId, lotId: a, locationId: w.binB }), 2);
  assert.is(await onHand({ itemId, lotId: b, locationId: w.binA }), 5);
  assert.is(await onHand({ itemId, lotId: b, locationId: w.binB }), 0);
  expectError(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 4, lotId: a }), 409, 'insufficient_stock');
  expectError(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 1 }), 400, 'bad_request', '/lotNo');
});

// ---- serials -------------------------------------------------------------------------------

test('serials: receive three, issue one, refuse absent and present serials, move one', async () => {
  const itemId = await newItem({ serialTracking: 'tracked' });
  const receipt = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 3, serialNos: ['SN-1', 'SN-2', 'SN-3'] }));
  assert.equal(receipt.lines[0].serialNos, ['SN-1', 'SN-2', 'SN-3']);
  const issue = created(await adjust({ itemId, locationId: w.binA, qtyDelta: -1, serialNos: ['SN-2'] }));
  assert.equal(issue.lines[0].serialNos, ['SN-2']);
  assert.is(await onHand({ itemId }), 2);

  const before = await transactionCount();
  // Stock is on hand, so these are refused for the serial, not the quantity.
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: -1, serialNos: ['SN-2'] }), 409, 'conflict', '/serialNos/0');
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: -1, serialNos: ['SN-404'] }), 409, 'conflict', '/serialNos/0');
  expectError(await adjust({ itemId, locationId: w.binB, qtyDelta: 1, serialNos: ['SN-1'] }), 409, 'conflict', '/serialNos/0');
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 2, serialNos: ['SN-9'] }), 400, 'bad_request', '/serialNos');
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 1 }), 400, 'bad_request', '/serialNos');
  assert.is(await transactionCount(), before);

  const moved = created(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 1, serialNos: ['SN-1'] }));
  assert.equal(moved.lines.map((l: any) => [l.locationId, l.serialNos, l.qtyDelta]), [[w.binA, ['SN-1'], -1], [w.binB, ['SN-1'], 1]]);
  assert.is(await onHand({ itemId, locationId: w.binA }), 1);
  assert.is(await onHand({ itemId, locationId: w.binB }), 1);
  // SN-1 is at B now: not at A any more, and issuable from B.
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: -1, serialNos: ['SN-1'] }), 409, 'conflict', '/serialNos/0');
  created(await adjust({ itemId, locationId: w.binB, qtyDelta: -1, serialNos: ['SN-1'] }));
  // An issued serial may come back.
  created(await adjust({ itemId, locationId: w.binB, qtyDelta: 1, serialNos: ['SN-2'] }));
  assert.is(await onHand({ itemId, locationId: w.binB }), 1);
});

// ---- moves and statuses ----------------------------------------------------------------------

test('move: location and status change in one move transaction that nets to zero', async () => {
  const itemId = await newItem();
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 10 }));
  const tx = created(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 4, toStatusId: 'quarantine', reason: 'QA hold' }));
  assert.is(tx.type, 'move');
  assert.is(tx.reason, 'QA hold');
  assert.equal(tx.lines.map((l: any) => [l.lineNo, l.facilityId, l.locationId, l.statusId, l.qtyDelta]), [
    [1, w.facilityId, w.binA, 'available', -4],
    [2, w.facilityId, w.binB, 'quarantine', 4],
  ]);
  assert.is(tx.lines.reduce((s: number, l: any) => s + l.qtyDelta, 0), 0);
  assert.is(await onHand({ itemId, locationId: w.binA, statusId: 'available' }), 6);
  assert.is(await onHand({ itemId, locationId: w.binB, statusId: 'quarantine' }), 4);
  assert.is(await onHand({ itemId, locationId: w.binB, statusId: 'available' }), 0);
  // A status change in place.
  const inPlace = created(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binA, qty: 1, toStatusId: 'damaged' }));
  assert.equal(inPlace.lines.map((l: any) => [l.locationId, l.statusId, l.qtyDelta]), [[w.binA, 'available', -1], [w.binA, 'damaged', 1]]);
  // And back out of quarantine, naming fromStatusId.
  created(await move({ itemId, fromLocationId: w.binB, toLocationId: w.binA, qty: 4, fromStatusId: 'quarantine', toStatusId: 'available' }));
  assert.is(await onHand({ itemId, locationId: w.binA, statusId: 'available' }), 9);
});

test('move refusals: between facilities, nothing changes, short stock, transit', async () => {
  const itemId = await newItem();
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 5 }));
  const before = await transactionCount();
  expectError(await move({ itemId, fromLocationId: w.binA, toLocationId: w2.binA, qty: 1 }), 400, 'bad_request', '/toLocationId');
  expectError(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binA, qty: 1 }), 400, 'bad_request');
  expectError(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binA, qty: 1, fromStatusId: 'available', toStatusId: 'available' }), 400, 'bad_request');
  expectError(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 6 }), 409, 'insufficient_stock');
  expectError(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 0 }), 400, 'bad_request', '/qty');
  expectError(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: -1 }), 400, 'bad_request', '/qty');
  expectError(await move({ itemId, fromLocationId: w.binA, toLocationId: w.transitId, qty: 1 }), 400, 'bad_request', '/toLocationId');
  expectError(await move({ itemId, fromLocationId: w.binA, toLocationId: UNKNOWN_ID, qty: 1 }), 404, 'not_found', '/toLocationId');
  assert.is(await transactionCount(), before);
  assert.is(await onHand({ itemId, locationId: w.binA }), 5);
});

// ---- availability ----------------------------------------------------------------------------

test('quarantine stock is on hand but not available', async () => {
  const itemId = await newItem();
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 10 }));
  created(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 4, toStatusId: 'quarantine' }));
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 2, statusId: 'damaged' }));
  assert.is((await balances({ itemId })).reduce((s, r) => s + r.onHand, 0), 12);
  const perLocation = await availability({ itemId });
  assert.equal(perLocation, [{ itemId, facilityId: w.facilityId, locationId: w.binA, onHand: 6, allocated: 0, available: 6 }]);
  const perFacility = await availability({ itemId, groupBy: 'facility' });
  assert.equal(perFacility, [{ itemId, facilityId: w.facilityId, onHand: 6, reserved: 0, allocated: 0, available: 6 }]);
});

test('transit: adjustments cannot post there, and transit stock never counts as available', async () => {
  const itemId = await newItem();
  const before = await transactionCount();
  expectError(await adjust({ itemId, locationId: w.transitId, qtyDelta: 5 }), 400, 'bad_request', '/locationId');
  assert.is(await transactionCount(), before);
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 5 }));
  // Only transfers post to transit: ship 2 into the transit location through the core's one posting rule.
  const at = (locationId: string, qty: number) => ({ itemId, locationId, statusId: 'available', qty: toMicro(qty) as Micro, at: '' });
  const shipped = await runCommand(t.store, (tx) => post(tx, { type: 'transfer_out', lines: [at(w.binA, -2), at(w.transitId, 2)] }, nowIso()));
  assert.ok(shipped.ok, JSON.stringify(shipped));
  assert.is(await onHand({ itemId, locationId: w.transitId }), 2, 'the transit balance exists');
  assert.equal(await availability({ itemId }), [{ itemId, facilityId: w.facilityId, locationId: w.binA, onHand: 3, allocated: 0, available: 3 }]);
  assert.equal(await availability({ itemId, locationId: w.transitId }), []);
  assert.equal(await availability({ itemId, groupBy: 'facility' }), [{ itemId, facilityId: w.facilityId, onHand: 3, reserved: 0, allocated: 0, available: 3 }]);
  // Nor can an adjustment take stock out of transit.
  expectError(await adjust({ itemId, locationId: w.transitId, qtyDelta: -1 }), 400, 'bad_request', '/locationId');
});

test('availability shapes, per location and per facility, and their filters', async () => {
  const itemId = await newItem();
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 3 }));
  created(await adjust({ itemId, locationId: w.binB, qtyDelta: 4 }));
  created(await adjust({ itemId, locationId: w2.binA, qtyDelta: 5 }));
  const perLocation = await availability({ itemId });
  assert.is(perLocation.length, 3);
  for (const row of perLocation) {
    assert.equal(Object.keys(row).sort(), ['allocated', 'available', 'facilityId', 'itemId', 'locationId', 'onHand']);
    assert.is(row.available, row.onHand - row.allocated);
  }
  assert.equal(perLocation.map((r) => [r.locationId, r.onHand]).sort(), [[w.binA, 3], [w.binB, 4], [w2.binA, 5]].sort());
  const perFacility = await availability({ itemId, groupBy: 'facility' });
  assert.is(perFacility.length, 2);
  for (const row of perFacility) {
    assert.equal(Object.keys(row).sort(), ['allocated', 'available', 'facilityId', 'itemId', 'onHand', 'reserved']);
  }
  const byFacility = Object.fromEntries(perFacility.map((r) => [r.facilityId, r]));
  assert.equal(byFacility[w.facilityId], { itemId, facilityId: w.facilityId, onHand: 7, reserved: 0, allocated: 0, available: 7 });
  assert.equal(byFacility[w2.facilityId], { itemId, facilityId: w2.facilityId, onHand: 5, reserved: 0, allocated: 0, available: 5 });
  assert.equal((await availability({ itemId, facilityId: w2.facilityId })).map((r) => r.locationId), [w2.binA]);
  assert.equal((await availability({ itemId, locationId: w.binB })).map((r) => r.onHand), [4]);
  assert.equal((await availability({ itemId, groupBy: 'facility', facilityId: w.facilityId })).map((r) => r.onHand), [7]);
  const bad = await t.call('GET', '/v1/inventory/availability?groupBy=lot');
  expectError(bad, 400, 'bad_request');
});

// ---- balances ------------------------------------------------------------------------------

test('balances: row shape and filters by item, facility, location, status', async () => {
  const itemId = await newItem();
  const other = await newItem();
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 5 }));
  created(await adjust({ itemId, locationId: w.binB, qtyDelta: 3, statusId: 'quarantine' }));
  created(await adjust({ itemId, locationId: w2.binA, qtyDelta: 2 }));
  created(await adjust({ itemId: other, locationId: w.binA, qtyDelta: 7 }));
  const all = await balances({ itemId });
  assert.is(all.length, 3);
  for (const row of all) {
    assert.equal(Object.keys(row).sort(), ['expiresOn', 'facilityId', 'itemId', 'itemNo', 'locationId', 'lotId', 'lotNo', 'onHand', 'statusId']);
    assert.is(row.itemId, itemId);
  }
  const f1 = await balances({ itemId, facilityId: w.facilityId });
  assert.equal(f1.map((r) => [r.locationId, r.statusId, r.onHand]).sort(), [[w.binA, 'available', 5], [w.binB, 'quarantine', 3]].sort());
  assert.equal((await balances({ itemId, facilityId: w2.facilityId })).map((r) => [r.facilityId, r.locationId, r.onHand]), [[w2.facilityId, w2.binA, 2]]);
  assert.equal((await balances({ itemId, locationId: w.binB })).map((r) => [r.statusId, r.onHand]), [['quarantine', 3]]);
  assert.equal((await balances({ itemId, statusId: 'quarantine' })).map((r) => [r.locationId, r.onHand]), [[w.binB, 3]]);
  const atA = await balances({ locationId: w.binA });
  assert.ok(atA.some((r) => r.itemId === other && r.onHand === 7), 'location filter without item filter');
  assert.ok(atA.every((r) => r.locationId === w.binA));
  assert.ok((await balances({ statusId: 'quarantine' })).every((r) => r.statusId === 'quarantine'));
});

test('balances: zero rows are left out', async () => {
  const itemId = await newItem();
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 4 }));
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: -4 }));
  const r = await t.call('GET', `/v1/inventory/balances?itemId=${itemId}`);
  expectStatus(r, 200);
  assert.equal(r.body.data, []);
  assert.is(r.body.count, 0);
  assert.equal(await availability({ itemId }), []);
  assert.equal(await availability({ itemId, groupBy: 'facility' }), []);
});

test('balances: asOf recomputes from the ledger', async () => {
  const itemId = await newItem();
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 5 }));
  await sleep(15);
  const between = new Date().toISOString();
  await sleep(15);
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 3 }));
  created(await adjust({ itemId, locationId: w.binB, qtyDelta: 1 }));
  assert.is(await onHand({ itemId, locationId: w.binA }), 8);
  const then = await balances({ itemId, asOf: between });
  assert.equal(then.map((r) => [r.locationId, r.statusId, r.onHand]), [[w.binA, 'available', 5]]);
  assert.equal(Object.keys(then[0]).sort(), ['expiresOn', 'facilityId', 'itemId', 'itemNo', 'locationId', 'lotId', 'lotNo', 'onHand', 'statusId']);
  // The same instant written with an offset.
  const d = new Date(Date.parse(between) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
  assert.equal((await balances({ itemId, asOf: d })).map((r) => r.onHand), [5]);
  assert.equal(await balances({ itemId, asOf: '2000-01-01T00:00:00.000Z' }), []);
  const now = await balances({ itemId, asOf: new Date(Date.now() + 60_000).toISOString() });
  assert.equal(now.map((r) => [r.locationId, r.onHand]).sort(), [[w.binA, 8], [w.binB, 1]].sort());
  assert.equal((await balances({ itemId, asOf: between, locationId: w.binB })), [], 'filters apply to asOf too');
  // Zero rows are left out of a recomputed balance as well.
  created(await adjust({ itemId, locationId: w.binB, qtyDelta: -1 }));
  assert.equal((await balances({ itemId, asOf: new Date(Date.now() + 60_000).toISOString() })).map((r) => r.locationId), [w.binA]);
  expectError(await t.call('GET', '/v1/inventory/balances?asOf=yesterday'), 400, 'bad_request');
});

// ---- transactions ----------------------------------------------------------------------------

test('transactions: newest first, filters, afterSeq feed, one with all lines, 404', async () => {
  const itemId = await newItem();
  const t1 = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 5 }));
  await sleep(5);
  const t2 = created(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 2 }));
  await sleep(5);
  const t3 = created(await adjust({ itemId, locationId: w.binA, qtyDelta: -1 }));
  assert.ok(t1.postedAt < t2.postedAt && t2.postedAt < t3.postedAt, 'distinct posting times');

  const ids = (page: { data: any[] }) => page.data.map((x) => x.id);
  const mine = await transactions({ itemId });
  assert.equal(ids(mine), [t3.id, t2.id, t1.id]);
  assert.is(mine.count, 3);
  const everything = await transactions({});
  const seqs = everything.data.map((x) => x.seq);
  assert.equal(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
  assert.is(everything.data[0].id, t3.id);

  assert.equal(ids(await transactions({ itemId, type: 'move' })), [t2.id]);
  assert.equal(ids(await transactions({ itemId, type: 'adjustment' })), [t3.id, t1.id]);
  assert.equal(ids(await transactions({ itemId, locationId: w.binB })), [t2.id]);
  assert.equal(ids(await transactions({ itemId, facilityId: w2.facilityId })), []);
  assert.equal(ids(await transactions({ itemId, from: t2.postedAt })), [t3.id, t2.id]);
  assert.equal(ids(await transactions({ itemId, to: t2.postedAt })), [t2.id, t1.id]);
  assert.equal(ids(await transactions({ itemId, from: t2.postedAt, to: t2.postedAt })), [t2.id]);
  const withOffset = new Date(Date.parse(t2.postedAt) - 3600_000).toISOString().replace('Z', '-01:00');
  assert.equal(ids(await transactions({ itemId, from: withOffset })), [t3.id, t2.id], 'from with a UTC offset');

  const feed = await transactions({ itemId, afterSeq: t1.seq });
  assert.equal(ids(feed), [t2.id, t3.id], 'oldest first, strictly after');
  assert.is(feed.count, 2);
  const fullFeed = await transactions({ afterSeq: t1.seq });
  assert.equal(ids(fullFeed), [t2.id, t3.id]);
  assert.equal(ids(await transactions({ afterSeq: t3.seq })), []);
  const fromStart = await transactions({ afterSeq: 0, limit: 2 });
  assert.ok(fromStart.data[0].seq < fromStart.data[1].seq);
  assert.is(fromStart.count, everything.count);

  const one = await t.call('GET', `/v1/inventory/transactions/${t2.id}`);
  expectStatus(one, 200);
  assert.equal(one.body.data, { ...t2, reversedByTransactionId: null });
  assert.is(one.body.data.lines.length, 2);
  assert.equal(Object.keys(one.body.data).sort(), [
    'id', 'lines', 'occurredAt', 'postedAt', 'reason', 'reference', 'reversedByTransactionId', 'reversesTransactionId', 'seq', 'type',
  ].sort());
  expectError(await t.call('GET', `/v1/inventory/transactions/${UNKNOWN_ID}`), 404, 'not_found');
  expectError(await t.call('GET', '/v1/inventory/transactions?type=theft'), 400, 'bad_request');
});

test('transactions: PUT, PATCH and DELETE are 405', async () => {
  const itemId = await newItem();
  const tx = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 1 }));
  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    const r = await t.call(method, `/v1/inventory/transactions/${tx.id}`, method === 'DELETE' ? undefined : { reason: 'edited' });
    expectError(r, 405, 'method_not_allowed');
  }
  const after = await t.call('GET', `/v1/inventory/transactions/${tx.id}`);
  assert.equal(after.body.data, { ...tx, reversedByTransactionId: null });
});

// ---- reversals -------------------------------------------------------------------------------

test('reversal: negated lines, linked both ways, at most once', async () => {
  const itemId = await newItem();
  const original = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 5 }));
  const moved = created(await move({ itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 2, toStatusId: 'quarantine' }));
  const reversal = created(await t.call('POST', `/v1/inventory/transactions/${moved.id}/reverse`, { reason: 'wrong bin' }));
  assert.is(reversal.type, 'reversal');
  assert.is(reversal.reason, 'wrong bin');
  assert.is(reversal.reversesTransactionId, moved.id);
  assert.equal(reversal.lines.map((l: any) => [l.locationId, l.statusId, l.qtyDelta]), moved.lines.map((l: any) => [l.locationId, l.statusId, -l.qtyDelta]));
  assert.is(await onHand({ itemId, locationId: w.binA }), 5);
  assert.is(await onHand({ itemId, locationId: w.binB, statusId: 'quarantine' }), 0);
  const reread = await t.call('GET', `/v1/inventory/transactions/${moved.id}`);
  assert.is(reread.body.data.reversedByTransactionId, reversal.id);
  const listed = await transactions({ itemId, type: 'reversal' });
  assert.equal(listed.data.map((x) => x.id), [reversal.id]);

  const before = await transactionCount();
  expectError(await t.call('POST', `/v1/inventory/transactions/${moved.id}/reverse`, {}), 409, 'conflict');
  assert.is(await transactionCount(), before);

  const undo = created(await t.call('POST', `/v1/inventory/transactions/${original.id}/reverse`, {}));
  assert.equal(undo.lines.map((l: any) => l.qtyDelta), [-5]);
  assert.is(await onHand({ itemId }), 0);
  expectError(await t.call('POST', `/v1/inventory/transactions/${UNKNOWN_ID}/reverse`, {}), 404, 'not_found');
});

test('reversal that would go below zero → 409 insufficient_stock and nothing posted', async () => {
  const itemId = await newItem();
  const original = created(await adjust({ itemId, locationId: w.binA, qtyDelta: 5 }));
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: -3 }));
  const before = await transactionCount();
  expectError(await t.call('POST', `/v1/inventory/transactions/${original.id}/reverse`, {}), 409, 'insufficient_stock');
  assert.is(await transactionCount(), before);
  assert.is(await onHand({ itemId }), 2);
  const reread = await t.call('GET', `/v1/inventory/transactions/${original.id}`);
  assert.is(reread.body.data.reversedByTransactionId, null);
});

test('reversal of a serial issue brings the serial back', async () => {
  const itemId = await newItem({ serialTracking: 'tracked' });
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: 2, serialNos: ['R-1', 'R-2'] }));
  const issue = created(await adjust({ itemId, locationId: w.binA, qtyDelta: -1, serialNos: ['R-1'] }));
  created(await t.call('POST', `/v1/inventory/transactions/${issue.id}/reverse`, {}));
  assert.is(await onHand({ itemId }), 2);
  created(await adjust({ itemId, locationId: w.binA, qtyDelta: -1, serialNos: ['R-1'] }));
});

// ---- verification ----------------------------------------------------------------------------

test('after all of the above, every balance matches the ledger', async () => {
  assert.ok((await transactionCount()) > 50, 'the ledger has been exercised');
  const drift = await verifyBalances(t.store.read);
  assert.equal(drift, []);
});

test.run();
