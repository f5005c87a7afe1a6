// /health reports the database: 503 `unhealthy` while it does not answer, 200 again once it
// does, without a restart; a /v1 request meanwhile is a 503 `service_unavailable`. (A store
// that fails on cue, over SQLite; health-postgres.test.ts stops a real PostgreSQL server.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCommand } from '../../core/command.js';
import { StoreUnavailable, type Store } from '../../core/ports.js';
import { unwrap } from '../../core/result.js';
import { bootstrapToken } from '../../core/token.js';
import { createLogger } from '../../http/log.js';
import { startServer, type RunningServer } from '../../http/server.js';
import { openStore } from '../../storage/open.js';

const TOKEN = 'health_test_token_0123456789';
let store: Store;
let server: RunningServer;
let down = false;

/** The real store, except that while `down` the database "does not answer". */
function flaky(inner: Store): Store {
  const fail = () => Promise.reject(new StoreUnavailable('connection refused'));
  const catalog = new Proxy(inner.read.catalog, {
    get: (target, prop, receiver) => {
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (...args: unknown[]) => (down ? fail() : value.apply(target, args)) : value;
    },
  });
  return {
    kind: inner.kind,
    read: { ...inner.read, catalog },
    write: (work) => (down ? fail() : inner.write(work)),
    ping: () => (down ? fail() : inner.ping()),
    close: () => inner.close(),
  };
}

test.before(async () => {
  store = await openStore('sqlite::memory:');
  unwrap(await runCommand(store, (tx) => bootstrapToken(tx, TOKEN, new Date().toISOString())));
  server = await startServer({ store: flaky(store), logger: createLogger('silent') });
});
test.after(async () => {
  await server.close();
  await store.close();
});

const get = async (path: string) => {
  const r = await fetch(server.url + path, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

test('healthy: 200 with service, status, version and timestamp', async () => {
  const r = await get('/health');
  assert.is(r.status, 200);
  assert.equal(Object.keys(r.body).sort(), ['service', 'status', 'timestamp', 'version']);
  assert.is(r.body.service, 'ims-api');
  assert.is(r.body.status, 'healthy');
  assert.ok(!Number.isNaN(Date.parse(r.body.timestamp as string)));
});

test('database down: /health is 503 unhealthy, /v1 reads and writes are 503 service_unavailable', async () => {
  down = true;
  try {
    const h = await get('/health');
    assert.is(h.status, 503);
    assert.is(h.body.status, 'unhealthy');
    assert.is(h.body.service, 'ims-api');
    const list = await get('/v1/uoms');
    assert.is(list.status, 503);
    assert.is(list.body.error, 'service_unavailable');
    assert.is(list.body.status, 503);
    const r = await fetch(`${server.url}/v1/uoms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'EA', name: 'Each' }),
    });
    assert.is(r.status, 503);
  } finally {
    down = false;
  }
});

test('database back: healthy again without a restart, and the refused write did not happen', async () => {
  const h = await get('/health');
  assert.is(h.status, 200);
  assert.is(h.body.status, 'healthy');
  const list = await get('/v1/uoms');
  assert.is(list.status, 200);
  assert.is(list.body.count, 0);
});

test.run();
