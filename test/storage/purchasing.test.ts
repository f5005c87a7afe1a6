// The purchasing ports on every adapter (SQLite file, SQLite memory, PostgreSQL):
// requisitions, purchase orders and receipts round-trip exactly; updates write progress, or
// replace a draft's lines; lists filter and page; on order sums open orders' base quantity
// not yet received, and requested what open requisitions ask for, per item and facility;
// last prices come newest first from orders past draft; concurrent receipts of one line never
// receive more than ordered; and a refused unit leaves nothing behind.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCommand } from '../../core/command.js';
import { Ims } from '../../core/ims.js';
import { newId } from '../../core/id.js';
import { UniqueViolation, type Store, type Writer } from '../../core/ports.js';
import type { PurchaseOrderRecord, PurchaseOrderStatus, RequisitionRecord, RequisitionStatus } from '../../core/purchasing.js';
import { toMicro, type Micro } from '../../core/quantity.js';
import { receivePurchaseOrder } from '../../core/receipt.js';
import { fail, unwrap } from '../../core/result.js';
import { verifyBalances } from '../../core/verify.js';
import { onEveryStore } from '../support/stores.js';

const m = (n: number) => toMicro(n)! as Micro;
const page = (limit = 50, offset = 0) => ({ limit, offset });
const NOW = '2030-06-01T00:00:00.000Z';

interface World {
  ims: Ims;
  ea: string;
  box: string;
  itemX: string;
  itemY: string;
  lotItem: string;
  wh: string;
  store2: string;
  bin: string;
  bin2: string;
  acme: string;
  globex: string;
}

async function seed(store: Store): Promise<World> {
  const ims = new Ims(store, { now: () => NOW, actor: 'buyer' });
  const id = (r: unknown) => (unwrap(r as never) as { id: string }).id;
  const ea = id(await ims.uoms.create({ code: 'EA', name: 'Each' }));
  const box = id(await ims.uoms.create({ code: 'BOX', name: 'Box', decimals: 1 }));
  const mk = async (itemNo: string, extra = {}) => id(await ims.items.create({ itemNo, name: itemNo, itemKind: 'purchased', baseUomId: ea, ...extra }));
  const itemX = await mk('X-1', { uomConversions: [{ uomId: box, factor: 12 }] });
  const itemY = await mk('Y-1');
  const lotItem = await mk('L-1', { lotTracking: 'tracked' });
  const wh = id(await ims.facilities.create({ code: 'WH', name: 'Warehouse', type: 'warehouse' }));
  const store2 = id(await ims.facilities.create({ code: 'ST', name: 'Store', type: 'store' }));
  const bin = id(await ims.locations.create(wh, { code: 'A', name: 'A', type: 'bin' }));
  const bin2 = id(await ims.locations.create(store2, { code: 'A', name: 'A', type: 'bin' }));
  const acme = id(await ims.suppliers.create({ code: 'ACME', name: 'Acme Paper', currency: 'EUR' }));
  const globex = id(await ims.suppliers.create({ code: 'GLOBEX', name: 'Globex' }));
  return { ims, ea, box, itemX, itemY, lotItem, wh, store2, bin, bin2, acme, globex };
}

let clock = Date.parse('2030-01-01T00:00:00.000Z');
const tick = () => new Date((clock += 1000)).toISOString();

function order(w: World, over: Partial<PurchaseOrderRecord> = {}): PurchaseOrderRecord {
  const id = newId();
  const at = tick();
  return {
    id,
    poNo: `PO-${id.slice(-6)}`,
    supplierId: w.acme,
    facilityId: w.wh,
    status: 'draft',
    currency: 'EUR',
    expectedOn: '2030-07-01',
    notes: 'Grüße ✓',
    lines: [
      { id: newId(), lineNo: 1, itemId: w.itemX, qty: m(2), uomId: w.box, qtyBase: m(24), unitPrice: m(10.5), qtyReceived: m(0), qtyReceivedBase: m(0), requisitionLineId: null },
      { id: newId(), lineNo: 2, itemId: w.itemY, qty: m(1.5), uomId: w.ea, qtyBase: m(1.5), unitPrice: m(0.000001), qtyReceived: m(0), qtyReceivedBase: m(0), requisitionLineId: null },
    ],
    statusHistory: [{ from: null, to: 'draft', at, by: null }],
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...over,
  };
}

/** An order of one line of `item` in `status`, `qty` base units of which `received`. */
function oneLine(w: World, item: string, status: PurchaseOrderStatus, qty: number, received = 0, facilityId = w.wh): PurchaseOrderRecord {
  const po = order(w, { status, facilityId });
  return { ...po, lines: [{ ...po.lines[1]!, itemId: item, qty: m(qty), qtyBase: m(qty), qtyReceived: m(received), qtyReceivedBase: m(received) }] };
}

function requisition(w: World, over: Partial<RequisitionRecord> = {}): RequisitionRecord {
  const id = newId();
  const at = tick();
  return {
    id,
    requisitionNo: `RQ-${id.slice(-6)}`,
    facilityId: w.wh,
    status: 'draft',
    notes: null,
    lines: [
      { id: newId(), lineNo: 1, itemId: w.itemX, qty: m(1), uomId: w.box, qtyBase: m(12), neededBy: '2030-08-01', supplierId: w.acme, purchaseOrderId: null },
      { id: newId(), lineNo: 2, itemId: w.itemY, qty: m(0.25), uomId: w.ea, qtyBase: m(0.25), neededBy: null, supplierId: null, purchaseOrderId: null },
    ],
    statusHistory: [{ from: null, to: 'draft', at, by: { tokenId: null, name: 'planner' } }],
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...over,
  };
}

async function rejects(p: Promise<unknown>, expected: new (...args: any[]) => Error): Promise<void> {
  const error = await p.then(() => null, (e: unknown) => e);
  assert.ok(error, 'expected a rejection');
  assert.instance(error, expected);
}

const write = <T>(store: Store, fn: (tx: Writer) => Promise<T>) => store.write(fn);
const sorted = <T extends { itemId: string; facilityId: string }>(rows: T[]) =>
  [...rows].sort((a, b) => `${a.itemId}|${a.facilityId}`.localeCompare(`${b.itemId}|${b.facilityId}`));

function contract(name: string, open: () => Promise<Store>, skip: string | null): void {
  const s = suite(`purchasing [${name}]`);
  if (skip) {
    console.log(`  skip purchasing [${name}]: ${skip}`);
    s.skip('purchasing ports');
    s.run();
    return;
  }
  let store: Store;
  let w: World;
  s.before.each(async () => {
    store = await open();
    w = await seed(store);
  });
  s.after.each(async () => {
    await store.close();
  });

  s('a purchase order round-trips every field exactly, inside a unit and out; updates write progress or replace the lines', async () => {
    const po = order(w);
    await write(store, (tx) => tx.purchasing.insertPurchaseOrder(po));
    assert.equal(await store.read.purchasing.getPurchaseOrder(po.id), po);
    assert.equal(await write(store, (tx) => tx.purchasing.getPurchaseOrder(po.id)), po);
    const progressed: PurchaseOrderRecord = {
      ...po,
      status: 'partially_received',
      statusHistory: [...po.statusHistory, { from: 'draft', to: 'partially_received', at: tick(), by: { tokenId: 'tok', name: 'clerk' } }],
      lines: [{ ...po.lines[0]!, qtyReceived: m(1), qtyReceivedBase: m(12) }, po.lines[1]!],
      updatedAt: tick(),
      version: 2,
    };
    await write(store, (tx) => tx.purchasing.updatePurchaseOrder(progressed));
    assert.equal(await store.read.purchasing.getPurchaseOrder(po.id), progressed);
    // A draft's lines replaced: one kept (changed), one new; the header follows.
    const replaced: PurchaseOrderRecord = {
      ...po,
      supplierId: w.globex,
      facilityId: w.store2,
      currency: null,
      expectedOn: null,
      notes: null,
      lines: [
        { ...po.lines[1]!, lineNo: 1, qty: m(3), qtyBase: m(3), unitPrice: m(2) },
        { ...po.lines[0]!, id: newId(), lineNo: 2, itemId: w.lotItem, uomId: w.ea, qty: m(1), qtyBase: m(1) },
      ],
      updatedAt: tick(),
      version: 3,
    };
    await write(store, (tx) => tx.purchasing.updatePurchaseOrder(replaced, { replaceLines: true }));
    assert.equal(await store.read.purchasing.getPurchaseOrder(po.id), replaced);
    assert.is(await store.read.purchasing.getPurchaseOrder(newId()), null);
    assert.is(await write(store, (tx) => tx.purchasing.getPurchaseOrder(newId())), null);
    await rejects(write(store, (tx) => tx.purchasing.insertPurchaseOrder(order(w, { poNo: po.poNo }))), UniqueViolation);
  });

  s('a requisition round-trips; an update writes the lines\' orders, or replaces a draft\'s lines', async () => {
    const r = requisition(w);
    await write(store, (tx) => tx.purchasing.insertRequisition(r));
    assert.equal(await store.read.purchasing.getRequisition(r.id), r);
    assert.equal(await write(store, (tx) => tx.purchasing.getRequisition(r.id)), r);
    const replaced: RequisitionRecord = {
      ...r, facilityId: w.store2, notes: 'more', lines: [{ ...r.lines[1]!, id: newId(), lineNo: 1, qty: m(4), qtyBase: m(4) }], updatedAt: tick(), version: 2,
    };
    await write(store, (tx) => tx.purchasing.updateRequisition(replaced, { replaceLines: true }));
    assert.equal(await store.read.purchasing.getRequisition(r.id), replaced);
    const po = order(w);
    await write(store, (tx) => tx.purchasing.insertPurchaseOrder(po));
    const ordered: RequisitionRecord = {
      ...replaced,
      status: 'ordered',
      statusHistory: [...replaced.statusHistory, { from: 'draft', to: 'ordered', at: tick(), by: null }],
      lines: replaced.lines.map((l) => ({ ...l, purchaseOrderId: po.id })),
      version: 3,
    };
    await write(store, (tx) => tx.purchasing.updateRequisition(ordered));
    assert.equal(await store.read.purchasing.getRequisition(r.id), ordered);
    assert.is(await store.read.purchasing.getRequisition(newId()), null);
    await rejects(write(store, (tx) => tx.purchasing.insertRequisition(requisition(w, { requisitionNo: r.requisitionNo }))), UniqueViolation);
  });

  s('lists filter by status, supplier, facility, item and q; newest first, paged, with lines', async () => {
    const a = order(w, { poNo: 'PO-000101' });
    const b = { ...oneLine(w, w.itemY, 'approved', 2), poNo: 'PO-000102' };
    const c = { ...oneLine(w, w.lotItem, 'cancelled', 1, 0, w.store2), poNo: 'PO-000203', supplierId: w.globex };
    await write(store, async (tx) => { for (const p of [a, b, c]) await tx.purchasing.insertPurchaseOrder(p); });
    const ids = async (f: object, p = page()) => (await store.read.purchasing.listPurchaseOrders(f, p)).items.map((x) => x.id);
    assert.equal(await ids({}), [c.id, b.id, a.id]);
    assert.equal(await ids({ status: 'approved' }), [b.id]);
    assert.equal(await ids({ supplierId: w.globex }), [c.id]);
    assert.equal(await ids({ facilityId: w.wh }), [b.id, a.id]);
    assert.equal(await ids({ itemId: w.itemY }), [b.id, a.id]);
    assert.equal(await ids({ q: 'po-0001' }), [b.id, a.id]);
    assert.equal(await ids({ q: 'GLOB' }), [c.id]);
    assert.equal(await ids({ q: 'acme paper' }), [b.id, a.id]);
    assert.equal(await ids({ q: 'zzz' }), []);
    const p = await store.read.purchasing.listPurchaseOrders({}, page(2, 1));
    assert.equal([p.items.map((x) => x.id), p.total], [[b.id, a.id], 3]);
    assert.equal(p.items[1], a);

    const r1 = requisition(w, { requisitionNo: 'RQ-000101' });
    const r2 = requisition(w, { requisitionNo: 'RQ-000202', status: 'submitted', facilityId: w.store2, lines: [requisition(w).lines[1]!] });
    await write(store, async (tx) => { for (const r of [r1, r2]) await tx.purchasing.insertRequisition(r); });
    const rids = async (f: object, p = page()) => (await store.read.purchasing.listRequisitions(f, p)).items.map((x) => x.id);
    assert.equal(await rids({}), [r2.id, r1.id]);
    assert.equal(await rids({ status: 'submitted' }), [r2.id]);
    assert.equal(await rids({ facilityId: w.wh }), [r1.id]);
    assert.equal(await rids({ itemId: w.itemX }), [r1.id]);
    assert.equal(await rids({ q: 'rq-0002' }), [r2.id]);
    const rp = await store.read.purchasing.listRequisitions({}, page(1, 1));
    assert.equal([rp.items, rp.total], [[r1], 2]);
  });

  s('on order: open orders\' base quantity not yet received, per item and facility asked; requested: open requisitions', async () => {
    const statuses: PurchaseOrderStatus[] = ['draft', 'submitted', 'approved', 'sent', 'partially_received', 'received', 'cancelled'];
    await write(store, async (tx) => {
      for (const st of statuses) await tx.purchasing.insertPurchaseOrder(oneLine(w, w.itemY, st, 10, st === 'partially_received' ? 4.5 : st === 'received' ? 10 : 0));
      await tx.purchasing.insertPurchaseOrder(order(w)); // 2 boxes of X = 24, and 1.5 of Y
      await tx.purchasing.insertPurchaseOrder(oneLine(w, w.itemY, 'approved', 7, 0, w.store2));
    });
    const pairs = [{ itemId: w.itemX, facilityId: w.wh }, { itemId: w.itemY, facilityId: w.wh }, { itemId: w.itemY, facilityId: w.store2 },
      { itemId: w.lotItem, facilityId: w.wh }, { itemId: w.itemY, facilityId: w.wh }];
    const expected = [{ itemId: w.itemX, facilityId: w.wh, qty: m(24) }, { itemId: w.itemY, facilityId: w.wh, qty: m(47) }, { itemId: w.itemY, facilityId: w.store2, qty: m(7) }];
    assert.equal(sorted(await store.read.purchasing.onOrder(pairs)), sorted(expected));
    assert.equal(sorted(await write(store, (tx) => tx.purchasing.onOrder(pairs))), sorted(expected));
    assert.equal(await store.read.purchasing.onOrder([{ itemId: w.itemY, facilityId: w.store2 }]), [{ itemId: w.itemY, facilityId: w.store2, qty: m(7) }]);
    assert.equal(await store.read.purchasing.onOrder([]), []);

    const rqStatuses: RequisitionStatus[] = ['draft', 'submitted', 'approved', 'rejected', 'ordered', 'cancelled'];
    await write(store, async (tx) => { for (const st of rqStatuses) await tx.purchasing.insertRequisition(requisition(w, { status: st })); });
    assert.equal(sorted(await store.read.purchasing.requested(pairs)), sorted([
      { itemId: w.itemX, facilityId: w.wh, qty: m(36) }, { itemId: w.itemY, facilityId: w.wh, qty: m(0.75) },
    ]));
    assert.equal(await store.read.purchasing.requested([{ itemId: w.itemY, facilityId: w.store2 }]), []);
  });

  s('last unit prices: newest order first, past draft and not cancelled, of that supplier', async () => {
    const priced = (status: PurchaseOrderStatus, price: number, supplierId = w.acme) => {
      const po = oneLine(w, w.itemY, status, 1);
      return { ...po, supplierId, lines: [{ ...po.lines[0]!, unitPrice: m(price) }] };
    };
    const [older, newer, draft, cancelled, other] = [priced('received', 1.25), priced('approved', 1.5), priced('draft', 9), priced('cancelled', 8), priced('sent', 7, w.globex)];
    await write(store, async (tx) => { for (const p of [older, newer, draft, cancelled, other]) await tx.purchasing.insertPurchaseOrder(p); });
    const prices = await store.read.purchasing.lastUnitPrices(w.acme, [w.itemY, w.itemX]);
    assert.equal(prices, [{ itemId: w.itemY, uomId: w.ea, unitPrice: m(1.5) }, { itemId: w.itemY, uomId: w.ea, unitPrice: m(1.25) }]);
    assert.equal(await store.read.purchasing.lastUnitPrices(w.globex, [w.itemY]), [{ itemId: w.itemY, uomId: w.ea, unitPrice: m(7) }]);
    assert.equal(await store.read.purchasing.lastUnitPrices(w.acme, []), []);
  });

  s('receipts round-trip with their lots and serials, oldest first, paged; each refers to its transaction', async () => {
    const po = unwrap(await w.ims.purchaseOrders.create({
      supplierId: w.acme, facilityId: w.wh, lines: [{ itemId: w.lotItem, qty: 5, unitPrice: 1 }, { itemId: w.itemX, qty: 1, uomId: w.box, unitPrice: 3 }],
    })) as { id: string; lines: Array<{ id: string }> };
    unwrap(await w.ims.purchaseOrders.submit(po.id));
    unwrap(await w.ims.purchaseOrders.approve(po.id));
    const first = unwrap(await w.ims.purchaseOrders.receive(po.id, { lines: [{ lineId: po.lines[0]!.id, qty: 2, locationId: w.bin, lotNo: 'LOT-9' }], reason: 'note 1' })) as { id: string; transactionId: string };
    const second = unwrap(await w.ims.purchaseOrders.receive(po.id, { lines: [
      { lineId: po.lines[1]!.id, qty: 0.5, locationId: w.bin, statusId: 'quarantine' }, { lineId: po.lines[0]!.id, qty: 3, locationId: w.bin, lotNo: 'LOT-9' },
    ] })) as { id: string };
    const all = await store.read.purchasing.listReceipts(po.id, page());
    assert.equal([all.total, all.items.map((r) => r.id)], [2, [first.id, second.id]]);
    const [r1, r2] = all.items;
    assert.equal([r1!.purchaseOrderId, r1!.transactionId, r1!.reason, r1!.receivedAt, r1!.by], [po.id, first.transactionId, 'note 1', NOW, { tokenId: null, name: 'buyer' }]);
    assert.equal(r1!.lines.map((l) => [l.lineNo, l.purchaseOrderLineId, l.itemId, l.qty, l.uomId, l.qtyBase, l.locationId, l.statusId, l.lotNo, l.expiresOn, l.serialNos]), [
      [1, po.lines[0]!.id, w.lotItem, m(2), w.ea, m(2), w.bin, 'available', 'LOT-9', null, []],
    ]);
    assert.equal(r2!.lines.map((l) => [l.lineNo, l.qty, l.qtyBase, l.statusId, l.lotId === r1!.lines[0]!.lotId]), [[1, m(0.5), m(6), 'quarantine', false], [2, m(3), m(3), 'available', true]]);
    assert.equal((await store.read.purchasing.listReceipts(po.id, page(1, 1))).items.map((r) => r.id), [second.id]);
    assert.equal(await store.read.purchasing.listReceipts(newId(), page()), { items: [], total: 0 });
    const tx = await store.read.ledger.getTransaction(first.transactionId);
    assert.equal([tx?.type, tx?.reference], ['receipt', { type: 'purchase_order', id: po.id }]);
    const after = await store.read.purchasing.getPurchaseOrder(po.id);
    assert.equal([after?.status, after?.lines.map((l) => [l.qtyReceived, l.qtyReceivedBase])], ['partially_received', [[m(5), m(5)], [m(0.5), m(6)]]]);
  });

  s('concurrent receipts of one line never receive more than ordered', async () => {
    const po = unwrap(await w.ims.purchaseOrders.create({ supplierId: w.acme, facilityId: w.wh, lines: [{ itemId: w.itemY, qty: 5, unitPrice: 1 }] })) as { id: string; lines: Array<{ id: string }> };
    unwrap(await w.ims.purchaseOrders.submit(po.id));
    unwrap(await w.ims.purchaseOrders.approve(po.id));
    const results = await Promise.all(Array.from({ length: 8 }, () => w.ims.purchaseOrders.receive(po.id, { lines: [{ lineId: po.lines[0]!.id, qty: 1, locationId: w.bin }] })));
    assert.is(results.filter((r) => r.ok).length, 5);
    assert.ok(results.every((r) => r.ok || ['conflict', 'invalid_state'].includes(r.code)));
    const after = await store.read.purchasing.getPurchaseOrder(po.id);
    assert.equal([after?.status, after?.lines[0]?.qtyReceived], ['received', m(5)]);
    assert.equal((await store.read.purchasing.listReceipts(po.id, page())).total, 5);
    assert.equal(await verifyBalances(store.read), []);
  });

  s('a unit refused after a receipt leaves nothing: no receipt, no posting, the order as it was', async () => {
    const po = unwrap(await w.ims.purchaseOrders.create({ supplierId: w.acme, facilityId: w.wh, lines: [{ itemId: w.itemY, qty: 5, unitPrice: 1 }] })) as { id: string; lines: Array<{ id: string }> };
    unwrap(await w.ims.purchaseOrders.submit(po.id));
    unwrap(await w.ims.purchaseOrders.approve(po.id));
    const before = await store.read.purchasing.getPurchaseOrder(po.id);
    const refused = await runCommand(store, async (tx) => {
      const r = await receivePurchaseOrder(tx, po.id, { lines: [{ lineId: po.lines[0]!.id, qty: 2, locationId: w.bin }] }, NOW);
      assert.ok(r.ok);
      return fail('conflict', 'changed my mind');
    });
    assert.is(refused.ok, false);
    assert.equal(await store.read.purchasing.getPurchaseOrder(po.id), before);
    assert.equal(await store.read.purchasing.listReceipts(po.id, page()), { items: [], total: 0 });
    assert.equal((await store.read.ledger.listTransactions({ referenceId: po.id }, page())).total, 0);
    assert.equal((await store.read.ledger.listBalances({ itemId: w.itemY }, page())).total, 0);
  });

  s.run();
}

onEveryStore(contract);
