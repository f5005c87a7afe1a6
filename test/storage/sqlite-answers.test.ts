// The SQLite store's answer cache (storage/sqlite/answers.ts): an availability or balance
// answer is kept only while it is true. A commit of the store that may change it (postings
// and reservations end the answers about their items, other writes all), a commit by
// another connection, and a hold that expires end it; a read still running when answers end
// is not kept. (The storage contract and the whole HTTP suite also run on stores with the cache,
// as `ims serve` opens them.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ims } from '../../core/ims.js';
import { unwrap } from '../../core/result.js';
import { AnswerCache } from '../../storage/sqlite/answers.js';
import { Changes, writeKind } from '../../storage/sqlite/changes.js';
import { SqliteStore } from '../../storage/sqlite/store.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T01:00:00.000Z';
const T2 = '2026-01-01T02:00:00.000Z';

let dir: string;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'ims-answers-'));
});
test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface World {
  ims: Ims;
  itemId: string;
  facilityId: string;
  binId: string;
}

/** An item with 10 on hand in one bin; the clock is `clock.now`. */
async function world(store: SqliteStore, clock = { now: T0 }): Promise<World> {
  const ims = new Ims(store, { now: () => clock.now });
  const uom = unwrap(await ims.uoms.create({ code: 'EA', name: 'Each', decimals: 0 })) as { id: string };
  const item = unwrap(await ims.items.create({ itemNo: 'A-1', name: 'A', itemKind: 'purchased', baseUomId: uom.id })) as { id: string };
  const facility = unwrap(await ims.facilities.create({ code: 'F1', name: 'F1', type: 'warehouse' })) as { id: string };
  const bin = unwrap(await ims.locations.create(facility.id, { code: 'B1', name: 'B1', type: 'bin' })) as { id: string };
  unwrap(await ims.inventory.adjust({ itemId: item.id, locationId: bin.id, qtyDelta: 10 }));
  return { ims, itemId: item.id, facilityId: facility.id, binId: bin.id };
}

const turn = () => new Promise((r) => setImmediate(r));

for (const readerThread of [false, true]) {
  const where = readerThread ? 'reads on the reader thread' : 'reads on the writer connection';

  test(`${where}: a repeated read is the same frozen answer; a commit ends it before the writer hears back`, async () => {
    const store = SqliteStore.open(join(dir, 'ims.db'), { answerCache: true, readerThread });
    try {
      const w = await world(store);
      const first = await store.read.ledger.listAvailability({ itemId: w.itemId }, { limit: 50, offset: 0 }, T0);
      const again = await store.read.ledger.listAvailability({ itemId: w.itemId }, { limit: 50, offset: 0 }, T0);
      assert.ok(first === again, 'kept');
      assert.ok(Object.isFrozen(first.items[0]), 'deep-frozen: callers share it');
      assert.is(first.items[0]!.onHand, 10);
      const balances = await store.read.ledger.listBalances({ itemId: w.itemId }, { limit: 50, offset: 0 });
      unwrap(await w.ims.inventory.adjust({ itemId: w.itemId, locationId: w.binId, qtyDelta: 5 }));
      // No turn passes between the reply and the reads.
      assert.is((await store.read.ledger.listAvailability({ itemId: w.itemId }, { limit: 50, offset: 0 }, T0)).items[0]!.onHand, 15);
      assert.is((await store.read.ledger.listBalances({ itemId: w.itemId }, { limit: 50, offset: 0 })).items[0]!.onHand, 15);
      assert.is(balances.items[0]!.onHand, 10, 'an answer handed out earlier stays as it was');
    } finally {
      await store.close();
    }
  });

  test(`${where}: reads racing postings see each posting once it has resolved`, async () => {
    const store = SqliteStore.open(join(dir, 'ims.db'), { answerCache: true, readerThread });
    try {
      const w = await world(store);
      for (let i = 1; i <= 30; i++) {
        // The read starts before the posting's batch; on the thread it may answer before or after the commit.
        const during = store.read.ledger.listAvailability({ itemId: w.itemId }, { limit: 50, offset: 0 }, T0);
        const posted = w.ims.inventory.adjust({ itemId: w.itemId, locationId: w.binId, qtyDelta: 1 });
        await during;
        unwrap(await posted);
        const after = await store.read.ledger.listAvailability({ itemId: w.itemId }, { limit: 50, offset: 0 }, T0);
        assert.is(after.items[0]!.onHand, 10 + i);
      }
    } finally {
      await store.close();
    }
  });
}

test('an answer ends when the first hold on its items expires, and is not used for an earlier instant', async () => {
  const store = SqliteStore.open(join(dir, 'ims.db'), { answerCache: true, readerThread: true });
  try {
    const clock = { now: T0 };
    const w = await world(store, clock);
    unwrap(await w.ims.reservations.create({ itemId: w.itemId, facilityId: w.facilityId, qty: 4, demand: { type: 'manual' }, expiresAt: T1 }));
    const at = async (now: string) => {
      clock.now = now;
      const page = await w.ims.inventory.availability({ itemId: w.itemId }, 'facility');
      return page.items[0] as { reserved: number; available: number };
    };
    assert.equal(await at(T0), await at(T0));
    assert.is((await at(T0)).reserved, 4);
    assert.is((await at(T1)).reserved, 0, 'expired at T1');
    assert.is((await at(T2)).available, 10);
    assert.is((await at(T0)).reserved, 4, 'asked again for an instant before: held then');
  } finally {
    await store.close();
  }
});

test('what another connection commits is seen from the next turn of the event loop', async () => {
  const file = join(dir, 'ims.db');
  const store = SqliteStore.open(file, { answerCache: true, readerThread: true });
  const other = SqliteStore.open(file);
  try {
    const w = await world(store);
    assert.is((await store.read.ledger.listBalances({ itemId: w.itemId }, { limit: 50, offset: 0 })).items[0]!.onHand, 10);
    unwrap(await new Ims(other).inventory.adjust({ itemId: w.itemId, locationId: w.binId, qtyDelta: 7 }));
    await turn();
    assert.is((await store.read.ledger.listBalances({ itemId: w.itemId }, { limit: 50, offset: 0 })).items[0]!.onHand, 17);
    assert.is((await w.ims.inventory.availability({ itemId: w.itemId })).items[0]!.onHand, 17);
  } finally {
    await other.close();
    await store.close();
  }
});

test('without the option nothing is kept: embedders get answers of their own to change', async () => {
  const store = SqliteStore.open(join(dir, 'ims.db'));
  try {
    const w = await world(store);
    const first = await store.read.ledger.listBalances({ itemId: w.itemId }, { limit: 50, offset: 0 });
    assert.not.ok(Object.isFrozen(first.items));
    assert.ok(first !== await store.read.ledger.listBalances({ itemId: w.itemId }, { limit: 50, offset: 0 }));
  } finally {
    await store.close();
  }
});

const PAGE = { limit: 50, offset: 0 };

/** A second item with stock in the same bin. */
async function secondItem(w: World): Promise<string> {
  const uom = unwrap(await w.ims.uoms.create({ code: 'BX', name: 'Box', decimals: 0 })) as { id: string };
  const item = unwrap(await w.ims.items.create({ itemNo: 'B-1', name: 'B', itemKind: 'purchased', baseUomId: uom.id })) as { id: string };
  unwrap(await w.ims.inventory.adjust({ itemId: item.id, locationId: w.binId, qtyDelta: 3 }));
  return item.id;
}

test('a posting ends the answers about its items and those about no one item; the answers about other items are kept', async () => {
  const store = SqliteStore.open(join(dir, 'ims.db'), { answerCache: true, readerThread: true });
  try {
    const w = await world(store);
    const b = await secondItem(w);
    const aBalances = await store.read.ledger.listBalances({ itemId: w.itemId }, PAGE);
    const aAvailable = await store.read.ledger.listAvailability({ itemId: w.itemId }, PAGE, T0);
    const bBalances = await store.read.ledger.listBalances({ itemId: b }, PAGE);
    // Cached before the posting, as the answers about A are.
    await store.read.ledger.listBalances({}, PAGE);
    await store.read.ledger.listBalances({ locationId: w.binId }, PAGE);
    unwrap(await w.ims.inventory.adjust({ itemId: b, locationId: w.binId, qtyDelta: 4 }));
    assert.ok(await store.read.ledger.listBalances({ itemId: w.itemId }, PAGE) === aBalances, "A's balances kept");
    assert.ok(await store.read.ledger.listAvailability({ itemId: w.itemId }, PAGE, T0) === aAvailable, "A's availability kept");
    assert.is((await store.read.ledger.listBalances({ itemId: b }, PAGE)).items[0]!.onHand, 7);
    assert.is(bBalances.items[0]!.onHand, 3, 'an answer handed out earlier stays as it was');
    assert.is((await store.read.ledger.listBalances({}, PAGE)).items.find((r) => r.itemId === b)!.onHand, 7, 'all items: ended');
    assert.is((await store.read.ledger.listBalances({ locationId: w.binId }, PAGE)).items.find((r) => r.itemId === b)!.onHand, 7,
      'a location: ended');
  } finally {
    await store.close();
  }
});

test("a reservation ends its item's availability; a change to an item record ends every answer", async () => {
  const store = SqliteStore.open(join(dir, 'ims.db'), { answerCache: true });
  try {
    const w = await world(store);
    const b = await secondItem(w);
    const bAvailable = await store.read.ledger.listFacilityAvailability({ itemId: b }, PAGE, T0);
    const held = unwrap(await w.ims.reservations.create({ itemId: w.itemId, facilityId: w.facilityId, qty: 4, demand: { type: 'manual' } })) as { id: string };
    assert.is((await store.read.ledger.listFacilityAvailability({ itemId: w.itemId }, PAGE, T0)).items[0]!.reserved, 4);
    unwrap(await w.ims.reservations.update(held.id, { qty: 2 }));
    assert.is((await store.read.ledger.listFacilityAvailability({ itemId: w.itemId }, PAGE, T0)).items[0]!.reserved, 2, 'changed');
    unwrap(await w.ims.reservations.allocate(held.id, {}));
    const allocated = await store.read.ledger.listAvailability({ itemId: w.itemId }, PAGE, T0);
    assert.is(allocated.items[0]!.allocated, 2);
    // Allocations taken away on their own, as no command does today: still the reservation's item.
    await store.write((tx) => tx.reservations.putAllocations(held.id, []));
    assert.is((await store.read.ledger.listAvailability({ itemId: w.itemId }, PAGE, T0)).items[0]!.allocated, 0, 'taken away');
    assert.ok(await store.read.ledger.listFacilityAvailability({ itemId: b }, PAGE, T0) === bAvailable, "B's kept");
    unwrap(await w.ims.items.update(b, { name: 'B renamed' }));
    assert.ok(await store.read.ledger.listFacilityAvailability({ itemId: b }, PAGE, T0) !== bAvailable, 'an item changed: all ended');
  } finally {
    await store.close();
  }
});

// ---------------------------------------------------------------------------- the cache alone

const page = (n: number) => ({ items: Array.from({ length: n }, (_, i) => ({ i })), total: n });

test('AnswerCache: an answer holds from the instant it was read until its end; timeless ones always', () => {
  const cache = new AnswerCache();
  cache.set('a', cache.generation, page(1), null, T1, T2);
  assert.ok(cache.get('a', T1));
  assert.ok(cache.get('a', '2026-01-01T01:59:59.999Z'));
  assert.is(cache.get('a', T2), undefined, 'ends at its end');
  assert.is(cache.get('a', T0), undefined, 'not before it was read');
  cache.set('b', cache.generation, page(1), null, null, null);
  assert.ok(cache.get('b', null));
});

test('AnswerCache: emptying it ends every answer, and one read before is not kept', () => {
  const cache = new AnswerCache();
  const read = cache.generation;
  cache.set('a', read, page(1), null, null, null);
  cache.clear();
  assert.is(cache.get('a', null), undefined);
  const kept = cache.set('a', read, page(2), null, null, null);
  assert.is(cache.get('a', null), undefined, 'read before the clear: not kept');
  assert.ok(Object.isFrozen(kept.items), 'but handed back frozen all the same');
});

test('AnswerCache: bounded by rows, the oldest answers go first; one too large is not kept', () => {
  const cache = new AnswerCache(100);
  for (let k = 0; k < 20; k++) cache.set(`k${k}`, cache.generation, page(9), null, null, null);
  assert.is(cache.get('k0', null), undefined, 'the oldest went');
  assert.ok(cache.get('k19', null));
  const kept = Array.from({ length: 20 }, (_, k) => cache.get(`k${k}`, null)).filter(Boolean).length;
  assert.is(kept, 10, '10 answers of 9 rows and their envelope fit in 100');
  cache.set('big', cache.generation, page(20), null, null, null);
  assert.is(cache.get('big', null), undefined, 'more than a tenth of the bound');
});

test('AnswerCache: what changed ends the answers about those items and those about no one item', () => {
  const cache = new AnswerCache();
  cache.set('a', cache.generation, page(1), 'A', null, null);
  cache.set('b', cache.generation, page(1), 'B', null, null);
  cache.set('any', cache.generation, page(1), null, null, null);
  cache.changed({ all: false, items: new Set() });
  assert.ok(cache.get('any', null), 'nothing changed: all kept');
  cache.changed({ all: false, items: new Set(['B']) });
  assert.ok(cache.get('a', null));
  assert.is(cache.get('b', null), undefined);
  assert.is(cache.get('any', null), undefined);
  cache.changed({ all: true, items: new Set() });
  assert.is(cache.get('a', null), undefined);
});

test('Changes: writes to the ledger and holds count for the items named around them; anything else for all', () => {
  assert.is(writeKind('SELECT * FROM balances'), 'none');
  assert.is(writeKind('WITH x AS (SELECT 1) SELECT * FROM x'), 'none');
  assert.is(writeKind('INSERT INTO events (id) VALUES (?)'), 'unrelated');
  assert.is(writeKind('  UPDATE balances SET on_hand = ?'), 'scoped');
  assert.is(writeKind('INSERT OR IGNORE INTO lots (id) VALUES (?)'), 'scoped');
  assert.is(writeKind('DELETE FROM allocations WHERE reservation_id = ?'), 'scoped');
  assert.is(writeKind('UPDATE items SET name = ?'), 'all');
  assert.is(writeKind('WITH x AS (SELECT 1) INSERT INTO balances SELECT * FROM x'), 'all');
  const c = new Changes();
  c.forItems(['A'], () => c.wrote('scoped'));
  assert.equal([c.all, [...c.items]], [false, ['A']]);
  c.wrote('scoped');
  assert.ok(c.all, 'a scoped write outside forItems: all');
  c.clear();
  c.wrote('unrelated');
  assert.not.ok(c.all, 'a write no answer reads ends none');
  c.wrote('all');
  assert.ok(c.all);
  assert.is(c.writes, 4, 'every write counts, kept across clear()');
});

test.run();
