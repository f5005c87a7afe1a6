// Group commit on SQLite: the units of one turn of the event loop share one commit, and after
// a batch of n units the store waits up to two more turns for as many, since the clients it
// just answered send their next units over the following turns. Each commit tells the store's
// observers how many units and postings it carried.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nowIso } from '../../core/clock.js';
import { Ims } from '../../core/ims.js';
import type { PostingCount, Store } from '../../core/ports.js';
import { post, type PostingRequest } from '../../core/posting.js';
import { SCALE, type Micro } from '../../core/quantity.js';
import { unwrap } from '../../core/result.js';
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

test.run();
