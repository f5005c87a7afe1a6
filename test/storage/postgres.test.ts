// The storage contract on PostgreSQL: every suite gets a database of its own on the test
// server (IMS_TEST_PG_URL, or a cluster this file starts), dropped when its store closes.
// Without PostgreSQL every test is skipped with the reason (a failure when IMS_REQUIRE_PG=1).
//
// Then what only PostgreSQL has: units that really run at the same time. Balance rows are
// locked in one fixed order whatever order a command names them in, so two units never
// deadlock on them; a deadlock that does happen (units that lock in their own order) is
// retried: both commit.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Ims } from '../../core/ims.js';
import type { BalanceKey } from '../../core/ledger.js';
import type { Store } from '../../core/ports.js';
import { unwrap } from '../../core/result.js';
import { openStore } from '../../storage/open.js';
import { createTestDatabase, postgresSkipReason } from '../support/database.js';
import { contractSuites } from './contract.js';

async function open(): Promise<Store> {
  const db = await createTestDatabase();
  const store = await openStore(db.url);
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await db.drop();
  };
  return store;
}

const reason = postgresSkipReason();
contractSuites('postgres', open, reason === null ? {} : { skip: { '*': reason } });

const locking = suite('postgres locking');
let store: Store;
let keys: [BalanceKey, BalanceKey];

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
};

if (reason !== null) {
  locking.skip('units naming the same balances in opposite orders do not deadlock');
  locking.skip('a deadlock between two units is retried and both commit');
} else {
  locking.before(async () => {
    store = await open();
    const ims = new Ims(store);
    const uom = unwrap(await ims.uoms.create({ code: 'EA', name: 'Each' })) as { id: string };
    const item = unwrap(await ims.items.create({ itemNo: 'LOCK-1', name: 'Lock', itemKind: 'purchased', baseUomId: uom.id })) as { id: string };
    const facility = unwrap(await ims.facilities.create({ code: 'WH', name: 'WH', type: 'warehouse' })) as { id: string };
    const a = unwrap(await ims.locations.create(facility.id, { code: 'A', name: 'A', type: 'bin' })) as { id: string };
    const b = unwrap(await ims.locations.create(facility.id, { code: 'B', name: 'B', type: 'bin' })) as { id: string };
    for (const l of [a, b]) unwrap(await ims.inventory.adjust({ itemId: item.id, locationId: l.id, qtyDelta: 5 }));
    keys = [a, b].map((l) => ({ itemId: item.id, locationId: l.id, lotId: null, statusId: 'available' })) as [BalanceKey, BalanceKey];
  });
  locking.after(async () => {
    await store?.close();
  });

  locking('units naming the same balances in opposite orders do not deadlock', async () => {
    let attempts = 0;
    const unit = (order: BalanceKey[]) => store.write(async (tx) => {
      attempts++;
      assert.is((await tx.ledger.getBalances(order)).length, 2);
      await new Promise((r) => setTimeout(r, 10));
      return true;
    });
    for (let i = 0; i < 10; i++) {
      assert.equal(await Promise.all([unit([keys[0], keys[1]]), unit([keys[1], keys[0]])]), [true, true]);
    }
    assert.is(attempts, 20, 'each unit ran once: they waited for each other, none deadlocked');
  });

  locking('a deadlock between two units is retried and both commit', async () => {
    let attempts = 0;
    const aHolds = gate();
    const bHolds = gate();
    // Each unit locks one balance, waits until the other holds its own, then asks for the
    // other's: a cycle PostgreSQL breaks by failing one of them (40P01) after deadlock_timeout.
    const unit = (mine: BalanceKey, theirs: BalanceKey, holds: ReturnType<typeof gate>, other: ReturnType<typeof gate>) =>
      store.write(async (tx) => {
        attempts++;
        await tx.ledger.getBalances([mine]);
        holds.open();
        await other.opened;
        await tx.ledger.getBalances([theirs]);
        return true;
      });
    const results = await Promise.all([unit(keys[0], keys[1], aHolds, bHolds), unit(keys[1], keys[0], bHolds, aHolds)]);
    assert.equal(results, [true, true]);
    assert.is(attempts, 3, 'one of them ran again');
  });
}
locking.run();
