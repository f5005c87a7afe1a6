// Purchase orders and goods receipts over HTTP: the document, its numbering and its status
// history; every transition allowed and refused (409 invalid_state, nothing changed); PATCH
// of drafts with If-Match; exact quantities, UOM conversions and prices; partial receipts
// moving the status from the quantities; over-receipt (409 conflict, nothing posted); lot,
// expiry and serial receipts; cancel rules; and the stock, availability and ledger each step
// leaves behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyBalances } from '../../core/verify.js';
import { expectStatus, seedWorld, startTestServer, type Reply, type TestServer, type World } from './harness.js';

let t: TestServer;
let w: World;
let other: World;
let boxId: string;
let kgId: string;
let acme: { id: string; code: string };
let globex: { id: string; code: string };

const created = (r: Reply) => (expectStatus(r, 201), r.body.data);
const okay = (r: Reply) => (expectStatus(r, 200), r.body.data);

function expectError(r: Reply, status: number, code: string, path?: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code, JSON.stringify(r.body));
  if (path !== undefined) assert.ok(r.body.details?.some((d: { path: string }) => d.path === path), `${path} in ${JSON.stringify(r.body.details)}`);
}

const PO = '/v1/procurement/purchase-orders';
const NONE = '00000000-0000-7000-8000-000000000000';

let items = 0;
async function item(extra: Record<string, unknown> = {}): Promise<string> {
  items += 1;
  return created(await t.call('POST', '/v1/items', { itemNo: `PUR-${String(items).padStart(3, '0')}`, name: `Bought ${items}`, itemKind: 'purchased', baseUomId: w.eaId, ...extra })).id;
}

let suppliers = 0;
async function supplier(extra: Record<string, unknown> = {}): Promise<{ id: string; code: string }> {
  suppliers += 1;
  return created(await t.call('POST', '/v1/procurement/suppliers', { code: `SUP-${suppliers}`, name: `Supplier ${suppliers}`, ...extra }));
}

const create = (lines: unknown[], extra: Record<string, unknown> = {}) =>
  t.call('POST', PO, { supplierId: acme.id, facilityId: w.facilityId, lines, ...extra });
const act = (id: string, action: string, body: unknown = {}) => t.call('POST', `${PO}/${id}/${action}`, body);
const receive = (id: string, lines: unknown[], extra: Record<string, unknown> = {}) => t.call('POST', `${PO}/${id}/receipts`, { lines, ...extra });
const patch = (id: string, body: unknown, ifMatch?: string) =>
  t.call('PATCH', `${PO}/${id}`, body, ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } });
const get = async (id: string) => okay(await t.call('GET', `${PO}/${id}`));

/** A purchase order of these lines, taken through these actions. */
async function order(lines: unknown[], actions: string[] = [], extra: Record<string, unknown> = {}) {
  let po = created(await create(lines, extra));
  for (const a of actions) po = okay(await act(po.id, a));
  return po;
}

async function balances(itemId: string): Promise<Array<{ locationId: string; lotNo: string | null; statusId: string; onHand: number }>> {
  return okay(await t.call('GET', `/v1/inventory/balances?itemId=${itemId}&limit=1000`));
}
const onHandAt = async (itemId: string, locationId: string) =>
  (await balances(itemId)).filter((b) => b.locationId === locationId).reduce((s, b) => s + b.onHand, 0);
const onHand = async (itemId: string) => (await balances(itemId)).reduce((s, b) => s + b.onHand, 0);

async function availability(itemId: string) {
  const rows = okay(await t.call('GET', `/v1/inventory/availability?groupBy=facility&itemId=${itemId}&facilityId=${w.facilityId}`));
  return rows[0] ?? { onHand: 0, reserved: 0, allocated: 0, available: 0 };
}

/** The receipt transactions of an order, oldest first. */
async function transactionsOf(poId: string) {
  return okay(await t.call('GET', `/v1/inventory/transactions?referenceType=purchase_order&referenceId=${poId}&limit=1000`)).reverse();
}

test.before(async () => {
  t = await startTestServer();
  w = await seedWorld(t, '1');
  other = await seedWorld(t, '2');
  boxId = created(await t.call('POST', '/v1/uoms', { code: 'BOX', name: 'Box', decimals: 1 })).id;
  kgId = created(await t.call('POST', '/v1/uoms', { code: 'KG', name: 'Kilogram', decimals: 3 })).id;
  acme = await supplier({ name: 'Acme Paper', currency: 'EUR', email: 'orders@acme.test', leadTimeDays: 5 });
  globex = await supplier({ name: 'Globex' });
});
test.after(async () => {
  await t.close();
});

test('a purchase order reads as the API shows it: numbered PO-000001..., lines with amounts, an exact total, its history', async () => {
  const a = await item();
  const b = await item();
  const po = created(await create([{ itemId: a, qty: 3, unitPrice: 0.1 }, { itemId: b, qty: 2, unitPrice: 12.345678 }], { expectedOn: '2030-05-01', notes: 'urgent' }));
  assert.equal(Object.keys(po).sort(), ['createdAt', 'currency', 'expectedOn', 'facilityId', 'id', 'lines', 'notes', 'poNo', 'status',
    'statusHistory', 'supplierId', 'total', 'updatedAt', 'version'].sort());
  assert.match(po.poNo, /^PO-\d{6}$/);
  assert.equal([po.status, po.version, po.supplierId, po.facilityId, po.currency, po.expectedOn, po.notes],
    ['draft', 1, acme.id, w.facilityId, 'EUR', '2030-05-01', 'urgent']);
  assert.equal(Object.keys(po.lines[0]).sort(), ['amount', 'id', 'itemId', 'lineNo', 'qty', 'qtyReceived', 'requisitionLineId', 'unitPrice', 'uomId'].sort());
  assert.equal(po.lines.map((l: any) => [l.lineNo, l.itemId, l.qty, l.uomId, l.unitPrice, l.qtyReceived, l.amount, l.requisitionLineId]), [
    [1, a, 3, w.eaId, 0.1, 0, 0.3, null],
    [2, b, 2, w.eaId, 12.345678, 0, 24.691356, null],
  ]);
  assert.is(po.total, 24.991356);
  assert.equal(po.statusHistory, [{ from: null, to: 'draft', at: po.createdAt, by: { tokenId: po.statusHistory[0].by.tokenId, name: 'admin (IMS_ADMIN_TOKEN)' } }]);
  assert.ok(po.statusHistory[0].by.tokenId);
  assert.equal(await get(po.id), po);
  const next = created(await create([{ itemId: a, qty: 1, unitPrice: 0 }], { supplierId: globex.id }));
  assert.is(Number(next.poNo.slice(3)), Number(po.poNo.slice(3)) + 1);
  assert.equal([next.currency, next.expectedOn, next.notes, next.total], [null, null, null, 0], 'a supplier without a currency: null');
  const chosen = created(await create([{ itemId: a, qty: 1, unitPrice: 1 }], { currency: 'USD' }));
  assert.is(chosen.currency, 'USD');
  assert.is(created(await create([{ itemId: a, qty: 1, unitPrice: 1 }], { currency: null })).currency, null);
  // A draft is not stock: nothing on hand, nothing posted.
  assert.equal([await onHand(a), (await transactionsOf(po.id)).length], [0, 0]);
  expectError(await t.call('GET', `${PO}/${NONE}`), 404, 'not_found');
  expectError(await t.call('GET', `${PO}/not-a-uuid`), 404, 'not_found');
});

test('lists filter by status, supplier, facility, item and q (PO number or supplier), newest first, paged', async () => {
  const a = await item();
  const s = await supplier({ name: 'Initech Supplies' });
  const first = await order([{ itemId: a, qty: 1, unitPrice: 1 }], [], { supplierId: s.id });
  const second = await order([{ itemId: a, qty: 2, unitPrice: 1 }], ['submit'], { supplierId: s.id });
  const elsewhere = await order([{ itemId: a, qty: 3, unitPrice: 1 }], [], { supplierId: s.id, facilityId: other.facilityId });
  const list = async (query: string) => {
    const r = await t.call('GET', `${PO}?${query}`);
    expectStatus(r, 200);
    return r.body;
  };
  const bySupplier = await list(`supplierId=${s.id}`);
  assert.equal([bySupplier.count, bySupplier.limit, bySupplier.offset], [3, 50, 0]);
  assert.equal(bySupplier.data.map((p: any) => p.id), [elsewhere.id, second.id, first.id], 'newest first');
  assert.equal(bySupplier.data[1].lines.map((l: any) => l.qty), [2], 'with lines');
  assert.equal((await list(`supplierId=${s.id}&status=submitted`)).data.map((p: any) => p.id), [second.id]);
  assert.equal((await list(`supplierId=${s.id}&facilityId=${other.facilityId}`)).data.map((p: any) => p.id), [elsewhere.id]);
  assert.equal((await list(`itemId=${a}`)).count, 3);
  assert.equal((await list(`q=${second.poNo.toLowerCase()}`)).data.map((p: any) => p.id), [second.id]);
  assert.equal((await list('q=INITECH')).count, 3, 'q matches the supplier\'s name in any case');
  assert.equal((await list(`q=${s.code}`)).count, 3, 'and its code');
  const paged = await list(`supplierId=${s.id}&limit=2&offset=2`);
  assert.equal([paged.count, paged.data.map((p: any) => p.id)], [3, [first.id]]);
  expectError(await t.call('GET', `${PO}?status=shipped`), 400, 'bad_request');
  expectError(await t.call('GET', `${PO}?supplierId=nope`), 400, 'bad_request');
  expectError(await t.call('GET', `${PO}?colour=red`), 400, 'bad_request');
});

// Every state and every action a client can ask for: the state it leads to, or null for a
// 409 invalid_state that changes nothing.
const ACTIONS = ['patch', 'submit', 'approve', 'send', 'receive', 'cancel'] as const;
type Action = (typeof ACTIONS)[number];
const TABLE: Record<string, Record<Action, string | null>> = {
  draft: { patch: 'draft', submit: 'submitted', approve: null, send: null, receive: null, cancel: 'cancelled' },
  submitted: { patch: null, submit: null, approve: 'approved', send: null, receive: null, cancel: 'cancelled' },
  approved: { patch: null, submit: null, approve: null, send: 'sent', receive: 'partially_received', cancel: 'cancelled' },
  sent: { patch: null, submit: null, approve: null, send: null, receive: 'partially_received', cancel: 'cancelled' },
  partially_received: { patch: null, submit: null, approve: null, send: null, receive: 'partially_received', cancel: null },
  received: { patch: null, submit: null, approve: null, send: null, receive: null, cancel: null },
  cancelled: { patch: null, submit: null, approve: null, send: null, receive: null, cancel: null },
};
const PATHS: Record<string, string[]> = {
  draft: [], submitted: ['submit'], approved: ['submit', 'approve'], sent: ['submit', 'approve', 'send'],
  partially_received: ['submit', 'approve', 'send', 'receive'], received: ['submit', 'approve', 'receive-all'], cancelled: ['cancel'],
};

test('every transition over HTTP: allowed ones move the order, refused ones are 409 invalid_state and change nothing', async () => {
  const itemId = await item();
  for (const [state, row] of Object.entries(TABLE)) {
    for (const action of ACTIONS) {
      const po = created(await create([{ itemId, qty: 4, unitPrice: 2 }]));
      const lineId = po.lines[0].id;
      for (const step of PATHS[state]!) {
        if (step === 'receive') created(await receive(po.id, [{ lineId, qty: 1, locationId: w.binA }]));
        else if (step === 'receive-all') created(await receive(po.id, [{ lineId, qty: 4, locationId: w.binA }]));
        else okay(await act(po.id, step));
      }
      const before = await get(po.id);
      assert.is(before.status, state);
      const stock = await onHand(itemId);
      const reply = action === 'patch' ? await patch(po.id, { notes: 'changed' })
        : action === 'receive' ? await receive(po.id, [{ lineId, qty: 1, locationId: w.binA }])
          : await act(po.id, action);
      const expected = row[action];
      const after = await get(po.id);
      if (expected === null) {
        expectError(reply, 409, 'invalid_state');
        assert.equal(after, before, `${state} + ${action} changed nothing`);
        assert.is(await onHand(itemId), stock, `${state} + ${action} posted nothing`);
      } else {
        expectStatus(reply, action === 'receive' ? 201 : 200);
        assert.is(after.status, expected, `${state} + ${action}`);
        assert.is(after.version, before.version + 1);
        if (expected !== state) assert.equal(after.statusHistory.at(-1), { from: state, to: expected, at: after.updatedAt, by: after.statusHistory.at(-1).by });
        assert.is(await onHand(itemId), stock + (action === 'receive' ? 1 : 0));
      }
    }
  }
});

test('partial receipts: the status follows the quantities; stock, availability and the ledger each step leaves behind', async () => {
  const a = await item();
  const b = await item({ uomConversions: [{ uomId: boxId, factor: 12 }] });
  const po = await order([{ itemId: a, qty: 10, unitPrice: 1.5 }, { itemId: b, qty: 2, uomId: boxId, unitPrice: 30 }], ['submit', 'approve', 'send']);
  const [la, lb] = po.lines;
  assert.equal([lb.qty, lb.uomId, lb.amount, po.total], [2, boxId, 60, 75]);

  const r1 = created(await receive(po.id, [{ lineId: la.id, qty: 4, locationId: w.binA }, { lineId: lb.id, qty: 1, locationId: w.binB }], { reason: 'delivery note 1' }));
  assert.equal(Object.keys(r1).sort(), ['by', 'id', 'lines', 'purchaseOrderId', 'reason', 'receivedAt', 'transactionId'].sort());
  assert.equal([r1.purchaseOrderId, r1.reason, r1.by.name], [po.id, 'delivery note 1', 'admin (IMS_ADMIN_TOKEN)']);
  assert.equal(r1.lines.map((l: any) => [l.lineNo, l.lineId, l.itemId, l.qty, l.uomId, l.locationId, l.statusId, l.lotId, l.serialNos]), [
    [1, la.id, a, 4, w.eaId, w.binA, 'available', null, []],
    [2, lb.id, b, 1, boxId, w.binB, 'available', null, []],
  ]);
  let now = await get(po.id);
  assert.equal([now.status, now.lines[0].qtyReceived, now.lines[1].qtyReceived], ['partially_received', 4, 1]);
  // One receipt transaction referencing the order, in base units.
  const tx1 = okay(await t.call('GET', `/v1/inventory/transactions/${r1.transactionId}`));
  assert.equal([tx1.type, tx1.reference, tx1.reason], ['receipt', { type: 'purchase_order', id: po.id }, 'delivery note 1']);
  assert.equal(tx1.lines.map((l: any) => [l.itemId, l.locationId, l.qtyDelta]), [[a, w.binA, 4], [b, w.binB, 12]]);
  assert.equal([await onHandAt(a, w.binA), await onHandAt(b, w.binB)], [4, 12]);
  const av = await availability(b);
  assert.equal([av.onHand, av.reserved, av.available], [12, 0, 12]);
  // Received stock is available: it can be reserved at once.
  created(await t.call('POST', '/v1/inventory/reservations', { itemId: a, facilityId: w.facilityId, qty: 4, demand: { type: 'manual' } }));
  assert.is((await availability(a)).available, 0);

  // The rest, one order line over two request lines and two locations.
  const r2 = created(await receive(po.id, [
    { lineId: la.id, qty: 3, locationId: w.binA }, { lineId: la.id, qty: 3, locationId: w.binB }, { lineId: lb.id, qty: 1, locationId: w.binB },
  ]));
  now = await get(po.id);
  assert.equal([now.status, now.lines[0].qtyReceived, now.lines[1].qtyReceived, now.version], ['received', 10, 2, po.version + 2]);
  assert.equal(now.statusHistory.map((h: any) => `${h.from}>${h.to}`), ['null>draft', 'draft>submitted', 'submitted>approved', 'approved>sent',
    'sent>partially_received', 'partially_received>received']);
  assert.equal([await onHandAt(a, w.binA), await onHandAt(a, w.binB), await onHand(b)], [7, 3, 24]);
  assert.equal((await availability(a)).available, 6);
  const txs = await transactionsOf(po.id);
  assert.equal(txs.map((x: any) => x.id), [r1.transactionId, r2.transactionId]);
  // The receipts, oldest first.
  const list = await t.call('GET', `${PO}/${po.id}/receipts`);
  expectStatus(list, 200);
  assert.equal([list.body.count, list.body.data.map((r: any) => r.id)], [2, [r1.id, r2.id]]);
  assert.equal(list.body.data[0], r1);
  assert.equal(list.body.data[1].lines.map((l: any) => [l.lineNo, l.qty, l.locationId]), [[1, 3, w.binA], [2, 3, w.binB], [3, 1, w.binB]]);
  const paged = await t.call('GET', `${PO}/${po.id}/receipts?limit=1&offset=1`);
  assert.equal([paged.body.count, paged.body.data.map((r: any) => r.id)], [2, [r2.id]]);
  expectError(await t.call('GET', `${PO}/${NONE}/receipts`), 404, 'not_found');
  assert.equal(okay(await t.call('GET', `${PO}/${(await order([{ itemId: a, qty: 1, unitPrice: 1 }])).id}/receipts`)), []);
});

test('over-receipt is a 409 conflict naming the line, and posts nothing; bad receipt lines are 4xx and change nothing', async () => {
  const itemId = await item();
  const po = await order([{ itemId, qty: 5, unitPrice: 1 }, { itemId, qty: 1, unitPrice: 1 }], ['submit', 'approve']);
  const [l1, l2] = po.lines;
  created(await receive(po.id, [{ lineId: l1.id, qty: 4, locationId: w.binA }]));
  const before = await get(po.id);
  const stock = await onHand(itemId);
  const refused: Array<[unknown[], number, string, string | undefined]> = [
    [[{ lineId: l1.id, qty: 2, locationId: w.binA }], 409, 'conflict', '/lines/0/qty'],
    // Two request lines of one order line are summed before the check.
    [[{ lineId: l2.id, qty: 1, locationId: w.binA }, { lineId: l1.id, qty: 1, locationId: w.binA }, { lineId: l1.id, qty: 1, locationId: w.binB }], 409, 'conflict', '/lines/1/qty'],
    [[{ lineId: l2.id, qty: 2, locationId: w.binA }], 409, 'conflict', '/lines/0/qty'],
    [[{ lineId: NONE, qty: 1, locationId: w.binA }], 404, 'not_found', '/lines/0/lineId'],
    [[{ lineId: l2.id, qty: 1, locationId: other.binA }], 404, 'not_found', '/lines/0/locationId'],
    [[{ lineId: l2.id, qty: 1, locationId: NONE }], 404, 'not_found', '/lines/0/locationId'],
    [[{ lineId: l2.id, qty: 1, locationId: w.transitId }], 400, 'bad_request', '/lines/0/locationId'],
    [[{ lineId: l2.id, qty: 1, locationId: w.binA, statusId: 'lost' }], 404, 'not_found', '/lines/0/statusId'],
    [[{ lineId: l2.id, qty: 0.5, locationId: w.binA }], 400, 'bad_request', '/lines/0/qty'],
    [[{ lineId: l2.id, qty: 0, locationId: w.binA }], 400, 'bad_request', undefined],
    [[{ lineId: l2.id, qty: -1, locationId: w.binA }], 400, 'bad_request', undefined],
    [[{ lineId: l2.id, qty: 1, locationId: w.binA, lotNo: 'L1' }], 400, 'bad_request', '/lines/0/lotNo'],
    [[{ lineId: l2.id, qty: 1, locationId: w.binA, serialNos: ['S1'] }], 400, 'bad_request', '/lines/0/serialNos'],
    [[{ lineId: l2.id, qty: 1, locationId: w.binA, colour: 'red' }], 400, 'bad_request', undefined],
    [[{ lineId: l2.id, locationId: w.binA }], 400, 'bad_request', undefined],
    [[], 400, 'bad_request', undefined],
  ];
  for (const [lines, status, code, path] of refused) expectError(await receive(po.id, lines), status, code, path);
  expectError(await t.call('POST', `${PO}/${po.id}/receipts`, {}), 400, 'bad_request');
  expectError(await receive(NONE, [{ lineId: l1.id, qty: 1, locationId: w.binA }]), 404, 'not_found');
  assert.equal(await get(po.id), before);
  assert.equal([await onHand(itemId), (await transactionsOf(po.id)).length], [stock, 1]);
  assert.is(okay(await t.call('GET', `${PO}/${po.id}/receipts`)).length, 1);
  // Exactly what is left is fine.
  created(await receive(po.id, [{ lineId: l1.id, qty: 1, locationId: w.binA }, { lineId: l2.id, qty: 1, locationId: w.binB, statusId: 'quarantine' }]));
  const done = await get(po.id);
  assert.equal([done.status, await onHand(itemId), (await availability(itemId)).available], ['received', 6, 5]);
});

test('concurrent receipts of one line never receive more than ordered', async () => {
  const itemId = await item();
  const po = await order([{ itemId, qty: 5, unitPrice: 1 }], ['submit', 'approve']);
  const replies = await Promise.all(Array.from({ length: 8 }, () => receive(po.id, [{ lineId: po.lines[0].id, qty: 1, locationId: w.binA }])));
  assert.equal(replies.map((r) => r.status).sort(), [201, 201, 201, 201, 201, 409, 409, 409]);
  assert.ok(replies.filter((r) => r.status === 409).every((r) => ['conflict', 'invalid_state'].includes(r.body.error)));
  assert.equal([(await get(po.id)).status, (await get(po.id)).lines[0].qtyReceived, await onHand(itemId)], ['received', 5, 5]);
});

test('lot, expiry and serial receipts work as on adjustments', async () => {
  const lot = await item({ lotTracking: 'tracked', expiryTracking: 'tracked' });
  const serial = await item({ serialTracking: 'tracked', uomConversions: [{ uomId: boxId, factor: 2 }] });
  const po = await order([{ itemId: lot, qty: 10, unitPrice: 1 }, { itemId: serial, qty: 2, uomId: boxId, unitPrice: 5 }], ['submit', 'approve']);
  const [ll, ls] = po.lines;
  const line = (extra: Record<string, unknown>) => ({ lineId: ll.id, qty: 4, locationId: w.binA, ...extra });
  expectError(await receive(po.id, [line({})]), 400, 'bad_request', '/lines/0/lotNo');
  expectError(await receive(po.id, [line({ lotNo: 'L-1' })]), 400, 'bad_request', '/lines/0/expiresOn');
  const r = created(await receive(po.id, [line({ lotNo: 'L-1', expiresOn: '2031-01-31' })]));
  assert.equal([r.lines[0].lotNo, r.lines[0].expiresOn], ['L-1', '2031-01-31']);
  assert.type(r.lines[0].lotId, 'string');
  // The same lot again: found by number; another expiry for it is a conflict.
  expectError(await receive(po.id, [line({ lotNo: 'L-1', expiresOn: '2031-02-28' })]), 409, 'conflict', '/lines/0/expiresOn');
  const again = created(await receive(po.id, [line({ lotNo: 'L-1', qty: 1 }), line({ lotNo: 'L-2', qty: 2, expiresOn: '2030-12-31', locationId: w.binB })]));
  assert.equal(again.lines.map((l: any) => [l.lotId === r.lines[0].lotId, l.lotNo, l.expiresOn]), [[true, 'L-1', '2031-01-31'], [false, 'L-2', '2030-12-31']]);
  assert.equal((await balances(lot)).map((b) => [b.lotNo, b.onHand]).sort(), [['L-1', 5], ['L-2', 2]]);
  // Serials: one per base unit (a box holds 2).
  expectError(await receive(po.id, [{ lineId: ls.id, qty: 1, locationId: w.binA, serialNos: ['SN-1'] }]), 400, 'bad_request', '/lines/0/serialNos');
  expectError(await receive(po.id, [{ lineId: ls.id, qty: 1, locationId: w.binA }]), 400, 'bad_request', '/lines/0/serialNos');
  // 0.1 box is 0.2 units: not whole.
  expectError(await receive(po.id, [{ lineId: ls.id, qty: 0.1, locationId: w.binA, serialNos: ['SN-1'] }]), 400, 'bad_request', '/lines/0/qty');
  const s = created(await receive(po.id, [{ lineId: ls.id, qty: 1, locationId: w.binA, serialNos: ['SN-1', 'SN-2'] }]));
  assert.equal([s.lines[0].qty, s.lines[0].uomId, s.lines[0].serialNos], [1, boxId, ['SN-1', 'SN-2']]);
  expectError(await receive(po.id, [{ lineId: ls.id, qty: 1, locationId: w.binB, serialNos: ['SN-2', 'SN-3'] }]), 409, 'conflict', '/lines/0/serialNos/0');
  created(await receive(po.id, [{ lineId: ls.id, qty: 1, locationId: w.binB, serialNos: ['SN-3', 'SN-4'] }]));
  const tx = (await transactionsOf(po.id)).at(-1);
  assert.equal(tx.lines.map((l: any) => [l.qtyDelta, l.serialNos]), [[2, ['SN-3', 'SN-4']]]);
  assert.equal([await onHand(serial), (await get(po.id)).lines.map((l: any) => l.qtyReceived)], [4, [7, 2]]);
});

test('quantities and prices are exact: UOM lines convert exactly; amounts that would need rounding are refused', async () => {
  const each = await item({ uomConversions: [{ uomId: boxId, factor: 12 }] });
  const kg = await item({ baseUomId: kgId });
  const po = created(await create([
    { itemId: each, qty: 1.5, uomId: boxId, unitPrice: 24.5 },
    { itemId: kg, qty: 0.125, unitPrice: 8 },
    { itemId: each, qty: 1, unitPrice: 0.1 }, { itemId: each, qty: 1, unitPrice: 0.2 },
  ]));
  assert.equal(po.lines.map((l: any) => l.amount), [36.75, 1, 0.1, 0.2]);
  assert.is(po.total, 38.05, 'summed exactly');
  const count = async () => (await t.call('GET', `${PO}?itemId=${kg}`)).body.count;
  const bad: Array<[unknown, string]> = [
    [{ itemId: each, qty: 1.25, uomId: boxId, unitPrice: 1 }, '/lines/0/qty'], // BOX takes 1 decimal
    [{ itemId: each, qty: 0.5, unitPrice: 1 }, '/lines/0/qty'], // EA takes none
    [{ itemId: each, qty: 0.1, uomId: boxId, unitPrice: 1 }, '/lines/0/qty'], // 1.2 EA
    [{ itemId: kg, qty: 1, uomId: boxId, unitPrice: 1 }, '/lines/0/uomId'], // no conversion
    [{ itemId: kg, qty: 0.5, unitPrice: 0.000001 }, '/lines/0/unitPrice'], // 0.0000005
    [{ itemId: kg, qty: 1000000, unitPrice: 1001 }, '/lines/0/unitPrice'], // over 1e9
  ];
  for (const [line, path] of bad) expectError(await create([line]), 400, 'bad_request', path);
  for (const unitPrice of [-1, 0.0000001, '1', null]) expectError(await create([{ itemId: kg, qty: 1, unitPrice }]), 400, 'bad_request');
  expectError(await create([{ itemId: kg, qty: 1 }]), 400, 'bad_request');
  expectError(await create(Array.from({ length: 3 }, () => ({ itemId: kg, qty: 1000000, unitPrice: 500 }))), 400, 'bad_request', '/lines');
  assert.is(await count(), 1);
  // Receipts in a line's UOM post base units, by the conversion the line was ordered with.
  okay(await act(po.id, 'submit'));
  okay(await act(po.id, 'approve'));
  expectError(await receive(po.id, [{ lineId: po.lines[0].id, qty: 0.25, locationId: w.binA }]), 400, 'bad_request', '/lines/0/qty');
  const r = created(await receive(po.id, [{ lineId: po.lines[0].id, qty: 0.5, locationId: w.binA }, { lineId: po.lines[1].id, qty: 0.1, locationId: w.binA }]));
  const tx = okay(await t.call('GET', `/v1/inventory/transactions/${r.transactionId}`));
  assert.equal(tx.lines.map((l: any) => l.qtyDelta), [6, 0.1]);
  expectError(await receive(po.id, [{ lineId: po.lines[1].id, qty: 0.0251, locationId: w.binA }]), 400, 'bad_request', '/lines/0/qty');
  assert.equal((await get(po.id)).lines.map((l: any) => l.qtyReceived), [0.5, 0.1, 0, 0]);
});

test('PATCH: drafts only, If-Match honoured, lines replaced wholesale (an id keeps its line)', async () => {
  const a = await item();
  const b = await item();
  const po = created(await create([{ itemId: a, qty: 1, unitPrice: 1 }, { itemId: b, qty: 2, unitPrice: 2 }]));
  const changed = okay(await patch(po.id, { notes: 'call first', expectedOn: '2030-07-01', currency: 'GBP' }, '1'));
  assert.equal([changed.notes, changed.expectedOn, changed.currency, changed.version, changed.status], ['call first', '2030-07-01', 'GBP', 2, 'draft']);
  assert.equal(changed.statusHistory, po.statusHistory, 'a change that keeps the status adds no history');
  expectError(await patch(po.id, { notes: 'stale' }, '1'), 409, 'conflict');
  expectError(await patch(po.id, {}), 400, 'bad_request');
  expectError(await patch(po.id, { status: 'approved' }), 400, 'bad_request');
  expectError(await patch(po.id, { lines: [] }), 400, 'bad_request');
  expectError(await patch(po.id, { lines: [{ id: NONE, itemId: a, qty: 1, unitPrice: 1 }] }), 404, 'not_found', '/lines/0/id');
  const kept = po.lines[1].id;
  expectError(await patch(po.id, { lines: [{ id: kept, itemId: b, qty: 1, unitPrice: 1 }, { id: kept, itemId: b, qty: 1, unitPrice: 1 }] }), 400, 'bad_request', '/lines/1/id');
  expectError(await patch(po.id, { lines: [{ itemId: a, qty: 0.5, unitPrice: 1 }] }), 400, 'bad_request', '/lines/0/qty');
  expectError(await patch(po.id, { supplierId: NONE }), 404, 'not_found', '/supplierId');
  expectError(await patch(po.id, { facilityId: NONE }), 404, 'not_found', '/facilityId');
  expectError(await patch(NONE, { notes: 'x' }), 404, 'not_found');
  assert.equal(await get(po.id), changed);
  const lines = okay(await patch(po.id, { lines: [{ id: kept, itemId: b, qty: 5, unitPrice: 2.5 }, { itemId: a, qty: 3, unitPrice: 1 }] }, '2'));
  assert.equal(lines.lines.map((l: any) => [l.lineNo, l.itemId, l.qty, l.amount]), [[1, b, 5, 12.5], [2, a, 3, 3]]);
  assert.is(lines.lines[0].id, kept);
  assert.ok(!po.lines.some((l: any) => l.id === lines.lines[1].id), 'a line without id is new');
  assert.equal([lines.total, lines.version], [15.5, 3]);
  // Another supplier brings its currency, unless the patch names one.
  const s = await supplier({ currency: 'JPY' });
  assert.equal((okay(await patch(po.id, { supplierId: s.id }))).currency, 'JPY');
  assert.equal((okay(await patch(po.id, { supplierId: acme.id, currency: null, facilityId: other.facilityId }))).currency, null);
  const moved = await get(po.id);
  assert.equal([moved.supplierId, moved.facilityId, moved.version], [acme.id, other.facilityId, 5]);
  okay(await act(po.id, 'submit'));
  expectError(await patch(po.id, { notes: 'too late' }), 409, 'invalid_state');
});

test('suppliers and items must be active: create and submit refuse inactive ones (409 invalid_state); unknown ones are 404', async () => {
  const itemId = await item();
  const s = await supplier();
  const line = [{ itemId, qty: 1, unitPrice: 1 }];
  okay(await t.call('PATCH', `/v1/procurement/suppliers/${s.id}`, { isActive: false }));
  expectError(await create(line, { supplierId: s.id }), 409, 'invalid_state', '/supplierId');
  okay(await t.call('PATCH', `/v1/procurement/suppliers/${s.id}`, { isActive: true }));
  const po = created(await create(line, { supplierId: s.id }));
  okay(await t.call('PATCH', `/v1/procurement/suppliers/${s.id}`, { isActive: false }));
  expectError(await act(po.id, 'submit'), 409, 'invalid_state', '/supplierId');
  assert.is((await get(po.id)).status, 'draft');
  okay(await t.call('PATCH', `/v1/procurement/suppliers/${s.id}`, { isActive: true }));
  okay(await t.call('PATCH', `/v1/items/${itemId}`, { isActive: false }));
  expectError(await act(po.id, 'submit'), 409, 'invalid_state', '/lines/0/itemId');
  expectError(await create(line), 409, 'invalid_state', '/lines/0/itemId');
  okay(await t.call('PATCH', `/v1/items/${itemId}`, { isActive: true }));
  assert.is(okay(await act(po.id, 'submit')).status, 'submitted');
  const customer = created(await t.call('POST', '/v1/sales/customers', { code: 'CUST-P', name: 'Not a supplier' }));
  expectError(await create(line, { supplierId: customer.id }), 404, 'not_found', '/supplierId');
  expectError(await create(line, { supplierId: NONE }), 404, 'not_found', '/supplierId');
  expectError(await create(line, { facilityId: NONE }), 404, 'not_found', '/facilityId');
  expectError(await create([{ itemId: NONE, qty: 1, unitPrice: 1 }]), 404, 'not_found', '/lines/0/itemId');
  expectError(await create([{ itemId: await item({ itemKind: 'service' }), qty: 1, unitPrice: 1 }]), 400, 'bad_request', '/lines/0/itemId');
  expectError(await t.call('POST', PO, { supplierId: acme.id, facilityId: w.facilityId, lines: line, colour: 'red' }), 400, 'bad_request');
  expectError(await t.call('POST', PO, { facilityId: w.facilityId, lines: line }), 400, 'bad_request');
  expectError(await create(line, { currency: 'euro' }), 400, 'bad_request');
  expectError(await create(line, { expectedOn: '2030-02-30' }), 400, 'bad_request');
  assert.is((await t.call('GET', `${PO}?itemId=${itemId}`)).body.count, 1, 'refused requests created nothing');
});

test('an item made inactive after approval cannot be received; the order stays as it was', async () => {
  const itemId = await item();
  const po = await order([{ itemId, qty: 2, unitPrice: 1 }], ['submit', 'approve']);
  okay(await t.call('PATCH', `/v1/items/${itemId}`, { isActive: false }));
  expectError(await receive(po.id, [{ lineId: po.lines[0].id, qty: 1, locationId: w.binA }]), 409, 'invalid_state', '/lines/0/itemId');
  assert.equal([(await get(po.id)).status, await onHand(itemId)], ['approved', 0]);
  okay(await t.call('PATCH', `/v1/items/${itemId}`, { isActive: true }));
  created(await receive(po.id, [{ lineId: po.lines[0].id, qty: 1, locationId: w.binA }]));
});

test('cancel: before the first receipt, from any open state; refused after it, and the received stock stays', async () => {
  const itemId = await item();
  for (const steps of [[], ['submit'], ['submit', 'approve'], ['submit', 'approve', 'send']]) {
    const po = await order([{ itemId, qty: 2, unitPrice: 1 }], steps);
    const cancelled = okay(await act(po.id, 'cancel'));
    assert.equal([cancelled.status, cancelled.statusHistory.at(-1).to], ['cancelled', 'cancelled']);
  }
  const po = await order([{ itemId, qty: 2, unitPrice: 1 }], ['submit', 'approve', 'send']);
  created(await receive(po.id, [{ lineId: po.lines[0].id, qty: 1, locationId: w.binA }]));
  expectError(await act(po.id, 'cancel'), 409, 'invalid_state');
  assert.equal([(await get(po.id)).status, await onHand(itemId)], ['partially_received', 1]);
  expectError(await act(NONE, 'cancel'), 404, 'not_found');
  expectError(await act(po.id, 'cancel', { reason: 'x' }), 400, 'bad_request');
});

test('a receipt retried with the same Idempotency-Key replays the first answer and posts once', async () => {
  const itemId = await item();
  const po = await order([{ itemId, qty: 3, unitPrice: 1 }], ['submit', 'approve']);
  const body = { lines: [{ lineId: po.lines[0].id, qty: 2, locationId: w.binA }] };
  const headers = { 'idempotency-key': `receipt-${po.id}` };
  const first = await t.call('POST', `${PO}/${po.id}/receipts`, body, { headers });
  const again = await t.call('POST', `${PO}/${po.id}/receipts`, body, { headers });
  expectStatus(first, 201);
  expectStatus(again, 201);
  assert.equal(again.body, first.body);
  assert.equal([await onHand(itemId), (await transactionsOf(po.id)).length, (await get(po.id)).lines[0].qtyReceived], [2, 1, 2]);
});

test('the status history records who made each change', async () => {
  const itemId = await item();
  const buyer = await t.tokenWith(['procurement:write']);
  const po = created(await t.call('POST', PO, { supplierId: acme.id, facilityId: w.facilityId, lines: [{ itemId, qty: 1, unitPrice: 1 }] }, { token: buyer }));
  okay(await act(po.id, 'submit'));
  const approved = okay(await t.call('POST', `${PO}/${po.id}/approve`, {}, { token: buyer }));
  assert.equal(approved.statusHistory.map((h: any) => [h.to, h.by.name]), [['draft', 'test'], ['submitted', 'admin (IMS_ADMIN_TOKEN)'], ['approved', 'test']]);
  assert.ok(approved.statusHistory.every((h: any, i: number) => i === 0 || h.at >= approved.statusHistory[i - 1].at));
  // Reading needs procurement:read; inventory tokens do not do.
  const clerk = await t.tokenWith(['inventory:write']);
  expectError(await t.call('GET', `${PO}/${po.id}`, undefined, { token: clerk }), 403, 'forbidden');
});

test('at the end, every balance and promise adds up', async () => {
  assert.equal(await verifyBalances(t.store.read), []);
});

test.run();
