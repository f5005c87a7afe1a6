// The SQLite store caches items, UOMs, locations, tokens, and the balance and valuation rows a
// posting reads, for the hot paths. A cache must
// never serve what a rolled-back unit wrote, nor a version an update replaced, nor what
// another process changed in the file since, nor let a caller change what the next one reads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCommand } from '../../core/command.js';
import { createFacility } from '../../core/facility.js';
import { createItem, updateItem, type Item } from '../../core/item.js';
import { createLocation } from '../../core/location.js';
import { postAdjustment } from '../../core/adjustment.js';
import type { Store } from '../../core/ports.js';
import { unwrap, type Result } from '../../core/result.js';
import type { TransactionView } from '../../core/ledger.js';
import { createUom } from '../../core/uom.js';
import { openStore } from '../../storage/open.js';
import { authenticate, createToken, revokeToken } from '../../core/token.js';
import { chooseDriver } from '../../storage/sqlite/drivers.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const now = () => new Date().toISOString();
let store: Store;
let item: Item;
let uomId: string;

test.before.each(async () => {
  store = await openStore('sqlite::memory:');
  uomId = unwrap(await runCommand(store, (tx) => createUom(tx, { code: 'EA', name: 'Each' }, now()))).id;
  item = unwrap(await runCommand(store, (tx) => createItem(tx, { itemNo: 'A-1', name: 'A', itemKind: 'purchased', baseUomId: uomId }, now())));
});
test.after.each(async () => {
  await store.close();
});

test('an item read inside a unit that rolls back is not served afterwards', async () => {
  const failed = store.write(async (tx) => {
    const created = unwrap(await createItem(tx, { itemNo: 'GHOST', name: 'G', itemKind: 'purchased', baseUomId: uomId }, now()));
    assert.ok(await tx.catalog.getItem(created.id)); // read (and cached) inside the unit
    throw Object.assign(new Error('roll back'), { id: created.id });
  });
  const error = (await failed.catch((e) => e)) as { id: string };
  assert.is(await store.read.catalog.getItem(error.id), null);
});

test('an update replaces the cached item; a rolled-back update leaves the committed one', async () => {
  await store.read.catalog.getItem(item.id); // cached
  unwrap(await runCommand(store, (tx) => updateItem(tx, item.id, { name: 'Renamed' }, now())));
  assert.is((await store.read.catalog.getItem(item.id))!.name, 'Renamed');
  await store.write(async (tx) => {
    unwrap(await updateItem(tx, item.id, { name: 'Never' }, now()));
    throw new Error('roll back');
  }).catch(() => {});
  const after = (await store.read.catalog.getItem(item.id))!;
  assert.is(after.name, 'Renamed');
  assert.is(after.version, 2);
});

test('a location created by a rolled-back unit is not served', async () => {
  const facility = unwrap(await runCommand(store, (tx) => createFacility(tx, { code: 'W', name: 'W', type: 'warehouse' }, now())));
  let ghost = '';
  await store.write(async (tx) => {
    ghost = unwrap(await createLocation(tx, facility.id, { code: 'X', name: 'X', type: 'bin' }, now())).id;
    assert.ok(await tx.facilities.getLocation(ghost));
    throw new Error('roll back');
  }).catch(() => {});
  assert.is(await store.read.facilities.getLocation(ghost), null);
});

test('records handed out cannot be changed by the caller', async () => {
  const a = (await store.read.catalog.getItem(item.id))!;
  assert.throws(() => {
    (a as { name: string }).name = 'mutated';
  });
  assert.is((await store.read.catalog.getItem(item.id))!.name, 'A');
});

test('a change another process commits to the file is seen on the next read (tokens, items)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ims-cache-'));
  const file = join(dir, 'ims.db');
  const shared = await openStore(`sqlite:${file}`);
  try {
    const token = unwrap(await runCommand(shared, (tx) => createToken(tx, { name: 't', permissions: ['*'] }, now())));
    const ea = unwrap(await runCommand(shared, (tx) => createUom(tx, { code: 'EA', name: 'Each' }, now())));
    const it = unwrap(await runCommand(shared, (tx) => createItem(tx, { itemNo: 'B-1', name: 'B', itemKind: 'purchased', baseUomId: ea.id }, now())));
    assert.ok(await authenticate(shared.read, token.token, now()), 'known and cached');
    assert.is((await shared.read.catalog.getItem(it.id))!.name, 'B');
    const other = chooseDriver().open(file); // as `ims token revoke` would, from another process
    other.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ?').run(now(), token.id);
    other.prepare("UPDATE items SET name = 'Renamed elsewhere' WHERE id = ?").run(it.id);
    other.close();
    // A request after the change: the next turn of the event loop.
    await new Promise((r) => setImmediate(r));
    assert.is(await authenticate(shared.read, token.token, now()), null, 'revoked elsewhere: refused at once');
    assert.is((await shared.read.catalog.getItem(it.id))!.name, 'Renamed elsewhere');
  } finally {
    await shared.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a token revoked through the store is refused on its next request', async () => {
  const token = unwrap(await runCommand(store, (tx) => createToken(tx, { name: 't', permissions: ['*'] }, now())));
  assert.ok(await authenticate(store.read, token.token, now()));
  unwrap(await runCommand(store, (tx) => revokeToken(tx, token.id, now())));
  assert.is(await authenticate(store.read, token.token, now()), null);
});

/**
 * Runs `check` on a file store whose writer counts the balance and valuation rows it reads
 * from SQLite, with one item at one bin holding 5.
 */
async function withPostingStore(check: (s: PostingStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ims-cache-'));
  const file = join(dir, 'ims.db');
  const store = await openStore(`sqlite:${file}`);
  try {
    const db = (store as unknown as { db: { prepare(sql: string): Record<string, (...a: unknown[]) => unknown> } }).db;
    const reads = { balances: 0, valuations: 0 };
    const prepare = db.prepare.bind(db);
    db.prepare = (sql: string) => {
      const statement = prepare(sql);
      const table = /^SELECT on_hand FROM balances/.test(sql) ? 'balances' : /FROM valuations WHERE item_id = \?/.test(sql) ? 'valuations' : null;
      if (table === null) return statement;
      for (const method of ['get', 'value'] as const) {
        const call = statement[method]!.bind(statement);
        statement[method] = (...args: unknown[]) => {
          reads[table]++;
          return call(...args);
        };
      }
      return statement;
    };
    const ea = unwrap(await runCommand(store, (tx) => createUom(tx, { code: 'EA', name: 'Each' }, now())));
    const it = unwrap(await runCommand(store, (tx) => createItem(tx, { itemNo: 'P-1', name: 'P', itemKind: 'purchased', baseUomId: ea.id }, now())));
    const facility = unwrap(await runCommand(store, (tx) => createFacility(tx, { code: 'W', name: 'W', type: 'warehouse' }, now())));
    const bin = unwrap(await runCommand(store, (tx) => createLocation(tx, facility.id, { code: 'B', name: 'B', type: 'bin' }, now())));
    const adjust = (qtyDelta: number) => runCommand(store, (tx) => postAdjustment(tx, { itemId: it.id, locationId: bin.id, qtyDelta }, now()));
    unwrap(await adjust(5));
    const onHand = async () => (await store.read.ledger.listBalances({ itemId: it.id }, { limit: 10, offset: 0 })).items[0]?.onHand ?? 0;
    await check({ store, file, reads, adjust, onHand, itemId: it.id, binId: bin.id });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface PostingStore {
  store: Store;
  file: string;
  reads: { balances: number; valuations: number };
  adjust(qtyDelta: number): Promise<Result<TransactionView>>;
  onHand(): Promise<number>;
  itemId: string;
  binId: string;
}

test('a posting reads the balance and valuation rows the last one wrote from the cache, and decides on them', () =>
  withPostingStore(async ({ reads, adjust, onHand }) => {
    reads.balances = reads.valuations = 0;
    assert.is(unwrap(await adjust(-2)).lines[0]!.onHandAfter, 3);
    assert.is(unwrap(await adjust(-3)).lines[0]!.onHandAfter, 0);
    assert.equal(reads, { balances: 0, valuations: 0 }, 'no row read from SQLite');
    const refused = await adjust(-1);
    assert.is(refused.ok ? 'posted' : refused.code, 'insufficient_stock');
    assert.is(await onHand(), 0);
  }));

test('a posting that rolls back leaves no balance or valuation in the cache', () =>
  withPostingStore(async ({ store, adjust, onHand, itemId, binId }) => {
    await store.write(async (tx) => {
      unwrap(await postAdjustment(tx, { itemId, locationId: binId, qtyDelta: -4 }, now()));
      throw new Error('roll back');
    }).catch(() => {});
    // Cached as 1 after the rolled-back posting, this would be refused.
    assert.is(unwrap(await adjust(-5)).lines[0]!.onHandAfter, 0);
    assert.is(await onHand(), 0);
  }));

test('a posting decides on the balance another process committed since, not on the cached one', () =>
  withPostingStore(async ({ file, adjust, onHand }) => {
    const other = chooseDriver().open(file);
    other.prepare('UPDATE balances SET on_hand = 1000000').run();
    other.close();
    // Cached as 5, the posting would pass the decision and then break the row's CHECK.
    const refused = await adjust(-2);
    assert.is(refused.ok ? 'posted' : refused.code, 'insufficient_stock');
    assert.is(unwrap(await adjust(-1)).lines[0]!.onHandAfter, 0);
    assert.is(await onHand(), 0);
  }));

test.run();
