// WAL checkpoints on SQLite files run in a worker thread with a connection of its own, so the
// server's event loop never stops for them; where no worker can open the driver, they run on
// the writer's thread between batches. Either way the WAL's pages reach the database file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ims } from '../../core/ims.js';
import { chooseDriver } from '../../storage/sqlite/drivers.js';
import { fileURLToPath } from 'node:url';
import { Checkpointer, LONE_COMMITS } from '../../storage/sqlite/checkpointer.js';
import type { Db } from '../../storage/sqlite/database.js';
import { SqliteStore, WAL_LIMIT, type SqliteOptions } from '../../storage/sqlite/store.js';

let dir: string;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'ims-checkpoint-'));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Writes enough rows to fill some pages, then waits for a checkpoint to copy them. */
async function checkpointed(options: SqliteOptions): Promise<{ where: string; grew: boolean }> {
  const file = join(dir, 'ims.db');
  const store = SqliteStore.open(file, { checkpointIntervalMs: 0, ...options });
  try {
    const before = statSync(file).size;
    const ims = new Ims(store);
    await Promise.all(Array.from({ length: 200 }, (_, i) => ims.uoms.create({ code: `U${i}`, name: `Unit ${i} `.repeat(20), decimals: 0 })));
    // The batch above asked for a checkpoint; one more write after it asks again if it was early.
    await ims.uoms.create({ code: 'LAST', name: 'Last', decimals: 0 });
    await until(() => store.checkpointer!.completed > 0);
    return { where: store.checkpointer!.where, grew: statSync(file).size > before };
  } finally {
    await store.close();
  }
}

test('checkpoints run in a worker thread and copy the WAL into the database file', async () => {
  assert.equal(await checkpointed({}), { where: 'worker', grew: true });
});

test('under steady writes the WAL starts over after each checkpoint instead of growing without end', async () => {
  const file = join(dir, 'ims.db');
  const store = SqliteStore.open(file, { checkpointIntervalMs: 0 });
  try {
    const ims = new Ims(store);
    // One commit after another: the worker's copy always ends behind the writer.
    for (let i = 0; i < 1500; i++) await ims.uoms.create({ code: `U${i}`, name: `Unit ${i} `.repeat(20), decimals: 0 });
    assert.is(store.checkpointer!.where, 'worker');
    const wal = statSync(`${file}-wal`).size;
    // Never starting over, it held all 1500 commits (14 MB, measured); starting over, far less.
    assert.ok(wal < 4 * 1024 * 1024, `the WAL file is ${(wal / 1024 / 1024).toFixed(1)} MB`);
  } finally {
    await store.close();
  }
});

test('a driver a worker cannot open checkpoints on the writer thread instead', async () => {
  const driver = { ...chooseDriver(), worker: undefined };
  assert.equal(await checkpointed({ driver }), { where: 'thread', grew: true });
});

test('a worker that cannot open the database falls back to the writer thread', async () => {
  const driver = { ...chooseDriver(), worker: { module: 'no-such-sqlite-driver', kind: 'node' as const } };
  assert.equal(await checkpointed({ driver }), { where: 'thread', grew: true });
});

test('closing the store closes the worker\'s connection and its thread ends at once', async () => {
  const store = SqliteStore.open(join(dir, 'ims.db'), { checkpointIntervalMs: 0 });
  await new Ims(store).uoms.create({ code: 'EA', name: 'Each', decimals: 0 });
  await until(() => store.checkpointer!.completed > 0);
  const started = Date.now();
  await store.close();
  // Not the 5-second forced termination: the worker closed its database and exited.
  assert.ok(Date.now() - started < 2000, `closed in ${Date.now() - started} ms`);
  assert.equal(store.checkpointer!.where, 'worker');
});

/** Passes the worker makes when its checkpoints find the WAL holding `logs` frames in turn. */
async function passes(logs: number[]): Promise<number> {
  const module = fileURLToPath(new URL('../support/scripted-checkpoints.cjs', import.meta.url));
  const checkpointer = new Checkpointer({} as Db, JSON.stringify(logs), 0, WAL_LIMIT, { module, kind: 'better-sqlite3' }, () => false);
  try {
    checkpointer.due(1);
    await until(() => checkpointer.completed > 0);
    assert.is(checkpointer.where, 'worker');
    return checkpointer.passes;
  } finally {
    await checkpointer.close();
  }
}

test('the worker copies in passes until one finds few new frames, at most four, so the writer\'s thread copies little', async () => {
  assert.is(await passes([100]), 1, 'an idle WAL: one pass');
  assert.is(await passes([30_000, 31_000, 31_200]), 3, '1,000 frames came during the second pass, 200 during the third');
  assert.is(await passes([10_000, 20_000, 30_000, 40_000, 50_000]), 4, 'a writer faster than the copy: four passes, then the writer\'s thread');
});

test('a lone writer starts a checkpoint every 256 commits whatever the interval; batches of more units wait for the interval', async () => {
  const module = fileURLToPath(new URL('../support/scripted-checkpoints.cjs', import.meta.url));
  const hour = 3_600_000;
  const checkpointer = new Checkpointer({} as Db, JSON.stringify([100]), hour, WAL_LIMIT, { module, kind: 'better-sqlite3' }, () => false);
  try {
    for (let i = 0; i < 1000; i++) checkpointer.due(2);
    for (let i = 1; i < LONE_COMMITS; i++) checkpointer.due(1);
    assert.is(checkpointer.started, 0, 'batches of two never count, and 255 lone commits are not yet enough');
    checkpointer.due(1);
    assert.is(checkpointer.started, 1);
    await until(() => checkpointer.completed > 0);
    // Counting starts over with the checkpoint.
    for (let i = 1; i < LONE_COMMITS; i++) checkpointer.due(1);
    assert.is(checkpointer.started, 1);
  } finally {
    await checkpointer.close();
  }
});

test('the WAL file is cut back to no less than a busy second of commits fills', async () => {
  // A second of single postings wrote 180 MB of WAL; cut back to less, every commit past the
  // cut grows the file again, and its fsync is slower (see the store's constructor).
  assert.ok(WAL_LIMIT >= 256 * 1024 * 1024);
  const store = SqliteStore.open(join(dir, 'ims.db'));
  try {
    const db = (store as unknown as { db: { prepare(sql: string): { value(): unknown } } }).db;
    assert.is(db.prepare('PRAGMA journal_size_limit').value(), WAL_LIMIT);
  } finally {
    await store.close();
  }
});

test.run();
