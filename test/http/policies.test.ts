// Reorder policies and replenishment over HTTP: one policy per item and facility, exact
// quantities, minQty <= maxQty, PATCH with If-Match; and the suggestions replenishment makes
// from what is available (reservations count), on order on open purchase orders, inbound on
// transfers, and the policy levels.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyBalances } from '../../core/verify.js';
import { expectStatus, seedWorld, startTestServer, type Reply, type TestServer, type World } from './harness.js';

let t: TestServer;
let w1: World;
let w2: World;
let kgId: string;

const created = (r: Reply) => (expectStatus(r, 201), r.body.data);
const okay = (r: Reply) => (expectStatus(r, 200), r.body.data);

function expectError(r: Reply, status: number, code: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code, JSON.stringify(r.body));
}

let items = 0;
async function item(extra: Record<string, unknown> = {}): Promise<string> {
  items += 1;
  return created(await t.call('POST', '/v1/items', { itemNo: `POL-${String(items).padStart(3, '0')}`, name: `Planned ${items}`, itemKind: 'purchased', baseUomId: w1.eaId, ...extra })).id;
}

const adjust = (itemId: string, locationId: string, qtyDelta: number) => t.call('POST', '/v1/inventory/adjustments', { itemId, locationId, qtyDelta });
const policy = (body: Record<string, unknown>) => t.call('POST', '/v1/inventory/policies', body);
const levels = { minQty: 5, maxQty: 20, safetyStockQty: 2 };
const patch = (id: string, body: unknown, ifMatch?: string) =>
  t.call('PATCH', `/v1/inventory/policies/${id}`, body, ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } });

async function replenishment(query = ''): Promise<any[]> {
  return okay(await t.call('GET', `/v1/inventory/replenishment?limit=1000${query}`));
}
const rowOf = async (policyId: string, query = '') => (await replenishment(query)).find((r) => r.policyId === policyId);

test.before(async () => {
  t = await startTestServer();
  w1 = await seedWorld(t, '1');
  w2 = await seedWorld(t, '2');
  kgId = created(await t.call('POST', '/v1/uoms', { code: 'KG', name: 'Kilogram', decimals: 3 })).id;
});
test.after(async () => {
  await t.close();
});

test('a policy reads as the API shows it; one per item and facility', async () => {
  const itemId = await item();
  const supplier = '01900000-0000-7000-8000-0000000000aa';
  const p = created(await policy({ itemId, facilityId: w1.facilityId, ...levels, reorderQty: 12, leadTimeDays: 7, preferredSupplierId: supplier }));
  assert.equal(Object.keys(p).sort(), ['createdAt', 'facilityId', 'id', 'itemId', 'leadTimeDays', 'maxQty', 'minQty', 'preferredSupplierId',
    'reorderQty', 'safetyStockQty', 'updatedAt', 'version'].sort());
  assert.equal([p.itemId, p.facilityId, p.minQty, p.maxQty, p.safetyStockQty, p.reorderQty, p.leadTimeDays, p.preferredSupplierId, p.version],
    [itemId, w1.facilityId, 5, 20, 2, 12, 7, supplier, 1]);
  assert.equal(okay(await t.call('GET', `/v1/inventory/policies/${p.id}`)), p);
  const bare = created(await policy({ itemId, facilityId: w2.facilityId, minQty: 0, maxQty: 0, safetyStockQty: 0 }));
  assert.equal([bare.reorderQty, bare.leadTimeDays, bare.preferredSupplierId], [null, null, null]);
  const dup = await policy({ itemId, facilityId: w1.facilityId, ...levels });
  expectError(dup, 409, 'conflict');
  const listed = await t.call('GET', `/v1/inventory/policies?itemId=${itemId}`);
  expectStatus(listed, 200);
  assert.is(listed.body.count, 2);
  assert.equal(okay(await t.call('GET', `/v1/inventory/policies?itemId=${itemId}&facilityId=${w2.facilityId}`)).map((x: { id: string }) => x.id), [bare.id]);
  assert.ok(okay(await t.call('GET', `/v1/inventory/policies?facilityId=${w1.facilityId}&limit=1000`)).every((x: { facilityId: string }) => x.facilityId === w1.facilityId));
});

test('quantities are exact, within the item\'s UOM; minQty <= maxQty; bad bodies change nothing', async () => {
  const kgItem = await item({ baseUomId: kgId });
  const p = created(await policy({ itemId: kgItem, facilityId: w1.facilityId, minQty: 0.1, maxQty: 0.3, safetyStockQty: 0.2, reorderQty: 0.125 }));
  assert.equal([p.minQty, p.maxQty, p.safetyStockQty, p.reorderQty], [0.1, 0.3, 0.2, 0.125]);
  const eaItem = await item();
  const count = async () => (await t.call('GET', `/v1/inventory/policies?itemId=${eaItem}`)).body.count;
  const base = { itemId: eaItem, facilityId: w1.facilityId, ...levels };
  const bad: Array<Record<string, unknown>> = [
    { ...base, minQty: 21 }, // min above max
    { ...base, minQty: 1.5 }, // EA takes no decimals
    { ...base, reorderQty: 0.0000001 },
    { ...base, minQty: -1 },
    { ...base, reorderQty: 0 },
    { ...base, leadTimeDays: 1.5 },
    { ...base, leadTimeDays: -1 },
    { ...base, preferredSupplierId: 'ACME' },
    { ...base, isActive: true },
    { itemId: eaItem, facilityId: w1.facilityId, minQty: 1, maxQty: 2 }, // safetyStockQty is required
    { ...base, itemId: 'nope' },
  ];
  for (const body of bad) expectError(await policy(body), 400, 'bad_request');
  const service = await item({ itemKind: 'service' });
  expectError(await policy({ ...base, itemId: service }), 400, 'bad_request');
  const none = '00000000-0000-7000-8000-000000000000';
  const noItem = await policy({ ...base, itemId: none });
  expectError(noItem, 404, 'not_found');
  assert.is(noItem.body.details[0].path, '/itemId');
  const noFacility = await policy({ ...base, facilityId: none });
  expectError(noFacility, 404, 'not_found');
  assert.is(noFacility.body.details[0].path, '/facilityId');
  assert.is(await count(), 0);
  expectError(await t.call('GET', `/v1/inventory/policies/${none}`), 404, 'not_found');
  expectError(await t.call('GET', '/v1/inventory/policies?itemId=nope'), 400, 'bad_request');
});

test('PATCH: levels change with If-Match; min above max, unknown fields and stale versions are refused', async () => {
  const itemId = await item();
  const p = created(await policy({ itemId, facilityId: w1.facilityId, ...levels, reorderQty: 10 }));
  const changed = okay(await patch(p.id, { maxQty: 30, reorderQty: null, leadTimeDays: 3 }, '1'));
  assert.equal([changed.minQty, changed.maxQty, changed.reorderQty, changed.leadTimeDays, changed.version], [5, 30, null, 3, 2]);
  expectError(await patch(p.id, { maxQty: 40 }, '1'), 409, 'conflict');
  expectError(await patch(p.id, { minQty: 31 }), 400, 'bad_request');
  expectError(await patch(p.id, { maxQty: 4 }), 400, 'bad_request');
  expectError(await patch(p.id, { facilityId: w2.facilityId }), 400, 'bad_request');
  expectError(await patch(p.id, {}), 400, 'bad_request');
  expectError(await patch(p.id, { safetyStockQty: 0.5 }), 400, 'bad_request');
  expectError(await patch('00000000-0000-7000-8000-000000000000', { minQty: 1 }), 404, 'not_found');
  assert.equal(okay(await t.call('GET', `/v1/inventory/policies/${p.id}`)), changed);
  const again = okay(await patch(p.id, { minQty: 30, safetyStockQty: 0 }));
  assert.equal([again.minQty, again.maxQty, again.safetyStockQty, again.version], [30, 30, 0, 3]);
});

test('replenishment: below minQty + safetyStockQty, suggest reorderQty or up to maxQty; reservations count', async () => {
  const low = await item();
  const fine = await item();
  const fixed = await item();
  const tight = await item();
  created(await adjust(low, w1.binA, 3));
  created(await adjust(fine, w1.binA, 10));
  created(await adjust(tight, w1.binB, 12));
  const pLow = created(await policy({ itemId: low, facilityId: w1.facilityId, ...levels }));
  const pFine = created(await policy({ itemId: fine, facilityId: w1.facilityId, minQty: 5, maxQty: 20, safetyStockQty: 5 }));
  const pFixed = created(await policy({ itemId: fixed, facilityId: w1.facilityId, ...levels, reorderQty: 12, preferredSupplierId: '01900000-0000-7000-8000-0000000000bb' }));
  // maxQty below the reorder point: the suggestion reaches the reorder point.
  const pTight = created(await policy({ itemId: tight, facilityId: w1.facilityId, minQty: 10, maxQty: 10, safetyStockQty: 5 }));

  const row = await rowOf(pLow.id);
  assert.equal(Object.keys(row).sort(), ['available', 'facilityId', 'inbound', 'itemId', 'onOrder', 'policyId', 'preferredSupplierId', 'projected',
    'suggestedQty'].sort());
  assert.equal([row.itemId, row.facilityId, row.available, row.onOrder, row.inbound, row.projected, row.suggestedQty, row.preferredSupplierId],
    [low, w1.facilityId, 3, 0, 0, 3, 17, null]);
  assert.is(await rowOf(pFine.id), undefined, 'at the reorder point (10 = 5 + 5): nothing to suggest');
  const f = await rowOf(pFixed.id);
  assert.equal([f.available, f.projected, f.suggestedQty, f.preferredSupplierId], [0, 0, 12, '01900000-0000-7000-8000-0000000000bb']);
  const tg = await rowOf(pTight.id);
  assert.equal([tg.projected, tg.suggestedQty], [12, 3]);

  // A reservation lowers what is available, and so the projection.
  created(await t.call('POST', '/v1/inventory/reservations', { itemId: fine, facilityId: w1.facilityId, qty: 1, demand: { type: 'manual' } }));
  const nowLow = await rowOf(pFine.id);
  assert.equal([nowLow.available, nowLow.projected, nowLow.suggestedQty], [9, 9, 11]);
  // Stock in another status is on hand but not available.
  created(await t.call('POST', '/v1/inventory/moves', { itemId: low, fromLocationId: w1.binA, toLocationId: w1.binA, qty: 1, toStatusId: 'quarantine' }));
  assert.equal([(await rowOf(pLow.id)).available, (await rowOf(pLow.id)).suggestedQty], [2, 18]);
  // Every policy is weighed, of every facility unless one is named; paged like any list.
  const all = await t.call('GET', '/v1/inventory/replenishment?limit=2');
  expectStatus(all, 200);
  assert.equal([all.body.data.length, all.body.limit, all.body.offset], [2, 2, 0]);
  assert.ok(all.body.count >= 4);
  assert.ok((await replenishment(`&facilityId=${w1.facilityId}`)).every((r) => r.facilityId === w1.facilityId));
  assert.ok((await replenishment()).every((r) => r.onOrder === 0));
  expectError(await t.call('GET', '/v1/inventory/replenishment?facilityId=nope'), 400, 'bad_request');
  expectError(await t.call('GET', '/v1/inventory/replenishment?itemId=x'), 400, 'bad_request');
});

test('replenishment counts transfers inbound until they are received, and stock in transit is not available', async () => {
  const itemId = await item();
  created(await adjust(itemId, w2.binA, 10));
  const p = created(await policy({ itemId, facilityId: w1.facilityId, ...levels }));
  const before = await rowOf(p.id, `&facilityId=${w1.facilityId}`);
  assert.equal([before.available, before.inbound, before.projected, before.suggestedQty], [0, 0, 0, 20]);

  const tr = created(await t.call('POST', '/v1/inventory/transfers', { fromFacilityId: w2.facilityId, toFacilityId: w1.facilityId, lines: [{ itemId, qty: 3 }, { itemId, qty: 1 }] }));
  assert.equal((await rowOf(p.id)).inbound, 0, 'a draft is not on its way');
  okay(await t.call('POST', `/v1/inventory/transfers/${tr.id}/release`, {}));
  let row = await rowOf(p.id);
  assert.equal([row.available, row.inbound, row.projected, row.suggestedQty], [0, 4, 4, 16]);
  okay(await t.call('POST', `/v1/inventory/transfers/${tr.id}/ship`, { lines: [{ lineId: tr.lines[0].id, qty: 3, fromLocationId: w2.binA }] }));
  row = await rowOf(p.id);
  assert.equal([row.available, row.inbound, row.projected], [0, 4, 4], 'in transit: inbound, not available');
  okay(await t.call('POST', `/v1/inventory/transfers/${tr.id}/receive`, { lines: [{ lineId: tr.lines[0].id, qty: 2, toLocationId: w1.binA }] }));
  row = await rowOf(p.id);
  assert.equal([row.available, row.inbound, row.projected, row.suggestedQty], [2, 2, 4, 16]);
  // Enough on its way: the policy drops out, and comes back when the transfer is cancelled.
  const more = created(await t.call('POST', '/v1/inventory/transfers', { fromFacilityId: w2.facilityId, toFacilityId: w1.facilityId, lines: [{ itemId, qty: 3 }] }));
  okay(await t.call('POST', `/v1/inventory/transfers/${more.id}/release`, {}));
  assert.is(await rowOf(p.id), undefined);
  okay(await t.call('POST', `/v1/inventory/transfers/${more.id}/cancel`, {}));
  assert.equal((await rowOf(p.id)).inbound, 2);
  // The source's own policy sees the transfer's reservation.
  const src = created(await policy({ itemId, facilityId: w2.facilityId, minQty: 8, maxQty: 10, safetyStockQty: 0 }));
  const s = await rowOf(src.id);
  assert.equal([s.available, s.inbound, s.suggestedQty], [6, 0, 4]);
});

test('replenishment counts open purchase orders not yet received, in base units, at their facility; cancelled and received ones count nothing', async () => {
  const boxId = created(await t.call('POST', '/v1/uoms', { code: 'CASE', name: 'Case of 6', decimals: 0 })).id;
  const itemId = await item({ uomConversions: [{ uomId: boxId, factor: 6 }] });
  const p = created(await policy({ itemId, facilityId: w1.facilityId, ...levels }));
  const supplier = created(await t.call('POST', '/v1/procurement/suppliers', { code: 'POL-SUP', name: 'Policy supplier' }));
  const order = async (qty: number, extra: Record<string, unknown> = {}, facilityId = w1.facilityId) =>
    created(await t.call('POST', '/v1/procurement/purchase-orders', { supplierId: supplier.id, facilityId, lines: [{ itemId, qty, unitPrice: 1, ...extra }] }));
  const po = (id: string, action: string, body: unknown = {}) => t.call('POST', `/v1/procurement/purchase-orders/${id}/${action}`, body);
  const row = () => rowOf(p.id);
  assert.equal([(await row()).onOrder, (await row()).suggestedQty], [0, 20]);

  // A draft counts (it is what a requisition converts to), in base units.
  const draft = await order(1, { uomId: boxId });
  let r = await row();
  assert.equal([r.available, r.onOrder, r.inbound, r.projected, r.suggestedQty], [0, 6, 0, 6, 14]);
  // Another facility's order is not on order here.
  await order(50, {}, w2.facilityId);
  assert.is((await row()).onOrder, 6);
  // Enough on order: no suggestion.
  const approved = await order(3);
  for (const a of ['submit', 'approve']) okay(await po(approved.id, a));
  assert.is(await row(), undefined, '6 + 3 on order reaches the reorder point of 7');
  okay(await po(draft.id, 'cancel'));
  r = await row();
  assert.equal([r.onOrder, r.projected, r.suggestedQty], [3, 3, 17]);
  // Received stock moves from on order to available.
  created(await po(approved.id, 'receipts', { lines: [{ lineId: approved.lines[0].id, qty: 2, locationId: w1.binA }] }));
  r = await row();
  assert.equal([r.available, r.onOrder, r.projected, r.suggestedQty], [2, 1, 3, 17]);
  created(await po(approved.id, 'receipts', { lines: [{ lineId: approved.lines[0].id, qty: 1, locationId: w1.binA }] }));
  r = await row();
  assert.equal([r.available, r.onOrder, r.projected, r.suggestedQty], [3, 0, 3, 17]);
});

test('at the end, every balance and promise adds up', async () => {
  assert.equal(await verifyBalances(t.store.read), []);
});

test.run();
