// Reads on a reader thread (storage/sqlite/reader-thread.ts): they see every write that has
// resolved, and when the thread stops the reads go back to the writer's connection, the
// unanswered ones run again there. (The whole storage contract runs on a reader-thread store
// too: test/storage/sqlite.test.ts.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ims } from '../../core/ims.js';
import { SqliteStore } from '../../storage/sqlite/store.js';

let dir: string;
let store: SqliteStore;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'ims-reader-'));
  store = SqliteStore.open(join(dir, 'ims.db'), { readerThread: true });
});
test.after.each(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function created(ims: Ims, code: string): Promise<{ id: string }> {
  const uom = await ims.uoms.create({ code, name: `Unit ${code}`, decimals: 0 });
  if (!uom.ok) throw new Error(uom.message);
  return uom.value as { id: string };
}

/** The store's thread, for the tests that stop it. */
const thread = () => (store as unknown as { readerThread: { worker: { terminate(): Promise<number> } | null } }).readerThread;

test('reads run on the thread and see each write as soon as it has resolved', async () => {
  assert.ok(thread()?.worker, 'the thread started');
  const ims = new Ims(store);
  for (let i = 0; i < 20; i++) {
    const uom = await created(ims, `U${i}`);
    const read = await store.read.catalog.getUoms([uom.id]);
    assert.is(read[0]?.code, `U${i}`);
  }
});

test('a thread that stops hands its unanswered reads back to the writer connection', async () => {
  const ims = new Ims(store);
  const uom = await created(ims, 'EA');
  const reads = Array.from({ length: 50 }, () => store.read.catalog.getUoms([uom.id]));
  await thread()!.worker!.terminate();
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('reads left unanswered')), 5000).unref());
  for (const r of await Promise.race([Promise.all(reads), timeout])) assert.is(r[0]?.code, 'EA');
  assert.is(thread()!.worker, null, 'reads went back to the writer connection');
  assert.is((await store.read.catalog.getUoms([uom.id]))[0]?.code, 'EA');
});

test('a store in memory has no reader thread: there is no second connection to the same data', async () => {
  const memory = SqliteStore.open(':memory:', { readerThread: true });
  try {
    assert.is((memory as unknown as { readerThread: unknown }).readerThread, null);
  } finally {
    await memory.close();
  }
});

test.run();
