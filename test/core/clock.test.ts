// The clock: ISO 8601 UTC with milliseconds. nowIso formats each millisecond once and hands
// the same text to every caller within it, so it must still move on with the clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDate, nowIso } from '../../core/clock.js';

test('nowIso is the current millisecond, and moves on with the clock', () => {
  const first = nowIso();
  assert.match(first, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  const start = Date.now();
  while (Date.now() === start) { /* the next millisecond */ }
  const before = Date.now();
  const next = nowIso();
  const after = Date.now();
  assert.ok(next > first, `${next} after ${first}`);
  assert.ok(Date.parse(next) >= before && Date.parse(next) <= after, 'the millisecond it was asked in');
});

test('isDate accepts calendar dates only', () => {
  assert.ok(isDate('2026-02-28'));
  assert.not.ok(isDate('2026-02-30'));
  assert.not.ok(isDate('2026-2-28'));
});

test.run();
