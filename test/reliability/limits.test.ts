// Limits, over the route table: a body over 1 MiB is a 413 on every POST and PATCH route;
// `limit` over 1000, zero or negative (and a negative offset) is a 400 on every list; an
// array one item past its maximum (1000 lines) is a 400 naming it; a client that sends its
// headers slowly is cut off by the header timeout; a burst of 200 connections at once gets
// no 5xx, and the ledger verifies afterwards.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Schema } from '../../core/schema.js';
import { verifyBalances } from '../../core/verify.js';
import { createLogger } from '../../http/log.js';
import { routes } from '../../http/routes/index.js';
import { MAX_BODY_BYTES, startServer, TIMEOUTS } from '../../http/server.js';
import { ADMIN_TOKEN, seedWorld, type TestServer, type World } from '../http/harness.js';
import { bodyRoutes, digestSqlite, expectEnvelope, pathOf, sample, startSqliteServer } from './support.js';

let t: TestServer;
let w: World;
let file: string;
let close: () => Promise<void>;

test.before(async () => {
  ({ t, file, close } = await startSqliteServer());
  w = await seedWorld(t);
  const r = await t.call('POST', '/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binA, qtyDelta: 1000 });
  assert.is(r.status, 201);
});
test.after(async () => {
  await close();
});

test('a body over 1 MiB is a 413 on every POST and PATCH route, and changes nothing', async () => {
  const before = digestSqlite(file);
  const raw = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) });
  for (const route of bodyRoutes(routes)) {
    const r = await t.call(route.method, pathOf(route), undefined, { raw });
    const what = `${route.method} ${route.path}`;
    assert.is(r.status, 413, `${what}: ${JSON.stringify(r.body)}`);
    expectEnvelope(r, what);
    assert.is(r.body.error, 'payload_too_large');
  }
  assert.is(digestSqlite(file), before);
});

test('limit over 1000, zero or negative, and a negative offset, are a 400 on every list', async () => {
  const lists = routes.filter((r) => r.kind === 'list');
  assert.ok(lists.length >= 20, `${lists.length} lists`);
  for (const route of lists) {
    for (const q of ['limit=1001', 'limit=100000', 'limit=-1', 'limit=0', 'offset=-1', 'limit=1e3x', 'limit=NaN']) {
      const r = await t.call('GET', `${pathOf(route, { facilityId: w.facilityId })}?${q}`);
      const what = `GET ${route.path}?${q}`;
      assert.is(r.status, 400, `${what}: ${JSON.stringify(r.body)}`);
      expectEnvelope(r, what);
    }
    // The edge itself is allowed.
    const edge = await t.call('GET', `${pathOf(route, { facilityId: w.facilityId })}?limit=1000`);
    assert.ok(edge.status === 200 || edge.status === 404, `GET ${route.path}?limit=1000: ${edge.status}`);
  }
});

test('an array one item past its maximum (1000 lines) is a 400 naming it, on every route', async () => {
  const before = digestSqlite(file);
  let n = 0;
  for (const route of bodyRoutes(routes)) {
    const props = (route.body.properties ?? {}) as Record<string, Schema>;
    for (const [name, schema] of Object.entries(props)) {
      if (schema.type !== 'array' || typeof schema.maxItems !== 'number') continue;
      const max = schema.maxItems;
      const items = Array.from({ length: max + 1 }, (_, i) => {
        const item = sample(schema.items as Schema);
        // Distinct items, so uniqueItems is not what refuses them.
        return typeof item === 'string' ? (/^[0-9a-f-]{36}$/.test(item) ? randomUUID() : `${item}${i}`) : item;
      });
      const body = { ...(sample(route.body) as object), [name]: items };
      const r = await t.call(route.method, pathOf(route), body);
      const what = `${route.method} ${route.path} with ${max + 1} ${name}`;
      assert.is(r.status, 400, `${what}: ${JSON.stringify(r.body).slice(0, 300)}`);
      expectEnvelope(r, what);
      assert.ok(r.body.details.some((d: { path: string }) => d.path === `/${name}`), `${what}: names /${name}: ${JSON.stringify(r.body.details)}`);
      if (name === 'lines') assert.ok(max <= 1000, `${what}: lines are at most 1000`);
      n++;
    }
  }
  assert.ok(n >= 15, `${n} arrays checked`);
  assert.is(digestSqlite(file), before);
});

/** Sends a request line, then one header byte every `everyMs`; resolves how long until the server hung up. */
function slowHeaders(url: string, everyMs: number, giveUpMs: number): Promise<{ ms: number; answer: string; cut: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(Number(port), hostname);
    let answer = '';
    let timer: NodeJS.Timeout;
    const finish = (cut: boolean) => {
      clearInterval(timer);
      socket.destroy();
      resolve({ ms: Date.now() - started, answer, cut });
    };
    socket.on('connect', () => {
      socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      timer = setInterval(() => {
        if (Date.now() - started > giveUpMs) return finish(false);
        socket.write('a');
      }, everyMs);
    });
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('close', () => finish(true));
    socket.on('error', (e) => (answer ? finish(true) : reject(e)));
  });
}

test('a client that sends its headers slowly is cut off by the header timeout', async () => {
  // The production limit is 10 s; the same mechanism is exercised here at 1 s.
  assert.is(TIMEOUTS.headersMs, 10_000);
  const quick = await startServer({ store: t.store, logger: createLogger('silent'), timeouts: { headersMs: 1000 } });
  try {
    const r = await slowHeaders(quick.url, 100, 8000);
    assert.ok(r.cut, `the server kept the connection open for ${r.ms} ms`);
    assert.ok(r.ms >= 900 && r.ms < 3500, `cut off after ${r.ms} ms`);
    assert.ok(r.answer === '' || /^HTTP\/1\.1 408/.test(r.answer), `answer: ${r.answer.slice(0, 100)}`);
    // A client that is merely normal is served by the same server.
    assert.is((await fetch(`${quick.url}/health`)).status, 200);
  } finally {
    await quick.close();
  }
});

/** One request on a connection of its own. */
function oneShot(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(url + path, {
      method, agent: false,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, connection: 'close', ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

test('a burst of 200 concurrent connections gets no 5xx, and the ledger verifies', async () => {
  const jobs = Array.from({ length: 200 }, (_, i) => {
    switch (i % 4) {
      case 0:
        return oneShot(t.url, 'POST', '/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binA, qtyDelta: 1 }, { 'idempotency-key': `burst-${i}` });
      case 1:
        return oneShot(t.url, 'POST', '/v1/inventory/moves', { itemId: w.itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 1 });
      case 2:
        return oneShot(t.url, 'GET', `/v1/inventory/balances?itemId=${w.itemId}`);
      default:
        return oneShot(t.url, 'GET', '/health');
    }
  });
  const statuses = await Promise.all(jobs);
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  assert.is(statuses.filter((s) => s >= 500).length, 0, JSON.stringify(counts));
  assert.equal(counts, { 200: 100, 201: 100 }, 'every request of the burst succeeded');
  assert.equal(await verifyBalances(t.store.read), []);
  const b = await t.call('GET', `/v1/inventory/balances?itemId=${w.itemId}&limit=1000`);
  const total = b.body.data.reduce((s: number, x: { onHand: number }) => s + x.onHand, 0);
  assert.is(total, 1050, 'the 50 adjustments of +1 landed once each; moves keep the total');
});

test.run();
