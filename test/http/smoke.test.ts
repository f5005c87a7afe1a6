import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seedWorld, startTestServer, type TestServer } from './harness.js';

let t: TestServer;
test.before(async () => {
  t = await startTestServer();
});
test.after(async () => {
  await t.close();
});

test('health answers in the reference shape', async () => {
  const r = await t.call('GET', '/health', undefined, { token: null });
  assert.is(r.status, 200);
  assert.is(r.body.service, 'ims-api');
  assert.is(r.body.status, 'healthy');
});

test('seed world and post an adjustment', async () => {
  const w = await seedWorld(t);
  const r = await t.call('POST', '/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binA, qtyDelta: 5 });
  assert.is(r.status, 201, JSON.stringify(r.body));
  assert.is(r.body.data.lines[0].qtyDelta, 5);
});

test.run();
