// Group commit on SQLite: the units of one turn of the event loop share one commit, and after
// a batch of n units the store waits up to two more turns for as many, since the clients it
// just answered send their next units over the following turns.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Store } from '../../core/ports.js';
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

test.run();
