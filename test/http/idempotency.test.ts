// Idempotency-Key on POST: replays, reuse with another body, limits, per-token scope,
// concurrent duplicates, and refusals that are not remembered.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectStatus, seedWorld, startTestServer, type Reply, type TestServer, type World } from './harness.js';

let t: TestServer;
let w: World;

test.before(async () => {
  t = await startTestServer();
  w = await seedWorld(t);
});

test.after(async () => {
  await t.close();
});

let itemCount = 0;
async function newItem(): Promise<string> {
  itemCount += 1;
  const r = await t.call('POST', '/v1/items', { itemNo: `IDEM-${itemCount}`, name: `Idempotency ${itemCount}`, itemKind: 'purchased', baseUomId: w.eaId });
  expectStatus(r, 201);
  return r.body.data.id;
}

const keyed = (key: string, token?: string) => ({ headers: { 'Idempotency-Key': key }, ...(token ? { token } : {}) });
const adjust = (body: unknown, key?: string, token?: string): Promise<Reply> =>
  t.call('POST', '/v1/inventory/adjustments', body, key === undefined ? (token ? { token } : {}) : keyed(key, token));

async function postings(itemId: string): Promise<any[]> {
  const r = await t.call('GET', `/v1/inventory/transactions?itemId=${itemId}&limit=1000`);
  expectStatus(r, 200);
  return r.body.data;
}

async function onHand(itemId: string): Promise<number> {
  const r = await t.call('GET', `/v1/inventory/balances?itemId=${itemId}`);
  expectStatus(r, 200);
  return r.body.data.reduce((s: number, b: { onHand: number }) => s + b.onHand, 0);
}

function expectError(r: Reply, status: number, code: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code);
}

test('without a key, the same POST twice posts twice (the baseline the key changes)', async () => {
  const itemId = await newItem();
  const body = { itemId, locationId: w.binA, qtyDelta: 2 };
  expectStatus(await adjust(body), 201);
  expectStatus(await adjust(body), 201);
  assert.is((await postings(itemId)).length, 2);
});

test('same key and body → the same status and body, posted once', async () => {
  const itemId = await newItem();
  const body = { itemId, locationId: w.binA, qtyDelta: 4, reason: 'cycle' };
  const first = await adjust(body, 'same-key-1');
  expectStatus(first, 201);
  const second = await adjust(body, 'same-key-1');
  assert.is(second.status, first.status);
  assert.equal(second.body, first.body);
  const list = await postings(itemId);
  assert.equal(list.map((x) => x.id), [first.body.data.id]);
  assert.is(await onHand(itemId), 4);
});

test('the same body with its fields in another order is the same request (JSON objects are unordered)', async () => {
  const itemId = await newItem();
  const first = await adjust({ itemId, locationId: w.binA, qtyDelta: 4, reason: 'cycle' }, 'same-key-reordered');
  expectStatus(first, 201);
  // Whitespace already does not matter (the fingerprint is of the parsed body); member order should not either.
  const spaced = await t.call('POST', '/v1/inventory/adjustments', undefined, {
    ...keyed('same-key-reordered'), raw: JSON.stringify({ itemId, locationId: w.binA, qtyDelta: 4, reason: 'cycle' }, null, 2),
  });
  assert.is(spaced.status, 201);
  assert.equal(spaced.body, first.body);
  const reordered = await adjust({ reason: 'cycle', qtyDelta: 4, locationId: w.binA, itemId }, 'same-key-reordered');
  assert.is(reordered.status, 201, JSON.stringify(reordered.body));
  assert.equal(reordered.body, first.body);
  assert.is((await postings(itemId)).length, 1);
});

test('a replay does not do the work again: a reversal replayed is not a second reversal', async () => {
  const itemId = await newItem();
  const original = await adjust({ itemId, locationId: w.binA, qtyDelta: 3 });
  expectStatus(original, 201);
  const path = `/v1/inventory/transactions/${original.body.data.id}/reverse`;
  const first = await t.call('POST', path, {}, keyed('reverse-1'));
  expectStatus(first, 201);
  const again = await t.call('POST', path, {}, keyed('reverse-1'));
  assert.is(again.status, 201);
  assert.equal(again.body, first.body);
  expectError(await t.call('POST', path, {}), 409, 'conflict');
  assert.is((await postings(itemId)).length, 2);
});

test('same key with a different body → 422 idempotency_key_reused, nothing posted', async () => {
  const itemId = await newItem();
  const first = await adjust({ itemId, locationId: w.binA, qtyDelta: 5 }, 'reused-1');
  expectStatus(first, 201);
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 6 }, 'reused-1'), 422, 'idempotency_key_reused');
  expectError(await adjust({ itemId, locationId: w.binB, qtyDelta: 5 }, 'reused-1'), 422, 'idempotency_key_reused');
  assert.is((await postings(itemId)).length, 1);
  assert.is(await onHand(itemId), 5);
  // The original request still replays.
  const replay = await adjust({ itemId, locationId: w.binA, qtyDelta: 5 }, 'reused-1');
  assert.is(replay.status, 201);
  assert.equal(replay.body, first.body);
});

test('a key over 255 characters → 400 and nothing posted; 255 is fine', async () => {
  const itemId = await newItem();
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: 1 }, 'k'.repeat(256)), 400, 'bad_request');
  assert.is((await postings(itemId)).length, 0);
  const r = await adjust({ itemId, locationId: w.binA, qtyDelta: 1 }, 'k'.repeat(255));
  expectStatus(r, 201);
  const again = await adjust({ itemId, locationId: w.binA, qtyDelta: 1 }, 'k'.repeat(255));
  assert.equal(again.body, r.body);
  assert.is((await postings(itemId)).length, 1);
});

test('keys are per token: another token may use the same key independently', async () => {
  const itemId = await newItem();
  const other = await t.tokenWith(['inventory:read', 'inventory:write']);
  const body = { itemId, locationId: w.binA, qtyDelta: 2 };
  const mine = await adjust(body, 'shared-key');
  expectStatus(mine, 201);
  const theirs = await adjust(body, 'shared-key', other);
  expectStatus(theirs, 201);
  assert.is.not(theirs.body.data.id, mine.body.data.id, 'a second posting, not a replay of the first token\'s');
  // A different body under the other token is that token's own business, not a reuse of mine.
  const otherItem = await newItem();
  const theirsToo = await adjust({ itemId: otherItem, locationId: w.binA, qtyDelta: 1 }, 'shared-key-2', other);
  expectStatus(theirsToo, 201);
  const mineToo = await adjust(body, 'shared-key-2');
  expectStatus(mineToo, 201);
  assert.is(mineToo.body.data.lines[0].itemId, itemId);
  // Each token replays its own.
  assert.equal((await adjust(body, 'shared-key')).body, mine.body);
  assert.equal((await adjust(body, 'shared-key', other)).body, theirs.body);
  assert.is((await postings(itemId)).length, 3);
  assert.is(await onHand(itemId), 6);
});

test('10 concurrent duplicates → exactly one posting; each answer a 201 replay or a 409 conflict', async () => {
  const itemId = await newItem();
  const body = { itemId, locationId: w.binA, qtyDelta: 3 };
  const replies = await Promise.all(Array.from({ length: 10 }, () => adjust(body, 'concurrent-1')));
  const createdReplies = replies.filter((r) => r.status === 201);
  assert.ok(createdReplies.length >= 1, `at least one 201: ${replies.map((r) => r.status).join(',')}`);
  for (const r of replies) {
    if (r.status === 201) assert.equal(r.body, createdReplies[0]!.body);
    else expectError(r, 409, 'conflict');
  }
  const list = await postings(itemId);
  assert.equal(list.map((x) => x.id), [createdReplies[0]!.body.data.id]);
  assert.is(await onHand(itemId), 3);
  // Once settled, the key replays.
  const later = await adjust(body, 'concurrent-1');
  assert.is(later.status, 201);
  assert.equal(later.body, createdReplies[0]!.body);
});

test('concurrent requests of two tokens with the same key are independent', async () => {
  const itemId = await newItem();
  const other = await t.tokenWith(['inventory:read', 'inventory:write']);
  const body = { itemId, locationId: w.binA, qtyDelta: 1 };
  const replies = await Promise.all([
    adjust(body, 'two-tokens-at-once'), adjust(body, 'two-tokens-at-once', other),
  ]);
  for (const r of replies) expectStatus(r, 201);
  assert.is.not(replies[0]!.body.data.id, replies[1]!.body.data.id);
  assert.is((await postings(itemId)).length, 2);
});

test('10 concurrent duplicates of an issue never take stock twice', async () => {
  const itemId = await newItem();
  expectStatus(await adjust({ itemId, locationId: w.binA, qtyDelta: 10 }), 201);
  const body = { itemId, locationId: w.binA, qtyDelta: -6 };
  const replies = await Promise.all(Array.from({ length: 10 }, () => adjust(body, 'concurrent-issue')));
  for (const r of replies) assert.ok(r.status === 201 || (r.status === 409 && r.body.error === 'conflict'), JSON.stringify(r.body));
  assert.ok(replies.some((r) => r.status === 201));
  assert.is((await postings(itemId)).length, 2);
  assert.is(await onHand(itemId), 4);
});

test('a refusal is not remembered: the same key proceeds once stock arrives', async () => {
  const itemId = await newItem();
  const issue = { itemId, locationId: w.binA, qtyDelta: -3 };
  expectError(await adjust(issue, 'after-stock'), 409, 'insufficient_stock');
  expectError(await adjust(issue, 'after-stock'), 409, 'insufficient_stock');
  expectStatus(await adjust({ itemId, locationId: w.binA, qtyDelta: 5 }), 201);
  const r = await adjust(issue, 'after-stock');
  expectStatus(r, 201);
  assert.is(r.body.data.lines[0].qtyDelta, -3);
  assert.equal((await adjust(issue, 'after-stock')).body, r.body, 'and is remembered once it succeeded');
  assert.is(await onHand(itemId), 2);
});

test('a refused request does not claim its key for another body either', async () => {
  const itemId = await newItem();
  expectError(await adjust({ itemId, locationId: w.binA, qtyDelta: -1 }, 'refused-then-other'), 409, 'insufficient_stock');
  const r = await adjust({ itemId, locationId: w.binA, qtyDelta: 1 }, 'refused-then-other');
  expectStatus(r, 201);
});

test.run();
