// Group commit on SQLite: the units of one turn of the event loop share one commit, and after
// a batch of n units the store waits up to two more turns for as many, since the clients it
// just answered send their next units over the following turns. Each commit tells the store's
// observers how many units and postings it carried. Units run without savepoints until one
// throws after writing; then the batch starts over with a savepoint each.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nowIso } from '../../core/clock.js';
import { Ims } from '../../core/ims.js';
import type { PostingCount, Store } from '../../core/ports.js';
import type { Uom } from '../../core/uom.js';
import { post, type PostingRequest } from '../../core/posting.js';
import { SCALE, type Micro } from '../../core/quantity.js';
import { unwrap } from '../../core/result.js';
import { newId } from '../../core/id.js';
import { AVAILABLE } from '../../core/status.js';
import { openStore } from '../../storage/open.js';

let store: Store;
let batches: number[];

test.before.each(async () => {
  store = await openStore('sqlite::memory:');
  batches = [];
  store.observe!({ committed: (units) => batches.push(units) });
});
test.after.each(() => store.close());

const unit = () => store.write(async () => 'done');
const nextTurn = () => new Promise((r) => setImmediate(r));

test('units of one turn share one commit', async () => {
  await Promise.all([unit(), unit(), unit()]);
  assert.equal(batches, [3]);
});

test('after a batch of 5, units arriving over the next turn still share one commit', async () => {
  await Promise.all(Array.from({ length: 5 }, unit));
  const first = [unit(), unit(), unit()];
  await nextTurn();
  await Promise.all([...first, unit(), unit()]);
  assert.equal(batches, [5, 5]);
});

test('the wait is bounded: a batch goes out after two more turns with what has come', async () => {
  await Promise.all(Array.from({ length: 5 }, unit));
  const early = unit();
  for (let i = 0; i < 4; i++) await nextTurn();
  await Promise.all([early, unit()]);
  assert.equal(batches, [5, 1, 1]);
});

test('a lone writer never waits: one unit at a time commits one at a time', async () => {
  for (let i = 0; i < 3; i++) await unit();
  assert.equal(batches, [1, 1, 1]);
});

test('a commit tells its observers the postings it carried, less those of a unit that rolled back', async () => {
  const ims = new Ims(store);
  const uom = unwrap(await ims.uoms.create({ code: 'EA', name: 'Each', decimals: 0 })) as { id: string };
  const item = unwrap(await ims.items.create({ itemNo: 'OBS-1', name: 'Observed', itemKind: 'purchased', baseUomId: uom.id })) as { id: string };
  const facility = unwrap(await ims.facilities.create({ code: 'OBS', name: 'Observed', type: 'warehouse' })) as { id: string };
  const bins = [];
  for (const code of ['A', 'B']) bins.push(unwrap(await ims.locations.create(facility.id, { code, name: code, type: 'bin' })) as { id: string });
  const request: PostingRequest = {
    type: 'adjustment',
    reason: 'observed',
    lines: bins.map((b, i) => ({ itemId: item.id, locationId: b.id, statusId: AVAILABLE, qty: SCALE as Micro, at: `/lines/${i}` })),
  };
  const seen: PostingCount[] = [];
  store.observe!({ committed: (_units, postings) => seen.push({ ...postings }) });
  const refused = store.write(async (tx) => {
    await post(tx, request, nowIso());
    throw new Error('rolled back after posting');
  });
  await Promise.all([
    store.write((tx) => post(tx, request, nowIso())),
    refused.catch(() => 'rolled back'),
    store.write((tx) => post(tx, request, nowIso())),
  ]);
  assert.equal(seen, [{ transactions: 2, lines: 4 }]);
});

/** The SQL the store's writer connection executes with exec() (BEGIN, SAVEPOINT, COMMIT...) while `run` runs. */
async function execLog(run: () => Promise<unknown>): Promise<string[]> {
  const db = (store as unknown as { db: { exec(sql: string): void } }).db;
  const exec = db.exec;
  const seen: string[] = [];
  db.exec = function (this: unknown, sql: string) {
    seen.push(sql);
    return exec.call(this, sql);
  };
  try {
    await run();
  } finally {
    db.exec = exec;
  }
  return seen;
}

const uom = (code: string): Uom => ({ id: newId(), code, name: code, decimals: 0, createdAt: nowIso() });

test('a unit that throws before writing is rejected alone, and the batch needs no savepoint', async () => {
  const [a, b] = [uom('A'), uom('B')];
  let settled: PromiseSettledResult<unknown>[] = [];
  const log = await execLog(async () => {
    settled = await Promise.allSettled([
      store.write((tx) => tx.catalog.insertUom(a)),
      store.write(async (tx) => {
        await tx.catalog.getUom(a.id);
        throw new Error('refused before writing');
      }),
      store.write((tx) => tx.catalog.insertUom(b)),
    ]);
  });
  assert.equal(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.equal(log, ['BEGIN IMMEDIATE', 'COMMIT']);
  assert.equal(await store.read.catalog.getUom(a.id), a);
  assert.equal(await store.read.catalog.getUom(b.id), b);
});

test('a unit that throws after writing: the batch starts over with a savepoint each, and the others commit once', async () => {
  const [a, b, c] = [uom('A'), uom('B'), uom('C')];
  const runs = { a: 0, c: 0 };
  let settled: PromiseSettledResult<unknown>[] = [];
  const log = await execLog(async () => {
    settled = await Promise.allSettled([
      store.write((tx) => (runs.a++, tx.catalog.insertUom(a))),
      store.write(async (tx) => {
        await tx.catalog.insertUom(b);
        throw new Error('fails after writing');
      }),
      store.write((tx) => (runs.c++, tx.catalog.insertUom(c))),
    ]);
  });
  assert.equal(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.equal(runs, { a: 2, c: 1 }, 'the unit before the failure ran again; the one after it ran only in the second pass');
  assert.equal(log.filter((sql) => /^(BEGIN|ROLLBACK$|COMMIT)/.test(sql)), ['BEGIN IMMEDIATE', 'ROLLBACK', 'BEGIN IMMEDIATE', 'COMMIT']);
  assert.is(log.filter((sql) => sql.startsWith('SAVEPOINT')).length, 3);
  assert.equal(await store.read.catalog.getUom(a.id), a);
  assert.is(await store.read.catalog.getUom(b.id), null);
  assert.equal(await store.read.catalog.getUom(c.id), c);
  assert.equal((await store.read.catalog.listUoms({ limit: 10, offset: 0 })).items.map((u) => u.code), ['A', 'C']);
});

test('when SQLite has rolled the whole transaction back (a full disk, I/O), no unit of the batch commits', async () => {
  const db = (store as unknown as { db: { exec(sql: string): void } }).db;
  const [a, c] = [uom('A'), uom('C')];
  const results = await Promise.allSettled([
    store.write((tx) => tx.catalog.insertUom(a)),
    store.write(async () => {
      // What SQLite does by itself on SQLITE_FULL or SQLITE_IOERR, before the error reaches us.
      db.exec('ROLLBACK');
      throw new Error('database or disk is full');
    }),
    store.write((tx) => tx.catalog.insertUom(c)),
  ]);
  assert.equal(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
  assert.is(await store.read.catalog.getUom(a.id), null);
  assert.is(await store.read.catalog.getUom(c.id), null, 'the unit after it did not commit on its own');
  const after = uom('D');
  await store.write((tx) => tx.catalog.insertUom(after));
  assert.equal(await store.read.catalog.getUom(after.id), after, 'the store goes on');
});

test('a write to a table no cached answer reads counts as a write: an event recorded before a failure rolls back', async () => {
  const results = await Promise.allSettled([
    store.write((tx) => tx.catalog.insertUom(uom('A'))),
    store.write(async (tx) => {
      await tx.events.recordEvent({ id: newId(), type: 'transaction.posted', occurredAt: nowIso(), data: {} });
      throw new Error('fails after recording its event');
    }),
  ]);
  assert.equal(results.map((r) => r.status), ['fulfilled', 'rejected']);
  assert.is(await store.read.events.lastEventSeq(), 0);
});

test.run();
