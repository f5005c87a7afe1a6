// The reservation ports on every adapter: records round-trip exactly; lists filter and show
// expired reservations as released; allocations are replaced as a set and listed only while
// their reservation holds; stock positions count available statuses outside transit and the
// holding promises, per facility and per place; and verification finds what does not add up.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Ims } from '../../core/ims.js';
import { newId } from '../../core/id.js';
import type { Store } from '../../core/ports.js';
import { toMicro, type Micro } from '../../core/quantity.js';
import type { AllocationRecord, ReservationRecord } from '../../core/reservation.js';
import { unwrap } from '../../core/result.js';
import { onEveryStore } from '../support/stores.js';

const m = (n: number) => toMicro(n)! as Micro;
const NOW = '2030-06-01T00:00:00.000Z';
const LATER = '2030-06-02T00:00:00.000Z';

interface World {
  itemId: string;
  lotItemId: string;
  facilityId: string;
  a: string;
  b: string;
  transitId: string;
  lotId: string;
}

async function seed(store: Store): Promise<World> {
  const ims = new Ims(store);
  const uom = unwrap(await ims.uoms.create({ code: 'EA', name: 'Each' })) as { id: string };
  const item = unwrap(await ims.items.create({ itemNo: 'R-1', name: 'R', itemKind: 'purchased', baseUomId: uom.id })) as { id: string };
  const lotItem = unwrap(await ims.items.create({ itemNo: 'R-2', name: 'L', itemKind: 'purchased', baseUomId: uom.id, lotTracking: 'tracked' })) as { id: string };
  const facility = unwrap(await ims.facilities.create({ code: 'WH', name: 'WH', type: 'warehouse' })) as { id: string };
  const a = unwrap(await ims.locations.create(facility.id, { code: 'A', name: 'A', type: 'bin' })) as { id: string };
  const b = unwrap(await ims.locations.create(facility.id, { code: 'B', name: 'B', type: 'bin', isPickable: false })) as { id: string };
  const transit = (await store.read.facilities.listLocations(facility.id, { type: 'transit' }, { limit: 10, offset: 0 })).items[0]!;
  unwrap(await ims.inventory.adjust({ itemId: item.id, locationId: a.id, qtyDelta: 6 }));
  unwrap(await ims.inventory.adjust({ itemId: item.id, locationId: b.id, qtyDelta: 4 }));
  unwrap(await ims.inventory.adjust({ itemId: item.id, locationId: a.id, qtyDelta: 3, statusId: 'quarantine' }));
  const lotPosting = unwrap(await ims.inventory.adjust({ itemId: lotItem.id, locationId: a.id, qtyDelta: 2, lotNo: 'L1' })) as { lines: Array<{ lotId: string }> };
  return { itemId: item.id, lotItemId: lotItem.id, facilityId: facility.id, a: a.id, b: b.id, transitId: transit.id, lotId: lotPosting.lines[0]!.lotId };
}

function record(w: World, over: Partial<ReservationRecord> = {}): ReservationRecord {
  return {
    id: newId(), itemId: w.itemId, facilityId: w.facilityId, qty: m(3), qtyAllocated: m(0), qtyFulfilled: m(0), status: 'open',
    demand: { type: 'manual', id: null, lineId: null }, expiresAt: null, createdAt: NOW, updatedAt: NOW, version: 1, ...over,
  };
}

function allocation(w: World, r: ReservationRecord, over: Partial<AllocationRecord> = {}): AllocationRecord {
  return { id: newId(), reservationId: r.id, itemId: r.itemId, facilityId: w.facilityId, locationId: w.a, lotId: null, qty: m(1), createdAt: NOW, ...over };
}

const write = (store: Store, fn: (tx: Parameters<Parameters<Store['write']>[0]>[0]) => Promise<void>) => store.write(fn);

function contract(name: string, open: () => Promise<Store>, skip: string | null): void {
  const s = suite(`reservations [${name}]`);
  if (skip) {
    console.log(`  skip reservations [${name}]: ${skip}`);
    s.skip('reservation ports');
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

  s('a reservation round-trips every field exactly; an update replaces it', async () => {
    const r = record(w, { qty: m(2.5), demand: { type: 'sales_order', id: 'SO-1', lineId: 'L-9' }, expiresAt: LATER });
    await write(store, (tx) => tx.reservations.insertReservation(r));
    assert.equal(await store.read.reservations.getReservation(r.id), r);
    const next = { ...r, qtyAllocated: m(1), status: 'allocated' as const, updatedAt: LATER, version: 2 };
    await write(store, (tx) => tx.reservations.updateReservation(next));
    assert.equal(await store.read.reservations.getReservation(r.id), next);
    assert.is(await store.read.reservations.getReservation(newId()), null);
  });

  s('lists filter; an expired reservation lists as released, and only then', async () => {
    const open1 = record(w);
    const expired = record(w, { expiresAt: '2030-05-31T00:00:00.000Z', demand: { type: 'transfer', id: 'T-1', lineId: null } });
    const done = record(w, { status: 'fulfilled', qtyFulfilled: m(3) });
    await write(store, async (tx) => { for (const r of [open1, expired, done]) await tx.reservations.insertReservation(r); });
    const list = (f: object) => store.read.reservations.listReservations(f, { limit: 50, offset: 0 }, NOW).then((p) => p.items.map((r) => r.id).sort());
    assert.equal(await list({ status: 'released' }), [expired.id]);
    assert.equal(await list({ status: 'open' }), [open1.id]);
    assert.equal(await list({ status: 'fulfilled' }), [done.id]);
    assert.equal(await list({ demandType: 'transfer', demandId: 'T-1' }), [expired.id]);
    assert.equal(await list({ itemId: w.lotItemId }), []);
    const page = await store.read.reservations.listReservations({}, { limit: 2, offset: 0 }, NOW);
    assert.equal([page.items.length, page.total], [2, 3]);
  });

  s('allocations are replaced as a set, and listed only while their reservation holds', async () => {
    const r = record(w, { status: 'allocated', qtyAllocated: m(2) });
    const lotR = record(w, { itemId: w.lotItemId, status: 'allocated', qtyAllocated: m(1) });
    await write(store, async (tx) => {
      await tx.reservations.insertReservation(r);
      await tx.reservations.insertReservation(lotR);
      await tx.reservations.putAllocations(r.id, [allocation(w, r), allocation(w, r, { locationId: w.b })]);
      await tx.reservations.putAllocations(lotR.id, [allocation(w, lotR, { lotId: w.lotId })]);
    });
    assert.is((await store.read.reservations.getAllocations(r.id)).length, 2);
    const listed = await store.read.reservations.listAllocations({ itemId: w.lotItemId }, { limit: 50, offset: 0 }, NOW);
    assert.equal(listed.items.map((a) => [a.lotId, a.lotNo, a.qty]), [[w.lotId, 'L1', 1]]);
    assert.is((await store.read.reservations.listAllocations({ locationId: w.b }, { limit: 50, offset: 0 }, NOW)).total, 1);
    await write(store, (tx) => tx.reservations.putAllocations(r.id, [allocation(w, r, { qty: m(2) })]));
    assert.equal((await store.read.reservations.getAllocations(r.id)).map((a) => [a.locationId, a.qty]), [[w.a, m(2)]]);
    await write(store, (tx) => tx.reservations.updateReservation({ ...r, status: 'released', version: 2 }));
    assert.is((await store.read.reservations.listAllocations({ reservationId: r.id }, { limit: 50, offset: 0 }, NOW)).total, 0);
  });

  s('a stock position counts available statuses outside transit, and what holding reservations promise', async () => {
    const soft = record(w, { qty: m(2) });
    const hard = record(w, { qty: m(3), qtyAllocated: m(3), status: 'allocated' });
    const gone = record(w, { qty: m(4), expiresAt: '2030-05-01T00:00:00.000Z' });
    await write(store, async (tx) => {
      for (const r of [soft, hard, gone]) await tx.reservations.insertReservation(r);
      await tx.reservations.putAllocations(hard.id, [allocation(w, hard, { qty: m(3) })]);
    });
    const [p] = await store.read.ledger.getStockPositions([{ itemId: w.itemId, facilityId: w.facilityId }], NOW);
    assert.equal([p!.onHand, p!.reserved, p!.allocated], [m(10), m(2), m(3)]);
    const places = Object.fromEntries(p!.locations.map((l) => [l.locationId, [l.onHand, l.allocated, l.isPickable]]));
    assert.equal(places, { [w.a]: [m(6), m(3), true], [w.b]: [m(4), 0, false] });
    const [lot] = await store.read.ledger.getStockPositions([{ itemId: w.lotItemId, facilityId: w.facilityId }], NOW);
    assert.equal(lot!.locations.map((l) => [l.lotId, l.lotNo, l.onHand]), [[w.lotId, 'L1', m(2)]]);
    assert.ok(lot!.locations[0]!.lotCreatedAt);
    // committedOnly leaves out positions nothing is promised from.
    const committed = await store.read.ledger.getStockPositions(
      [{ itemId: w.itemId, facilityId: w.facilityId }, { itemId: w.lotItemId, facilityId: w.facilityId }], NOW, { committedOnly: true });
    assert.equal(committed.map((x) => x.itemId), [w.itemId]);
    assert.equal(await store.read.reservations.committedPairs(NOW), [{ itemId: w.itemId, facilityId: w.facilityId }]);
  });

  s('verification finds a reservation whose allocated quantity is not its allocations', async () => {
    const r = record(w, { status: 'allocated', qtyAllocated: m(2) });
    await write(store, async (tx) => {
      await tx.reservations.insertReservation(r);
      await tx.reservations.putAllocations(r.id, [allocation(w, r, { qty: m(1) })]);
    });
    assert.equal(await store.read.reservations.allocationMismatches(), [{ reservationId: r.id, qtyAllocated: m(2), allocations: m(1) }]);
  });

  s.run();
}

onEveryStore(contract);
