// Requisitions over HTTP: the document and its numbering; every transition allowed and
// refused (409 invalid_state, nothing changed); PATCH of drafts; conversion into draft
// purchase orders grouped by supplier (a line's own, else its policy's preferred supplier;
// lines with neither are a 400 naming them); replenishment suggestions turned into draft
// requisitions; and procure-to-stock end to end, as a new user would run it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyBalances } from '../../core/verify.js';
import { expectStatus, seedWorld, startTestServer, type Reply, type TestServer, type World } from './harness.js';

let t: TestServer;
let w: World;
let other: World;
let boxId: string;

const created = (r: Reply) => (expectStatus(r, 201), r.body.data);
const okay = (r: Reply) => (expectStatus(r, 200), r.body.data);

function expectError(r: Reply, status: number, code: string, paths?: string[]): void {
  expectStatus(r, status);
  assert.is(r.body.error, code, JSON.stringify(r.body));
  if (paths) assert.equal(r.body.details.map((d: { path: string }) => d.path), paths);
}

const RQ = '/v1/procurement/requisitions';
const PO = '/v1/procurement/purchase-orders';
const NONE = '00000000-0000-7000-8000-000000000000';

let items = 0;
async function item(extra: Record<string, unknown> = {}): Promise<string> {
  items += 1;
  return created(await t.call('POST', '/v1/items', { itemNo: `REQ-${String(items).padStart(3, '0')}`, name: `Asked ${items}`, itemKind: 'purchased', baseUomId: w.eaId, ...extra })).id;
}

let suppliers = 0;
async function supplier(extra: Record<string, unknown> = {}): Promise<{ id: string; code: string; currency: string | null }> {
  suppliers += 1;
  return created(await t.call('POST', '/v1/procurement/suppliers', { code: `RS-${suppliers}`, name: `Supplier ${suppliers}`, ...extra }));
}

const create = (lines: unknown[], extra: Record<string, unknown> = {}) => t.call('POST', RQ, { facilityId: w.facilityId, lines, ...extra });
const act = (id: string, action: string, body: unknown = {}) => t.call('POST', `${RQ}/${id}/${action}`, body);
const patch = (id: string, body: unknown, ifMatch?: string) =>
  t.call('PATCH', `${RQ}/${id}`, body, ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } });
const get = async (id: string) => okay(await t.call('GET', `${RQ}/${id}`));
const getPo = async (id: string) => okay(await t.call('GET', `${PO}/${id}`));
const fromReplenishment = (body: unknown = {}) => t.call('POST', '/v1/inventory/replenishment/requisitions', body);

async function requisition(lines: unknown[], actions: string[] = [], extra: Record<string, unknown> = {}) {
  let r = created(await create(lines, extra));
  for (const a of actions) r = okay(await act(r.id, a));
  return r;
}

async function replenishment(): Promise<any[]> {
  return okay(await t.call('GET', '/v1/inventory/replenishment?limit=1000'));
}
const poCount = async () => (await t.call('GET', `${PO}?limit=1`)).body.count;

test.before(async () => {
  t = await startTestServer();
  w = await seedWorld(t, '1');
  other = await seedWorld(t, '2');
  boxId = created(await t.call('POST', '/v1/uoms', { code: 'BOX', name: 'Box', decimals: 0 })).id;
});
test.after(async () => {
  await t.close();
});

test('a requisition reads as the API shows it, numbered RQ-000001...; lists filter and page', async () => {
  const a = await item({ uomConversions: [{ uomId: boxId, factor: 6 }] });
  const s = await supplier();
  const r = created(await create([{ itemId: a, qty: 2, uomId: boxId, neededBy: '2030-03-01', supplierId: s.id }, { itemId: a, qty: 5 }], { notes: 'for the fair' }));
  assert.equal(Object.keys(r).sort(), ['createdAt', 'facilityId', 'id', 'lines', 'notes', 'requisitionNo', 'status', 'statusHistory', 'updatedAt', 'version'].sort());
  assert.match(r.requisitionNo, /^RQ-\d{6}$/);
  assert.equal([r.status, r.version, r.facilityId, r.notes], ['draft', 1, w.facilityId, 'for the fair']);
  assert.equal(Object.keys(r.lines[0]).sort(), ['id', 'itemId', 'lineNo', 'neededBy', 'purchaseOrderId', 'qty', 'supplierId', 'uomId'].sort());
  assert.equal(r.lines.map((l: any) => [l.lineNo, l.itemId, l.qty, l.uomId, l.neededBy, l.supplierId, l.purchaseOrderId]), [
    [1, a, 2, boxId, '2030-03-01', s.id, null],
    [2, a, 5, w.eaId, null, null, null],
  ]);
  assert.equal(r.statusHistory, [{ from: null, to: 'draft', at: r.createdAt, by: r.statusHistory[0].by }]);
  assert.is(r.statusHistory[0].by.name, 'admin (IMS_ADMIN_TOKEN)');
  assert.equal(await get(r.id), r);
  const b = await item();
  const next = await requisition([{ itemId: b, qty: 1 }], ['submit'], { facilityId: other.facilityId });
  assert.is(Number(next.requisitionNo.slice(3)), Number(r.requisitionNo.slice(3)) + 1);
  const list = async (q: string) => {
    const reply = await t.call('GET', `${RQ}?${q}`);
    expectStatus(reply, 200);
    return reply.body;
  };
  assert.equal((await list(`itemId=${a}`)).data.map((x: any) => x.id), [r.id]);
  assert.equal((await list(`facilityId=${other.facilityId}`)).data.map((x: any) => x.id), [next.id]);
  assert.equal((await list(`status=submitted&itemId=${b}`)).data.map((x: any) => x.id), [next.id]);
  assert.equal((await list(`status=draft&itemId=${b}`)).count, 0);
  assert.equal((await list(`q=${next.requisitionNo.toLowerCase()}`)).data.map((x: any) => x.id), [next.id]);
  const paged = await list('limit=1');
  assert.equal([paged.data.length, paged.limit, paged.data[0].id], [1, 1, next.id]);
  expectError(await t.call('GET', `${RQ}/${NONE}`), 404, 'not_found');
  expectError(await t.call('GET', `${RQ}?status=open`), 400, 'bad_request');
});

test('bad requisitions are 4xx naming the field, and create nothing', async () => {
  const a = await item();
  const count = async () => (await t.call('GET', `${RQ}?itemId=${a}`)).body.count;
  const inactive = await supplier();
  okay(await t.call('PATCH', `/v1/procurement/suppliers/${inactive.id}`, { isActive: false }));
  const asleep = await item();
  okay(await t.call('PATCH', `/v1/items/${asleep}`, { isActive: false }));
  const cases: Array<[unknown[], Record<string, unknown>, number, string, string[] | undefined]> = [
    [[{ itemId: a, qty: 1 }], { facilityId: NONE }, 404, 'not_found', ['/facilityId']],
    [[{ itemId: a, qty: 1 }, { itemId: NONE, qty: 1 }], {}, 404, 'not_found', ['/lines/1/itemId']],
    [[{ itemId: a, qty: 1, supplierId: NONE }], {}, 404, 'not_found', ['/lines/0/supplierId']],
    [[{ itemId: a, qty: 1 }, { itemId: a, qty: 1, supplierId: inactive.id }], {}, 409, 'invalid_state', ['/lines/1/supplierId']],
    [[{ itemId: asleep, qty: 1 }], {}, 409, 'invalid_state', ['/lines/0/itemId']],
    [[{ itemId: await item({ itemKind: 'service' }), qty: 1 }], {}, 400, 'bad_request', ['/lines/0/itemId']],
    [[{ itemId: a, qty: 1, uomId: boxId }], {}, 400, 'bad_request', ['/lines/0/uomId']],
    [[{ itemId: a, qty: 1.5 }], {}, 400, 'bad_request', ['/lines/0/qty']],
    [[{ itemId: a, qty: 0 }], {}, 400, 'bad_request', undefined],
    [[{ itemId: a, qty: 1, neededBy: 'tomorrow' }], {}, 400, 'bad_request', undefined],
    [[{ itemId: a, qty: 1, unitPrice: 1 }], {}, 400, 'bad_request', undefined],
    [[], {}, 400, 'bad_request', undefined],
    [[{ itemId: a, qty: 1 }], { colour: 'red' }, 400, 'bad_request', undefined],
  ];
  for (const [lines, extra, status, code, paths] of cases) expectError(await create(lines, extra), status, code, paths);
  expectError(await t.call('POST', RQ, { lines: [{ itemId: a, qty: 1 }] }), 400, 'bad_request');
  assert.is(await count(), 0);
});

// Every state and every action: the state it leads to, or null for a 409 invalid_state.
const ACTIONS = ['patch', 'submit', 'approve', 'reject', 'cancel', 'convert'] as const;
type Action = (typeof ACTIONS)[number];
const TABLE: Record<string, Record<Action, string | null>> = {
  draft: { patch: 'draft', submit: 'submitted', approve: null, reject: null, cancel: 'cancelled', convert: null },
  submitted: { patch: null, submit: null, approve: 'approved', reject: 'rejected', cancel: 'cancelled', convert: null },
  approved: { patch: null, submit: null, approve: null, reject: null, cancel: 'cancelled', convert: 'ordered' },
  rejected: { patch: null, submit: null, approve: null, reject: null, cancel: null, convert: null },
  ordered: { patch: null, submit: null, approve: null, reject: null, cancel: null, convert: null },
  cancelled: { patch: null, submit: null, approve: null, reject: null, cancel: null, convert: null },
};
const PATHS: Record<string, string[]> = {
  draft: [], submitted: ['submit'], approved: ['submit', 'approve'], rejected: ['submit', 'reject'],
  ordered: ['submit', 'approve', 'convert'], cancelled: ['cancel'],
};

test('every transition over HTTP: allowed ones move the requisition, refused ones are 409 invalid_state and change nothing', async () => {
  const s = await supplier();
  const itemId = await item();
  for (const [state, row] of Object.entries(TABLE)) {
    for (const action of ACTIONS) {
      const r = await requisition([{ itemId, qty: 1, supplierId: s.id }], PATHS[state]);
      const before = await get(r.id);
      assert.is(before.status, state);
      const orders = await poCount();
      const reply = action === 'patch' ? await patch(r.id, { notes: 'changed' }) : await act(r.id, action);
      const expected = row[action];
      const after = await get(r.id);
      if (expected === null) {
        expectError(reply, 409, 'invalid_state');
        assert.equal(after, before, `${state} + ${action} changed nothing`);
        assert.is(await poCount(), orders);
      } else {
        expectStatus(reply, 200);
        assert.equal(reply.body.data, after);
        assert.equal([after.status, after.version], [expected, before.version + 1], `${state} + ${action}`);
        if (expected !== state) assert.equal(after.statusHistory.at(-1), { from: state, to: expected, at: after.updatedAt, by: after.statusHistory.at(-1).by });
        assert.is(await poCount(), orders + (action === 'convert' ? 1 : 0));
      }
    }
  }
  expectError(await act(NONE, 'submit'), 404, 'not_found');
  expectError(await act(NONE, 'convert'), 404, 'not_found');
});

test('PATCH: drafts only, If-Match honoured, lines replaced wholesale', async () => {
  const a = await item();
  const b = await item();
  const r = created(await create([{ itemId: a, qty: 1 }]));
  const changed = okay(await patch(r.id, { notes: 'more', lines: [{ itemId: b, qty: 4, neededBy: '2030-01-15' }, { itemId: a, qty: 2 }] }, '1'));
  assert.equal([changed.notes, changed.version, changed.lines.map((l: any) => [l.lineNo, l.itemId, l.qty, l.neededBy])],
    ['more', 2, [[1, b, 4, '2030-01-15'], [2, a, 2, null]]]);
  assert.equal(changed.statusHistory, r.statusHistory);
  expectError(await patch(r.id, { notes: 'stale' }, '1'), 409, 'conflict');
  expectError(await patch(r.id, {}), 400, 'bad_request');
  expectError(await patch(r.id, { lines: [{ itemId: NONE, qty: 1 }] }), 404, 'not_found', ['/lines/0/itemId']);
  expectError(await patch(r.id, { facilityId: NONE }), 404, 'not_found', ['/facilityId']);
  expectError(await patch(r.id, { status: 'approved' }), 400, 'bad_request');
  expectError(await patch(NONE, { notes: 'x' }), 404, 'not_found');
  assert.equal(await get(r.id), changed);
  const moved = okay(await patch(r.id, { facilityId: other.facilityId, notes: null }));
  assert.equal([moved.facilityId, moved.notes, moved.lines.length], [other.facilityId, null, 2]);
  okay(await act(r.id, 'submit'));
  expectError(await patch(r.id, { notes: 'late' }), 409, 'invalid_state');
});

test('convert: one draft purchase order per supplier; a line without one takes its policy\'s preferred supplier', async () => {
  const eur = await supplier({ currency: 'EUR' });
  const plain = await supplier();
  const a = await item({ uomConversions: [{ uomId: boxId, factor: 10 }] });
  const b = await item();
  const c = await item();
  created(await t.call('POST', '/v1/inventory/policies', { itemId: c, facilityId: w.facilityId, minQty: 0, maxQty: 0, safetyStockQty: 0, preferredSupplierId: plain.id }));
  // The supplier's last price for the item in that UOM carries over: an order past draft.
  const earlier = created(await t.call('POST', PO, { supplierId: eur.id, facilityId: w.facilityId, lines: [{ itemId: a, qty: 1, uomId: boxId, unitPrice: 7.25 }, { itemId: a, qty: 1, unitPrice: 0.8 }] }));
  okay(await t.call('POST', `${PO}/${earlier.id}/submit`, {}));
  const r = await requisition([
    { itemId: a, qty: 3, uomId: boxId, supplierId: eur.id, neededBy: '2030-04-10' },
    { itemId: b, qty: 2, supplierId: plain.id, neededBy: '2030-04-01' },
    { itemId: b, qty: 5, supplierId: eur.id, neededBy: '2030-04-05' },
    { itemId: c, qty: 7 },
  ], ['submit', 'approve']);
  const orders = await poCount();
  const done = okay(await act(r.id, 'convert'));
  assert.is(done.status, 'ordered');
  assert.is(await poCount(), orders + 2);
  const [p1, p2, p3, p4] = done.lines.map((l: any) => l.purchaseOrderId);
  assert.ok(p1 && p2 && p1 !== p2);
  assert.equal([p3, p4], [p1, p2], 'grouped by supplier, the policy\'s supplier for the line without one');
  assert.equal(done.lines.map((l: any) => l.supplierId), [eur.id, plain.id, eur.id, null], 'the lines keep what they named');
  const first = await getPo(p1);
  assert.equal([first.status, first.supplierId, first.facilityId, first.currency, first.expectedOn], ['draft', eur.id, w.facilityId, 'EUR', '2030-04-05']);
  assert.match(first.notes, new RegExp(r.requisitionNo));
  assert.equal(first.lines.map((l: any) => [l.lineNo, l.itemId, l.qty, l.uomId, l.unitPrice, l.requisitionLineId]), [
    [1, a, 3, boxId, 7.25, r.lines[0].id],
    [2, b, 5, w.eaId, 0, r.lines[2].id],
  ]);
  assert.is(first.total, 21.75);
  const second = await getPo(p2);
  assert.equal([second.supplierId, second.currency, second.expectedOn], [plain.id, null, '2030-04-01']);
  assert.equal(second.lines.map((l: any) => [l.itemId, l.qty, l.requisitionLineId]), [[b, 2, r.lines[1].id], [c, 7, r.lines[3].id]]);
  assert.equal(second.statusHistory.map((h: any) => [h.from, h.to]), [[null, 'draft']]);
  // The buyer prices the draft; lines named by id keep their requisition link.
  const priced = okay(await t.call('PATCH', `${PO}/${p2}`, { lines: second.lines.map((l: any) => ({ id: l.id, itemId: l.itemId, qty: l.qty, unitPrice: 3 })) }));
  assert.equal(priced.lines.map((l: any) => [l.id, l.requisitionLineId, l.amount]), second.lines.map((l: any) => [l.id, l.requisitionLineId, l.qty * 3]));
});

test('convert is refused, creating nothing, when lines have no supplier (400 naming them) or an inactive one (409)', async () => {
  const a = await item();
  const b = await item();
  const s = await supplier();
  // A policy may name a supplier that is not on file: that is no supplier.
  const policy = created(await t.call('POST', '/v1/inventory/policies', { itemId: b, facilityId: w.facilityId, minQty: 0, maxQty: 0, safetyStockQty: 0, preferredSupplierId: NONE }));
  const r = await requisition([{ itemId: a, qty: 1 }, { itemId: a, qty: 1, supplierId: s.id }, { itemId: b, qty: 1 }], ['submit', 'approve']);
  const orders = await poCount();
  expectError(await act(r.id, 'convert'), 400, 'bad_request', ['/lines/0/supplierId', '/lines/2/supplierId']);
  assert.equal([(await get(r.id)).status, await poCount()], ['approved', orders]);
  // An approved requisition is not edited: the policies say where to buy.
  created(await t.call('POST', '/v1/inventory/policies', { itemId: a, facilityId: w.facilityId, minQty: 0, maxQty: 0, safetyStockQty: 0, preferredSupplierId: s.id }));
  okay(await t.call('PATCH', `/v1/inventory/policies/${policy.id}`, { preferredSupplierId: s.id }));
  okay(await t.call('PATCH', `/v1/procurement/suppliers/${s.id}`, { isActive: false }));
  expectError(await act(r.id, 'convert'), 409, 'invalid_state', ['/lines/0/supplierId', '/lines/1/supplierId', '/lines/2/supplierId']);
  assert.equal([(await get(r.id)).status, await poCount()], ['approved', orders]);
  okay(await t.call('PATCH', `/v1/procurement/suppliers/${s.id}`, { isActive: true }));
  const done = okay(await act(r.id, 'convert'));
  assert.equal([done.status, new Set(done.lines.map((l: any) => l.purchaseOrderId)).size, await poCount()], ['ordered', 1, orders + 1]);
});

test('replenishment suggestions become draft requisitions, one per facility; what is already asked for is not asked again', async () => {
  const s = await supplier();
  const a = await item();
  const b = await item();
  const c = await item();
  created(await t.call('POST', '/v1/inventory/adjustments', { itemId: b, locationId: w.binA, qtyDelta: 4 }));
  const pa = created(await t.call('POST', '/v1/inventory/policies', { itemId: a, facilityId: w.facilityId, minQty: 5, maxQty: 20, safetyStockQty: 0, preferredSupplierId: s.id }));
  const pb = created(await t.call('POST', '/v1/inventory/policies', { itemId: b, facilityId: w.facilityId, minQty: 5, maxQty: 10, safetyStockQty: 0, preferredSupplierId: NONE }));
  const pc = created(await t.call('POST', '/v1/inventory/policies', { itemId: c, facilityId: other.facilityId, minQty: 1, maxQty: 3, safetyStockQty: 0, reorderQty: 2 }));
  const mine = new Set([pa.id, pb.id, pc.id]);
  const made = created(await fromReplenishment({ policyIds: [pa.id, pb.id, pc.id] }));
  assert.is(made.length, 2);
  const here = made.find((r: any) => r.facilityId === w.facilityId);
  const there = made.find((r: any) => r.facilityId === other.facilityId);
  assert.equal([here.status, here.statusHistory.length], ['draft', 1]);
  assert.equal(here.lines.map((l: any) => [l.itemId, l.qty, l.uomId, l.supplierId]), [[a, 20, w.eaId, s.id], [b, 6, w.eaId, null]]);
  assert.equal(there.lines.map((l: any) => [l.itemId, l.qty, l.supplierId]), [[c, 2, null]]);
  // The suggestions still show (nothing is on order yet), but asking again asks for nothing more.
  assert.equal((await replenishment()).filter((x) => mine.has(x.policyId)).length, 3);
  const again = await fromReplenishment({ policyIds: [pa.id, pb.id, pc.id] });
  expectStatus(again, 201);
  assert.equal(again.body.data, []);
  // More demand: only the rest is asked for. A cancelled requisition asks for nothing.
  created(await t.call('POST', '/v1/inventory/reservations', { itemId: b, facilityId: w.facilityId, qty: 3, demand: { type: 'manual' } }));
  okay(await act(there.id, 'cancel'));
  const more = created(await fromReplenishment({ policyIds: [pb.id, pc.id] }));
  assert.equal(more.map((r: any) => [r.facilityId, r.lines.map((l: any) => [l.itemId, l.qty])]), [[w.facilityId, [[b, 3]]], [other.facilityId, [[c, 2]]]]);
  // One facility only.
  for (const r of more) okay(await act(r.id, 'cancel'));
  const one = created(await fromReplenishment({ facilityId: other.facilityId, policyIds: [pb.id, pc.id] }));
  assert.equal(one.map((r: any) => r.facilityId), [other.facilityId]);
  expectError(await fromReplenishment({ policyIds: [NONE] }), 404, 'not_found', ['/policyIds/0']);
  expectError(await fromReplenishment({ facilityId: NONE }), 404, 'not_found', ['/facilityId']);
  expectError(await fromReplenishment({ policyIds: [] }), 400, 'bad_request');
  expectError(await fromReplenishment({ colour: 'red' }), 400, 'bad_request');
  const clerk = await t.tokenWith(['inventory:write']);
  expectError(await t.call('POST', '/v1/inventory/replenishment/requisitions', {}, { token: clerk }), 403, 'forbidden');
});

test('procure to stock, end to end: suggestion, requisition, purchase order, receipt, stock; on order in between', async () => {
  const s = await supplier({ currency: 'EUR' });
  const itemId = await item({ uomConversions: [{ uomId: boxId, factor: 10 }] });
  const policy = created(await t.call('POST', '/v1/inventory/policies', { itemId, facilityId: w.facilityId, minQty: 35, maxQty: 60, safetyStockQty: 5, preferredSupplierId: s.id }));
  const row = async () => (await replenishment()).find((x) => x.policyId === policy.id);
  assert.equal([(await row()).onOrder, (await row()).suggestedQty], [0, 60]);

  const [r] = created(await fromReplenishment({ policyIds: [policy.id] }));
  okay(await act(r.id, 'submit'));
  okay(await act(r.id, 'approve'));
  const ordered = okay(await act(r.id, 'convert'));
  const poId = ordered.lines[0].purchaseOrderId;
  // A draft order is on order already: the suggestion is covered.
  assert.is(await row(), undefined);
  let po = await getPo(poId);
  assert.equal([po.lines[0].qty, po.lines[0].uomId], [60, w.eaId]);
  po = okay(await t.call('PATCH', `${PO}/${poId}`, { lines: [{ id: po.lines[0].id, itemId, qty: 5, uomId: boxId, unitPrice: 42 }] }, { headers: { 'if-match': String(po.version) } }));
  assert.equal([po.lines[0].qty, po.lines[0].amount, po.total, po.currency], [5, 210, 210, 'EUR']);
  for (const a of ['submit', 'approve', 'send']) po = okay(await t.call('POST', `${PO}/${poId}/${a}`, {}));
  assert.is(po.status, 'sent');

  created(await t.call('POST', `${PO}/${poId}/receipts`, { lines: [{ lineId: po.lines[0].id, qty: 2, locationId: w.binA }] }));
  assert.is(await row(), undefined, '20 available + 30 on order');
  created(await t.call('POST', '/v1/inventory/adjustments', { itemId, locationId: w.binA, qtyDelta: -15, reason: 'damaged' }));
  const short = await row();
  assert.equal([short.available, short.onOrder, short.projected, short.suggestedQty], [5, 30, 35, 25]);
  created(await t.call('POST', `${PO}/${poId}/receipts`, { lines: [{ lineId: po.lines[0].id, qty: 3, locationId: w.binB }] }));
  assert.is((await getPo(poId)).status, 'received');
  const after = await row();
  assert.equal([after.available, after.onOrder, after.projected, after.suggestedQty], [35, 0, 35, 25]);
  const av = okay(await t.call('GET', `/v1/inventory/availability?groupBy=facility&itemId=${itemId}`));
  assert.equal(av.map((x: any) => [x.facilityId, x.onHand, x.available]), [[w.facilityId, 35, 35]]);
  const txs = okay(await t.call('GET', `/v1/inventory/transactions?referenceType=purchase_order&referenceId=${poId}`));
  assert.equal(txs.map((x: any) => [x.type, x.lines[0].qtyDelta]), [['receipt', 30], ['receipt', 20]]);
});

test('at the end, every balance and promise adds up', async () => {
  assert.equal(await verifyBalances(t.store.read), []);
});

test.run();
