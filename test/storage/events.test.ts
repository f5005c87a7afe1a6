// The events outbox and webhook ports on every adapter (SQLite file and memory, PostgreSQL):
// an event commits with its unit and vanishes with it; seqs follow commit order, so a reader
// paging with `after` misses nothing, even an event recorded first by a unit that commits
// last; webhook leases let one worker at a time deliver a subscription, and delivery progress
// is saved only while the lease is held.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { newId } from '../../core/id.js';
import { postedEventData, type NewEvent, type StoredEvent } from '../../core/event.js';
import { Ims } from '../../core/ims.js';
import type { TransactionView } from '../../core/ledger.js';
import { unwrap } from '../../core/result.js';
import type { Store } from '../../core/ports.js';
import type { WebhookRecord } from '../../core/webhook.js';
import { onEveryStore } from '../support/stores.js';

const NOW = '2030-06-01T00:00:00.000Z';
const LATER = '2030-06-01T00:01:00.000Z';

const event = (n: number): NewEvent => ({ id: newId(), type: 'transfer.status_changed', occurredAt: NOW, data: { n } });

const hookRecord = (cursor = 0): WebhookRecord => ({
  id: newId(), url: 'http://127.0.0.1:9/hook', description: null, eventTypes: null, isActive: true, secret: 'whsec_x',
  delivery: { cursor, failures: 0, nextAttemptAt: null, lastAttemptAt: null, lastStatus: null, lastError: null, lastDeliveredAt: null },
  createdAt: NOW, updatedAt: NOW, version: 1,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function all(store: Store, after = 0): Promise<StoredEvent[]> {
  return (await store.read.events.listEvents({ after }, { limit: 1000, offset: 0 })).items;
}

function contract(name: string, open: () => Promise<Store>, skip: string | null): void {
  const s = suite(`events [${name}]`);
  if (skip) {
    console.log(`  skip events [${name}]: ${skip}`);
    s.skip('event ports');
    s.run();
    return;
  }
  let store: Store;
  s.before.each(async () => {
    store = await open();
  });
  s.after.each(async () => {
    await store.close();
  });

  s('an event commits with its unit and rolls back with it; fields round-trip', async () => {
    const kept = event(1);
    await store.write(async (tx) => tx.events.recordEvent(kept));
    await store.write(async (tx) => {
      await tx.events.recordEvent(event(2));
      throw new Error('refused');
    }).catch(() => {});
    const events = await all(store);
    assert.is(events.length, 1);
    assert.equal({ ...events[0], seq: 0 }, { ...kept, seq: 0 });
    assert.ok(events[0]!.seq > 0);
    assert.is(await store.read.events.lastEventSeq(), events[0]!.seq);
  });

  s('seqs follow commit order: an event recorded first by a unit that commits last is not skipped', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow = store.write(async (tx) => {
      await tx.events.recordEvent(event(1));
      await held;
    });
    // On PostgreSQL this unit commits while the slow one is still open; on SQLite it waits for it.
    const fast = store.write(async (tx) => tx.events.recordEvent(event(2)));
    await Promise.race([fast, sleep(200)]);
    // On SQLite a read waits for the open batch, so it finishes only after the release.
    const reading = all(store);
    await Promise.race([reading, sleep(200)]);
    release();
    const seen = await reading;
    const cursor = seen.length ? seen[seen.length - 1]!.seq : 0;
    await Promise.all([slow, fast]);
    const rest = await all(store, cursor);
    const got = [...seen, ...rest].map((e) => e.data.n).sort();
    assert.equal(got, [1, 2], `read ${JSON.stringify(seen.map((e) => e.data.n))} then ${JSON.stringify(rest.map((e) => e.data.n))}`);
  });

  s('type filter and paging', async () => {
    await store.write(async (tx) => {
      for (let i = 1; i <= 5; i++) await tx.events.recordEvent(i % 2 ? event(i) : { ...event(i), type: 'transaction.posted' });
    });
    const posted = await store.read.events.listEvents({ after: 0, types: ['transaction.posted'] }, { limit: 1, offset: 0 });
    assert.is(posted.total, 2);
    assert.equal(posted.items.map((e) => e.data.n), [2]);
    const documents = await store.read.events.listEvents({ after: posted.items[0]!.seq, types: ['transfer.status_changed', 'sales_order.status_changed'] }, { limit: 10, offset: 0 });
    assert.equal([documents.total, documents.items.map((e) => e.data.n)], [2, [3, 5]]);
    const both = await store.read.events.listEvents({ after: 0, types: ['transfer.status_changed', 'transaction.posted'] }, { limit: 10, offset: 0 });
    assert.equal([both.total, both.items.map((e) => e.data.n)], [5, [1, 2, 3, 4, 5]]);
    const page = await store.read.events.listEvents({ after: posted.items[0]!.seq }, { limit: 10, offset: 1 });
    assert.equal(page.items.map((e) => e.data.n), [4, 5]);
  });

  s('a posting\'s event holds the posting as it was posted: lots, statuses, both lines of a move, a reversal', async () => {
    const ims = new Ims(store);
    const kg = unwrap(await ims.uoms.create({ code: 'KG', name: 'Kilogram', decimals: 3 })) as { id: string };
    const item = unwrap(await ims.items.create({ itemNo: 'L-1', name: 'L', itemKind: 'purchased', baseUomId: kg.id, lotTracking: 'tracked' })) as { id: string };
    const wh = unwrap(await ims.facilities.create({ code: 'W', name: 'W', type: 'warehouse' })) as { id: string };
    const bins: Array<{ id: string }> = [];
    for (const code of ['A', 'B']) bins.push(unwrap(await ims.locations.create(wh.id, { code, name: code, type: 'bin' })) as { id: string });
    const posted: TransactionView[] = [];
    posted.push(unwrap(await ims.inventory.adjust({ itemId: item.id, locationId: bins[0]!.id, qtyDelta: 10.5, lotNo: 'L1', reason: 'opening' })) as TransactionView);
    posted.push(unwrap(await ims.inventory.move({
      itemId: item.id, fromLocationId: bins[0]!.id, toLocationId: bins[1]!.id, qty: 4, lotNo: 'L1', toStatusId: 'quarantine',
    })) as TransactionView);
    posted.push(unwrap(await ims.inventory.reverse(posted[1]!.id, { reason: 'wrong bin' })) as TransactionView);
    const events = (await ims.events.list({ types: ['transaction.posted'] })).items;
    assert.equal(events.map((e) => e.data), posted.map(postedEventData));
    assert.equal(events.map((e) => e.occurredAt), posted.map((t) => t.postedAt));
    assert.equal((events[1]!.data.lines as Array<{ statusId: string }>).map((l) => l.statusId), ['available', 'quarantine']);
    assert.is(events[2]!.data.reversesTransactionId, posted[1]!.id);
  });

  s('a webhook is leased to one worker at a time; progress is saved only under the lease', async () => {
    const hook = hookRecord();
    await store.write((tx) => tx.webhooks.insertWebhook(hook));
    // Nothing to deliver yet: not due.
    assert.equal(await store.read.webhooks.dueWebhooks(NOW, 10), []);
    await store.write((tx) => tx.events.recordEvent(event(1)));
    assert.equal(await store.read.webhooks.dueWebhooks(NOW, 10), [hook.id]);
    const a = await store.write((tx) => tx.webhooks.claimWebhook(hook.id, 'a', NOW, LATER));
    assert.is(a?.id, hook.id);
    assert.is(await store.write((tx) => tx.webhooks.claimWebhook(hook.id, 'b', NOW, LATER)), null);
    assert.equal(await store.read.webhooks.dueWebhooks(NOW, 10), []);
    const progress = { ...hook.delivery, cursor: 1, lastStatus: 200 };
    assert.is(await store.write((tx) => tx.webhooks.saveDelivery(hook.id, 'b', progress, LATER)), false);
    assert.is(await store.write((tx) => tx.webhooks.saveDelivery(hook.id, 'a', progress, LATER)), true);
    assert.is((await store.read.webhooks.getWebhook(hook.id))!.delivery.cursor, 1);
    // A lease that ran out is taken over; the old owner can no longer save.
    const b = await store.write((tx) => tx.webhooks.claimWebhook(hook.id, 'b', LATER, '2030-06-01T00:02:00.000Z'));
    assert.is(b?.delivery.cursor, 1);
    assert.is(await store.write((tx) => tx.webhooks.saveDelivery(hook.id, 'a', { ...progress, cursor: 0 }, LATER)), false);
    await store.write((tx) => tx.webhooks.releaseWebhook(hook.id, 'b'));
    assert.is((await store.write((tx) => tx.webhooks.claimWebhook(hook.id, 'c', NOW, LATER)))?.id, hook.id);
  });

  s('a webhook in backoff or inactive is not due; re-activating one makes it due', async () => {
    const hook = hookRecord();
    await store.write(async (tx) => {
      await tx.webhooks.insertWebhook({ ...hook, delivery: { ...hook.delivery, nextAttemptAt: LATER, failures: 3 } });
      await tx.events.recordEvent(event(1));
    });
    assert.equal(await store.read.webhooks.dueWebhooks(NOW, 10), []);
    assert.equal(await store.read.webhooks.dueWebhooks(LATER, 10), [hook.id]);
    await store.write((tx) => tx.webhooks.updateWebhook({ ...hook, isActive: false, version: 2 }));
    assert.equal(await store.read.webhooks.dueWebhooks(LATER, 10), []);
    assert.is(await store.write((tx) => tx.webhooks.claimWebhook(hook.id, 'a', LATER, LATER)), null);
    await store.write((tx) => tx.webhooks.updateWebhook({ ...hook, isActive: true, version: 3 }));
    assert.equal(await store.read.webhooks.dueWebhooks(NOW, 10), [hook.id]);
    const saved = (await store.read.webhooks.getWebhook(hook.id))!;
    assert.is(saved.version, 3);
    assert.is(saved.delivery.failures, 3);
    await store.write((tx) => tx.webhooks.deleteWebhook(hook.id));
    assert.is(await store.read.webhooks.getWebhook(hook.id), null);
  });

  s.run();
}

onEveryStore(contract);
