// The production ports on every adapter (SQLite file, SQLite memory, PostgreSQL): BOMs and
// work orders round-trip exactly, inside a unit and out; a BOM update replaces its components
// only when asked; version numbers are unique per item and one version per item is active;
// lists filter and page newest first; lot origins join their work order; facility stock
// counts what availability counts. On PostgreSQL, reading a work order in a unit takes the
// stock locks of its components first, activations queue on one lock, and work-order commands
// racing reservations and postings of the same items never deadlock.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BomRecord } from '../../core/bom.js';
import { Ims } from '../../core/ims.js';
import { newId } from '../../core/id.js';
import { UniqueViolation, type Store, type Writer } from '../../core/ports.js';
import { toMicro, type Micro } from '../../core/quantity.js';
import { createReservation } from '../../core/reservation.js';
import { unwrap, type Result } from '../../core/result.js';
import { verifyBalances } from '../../core/verify.js';
import {
  cancelWorkOrder, completeWorkOrder, createWorkOrder, releaseWorkOrder, type WorkOrderCompletionRecord, type WorkOrderRecord,
} from '../../core/work-order.js';
import { postAdjustment } from '../../core/adjustment.js';
import { finishOrder, WAITED, WENT_ON } from '../support/locks.js';
import { onEveryStore } from '../support/stores.js';

const m = (n: number) => toMicro(n)! as Micro;
const NOW = '2030-06-01T00:00:00.000Z';
const page = (limit = 50, offset = 0) => ({ limit, offset });

interface World {
  made: string;
  other: string;
  x: string;
  y: string;
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
  const mk = async (itemNo: string, itemKind: string, extra = {}) =>
    (unwrap(await ims.items.create({ itemNo, name: itemNo, itemKind: itemKind as 'purchased', baseUomId: uom.id, ...extra })) as { id: string }).id;
  const made = await mk('MADE', 'manufactured', { lotTracking: 'tracked' });
  const other = await mk('OTHER', 'phantom');
  const x = await mk('X', 'purchased');
  const y = await mk('Y', 'purchased');
  const lotItem = await mk('L', 'purchased', { lotTracking: 'tracked' });
  const src = unwrap(await ims.facilities.create({ code: 'SRC', name: 'Source', type: 'plant' })) as { id: string };
  const dst = unwrap(await ims.facilities.create({ code: 'DST', name: 'Destination', type: 'plant' })) as { id: string };
  const a = unwrap(await ims.locations.create(src.id, { code: 'A', name: 'A', type: 'bin' })) as { id: string };
  const b = unwrap(await ims.locations.create(src.id, { code: 'B', name: 'B', type: 'bin' })) as { id: string };
  const transit = (await store.read.facilities.listLocations(src.id, { type: 'transit' }, page())).items[0]!;
  const dstBin = unwrap(await ims.locations.create(dst.id, { code: 'D', name: 'D', type: 'bin' })) as { id: string };
  const posted = unwrap(await ims.inventory.adjust({ itemId: made, locationId: a.id, qtyDelta: 1, lotNo: 'LOT-1' })) as { id: string; lines: Array<{ lotId: string }> };
  return {
    made, other, x, y, lotItem, lotId: posted.lines[0]!.lotId, src: src.id, dst: dst.id, srcA: a.id, srcB: b.id, srcTransit: transit.id,
    dstBin: dstBin.id, transactionId: posted.id,
  };
}

let clock = Date.parse('2030-01-01T00:00:00.000Z');
const tick = () => new Date((clock += 1000)).toISOString();

function bom(w: World, over: Partial<BomRecord> = {}): BomRecord {
  const at = tick();
  return {
    id: newId(),
    itemId: w.made,
    version: 1,
    status: 'draft',
    outputQty: m(2.5),
    notes: null,
    components: [
      { id: newId(), lineNo: 1, itemId: w.x, qty: m(2), uomId: null, qtyBase: m(2), scrapPct: m(12.5) },
      { id: newId(), lineNo: 2, itemId: w.y, qty: m(0.000001), uomId: null, qtyBase: m(0.000001), scrapPct: m(0) },
    ],
    statusHistory: [{ from: null, to: 'draft', at, by: { tokenId: null, name: 'planner' } }],
    createdAt: at,
    updatedAt: at,
    revision: 1,
    ...over,
  };
}

function workOrder(w: World, b: BomRecord, over: Partial<WorkOrderRecord> = {}): WorkOrderRecord {
  const id = newId();
  const at = tick();
  return {
    id,
    workOrderNo: `WO-${id.slice(-6)}`,
    itemId: w.made,
    bomId: b.id,
    bomVersion: b.version,
    facilityId: w.src,
    outputLocationId: w.srcB,
    componentLocationId: null,
    qty: m(10),
    qtyCompleted: m(0),
    status: 'draft',
    notes: null,
    components: [
      { id: newId(), lineNo: 1, itemId: w.x, qtyRequired: m(45), qtyIssued: m(0), reservationId: null },
      { id: newId(), lineNo: 2, itemId: w.y, qtyRequired: m(0.000004), qtyIssued: m(0), reservationId: null },
    ],
    completions: [],
    statusHistory: [{ from: null, to: 'draft', at, by: null }],
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...over,
  };
}

/** Resolves when `p` rejects with an error of this class. */
async function rejects(p: Promise<unknown>, expected: new (...args: any[]) => Error): Promise<void> {
  const error = await p.then(() => null, (e: unknown) => e);
  assert.ok(error, 'expected a rejection');
  assert.instance(error, expected);
}

const write = <T>(store: Store, fn: (tx: Writer) => Promise<T>) => store.write(fn);

function contract(name: string, open: () => Promise<Store>, skip: string | null): void {
  const s = suite(`production [${name}]`);
  if (skip) {
    console.log(`  skip production [${name}]: ${skip}`);
    s.skip('production ports');
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

  s('a BOM round-trips every field exactly, inside a unit and out; updates replace components only when asked', async () => {
    const b = bom(w, { notes: 'Grüße ✓' });
    await write(store, (tx) => tx.production.insertBom(b));
    assert.equal(await store.read.production.getBom(b.id), b);
    assert.equal(await write(store, (tx) => tx.production.getBom(b.id)), b);
    assert.equal(await store.read.production.findBom(w.made, 1), b);
    assert.is(await store.read.production.findBom(w.made, 2), null);
    assert.is(await store.read.production.getBom(newId()), null);
    assert.is(await write(store, (tx) => tx.production.getBom(newId())), null);
    const header: BomRecord = {
      ...b, status: 'active', outputQty: m(7), notes: null, updatedAt: tick(), revision: 2,
      statusHistory: [...b.statusHistory, { from: 'draft', to: 'active', at: tick(), by: null }],
      components: [{ ...b.components[0]!, qty: m(99) }],
    };
    await write(store, (tx) => tx.production.updateBom(header, false));
    assert.equal(await store.read.production.getBom(b.id), { ...header, components: b.components });
    const lines: BomRecord = { ...header, components: [{ id: newId(), lineNo: 1, itemId: w.lotItem, qty: m(3), uomId: null, qtyBase: m(3), scrapPct: m(0.5) }] };
    await write(store, (tx) => tx.production.updateBom(lines, true));
    assert.equal(await store.read.production.getBom(b.id), lines);
  });

  s('versions: unique per item, the last one counted; one active version per item; active BOMs by item', async () => {
    assert.is(await store.read.production.lastBomVersion(w.made), 0);
    const v1 = bom(w, { status: 'active' });
    const v3 = bom(w, { version: 3 });
    const otherActive = bom(w, { itemId: w.other, status: 'active' });
    await write(store, async (tx) => {
      for (const b of [v1, v3, otherActive]) await tx.production.insertBom(b);
    });
    assert.equal([await store.read.production.lastBomVersion(w.made), await store.read.production.lastBomVersion(w.other)], [3, 1]);
    await rejects(write(store, (tx) => tx.production.insertBom(bom(w, { version: 3 }))), UniqueViolation);
    await rejects(write(store, (tx) => tx.production.insertBom(bom(w, { version: 4, status: 'active' }))), UniqueViolation);
    await rejects(write(store, (tx) => tx.production.updateBom({ ...v3, status: 'active' }, false)), UniqueViolation);
    const active = await store.read.production.getActiveBoms([w.made, w.other, w.x, w.made]);
    assert.equal(active.sort((a, b) => a.itemId.localeCompare(b.itemId)), [v1, otherActive].sort((a, b) => a.itemId.localeCompare(b.itemId)));
    assert.equal(await store.read.production.getActiveBoms([]), []);
    assert.equal(await write(store, (tx) => tx.production.getActiveBoms([w.other])), [otherActive]);
    // A unit that rolled back left nothing behind.
    assert.equal((await store.read.production.listBoms({ itemId: w.made }, page())).total, 2);
  });

  s('BOM lists filter by item and status and page newest first', async () => {
    const a = bom(w);
    const b = bom(w, { version: 2, status: 'active' });
    const c = bom(w, { itemId: w.other });
    await write(store, async (tx) => {
      for (const x of [a, b, c]) await tx.production.insertBom(x);
    });
    const ids = async (f: object, p = page()) => (await store.read.production.listBoms(f, p)).items.map((x) => x.id);
    assert.equal(await ids({}), [c.id, b.id, a.id]);
    assert.equal(await ids({ itemId: w.made }), [b.id, a.id]);
    assert.equal(await ids({ status: 'active' }), [b.id]);
    assert.equal(await ids({ itemId: w.other, status: 'active' }), []);
    const second = await store.read.production.listBoms({}, page(2, 1));
    assert.equal([second.items.map((x) => x.id), second.total], [[b.id, a.id], 3]);
    assert.equal(second.items[0], b, 'with components');
  });

  s('a work order round-trips with lines and completions; an update writes header and lines; lot origins join it', async () => {
    const b = bom(w, { status: 'active' });
    const wo = workOrder(w, b, { notes: 'night shift', componentLocationId: w.srcA });
    await write(store, async (tx) => {
      await tx.production.insertBom(b);
      await tx.production.insertWorkOrder(wo);
    });
    assert.equal(await store.read.production.getWorkOrder(wo.id), wo);
    assert.equal(await write(store, (tx) => tx.production.getWorkOrder(wo.id)), wo);
    assert.is(await store.read.production.getWorkOrder(newId()), null);
    assert.is(await write(store, (tx) => tx.production.getWorkOrder(newId())), null);
    const ims = new Ims(store);
    unwrap(await ims.inventory.adjust({ itemId: w.x, locationId: w.srcA, qtyDelta: 50 }));
    const r = unwrap(await ims.reservations.create({ itemId: w.x, facilityId: w.src, qty: 45, demand: { type: 'work_order', id: wo.id } })) as { id: string };
    const completion: WorkOrderCompletionRecord = {
      id: newId(), workOrderId: wo.id, completionNo: 1, qty: m(2.5), issueTransactionId: null, outputTransactionId: w.transactionId,
      lotId: w.lotId, lotNo: 'LOT-1', createdAt: tick(),
    };
    const next: WorkOrderRecord = {
      ...wo,
      status: 'released',
      qtyCompleted: m(2.5),
      components: [{ ...wo.components[0]!, qtyIssued: m(11.25), reservationId: r.id }, wo.components[1]!],
      completions: [completion],
      statusHistory: [...wo.statusHistory, { from: 'draft', to: 'released', at: tick(), by: { tokenId: 't', name: 'clerk' } }],
      updatedAt: tick(),
      version: 2,
    };
    await write(store, async (tx) => {
      await tx.production.updateWorkOrder(next);
      await tx.production.insertCompletion(completion);
      await tx.production.insertLotOrigin({ lotId: w.lotId, itemId: w.made, workOrderId: wo.id, bomId: b.id, bomVersion: 1, createdAt: NOW });
    });
    assert.equal(await store.read.production.getWorkOrder(wo.id), next);
    assert.equal(await store.read.production.getLotOrigin(w.lotId), {
      lotId: w.lotId, itemId: w.made, workOrderId: wo.id, workOrderNo: wo.workOrderNo, bomId: b.id, bomVersion: 1, createdAt: NOW,
    });
    assert.is(await store.read.production.getLotOrigin(newId()), null);
    await rejects(write(store, (tx) => tx.production.insertWorkOrder(workOrder(w, b, { workOrderNo: wo.workOrderNo }))), UniqueViolation);
    await rejects(write(store, (tx) => tx.production.insertCompletion({ ...completion, id: newId() })), UniqueViolation);
    await rejects(write(store, (tx) => tx.production.insertLotOrigin({ lotId: w.lotId, itemId: w.made, workOrderId: wo.id, bomId: b.id, bomVersion: 1, createdAt: NOW })), UniqueViolation);
  });

  s('work order lists filter by status, item, facility and number, newest first', async () => {
    const b = bom(w, { status: 'active' });
    const p = workOrder(w, b);
    const q = workOrder(w, b, { status: 'released', facilityId: w.dst, outputLocationId: w.dstBin });
    const r = workOrder(w, b, { itemId: w.other, status: 'completed' });
    await write(store, async (tx) => {
      await tx.production.insertBom(b);
      for (const x of [p, q, r]) await tx.production.insertWorkOrder(x);
    });
    const ids = async (f: object, pg = page()) => (await store.read.production.listWorkOrders(f, pg)).items.map((x) => x.id);
    assert.equal(await ids({}), [r.id, q.id, p.id]);
    assert.equal(await ids({ status: 'released' }), [q.id]);
    assert.equal(await ids({ itemId: w.made }), [q.id, p.id]);
    assert.equal(await ids({ facilityId: w.src }), [r.id, p.id]);
    assert.equal(await ids({ q: p.workOrderNo.toLowerCase() }), [p.id]);
    assert.equal(await ids({ q: 'wo-' }), [r.id, q.id, p.id]);
    assert.equal(await ids({ q: 'nothing' }), []);
    const second = await store.read.production.listWorkOrders({}, page(1, 1));
    assert.equal([second.items, second.total], [[q], 3]);
  });

  s('facility stock: on hand in available statuses outside transit, less what holding reservations promise, one row per item', async () => {
    const ims = new Ims(store);
    unwrap(await ims.inventory.adjust({ itemId: w.x, locationId: w.srcA, qtyDelta: 6 }));
    unwrap(await ims.inventory.adjust({ itemId: w.x, locationId: w.srcB, qtyDelta: 4 }));
    unwrap(await ims.inventory.adjust({ itemId: w.x, locationId: w.srcA, qtyDelta: 3, statusId: 'quarantine' }));
    unwrap(await ims.inventory.adjust({ itemId: w.x, locationId: w.dstBin, qtyDelta: 100 }));
    unwrap(await ims.reservations.create({ itemId: w.x, facilityId: w.src, qty: 2, demand: { type: 'manual' } }));
    const allocated = unwrap(await ims.reservations.create({ itemId: w.x, facilityId: w.src, qty: 3, demand: { type: 'manual' } })) as { id: string };
    unwrap(await ims.reservations.allocate(allocated.id));
    unwrap(await ims.reservations.fulfill(allocated.id, { qty: 1 }));
    const released = unwrap(await ims.reservations.create({ itemId: w.x, facilityId: w.src, qty: 1, demand: { type: 'manual' } })) as { id: string };
    unwrap(await ims.reservations.release(released.id));
    const rows = await store.read.production.facilityStock([w.x, w.y, w.x], w.src, new Date().toISOString());
    // 6 + 4 − 1 shipped = 9 on hand; promised 2 + (3 − 1) = 4.
    assert.equal(rows.sort((a, b) => a.itemId.localeCompare(b.itemId)), [
      { itemId: w.x, onHand: m(9), promised: m(4) }, { itemId: w.y, onHand: m(0), promised: m(0) },
    ].sort((a, b) => a.itemId.localeCompare(b.itemId)));
    assert.equal(await store.read.production.facilityStock([], w.src, NOW), []);
  });

  s('work orders race reservations and postings of the same items: every unit runs once, and the ledger verifies', async () => {
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
    const plain = (unwrap(await ims.items.create({ itemNo: 'PLAIN', name: 'Plain', itemKind: 'manufactured', baseUomId: (await store.read.catalog.findUomByCode('EA'))!.id })) as { id: string }).id;
    const b = unwrap(await ims.production.boms.create({ itemId: plain, components: [{ itemId: w.x, qty: 2 }, { itemId: w.y, qty: 1 }] })) as { id: string };
    unwrap(await ims.production.boms.activate(b.id));
    const wo = (qty: number) => unit((tx) => createWorkOrder(tx, { itemId: plain, qty, facilityId: w.src, outputLocationId: w.srcB }, now()));
    for (let round = 0; round < 6; round++) {
      unwrap(await ims.inventory.adjust({ itemId: w.x, locationId: w.srcA, qtyDelta: 40 }));
      unwrap(await ims.inventory.adjust({ itemId: w.y, locationId: w.srcA, qtyDelta: 20 }));
      const [toRelease, toComplete, toFinish, toCancel] = [await wo(3), await wo(4), await wo(2), await wo(1)];
      for (const x of [toComplete, toFinish, toCancel]) await unit((tx) => releaseWorkOrder(tx, x.id, now()));
      units = 0;
      attempts = 0;
      await Promise.all([
        unit((tx) => releaseWorkOrder(tx, toRelease.id, now())),
        unit((tx) => completeWorkOrder(tx, toComplete.id, { qty: 1 }, now())),
        unit((tx) => completeWorkOrder(tx, toFinish.id, {}, now())),
        unit((tx) => cancelWorkOrder(tx, toCancel.id, now())),
        unit((tx) => createReservation(tx, { itemId: w.x, facilityId: w.src, qty: 1, demand: { type: 'manual' } }, now())),
        unit((tx) => createReservation(tx, { itemId: w.y, facilityId: w.src, qty: 1, demand: { type: 'manual' } }, now())),
        unit((tx) => postAdjustment(tx, { itemId: w.x, locationId: w.srcA, qtyDelta: -1 }, now())),
        unit((tx) => postAdjustment(tx, { itemId: w.y, locationId: w.srcB, qtyDelta: 1 }, now())),
        unit((tx) => createWorkOrder(tx, { itemId: plain, qty: 1, facilityId: w.src, outputLocationId: w.srcB }, now())),
      ]);
      assert.is(attempts, units, `round ${round}: ${attempts - units} unit(s) ran again`);
    }
    assert.equal(await verifyBalances(store.read), []);
  });

  if (name !== 'postgres') {
    console.log(`  skip production [${name}]: stock locks of a work order read, the activation lock: SQLite runs units one at a time`);
    s.skip('a work order read in a unit holds the stock locks of its components (SQLite runs units one at a time)');
  } else {
    s('a work order read in a unit holds the stock locks of its components at its facility', async () => {
      const b = bom(w, { status: 'active' });
      const wo = workOrder(w, b);
      await write(store, async (tx) => {
        await tx.production.insertBom(b);
        await tx.production.insertWorkOrder(wo);
      });
      const run = (other: (tx: Writer) => Promise<unknown>) => finishOrder(store, (tx) => tx.production.getWorkOrder(wo.id), other);
      assert.equal(await run((tx) => tx.ledger.getStockPositions([{ itemId: w.x, facilityId: w.src }], NOW)), WAITED);
      assert.equal(await run((tx) => tx.ledger.getStockPositions([{ itemId: w.y, facilityId: w.src }], NOW)), WAITED);
      // Another item, or the same item elsewhere, does not wait.
      assert.equal(await run((tx) => tx.ledger.getStockPositions([{ itemId: w.lotItem, facilityId: w.src }], NOW)), WENT_ON);
      assert.equal(await run((tx) => tx.ledger.getStockPositions([{ itemId: w.x, facilityId: w.dst }], NOW)), WENT_ON);
      // The work order's row itself is locked too.
      assert.equal(await run((tx) => tx.production.getWorkOrder(wo.id)), WAITED);
    });

    s('activations queue on one lock; other units do not', async () => {
      const run = (other: (tx: Writer) => Promise<unknown>) => finishOrder(store, (tx) => tx.production.lockBomGraph(), other);
      assert.equal(await run((tx) => tx.production.lockBomGraph()), WAITED);
      assert.equal(await run((tx) => tx.production.getActiveBoms([w.made])), WENT_ON);
    });
  }

  s.run();
}

onEveryStore(contract);
