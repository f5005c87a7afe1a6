// The webhook delivery decisions (core/webhook.ts), pure: the backoff doubles per failure up
// to its maximum, less up to a quarter at random; a failure keeps the cursor and schedules the
// next attempt; a success moves the cursor and forgets the failures; a passed-over event moves
// only the cursor; a subscription wants the types it names, or every type.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { delivered, failed, retryDelay, skipped, wants, type DeliveryState } from '../../core/webhook.js';

const B = { baseMs: 1000, maxMs: 10_000 };
const NOW = '2030-01-01T00:00:00.000Z';
const start: DeliveryState = {
  cursor: 7, failures: 0, nextAttemptAt: null, lastAttemptAt: null, lastStatus: null, lastError: null, lastDeliveredAt: null,
};

test('the backoff doubles per failure up to the maximum, less up to a quarter at random', () => {
  assert.equal([1, 2, 3, 4, 5, 50].map((n) => retryDelay(n, B, 0)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
  assert.is(retryDelay(2, B, 1), 1500);
  assert.is(retryDelay(0, B, 0), 1000);
});

test('a failure keeps the cursor, counts, and schedules the next attempt', () => {
  const once = failed(start, 503, 'answered 503', NOW, B, 0);
  assert.equal(once, { ...start, failures: 1, nextAttemptAt: '2030-01-01T00:00:01.000Z', lastAttemptAt: NOW, lastStatus: 503, lastError: 'answered 503' });
  const twice = failed(once, null, 'x'.repeat(900), NOW, B, 0);
  assert.is(twice.failures, 2);
  assert.is(twice.nextAttemptAt, '2030-01-01T00:00:02.000Z');
  assert.is(twice.lastStatus, null);
  assert.is(twice.lastError!.length, 500);
  assert.is(twice.cursor, 7);
});

test('a success moves the cursor and forgets the failures; a passed-over event moves only the cursor', () => {
  const bad = failed(start, 500, 'answered 500', NOW, B, 0);
  assert.equal(delivered(bad, 9, 204, NOW), { cursor: 9, failures: 0, nextAttemptAt: null, lastAttemptAt: NOW, lastStatus: 204, lastError: null, lastDeliveredAt: NOW });
  assert.equal(skipped(bad, 8), { ...bad, cursor: 8 });
});

test('a subscription wants the types it names, or every type', () => {
  assert.ok(wants({ eventTypes: null }, 'transaction.posted'));
  assert.ok(wants({ eventTypes: ['bom.status_changed'] }, 'bom.status_changed'));
  assert.not.ok(wants({ eventTypes: ['bom.status_changed'] }, 'transaction.posted'));
});

test.run();
