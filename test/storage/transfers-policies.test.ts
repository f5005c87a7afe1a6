// The transfer and reorder-policy ports on every adapter (SQLite file, SQLite memory,
// PostgreSQL): records round-trip exactly; document numbers count per type and a unit that
// rolls back gives its number back; lists filter and page; shipments keep their order;
// inbound sums what transfers on their way have not delivered; a policy's position counts
// what availability counts. On PostgreSQL, reading a transfer in a unit takes the stock locks
// of its lines first.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { postAdjustment } from '../../core/adjustment.js';
import { Ims } from '../../core/ims.js';
import { newId } from '../../core/id.js';
import type { PolicyRecord } from '../../core/policy.js';
import { UniqueViolation, type Store, type Writer } from '../../core/ports.js';
import { post } from '../../core/posting.js';
import { toMicro, type Micro } from '../../core/quantity.js';
import { createReservation, fulfillReservation, type ReservationRecord } from '../../core/reservation.js';
import { unwrap, type Result } from '../../core/result.js';
import {
  cancelTransfer, createTransfer, receiveTransfer, releaseTransfer, shipTransfer, type TransferRecord, type TransferShipmentRecord,
  type TransferStatus,
} from '../../core/transfer.js';
import { verifyBalances } from '../../core/verify.js';
import { finishOrder, WAITED, WENT_ON } from '../support/locks.js';
import { onEveryStore } from '../support/stores.js';

const m = (n: number) => toMicro(n)! as Micro;
const NOW = '2030-06-01T00:00:00.000Z';
const page = (limit = 50, offset = 0) => ({ limit, offset });

interface World {
  itemX: string;
  itemY: string;
  lotItem: string;
  lotId: string;
  src: string;
  dst: string;
  srcA: string;
  srcB: string;
  srcTransit: string;
  dstBin: string;
  transactionId: string;
}

async function seed(store: Store): Promise<World> {
  const ims = new Ims(store);
  const uom = unwrap(await ims.uoms.create({ code: 'EA', name: 'Each' })) as { id: string };
  const mk = async (itemNo: string, extra = {}) => (unwrap(await ims.items.create({ itemNo, name: itemNo, itemKind: 'purchased', baseUomId: uom.id, ...extra })) as { id: string }).id;
  const itemX = await mk('X-1');
  const itemY = await mk('Y-1');
  const lotItem = await mk('L-1', { lotTracking: 'tracked' });
  const src = unwrap(await ims.facilities.create({ code: 'SRC', name: 'Source', type: 'warehouse' })) as { id: string };
  const dst = unwrap(await ims.facilities.create({ code: 'DST', name: 'Destination', type: 'store' })) as { id: string };
  const a = unwrap(await ims.locations.create(src.id, { code: 'A', name: 'A', type: 'bin' })) as { id: string };
  const b = unwrap(await ims.locations.create(src.id, { code: 'B', name: 'B', type: 'bin' })) as { id: string };
  const transit = (await store.read.facilities.listLocations(src.id, { type: 'transit' }, page())).items[0]!;
  const dstBin = unwrap(await ims.locations.create(dst.id, { code: 'D', name: 'D', type: 'bin' })) as { id: string };
  const lotPosting = unwrap(await ims.inventory.adjust({ itemId: lotItem, locationId: a.id, qtyDelta: 2, lotNo: 'LOT-1' })) as { id: string; lines: Array<{ lotId: string }> };
  return {
    itemX, itemY, lotItem, lotId: lotPosting.lines[0]!.lotId, src: src.id, dst: dst.id, srcA: a.id, srcB: b.id, srcTransit: transit.id,
    dstBin: dstBin.id, transactionId: lotPosting.id,
  };
}

let clock = Date.parse('2030-01-01T00:00:00.000Z');
const tick = () => new Date((clock += 1000)).toISOString();

function transfer(w: World, over: Partial<TransferRecord> = {}): TransferRecord {
  const id = newId();
  const at = tick();
  return {
    id,
    transferNo: `TR-${id.slice(-6)}`,
    fromFacilityId: w.src,
    toFacilityId: w.dst,
    status: 'draft',
    notes: null,
    lines: [
      { id: newId(), lineNo: 1, itemId: w.itemX, qty: m(5), lotId: null, qtyShipped: m(0), qtyReceived: m(0), reservationId: null },
      { id: newId(), lineNo: 2, itemId: w.lotItem, qty: m(1.5), lotId: w.lotId, qtyShipped: m(0), qtyReceived: m(0), reservationId: null },
    ],
    statusHistory: [{ from: null, to: 'draft', at, by: null }],
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...over,
  };
}

/** A transfer of one line of `item` in `status`, `qty` of which `shipped` and `received`. */
function oneLine(w: World, item: string, status: TransferStatus, qty: number, shipped = 0, received = 0, to = w.dst, from = w.src): TransferRecord {
  const t = transfer(w, { status, toFacilityId: to, fromFacilityId: from });
  return { ...t, lines: [{ ...t.lines[0]!, itemId: item, qty: m(qty), qtyShipped: m(shipped), qtyReceived: m(received) }] };
}

function reservation(w: World, over: Partial<ReservationRecord> = {}): ReservationRecord {
  return {
    id: newId(), itemId: w.itemX, facilityId: w.src, qty: m(3), qtyAllocated: m(0), qtyFulfilled: m(0), status: 'open',
    demand: { type: 'transfer', id: null, lineId: null }, expiresAt: null, createdAt: NOW, updatedAt: NOW, version: 1, ...over,
  };
}

function policy(w: World, over: Partial<PolicyRecord> = {}): PolicyRecord {
  return {
    id: newId(), itemId: w.itemX, facilityId: w.src, minQty: m(5), maxQty: m(20.5), safetyStockQty: m(0.25), reorderQty: null,
    leadTimeDays: null, preferredSupplierId: null, createdAt: NOW, updatedAt: NOW, version: 1, ...over,
  };
}

/** Resolves when `p` rejects with an error of this class, or whose message matches. */
async function rejects(p: Promise<unknown>, expected: (new (...args: any[]) => Error) | RegExp): Promise<void> {
  const error = await p.then(() => null, (e: unknown) => e);
  assert.ok(error, 'expected a rejection');
  if (expected instanceof RegExp) assert.match((error as Error).message, expected);
  else assert.instance(error, expected);
}

const write = <T>(store: Store, fn: (tx: Writer) => Promise<T>) => store.write(fn);

function contract(name: string, open: () => Promise<Store>, skip: string | null): void {
  const s = suite(`transfers and policies [${name}]`);
  if (skip) {
    console.log(`  skip transfers and policies [${name}]: ${skip}`);
    s.skip('transfer and policy ports');
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

  s('a transfer round-trips every field exactly, inside a unit and out; an update replaces header and lines', async () => {
    const t = transfer(w, { notes: 'Grüße ✓' });
    await write(store, (tx) => tx.transfers.insertTransfer(t));
    assert.equal(await store.read.transfers.getTransfer(t.id), t);
    assert.equal(await write(store, (tx) => tx.transfers.getTransfer(t.id)), t);
    const r = reservation(w);
    await write(store, (tx) => tx.reservations.insertReservation(r));
    const next: TransferRecord = {
      ...t,
      status: 'partially_shipped',
      statusHistory: [...t.statusHistory, { from: 'draft', to: 'released', at: tick(), by: { tokenId: 'tok', name: 'clerk' } },
        { from: 'released', to: 'partially_shipped', at: tick(), by: null }],
      lines: [{ ...t.lines[0]!, qtyShipped: m(2), qtyReceived: m(1), reservationId: r.id }, t.lines[1]!],
      updatedAt: tick(),
      version: 3,
    };
    await write(store, (tx) => tx.transfers.updateTransfer(next));
    assert.equal(await store.read.transfers.getTransfer(t.id), next);
    assert.is(await store.read.transfers.getTransfer(newId()), null);
    assert.is(await write(store, (tx) => tx.transfers.getTransfer(newId())), null);
    // One number per transfer.
    await rejects(write(store, (tx) => tx.transfers.insertTransfer(transfer(w, { transferNo: t.transferNo }))), UniqueViolation);
  });

  s('document numbers count per type from 1; a unit that rolls back gives its number back', async () => {
    assert.equal(await write(store, async (tx) => [await tx.documents.nextNumber('transfer'), await tx.documents.nextNumber('transfer')]), [1, 2]);
    assert.is(await write(store, (tx) => tx.documents.nextNumber('purchase_order')), 1);
    await rejects(write(store, async (tx) => {
      assert.is(await tx.documents.nextNumber('transfer'), 3);
      throw new Error('refused');
    }), /refused/);
    assert.is(await write(store, (tx) => tx.documents.nextNumber('transfer')), 3);
  });

  s('lists filter by status, facilities, item and number; newest first, paged, with lines', async () => {
    const a = transfer(w, { transferNo: 'TR-000101' });
    const b = { ...oneLine(w, w.itemY, 'released', 2), transferNo: 'TR-000102' };
    const c = { ...oneLine(w, w.itemX, 'cancelled', 1, 0, 0, w.src, w.dst), transferNo: 'TR-000203' };
    await write(store, async (tx) => { for (const t of [a, b, c]) await tx.transfers.insertTransfer(t); });
    const ids = async (f: object, p = page()) => (await store.read.transfers.listTransfers(f, p)).items.map((t) => t.id);
    assert.equal(await ids({}), [c.id, b.id, a.id]);
    assert.equal(await ids({ status: 'released' }), [b.id]);
    assert.equal(await ids({ fromFacilityId: w.dst }), [c.id]);
    assert.equal(await ids({ toFacilityId: w.dst }), [b.id, a.id]);
    assert.equal(await ids({ itemId: w.itemX }), [c.id, a.id]);
    assert.equal(await ids({ itemId: w.lotItem }), [a.id]);
    assert.equal(await ids({ q: 'tr-0001' }), [b.id, a.id]);
    assert.equal(await ids({ q: '203' }), [c.id]);
    assert.equal(await ids({ q: 'x' }), []);
    assert.equal(await ids({ status: 'released', itemId: w.itemX }), []);
    const p = await store.read.transfers.listTransfers({}, page(2, 1));
    assert.equal([p.items.map((t) => t.id), p.total], [[b.id, a.id], 3]);
    assert.equal(p.items[1], a);
  });

  s('shipments round-trip in shipNo order; qtyReceived is updated; shipNo is unique per transfer', async () => {
    const t = transfer(w, { status: 'shipped' });
    await write(store, (tx) => tx.transfers.insertTransfer(t));
    const ship = (shipNo: number, over: Partial<TransferShipmentRecord> = {}): TransferShipmentRecord => ({
      id: newId(), transferId: t.id, lineId: t.lines[0]!.id, shipNo, transactionId: w.transactionId, lotId: null, serialNos: [],
      qty: m(2), qtyReceived: m(0), createdAt: NOW, ...over,
    });
    const later = ship(2, { lineId: t.lines[1]!.id, lotId: w.lotId, qty: m(1.5) });
    const first = ship(1, { serialNos: ['S-2', 'S-1'] });
    await write(store, (tx) => tx.transfers.insertShipments([later, first]));
    assert.equal(await store.read.transfers.getShipments(t.id), [first, later]);
    await write(store, (tx) => tx.transfers.updateShipments([{ ...first, qtyReceived: m(1) }]));
    assert.equal(await store.read.transfers.getShipments(t.id), [{ ...first, qtyReceived: m(1) }, later]);
    assert.equal(await store.read.transfers.getShipments(newId()), []);
    await rejects(write(store, (tx) => tx.transfers.insertShipments([ship(1)])), UniqueViolation);
  });

  s('inbound: per item and destination, what transfers on their way have not delivered', async () => {
    const other = w.src;
    const ts = [
      oneLine(w, w.itemX, 'draft', 50),
      oneLine(w, w.itemX, 'released', 3),
      oneLine(w, w.itemX, 'partially_shipped', 4, 2, 1),
      oneLine(w, w.itemX, 'shipped', 2.5, 2.5, 0),
      oneLine(w, w.itemX, 'partially_received', 6, 6, 5),
      oneLine(w, w.itemX, 'received', 7, 7, 7),
      oneLine(w, w.itemX, 'cancelled', 8),
      oneLine(w, w.itemY, 'released', 1),
      oneLine(w, w.itemX, 'released', 9, 0, 0, other, w.dst),
    ];
    await write(store, async (tx) => { for (const t of ts) await tx.transfers.insertTransfer(t); });
    const got = await store.read.transfers.inbound([
      { itemId: w.itemX, facilityId: w.dst }, { itemId: w.itemY, facilityId: w.dst }, { itemId: w.itemX, facilityId: other },
      { itemId: w.itemX, facilityId: w.dst }, { itemId: w.lotItem, facilityId: w.dst },
    ]);
    const byKey = Object.fromEntries(got.map((x) => [`${x.itemId === w.itemX ? 'X' : x.itemId === w.itemY ? 'Y' : 'L'}@${x.facilityId === w.dst ? 'dst' : 'src'}`, x.qty]));
    assert.equal(byKey, { 'X@dst': m(3 + 3 + 2.5 + 1), 'Y@dst': m(1), 'X@src': m(9) });
    assert.equal(await store.read.transfers.inbound([{ itemId: w.itemY, facilityId: other }]), []);
    assert.equal(await store.read.transfers.inbound([]), []);
  });

  s('policies round-trip; one per item and facility; listed by item number, then facility code', async () => {
    const p = policy(w, { reorderQty: m(3.5), leadTimeDays: 14, preferredSupplierId: newId() });
    const q = policy(w, { facilityId: w.dst });
    const r = policy(w, { itemId: w.itemY });
    const lot = policy(w, { itemId: w.lotItem, minQty: m(0), maxQty: m(0), safetyStockQty: m(0) });
    await write(store, async (tx) => { for (const x of [r, q, p, lot]) await tx.policies.insertPolicy(x); });
    assert.equal(await store.read.policies.getPolicy(p.id), p);
    assert.equal(await write(store, (tx) => tx.policies.getPolicy(p.id)), p);
    assert.equal(await store.read.policies.findPolicy(w.itemX, w.dst), q);
    assert.is(await store.read.policies.findPolicy(w.itemY, w.dst), null);
    assert.is(await store.read.policies.getPolicy(newId()), null);
    const next = { ...p, minQty: m(1), maxQty: m(2), safetyStockQty: m(0), reorderQty: null, leadTimeDays: null, preferredSupplierId: null, updatedAt: LATER(), version: 2 };
    await write(store, (tx) => tx.policies.updatePolicy(next));
    assert.equal(await store.read.policies.getPolicy(p.id), next);
    const ids = async (f: object, pg = page()) => (await store.read.policies.listPolicies(f, pg)).items.map((x) => x.id);
    // Items L-1, X-1, Y-1; facilities DST before SRC.
    assert.equal(await ids({}), [lot.id, q.id, p.id, r.id]);
    assert.equal(await ids({ itemId: w.itemX }), [q.id, p.id]);
    assert.equal(await ids({ facilityId: w.src }), [lot.id, p.id, r.id]);
    assert.equal(await ids({ itemId: w.itemY, facilityId: w.dst }), []);
    const second = await store.read.policies.listPolicies({}, page(2, 2));
    assert.equal([second.items.map((x) => x.id), second.total], [[p.id, r.id], 4]);
    await rejects(write(store, (tx) => tx.policies.insertPolicy(policy(w))), UniqueViolation);
  });

  s('policy positions: available is on hand in available statuses outside transit, less holding reservations', async () => {
    const ims = new Ims(store);
    unwrap(await ims.inventory.adjust({ itemId: w.itemX, locationId: w.srcA, qtyDelta: 6 }));
    unwrap(await ims.inventory.adjust({ itemId: w.itemX, locationId: w.srcB, qtyDelta: 4 }));
    unwrap(await ims.inventory.adjust({ itemId: w.itemX, locationId: w.srcA, qtyDelta: 3, statusId: 'quarantine' }));
    // One unit into a transit location, the way only transfers post there.
    await write(store, async (tx) => unwrap(await post(tx, { type: 'transfer_out', lines: [
      { itemId: w.itemX, locationId: w.srcA, statusId: 'available', qty: m(-1), at: '' },
      { itemId: w.itemX, locationId: w.srcTransit, statusId: 'available', qty: m(1), at: '' },
    ] }, NOW)));
    await write(store, async (tx) => {
      await tx.reservations.insertReservation(reservation(w, { qty: m(2) }));
      await tx.reservations.insertReservation(reservation(w, { qty: m(3), qtyAllocated: m(2), qtyFulfilled: m(1), status: 'allocated' }));
      await tx.reservations.insertReservation(reservation(w, { qty: m(4), expiresAt: '2030-05-01T00:00:00.000Z' }));
      await tx.reservations.insertReservation(reservation(w, { qty: m(4), status: 'released' }));
      await tx.reservations.insertReservation(reservation(w, { facilityId: w.dst, qty: m(1) }));
    });
    const px = policy(w);
    const py = policy(w, { itemId: w.itemY });
    const pd = policy(w, { facilityId: w.dst });
    await write(store, async (tx) => { for (const x of [px, py, pd]) await tx.policies.insertPolicy(x); });
    const all = await store.read.policies.policyPositions({}, NOW);
    // On hand available outside transit: 5 + 4 = 9; holding promises: 2 + (3 - 1) = 4.
    assert.equal(all.map((x) => [x.id, x.available]), [[pd.id, m(-1)], [px.id, m(5)], [py.id, m(0)]]);
    assert.equal(all[1], { ...px, available: m(5) });
    assert.equal((await store.read.policies.policyPositions({ facilityId: w.src }, NOW)).map((x) => x.id), [px.id, py.id]);
    assert.equal(await store.read.policies.policyPositions({ facilityId: newId() }, NOW), []);
  });

  s('transfer actions race reservations, fulfilment and postings of the same item: each unit runs once', async () => {
    // On PostgreSQL a deadlock fails one unit, which the store runs again: attempts count it.
    let units = 0;
    let attempts = 0;
    const now = () => new Date().toISOString();
    const unit = <T>(fn: (tx: Writer) => Promise<Result<T>>): Promise<T> => {
      units++;
      return store.write(async (tx) => {
        attempts++;
        return unwrap(await fn(tx));
      });
    };
    const ims = new Ims(store);
    const lines = [{ itemId: w.itemX, qty: 5 }];
    for (let round = 0; round < 8; round++) {
      unwrap(await ims.inventory.adjust({ itemId: w.itemX, locationId: w.srcA, qtyDelta: 50 }));
      const mk = () => unit((tx) => createTransfer(tx, { fromFacilityId: w.src, toFacilityId: w.dst, lines }, now()));
      const [toRelease, alsoToRelease, toShip, toReceive, toCancel] = [await mk(), await mk(), await mk(), await mk(), await mk()];
      for (const t of [toShip, toReceive, toCancel]) await unit((tx) => releaseTransfer(tx, t.id, now()));
      await unit((tx) => shipTransfer(tx, toReceive.id, { lines: [{ lineId: toReceive.lines[0]!.id, qty: 5, fromLocationId: w.srcA }] }, now()));
      const r = await unit((tx) => createReservation(tx, { itemId: w.itemX, facilityId: w.src, qty: 3, demand: { type: 'manual' } }, now()));
      units = 0;
      attempts = 0;
      await Promise.all([
        unit((tx) => releaseTransfer(tx, toRelease.id, now())),
        unit((tx) => releaseTransfer(tx, alsoToRelease.id, now())),
        unit((tx) => shipTransfer(tx, toShip.id, { lines: [{ lineId: toShip.lines[0]!.id, qty: 2, fromLocationId: w.srcA }] }, now())),
        unit((tx) => receiveTransfer(tx, toReceive.id, { lines: [{ lineId: toReceive.lines[0]!.id, qty: 5, toLocationId: w.dstBin }] }, now())),
        unit((tx) => cancelTransfer(tx, toCancel.id, now())),
        unit((tx) => createReservation(tx, { itemId: w.itemX, facilityId: w.src, qty: 1, demand: { type: 'manual' } }, now())),
        unit((tx) => fulfillReservation(tx, r.id, { qty: 1 }, now())),
        unit((tx) => postAdjustment(tx, { itemId: w.itemX, locationId: w.srcA, qtyDelta: -1 }, now())),
        unit((tx) => postAdjustment(tx, { itemId: w.itemX, locationId: w.dstBin, qtyDelta: 1 }, now())),
        unit((tx) => createTransfer(tx, { fromFacilityId: w.dst, toFacilityId: w.src, lines }, now())),
      ]);
      assert.is(attempts, units, `round ${round}: ${attempts - units} unit(s) ran again`);
    }
    assert.equal(await verifyBalances(store.read), []);
  });

  if (name !== 'postgres') {
    console.log(`  skip transfers and policies [${name}]: stock locks of a transfer read: SQLite runs units one at a time`);
    s.skip('a transfer read in a unit holds the stock locks of its lines at the source (SQLite runs units one at a time)');
  } else {
    s('a transfer read in a unit holds the stock locks of its lines at the source', async () => {
      const t = transfer(w);
      await write(store, (tx) => tx.transfers.insertTransfer(t));
      const run = (pair: { itemId: string; facilityId: string }) =>
        finishOrder(store, (tx) => tx.transfers.getTransfer(t.id), (tx) => tx.ledger.getStockPositions([pair], NOW));
      assert.equal(await run({ itemId: w.itemX, facilityId: w.src }), WAITED);
      // Another item, or the same item elsewhere, does not wait.
      assert.equal(await run({ itemId: w.itemY, facilityId: w.src }), WENT_ON);
      assert.equal(await run({ itemId: w.itemX, facilityId: w.dst }), WENT_ON);
    });
  }

  s.run();
}

const LATER = () => tick();

onEveryStore(contract);
