// The cycle-count ports on every adapter (SQLite file and memory, PostgreSQL): sessions and
// lines round-trip exactly and updates replace what they name; lists filter and page; a
// snapshot reads the last seq and the non-zero available balances of its scope (location
// subtrees by whole path segments, items; never transit, other statuses or facilities), in
// order; a count's view of its places tells on-hand, movement after a seq and serials;
// session numbers count up and a rolled-back unit gives its number back; a session read in a
// unit is not changed by another unit until the first ends.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CountLineRecord, CountSessionRecord } from '../../core/count.js';
import { newId } from '../../core/id.js';
import { Ims } from '../../core/ims.js';
import { UniqueViolation, type Store } from '../../core/ports.js';
import { toMicro, type Micro } from '../../core/quantity.js';
import { unwrap } from '../../core/result.js';
import { onEveryStore } from '../support/stores.js';

const m = (n: number) => toMicro(n)! as Micro;
const NOW = '2030-06-01T00:00:00.000Z';
const LATER = '2030-06-02T00:00:00.000Z';

interface World {
  ims: Ims;
  plain: string;
  other: string;
  lotted: string;
  serial: string;
  facilityId: string;
  otherFacilityId: string;
  a: string;
  z: string;
  z1: string;
  z11: string;
  zz: string;
  far: string;
  transitId: string;
  l1: string;
  l2: string;
}

type Id = { id: string };

async function seed(store: Store): Promise<World> {
  const ims = new Ims(store);
  const uom = unwrap(await ims.uoms.create({ code: 'EA', name: 'Each', decimals: 3 })) as Id;
  const mk = async (itemNo: string, extra: Record<string, unknown> = {}) =>
    (unwrap(await ims.items.create({ itemNo, name: itemNo, itemKind: 'purchased', baseUomId: uom.id, ...extra } as never)) as Id).id;
  const plain = await mk('C-2');
  const other = await mk('C-1');
  const lotted = await mk('C-3', { lotTracking: 'tracked' });
  const serial = await mk('C-4', { serialTracking: 'tracked' });
  const facility = unwrap(await ims.facilities.create({ code: 'WH', name: 'WH', type: 'warehouse' })) as Id;
  const otherFacility = unwrap(await ims.facilities.create({ code: 'WH2', name: 'WH2', type: 'warehouse' })) as Id;
  const loc = async (facilityId: string, code: string, parentId?: string) =>
    (unwrap(await ims.locations.create(facilityId, { code, name: code, type: 'bin', ...(parentId ? { parentId } : {}) })) as Id).id;
  const a = await loc(facility.id, 'A');
  const z = await loc(facility.id, 'Z');
  const z1 = await loc(facility.id, 'Z1', z);
  const z11 = await loc(facility.id, 'Z11', z1);
  const zz = await loc(facility.id, 'ZZ');
  const far = await loc(otherFacility.id, 'A');
  const transit = (await store.read.facilities.listLocations(facility.id, { type: 'transit' }, { limit: 10, offset: 0 })).items[0]!;
  const adjust = async (body: Record<string, unknown>) => unwrap(await ims.inventory.adjust(body as never)) as { lines: Array<{ lotId: string }> };
  await adjust({ itemId: plain, locationId: a, qtyDelta: 5 });
  await adjust({ itemId: other, locationId: a, qtyDelta: 1.5 } as never);
  await adjust({ itemId: plain, locationId: z11, qtyDelta: 2 });
  await adjust({ itemId: plain, locationId: zz, qtyDelta: 3 });
  await adjust({ itemId: plain, locationId: z1, qtyDelta: 4, statusId: 'quarantine' });
  await adjust({ itemId: plain, locationId: far, qtyDelta: 6 });
  const l2 = (await adjust({ itemId: lotted, locationId: z1, qtyDelta: 1, lotNo: 'L2' })).lines[0]!.lotId;
  const l1 = (await adjust({ itemId: lotted, locationId: z1, qtyDelta: 2, lotNo: 'L1' })).lines[0]!.lotId;
  await adjust({ itemId: serial, locationId: a, qtyDelta: 2, serialNos: ['S2', 'S1'] });
  // A balance that went back to zero is not counted.
  await adjust({ itemId: other, locationId: z1, qtyDelta: 1 });
  await adjust({ itemId: other, locationId: z1, qtyDelta: -1 });
  return {
    ims, plain, other, lotted, serial, facilityId: facility.id, otherFacilityId: otherFacility.id, a, z, z1, z11, zz, far,
    transitId: transit.id, l1, l2,
  };
}

function line(o: Partial<CountLineRecord> & Pick<CountLineRecord, 'itemId' | 'locationId' | 'lineNo'>): CountLineRecord {
  return {
    id: newId(), lotId: null, lotNo: null, snapshotQty: m(0), expectedQty: m(0), countedQty: null, movedSinceSnapshot: null,
    countedAt: null, serialNos: null, expectedSerialNos: null, ...o,
  };
}

function record(w: World, o: Partial<CountSessionRecord> = {}): CountSessionRecord {
  return {
    id: newId(), sessionNo: `CC-${Math.random().toString().slice(2, 10)}`, facilityId: w.facilityId, locationIds: null, itemIds: null,
    blind: false, notes: null, status: 'open', snapshotSeq: 3, lines: [], postedTransactionId: null,
    statusHistory: [{ from: null, to: 'open', at: NOW, by: null }], createdAt: NOW, updatedAt: NOW, version: 1, ...o,
  };
}

async function lastSeq(store: Store): Promise<number> {
  return (await store.read.ledger.listTransactions({}, { limit: 1, offset: 0 })).items[0]!.seq;
}

function contract(name: string, open: () => Promise<Store>, skip: string | null): void {
  const s = suite(`counts [${name}]`);
  if (skip) {
    console.log(`  skip counts [${name}]: ${skip}`);
    s.skip('count ports');
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

  s('a session and its lines round-trip every field; an update replaces the session and the lines it names', async () => {
    const lines = [
      line({ lineNo: 1, itemId: w.plain, locationId: w.a, snapshotQty: m(5), expectedQty: m(5) }),
      line({ lineNo: 2, itemId: w.lotted, locationId: w.z1, lotId: w.l1, lotNo: 'L1', snapshotQty: m(2), expectedQty: m(3), countedQty: m(2.5),
        movedSinceSnapshot: true, countedAt: LATER }),
      line({ lineNo: 3, itemId: w.serial, locationId: w.a, snapshotQty: m(2), expectedQty: m(2), countedQty: m(1), movedSinceSnapshot: false,
        countedAt: LATER, serialNos: ['S1'], expectedSerialNos: ['S1', 'S2'] }),
    ];
    const r = record(w, { locationIds: [w.a, w.z], itemIds: [w.plain], blind: true, notes: 'night shift', lines });
    await store.write((tx) => tx.counts.insertSession(r));
    assert.equal(await store.read.counts.getSession(r.id), r);
    assert.is(await store.read.counts.getSession(newId()), null);
    assert.is(await store.read.counts.getSession('not\u0000an id'), null);

    const recounted = { ...lines[0]!, expectedQty: m(6), countedQty: m(0), movedSinceSnapshot: true, countedAt: LATER };
    const added = line({ lineNo: 4, itemId: w.other, locationId: w.zz, countedQty: m(1), movedSinceSnapshot: false, countedAt: LATER });
    const next: CountSessionRecord = {
      ...r, status: 'posted', postedTransactionId: newId(), version: 2, updatedAt: LATER,
      statusHistory: [...r.statusHistory, { from: 'open', to: 'posted', at: LATER, by: { tokenId: null, name: 'embedder' } }], lines: [recounted, lines[1]!, lines[2]!, added],
    };
    await store.write((tx) => tx.counts.updateSession(next, [recounted, added]));
    assert.equal(await store.read.counts.getSession(r.id), next);
    // A line of another session with the same place is its own.
    const second = record(w, { lines: [line({ lineNo: 1, itemId: w.plain, locationId: w.a, snapshotQty: m(5), expectedQty: m(5) })] });
    await store.write((tx) => tx.counts.insertSession(second));
    assert.equal(await store.read.counts.getSession(second.id), second);
    // Two lines for one place in a session, or a session number twice, are refused.
    const twice = record(w, { lines: [line({ lineNo: 1, itemId: w.plain, locationId: w.a }), line({ lineNo: 2, itemId: w.plain, locationId: w.a })] });
    await store.write((tx) => tx.counts.insertSession(twice)).then(() => assert.unreachable('inserted'), (e) => assert.instance(e, UniqueViolation));
    await store.write((tx) => tx.counts.insertSession(record(w, { sessionNo: r.sessionNo })))
      .then(() => assert.unreachable('inserted'), (e) => assert.instance(e, UniqueViolation));
    assert.is(await store.read.counts.getSession(twice.id), null);
  });

  s('lists filter by facility and status, newest first, paged, each session with its lines', async () => {
    const made: CountSessionRecord[] = [];
    for (let i = 0; i < 4; i++) {
      const r = record(w, {
        createdAt: `2030-06-0${i + 1}T00:00:00.000Z`, status: i === 2 ? 'cancelled' : 'open',
        facilityId: i === 3 ? w.otherFacilityId : w.facilityId,
        lines: [line({ lineNo: 1, itemId: w.plain, locationId: w.a, snapshotQty: m(i + 1), expectedQty: m(i + 1) })],
      });
      made.push(r);
      await store.write((tx) => tx.counts.insertSession(r));
    }
    const ids = (p: { items: CountSessionRecord[] }) => p.items.map((x) => x.id);
    const all = await store.read.counts.listSessions({}, { limit: 50, offset: 0 });
    assert.equal([ids(all), all.total], [[made[3]!.id, made[2]!.id, made[1]!.id, made[0]!.id], 4]);
    assert.equal(all.items[0], made[3]);
    assert.equal(ids(await store.read.counts.listSessions({ facilityId: w.facilityId }, { limit: 50, offset: 0 })), [made[2]!.id, made[1]!.id, made[0]!.id]);
    assert.equal(ids(await store.read.counts.listSessions({ facilityId: w.facilityId, status: 'open' }, { limit: 50, offset: 0 })), [made[1]!.id, made[0]!.id]);
    assert.equal(ids(await store.read.counts.listSessions({ status: 'posted' }, { limit: 50, offset: 0 })), []);
    const paged = await store.read.counts.listSessions({}, { limit: 2, offset: 1 });
    assert.equal([ids(paged), paged.total], [[made[2]!.id, made[1]!.id], 4]);
    assert.equal(paged.items.map((x) => x.lines.map((l) => l.snapshotQty)), [[m(3)], [m(2)]]);
  });

  s('a snapshot: the last seq and the non-zero available balances of the scope, in order', async () => {
    const seq = await lastSeq(store);
    const snap = (scope: { locationPaths?: string[] | null; itemIds?: string[] | null }, limit = 100) => store.write((tx) =>
      tx.counts.snapshotScope({ facilityId: w.facilityId, locationPaths: null, itemIds: null, ...scope }, limit));
    const whole = await snap({});
    assert.is(whole.seq, seq);
    // By location path, then item number (C-1 before C-2), then lot number.
    assert.equal(whole.balances.map((b) => [b.locationId, b.itemId, b.lotId, b.lotNo, b.onHand]), [
      [w.a, w.other, null, null, m(1.5)],
      [w.a, w.plain, null, null, m(5)],
      [w.a, w.serial, null, null, m(2)],
      [w.z1, w.lotted, w.l1, 'L1', m(2)],
      [w.z1, w.lotted, w.l2, 'L2', m(1)],
      [w.z11, w.plain, null, null, m(2)],
      [w.zz, w.plain, null, null, m(3)],
    ]);
    // Z holds Z/Z1 and Z/Z1/Z11, not ZZ.
    const z = await snap({ locationPaths: ['Z'] });
    assert.equal(z.balances.map((b) => [b.locationId, b.itemId]), [[w.z1, w.lotted], [w.z1, w.lotted], [w.z11, w.plain]]);
    assert.equal((await snap({ locationPaths: ['Z/Z1/Z11', 'ZZ'] })).balances.map((b) => b.locationId), [w.z11, w.zz]);
    assert.equal((await snap({ itemIds: [w.plain] })).balances.map((b) => b.locationId), [w.a, w.z11, w.zz]);
    assert.equal((await snap({ itemIds: [w.plain, w.lotted], locationPaths: ['Z'] })).balances.map((b) => b.itemId), [w.lotted, w.lotted, w.plain]);
    assert.equal((await snap({ itemIds: [newId()] })).balances, []);
    const capped = await snap({}, 2);
    assert.equal([capped.seq, capped.balances.length], [seq, 2]);
    const elsewhere = await store.write((tx) => tx.counts.snapshotScope({ facilityId: w.otherFacilityId, locationPaths: null, itemIds: null }, 10));
    assert.equal(elsewhere.balances.map((b) => [b.locationId, b.onHand]), [[w.far, m(6)]]);
    const empty = await store.write((tx) => tx.counts.snapshotScope({ facilityId: newId(), locationPaths: null, itemIds: null }, 10));
    assert.equal(empty, { seq, balances: [] });
  });

  s('a count\'s places: on hand now, moved after a seq (available lines only), serials there', async () => {
    const seq = await lastSeq(store);
    const places = [
      { itemId: w.plain, locationId: w.a, lotId: null },
      { itemId: w.lotted, locationId: w.z1, lotId: w.l1 },
      { itemId: w.serial, locationId: w.a, lotId: null },
      { itemId: w.other, locationId: w.z1, lotId: null },
      { itemId: w.plain, locationId: w.z, lotId: null },
    ];
    const read = (after: number) => store.write((tx) => tx.counts.countPlaces(places, after));
    assert.equal((await read(seq)).map((p) => [p.itemId, p.locationId, p.lotId, p.onHand, p.moved, p.serialNos]), [
      [w.plain, w.a, null, m(5), false, []],
      [w.lotted, w.z1, w.l1, m(2), false, []],
      [w.serial, w.a, null, m(2), false, ['S1', 'S2']],
      [w.other, w.z1, null, m(0), false, []],
      [w.plain, w.z, null, m(0), false, []],
    ]);
    assert.equal((await read(0)).map((p) => p.moved), [true, true, true, true, false]);
    unwrap(await w.ims.inventory.adjust({ itemId: w.lotted, locationId: w.z1, qtyDelta: 1, lotId: w.l1 } as never));
    unwrap(await w.ims.inventory.adjust({ itemId: w.plain, locationId: w.a, qtyDelta: 1, statusId: 'quarantine' } as never));
    unwrap(await w.ims.inventory.adjust({ itemId: w.lotted, locationId: w.z1, qtyDelta: 1, lotId: w.l2 } as never));
    const after = await read(seq);
    assert.equal(after.map((p) => [p.onHand, p.moved]), [[m(5), false], [m(3), true], [m(2), false], [m(0), false], [m(0), false]]);
    assert.equal(await store.read.counts.countPlaces([], seq), []);
  });

  s('a session read in a unit is not changed by another unit until the first ends (no lost update)', async () => {
    const r = record(w);
    await store.write((tx) => tx.counts.insertSession(r));
    const bump = (tag: string) => store.write(async (tx) => {
      const found = (await tx.counts.getSession(r.id))!;
      await new Promise((resolve) => setTimeout(resolve, 30));
      await tx.counts.updateSession({ ...found, version: found.version + 1, statusHistory: [...found.statusHistory, { from: 'open', to: 'open', at: tag, by: null }] }, []);
    });
    await Promise.all([bump('x'), bump('y')]);
    const final = (await store.read.counts.getSession(r.id))!;
    assert.is(final.version, 3);
    assert.equal(final.statusHistory.map((h) => h.at).slice(1).sort(), ['x', 'y']);
  });

  s.run();
}

onEveryStore(contract);
