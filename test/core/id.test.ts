import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isUuid, newId } from '../../core/id.js';

test('ids are UUID version 7 with the RFC 9562 variant', () => {
  const id = newId();
  assert.ok(isUuid(id));
  assert.is(id[14], '7');
  assert.ok('89ab'.includes(id[19]!));
});

test('ids made one after another increase, even within one millisecond, and never repeat', () => {
  const ids = Array.from({ length: 20_000 }, () => newId());
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!, `${ids[i - 1]} then ${ids[i]}`);
  assert.is(new Set(ids).size, ids.length);
});

test('the first 48 bits are the millisecond the id was made', () => {
  const before = Date.now();
  const ms = parseInt(newId().replace(/-/g, '').slice(0, 12), 16);
  // A burst of more than 4096 ids in one millisecond borrows the next ones, so allow a little.
  assert.ok(ms >= before - 50 && ms <= Date.now() + 50);
});

test.run();
