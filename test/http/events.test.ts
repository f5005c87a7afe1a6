// The events outbox over HTTP: a posting and every document status change leave exactly one
// event each, written in the same unit (a refused request leaves none); GET /v1/events pages
// through them in seq order with after=, filters by type and refuses bad cursors; webhook
// subscriptions are created (the secret shown once), read, changed with If-Match and
// deleted; and the delivery worker POSTs events to a receiver on 127.0.0.1, signed with
// HMAC-SHA256 over the raw body, in order, retrying with backoff until a 2xx, moving the
// cursor only then, and only the types a subscription asked for.
import { createHmac } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../http/log.js';
import { startWebhookWorker, type WebhookWorker } from '../../http/webhook-worker.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { expectStatus, seedWorld, startTestServer, type Reply, type TestServer, type World } from './harness.js';

let t: TestServer;
let w: World;
let receiver: Receiver;
let worker: WebhookWorker | null = null;

const created = (r: Reply) => (expectStatus(r, 201), r.body.data);
const okay = (r: Reply) => (expectStatus(r, 200), r.body.data);

function expectError(r: Reply, status: number, code: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code, JSON.stringify(r.body));
}

/** The seq of the last event so far: the cursor a test starts reading after. */
async function head(): Promise<number> {
  let after = 0;
  for (;;) {
    const page = okay(await t.call('GET', `/v1/events?after=${after}&limit=1000`));
    if (page.length === 0) return after;
    after = page[page.length - 1].seq;
  }
}

async function eventsAfter(after: number, query = ''): Promise<any[]> {
  return okay(await t.call('GET', `/v1/events?after=${after}&limit=1000${query}`));
}

const adjust = (qtyDelta: number, itemId = w.itemId) => t.call('POST', '/v1/inventory/adjustments', { itemId, locationId: w.binA, qtyDelta });

const sign = (secret: string, raw: string) => `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;

/** The subscription's delivery state once `check` holds for it (the worker saves it just after each answer). */
async function deliveryOnce(id: string, check: (d: any) => boolean): Promise<any> {
  let state = okay(await t.call('GET', `/v1/webhooks/${id}`)).delivery;
  for (let i = 0; i < 200 && !check(state); i++) {
    await new Promise((r) => setTimeout(r, 20));
    state = okay(await t.call('GET', `/v1/webhooks/${id}`)).delivery;
  }
  assert.ok(check(state), JSON.stringify(state));
  return state;
}

function startWorker(): WebhookWorker {
  worker = startWebhookWorker({ store: t.store, logger: createLogger('silent'), pollMs: 20, timeoutMs: 2000, backoff: { baseMs: 40, maxMs: 200 } });
  return worker;
}

test.before(async () => {
  t = await startTestServer();
  w = await seedWorld(t);
  receiver = await startReceiver();
});

test.after.each(async () => {
  await worker?.stop();
  worker = null;
  receiver.answer = () => 200;
  receiver.deliveries.length = 0;
  // Subscriptions of one test do not deliver into the next.
  for (const hook of okay(await t.call('GET', '/v1/webhooks?limit=1000'))) okay(await t.call('DELETE', `/v1/webhooks/${hook.id}`));
});

test.after(async () => {
  await receiver.close();
  await t.close();
});

test('a posting records one transaction.posted event with its lines', async () => {
  const before = await head();
  const posted = created(await adjust(10));
  const events = await eventsAfter(before);
  assert.is(events.length, 1, JSON.stringify(events));
  const [e] = events;
  assert.is(e.type, 'transaction.posted');
  assert.ok(e.seq > before);
  assert.match(e.id, /^[0-9a-f-]{36}$/);
  assert.is(e.occurredAt, posted.postedAt);
  assert.is(e.data.transactionId, posted.id);
  assert.is(e.data.transactionSeq, posted.seq);
  assert.is(e.data.transactionType, 'adjustment');
  assert.equal(e.data.lines, [{ itemId: w.itemId, facilityId: w.facilityId, locationId: w.binA, lotId: null, statusId: 'available', qtyDelta: 10 }]);
});

test('a refused request records no event', async () => {
  const before = await head();
  expectError(await adjust(-1_000_000), 409, 'insufficient_stock');
  expectError(await t.call('POST', '/v1/inventory/transfers', { fromFacilityId: w.facilityId, toFacilityId: w.facilityId, lines: [] }), 400, 'bad_request');
  assert.equal(await eventsAfter(before), []);
});

test('a sales order\'s life is a series of status changes, in order, with who made them', async () => {
  created(await adjust(5));
  const customer = created(await t.call('POST', '/v1/sales/customers', { code: 'EVT', name: 'Events Ltd' }));
  const before = await head();
  const order = created(await t.call('POST', '/v1/sales/orders', {
    customerId: customer.id, facilityId: w.facilityId, lines: [{ itemId: w.itemId, qty: 2, unitPrice: 1 }],
  }));
  okay(await t.call('POST', `/v1/sales/orders/${order.id}/open`));
  const shipped = okay(await t.call('POST', `/v1/sales/orders/${order.id}/ship`, { lines: [{ lineId: order.lines[0].id, qty: 2 }] }));
  const events = await eventsAfter(before);
  const seqs = events.map((e) => e.seq);
  assert.equal(seqs, [...seqs].sort((a, b) => a - b));
  const orderSteps = events.filter((e) => e.type === 'sales_order.status_changed').map((e) => [e.data.from, e.data.to]);
  assert.equal(orderSteps, [[null, 'draft'], ['draft', 'open'], ['open', 'shipped']]);
  const first = events.find((e) => e.type === 'sales_order.status_changed')!;
  assert.is(first.data.documentId, order.id);
  assert.is(first.data.documentNo, order.orderNo);
  assert.is(first.data.by.name, 'admin (IMS_ADMIN_TOKEN)');
  const reservationSteps = events.filter((e) => e.type === 'reservation.status_changed').map((e) => [e.data.from, e.data.to]);
  assert.equal(reservationSteps, [[null, 'open'], ['open', 'fulfilled']]);
  const postings = events.filter((e) => e.type === 'transaction.posted');
  assert.is(postings.length, 1);
  assert.equal(postings[0].data.reference, { type: 'sales_order', id: order.id });
  assert.is(postings[0].data.lines[0].qtyDelta, -2);
  // The posting comes after the order opened and before it reads as shipped.
  const at = (type: string, to?: string) => events.findIndex((e) => e.type === type && (to === undefined || e.data.to === to));
  assert.ok(at('sales_order.status_changed', 'open') < at('transaction.posted'));
  assert.ok(at('transaction.posted') < at('sales_order.status_changed', 'shipped'));
  assert.is(shipped.status, 'shipped');
});

test('after= pages through every event once, in order; type= filters; count is what is left', async () => {
  for (let i = 0; i < 5; i++) created(await adjust(1));
  const all = await eventsAfter(0);
  const paged: any[] = [];
  let after = 0;
  for (;;) {
    const r = await t.call('GET', `/v1/events?after=${after}&limit=3`);
    expectStatus(r, 200);
    assert.is(r.body.limit, 3);
    assert.is(r.body.count, all.length - paged.length);
    if (r.body.data.length === 0) break;
    paged.push(...r.body.data);
    after = r.body.data[r.body.data.length - 1].seq;
  }
  assert.equal(paged, all);
  for (let i = 1; i < all.length; i++) assert.ok(all[i].seq > all[i - 1].seq);
  const posted = await eventsAfter(0, '&type=transaction.posted');
  assert.ok(posted.length >= 5);
  assert.ok(posted.every((e) => e.type === 'transaction.posted'));
  assert.equal(posted, all.filter((e) => e.type === 'transaction.posted'));
});

test('a bad cursor or type is a 400', async () => {
  expectError(await t.call('GET', '/v1/events?after=-1'), 400, 'bad_request');
  expectError(await t.call('GET', '/v1/events?after=x'), 400, 'bad_request');
  expectError(await t.call('GET', '/v1/events?type=item.created'), 400, 'bad_request');
  expectError(await t.call('GET', '/v1/events?limit=1001'), 400, 'bad_request');
});

test('webhooks: create shows the secret once; get, list, patch with If-Match, delete', async () => {
  const hook = created(await t.call('POST', '/v1/webhooks', { url: receiver.url, description: 'erp', eventTypes: ['transaction.posted'] }));
  assert.match(hook.secret, /^whsec_/);
  assert.is(hook.url, receiver.url);
  assert.is(hook.isActive, true);
  assert.equal(hook.eventTypes, ['transaction.posted']);
  assert.is(hook.delivery.cursor, await head());
  const got = okay(await t.call('GET', `/v1/webhooks/${hook.id}`));
  assert.is(got.secret, undefined);
  assert.is(okay(await t.call('GET', '/v1/webhooks')).find((h: { id: string }) => h.id === hook.id).secret, undefined);
  expectError(await t.call('PATCH', `/v1/webhooks/${hook.id}`, { isActive: false }, { headers: { 'if-match': '7' } }), 409, 'conflict');
  const patched = okay(await t.call('PATCH', `/v1/webhooks/${hook.id}`, { isActive: false, eventTypes: null }, { headers: { 'if-match': '1' } }));
  assert.is(patched.isActive, false);
  assert.is(patched.eventTypes, null);
  assert.is(patched.version, 2);
  // A replay under the same Idempotency-Key answers without the secret.
  const headers = { 'idempotency-key': 'hook-1' };
  const first = created(await t.call('POST', '/v1/webhooks', { url: receiver.url }, { headers }));
  const replay = created(await t.call('POST', '/v1/webhooks', { url: receiver.url }, { headers }));
  assert.match(first.secret, /^whsec_/);
  assert.is(replay.id, first.id);
  assert.is(replay.secret, null);
  const deleted = okay(await t.call('DELETE', `/v1/webhooks/${hook.id}`));
  assert.is(deleted.id, hook.id);
  expectError(await t.call('GET', `/v1/webhooks/${hook.id}`), 404, 'not_found');
  expectError(await t.call('DELETE', `/v1/webhooks/${hook.id}`), 404, 'not_found');
});

test('webhooks: bad input is a 400 and creates nothing', async () => {
  const before = okay(await t.call('GET', '/v1/webhooks')).length;
  for (const body of [{}, { url: 'ftp://127.0.0.1/x' }, { url: 'http://' }, { url: receiver.url, eventTypes: ['nope'] },
    { url: receiver.url, eventTypes: [] }, { url: receiver.url, secret: 'mine' }]) {
    expectError(await t.call('POST', '/v1/webhooks', body), 400, 'bad_request');
  }
  const hook = created(await t.call('POST', '/v1/webhooks', { url: receiver.url }));
  expectError(await t.call('PATCH', `/v1/webhooks/${hook.id}`, {}), 400, 'bad_request');
  expectError(await t.call('PATCH', `/v1/webhooks/${hook.id}`, { url: 'mailto:x@example.com' }), 400, 'bad_request');
  assert.is(okay(await t.call('GET', `/v1/webhooks/${hook.id}`)).url, receiver.url);
  assert.is(okay(await t.call('GET', '/v1/webhooks')).length, before + 1);
});

test('delivery: signed, in order, retried with backoff until a 2xx, the cursor moved only then', async () => {
  const hook = created(await t.call('POST', '/v1/webhooks', { url: receiver.url }));
  // The first three attempts fail: two answers of 500, then one of 404.
  receiver.answer = (_, n) => (n < 2 ? 500 : n === 2 ? 404 : 200);
  const a = created(await adjust(3));
  const b = created(await adjust(4));
  startWorker();
  await receiver.until((ds) => ds.filter((d) => d.body.data.transactionId === b.id).length >= 1);
  const ds = receiver.deliveries;
  // Event a three times (failed), then a (acknowledged), then b.
  assert.equal(ds.map((d) => d.body.data.transactionId), [a.id, a.id, a.id, a.id, b.id]);
  assert.equal(ds.map((d) => d.headers['x-ims-delivery-attempt']), ['1', '2', '3', '4', '1']);
  for (const d of ds) {
    assert.is(d.headers['x-ims-signature'], sign(hook.secret, d.raw));
    assert.is(d.headers['content-type'], 'application/json');
    assert.is(d.headers['x-ims-event-id'], d.body.id);
    assert.is(d.headers['x-ims-event-type'], 'transaction.posted');
    assert.is(d.headers['x-ims-event-seq'], String(d.body.seq));
  }
  // The body is the event exactly as the feed has it.
  const feed = await eventsAfter(hook.delivery.cursor);
  assert.equal(ds[4]!.body, feed.find((e) => e.data.transactionId === b.id));
  const state = await deliveryOnce(hook.id, (d) => d.cursor === ds[4]!.body.seq);
  assert.is(state.failures, 0);
  assert.is(state.lastStatus, 200);
  assert.ok(state.lastDeliveredAt);
});

test('delivery: a failing receiver is backed off exponentially, and the failure is on the subscription', async () => {
  const hook = created(await t.call('POST', '/v1/webhooks', { url: receiver.url }));
  receiver.answer = () => 503;
  created(await adjust(1));
  const started = Date.now();
  startWorker();
  await receiver.until((ds) => ds.length >= 4);
  const state = await deliveryOnce(hook.id, (d) => d.failures >= 4);
  await worker!.stop();
  assert.is(state.cursor, hook.delivery.cursor);
  assert.ok(state.failures >= 4);
  assert.is(state.lastStatus, 503);
  assert.match(state.lastError, /503/);
  assert.ok(state.nextAttemptAt > state.lastAttemptAt);
  // Waits of at least 30, 60 and 120 ms (40, 80, 160 less a quarter at most) came between them.
  assert.ok(Date.now() - started >= 210, `four attempts in ${Date.now() - started} ms`);
  // An inactive subscription gets nothing.
  okay(await t.call('PATCH', `/v1/webhooks/${hook.id}`, { isActive: false }));
  receiver.deliveries.length = 0;
  receiver.answer = () => 200;
  startWorker();
  await new Promise((r) => setTimeout(r, 300));
  assert.is(receiver.deliveries.length, 0);
  // Re-activated, it is due at once and delivers what it missed.
  okay(await t.call('PATCH', `/v1/webhooks/${hook.id}`, { isActive: true }));
  await receiver.until((ds) => ds.length >= 1);
  assert.is(receiver.deliveries[0]!.body.seq, hook.delivery.cursor + 1);
});

test('delivery: only the event types a subscription names; the others move its cursor without a request', async () => {
  const hook = created(await t.call('POST', '/v1/webhooks', { url: receiver.url, eventTypes: ['transfer.status_changed'] }));
  created(await adjust(1));
  const other = created(await t.call('POST', '/v1/facilities', { code: 'EVT2', name: 'Other', type: 'warehouse' }));
  const transfer = created(await t.call('POST', '/v1/inventory/transfers', {
    fromFacilityId: w.facilityId, toFacilityId: other.id, lines: [{ itemId: w.itemId, qty: 1 }],
  }));
  created(await adjust(1));
  const last = await head();
  startWorker();
  await receiver.until((ds) => ds.length >= 1);
  await deliveryOnce(hook.id, (d) => d.cursor === last);
  assert.is(receiver.deliveries.length, 1);
  assert.is(receiver.deliveries[0]!.body.type, 'transfer.status_changed');
  assert.is(receiver.deliveries[0]!.body.data.documentId, transfer.id);
  assert.is(receiver.deliveries[0]!.body.data.to, 'draft');
});

test('delivery: a receiver that does not answer holds up no other subscription', async () => {
  const hanging = await startReceiver();
  try {
    hanging.answer = () => 0;
    created(await t.call('POST', '/v1/webhooks', { url: hanging.url }));
    created(await t.call('POST', '/v1/webhooks', { url: receiver.url }));
    created(await adjust(1));
    const started = Date.now();
    startWorker();
    await receiver.until((ds) => ds.length >= 1);
    // The worker gives the hanging receiver 2 s; the other one was served meanwhile.
    assert.ok(Date.now() - started < 1500, `delivered after ${Date.now() - started} ms`);
    assert.is(hanging.deliveries.length, 1);
    await worker!.stop();
  } finally {
    await hanging.close();
  }
});

test.run();
