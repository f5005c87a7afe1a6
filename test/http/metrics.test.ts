// GET /metrics: Prometheus text with requests by route template and status, a latency
// histogram, committed postings and lines, commit batch sizes and database errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCommand } from '../../core/command.js';
import { StoreUnavailable, type Store } from '../../core/ports.js';
import { unwrap } from '../../core/result.js';
import { bootstrapToken } from '../../core/token.js';
import { createLogger } from '../../http/log.js';
import { Metrics } from '../../http/metrics.js';
import { startServer } from '../../http/server.js';
import { openStore } from '../../storage/open.js';
import { expectStatus, seedWorld, startTestServer, TEST_DATABASE, type TestServer, type World } from './harness.js';

let t: TestServer;
let w: World;

/** The samples of a Prometheus text answer: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function scrape(): Promise<Map<string, number>> {
  const r = await fetch(`${t.url}/metrics`);
  assert.is(r.status, 200);
  return samples(await r.text());
}

const value = (m: Map<string, number>, key: string) => m.get(key) ?? 0;

test.before(async () => {
  t = await startTestServer();
  w = await seedWorld(t);
});
test.after(async () => {
  await t.close();
});

test('GET /metrics is open Prometheus text with HELP and TYPE for every family', async () => {
  const r = await fetch(`${t.url}/metrics`);
  assert.is(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await r.text();
  for (const [name, type] of [
    ['ims_http_requests_total', 'counter'], ['ims_http_request_duration_seconds', 'histogram'], ['ims_postings_total', 'counter'],
    ['ims_posting_lines_total', 'counter'], ['ims_commit_batch_size', 'histogram'], ['ims_database_errors_total', 'counter'],
  ]) {
    assert.ok(text.includes(`# TYPE ${name} ${type}\n`), `${name} is a ${type}`);
    assert.ok(text.includes(`# HELP ${name} `), `${name} has help`);
  }
  // Every sample line is `name{labels} number` or `name number`.
  for (const line of text.trim().split('\n').filter((l) => !l.startsWith('#'))) {
    assert.match(line, /^[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? -?[0-9.e+]+$/, line);
  }
});

test('requests are counted by method, route template and status; unknown paths by one label', async () => {
  const before = await scrape();
  expectStatus(await t.call('GET', `/v1/items/${w.itemId}`), 200);
  expectStatus(await t.call('GET', `/v1/items/${w.itemId}`), 200);
  expectStatus(await t.call('GET', '/v1/items/0190a0a0-0000-7000-8000-000000000000'), 404);
  expectStatus(await t.call('GET', '/v1/items', undefined, { token: null }), 401);
  expectStatus(await t.call('GET', '/no/such/path/42'), 404);
  const after = await scrape();
  const key = (route: string, status: number, method = 'GET') => `ims_http_requests_total{method="${method}",route="${route}",status="${status}"}`;
  assert.is(value(after, key('/v1/items/{itemId}', 200)) - value(before, key('/v1/items/{itemId}', 200)), 2);
  assert.is(value(after, key('/v1/items/{itemId}', 404)) - value(before, key('/v1/items/{itemId}', 404)), 1);
  assert.is(value(after, key('/v1/items', 401)) - value(before, key('/v1/items', 401)), 1);
  assert.is(value(after, key('unmatched', 404)) - value(before, key('unmatched', 404)), 1);
  // The raw path never becomes a label: the set of series stays bounded.
  assert.not.ok([...after.keys()].some((k) => k.includes(w.itemId) || k.includes('/no/such')));
});

test('the latency histogram is cumulative and counts every request of a route', async () => {
  for (let i = 0; i < 3; i++) expectStatus(await t.call('GET', '/v1/uoms'), 200);
  const m = await scrape();
  const labels = 'method="GET",route="/v1/uoms"';
  const count = value(m, `ims_http_request_duration_seconds_count{${labels}}`);
  assert.ok(count >= 3, `count ${count}`);
  assert.is(value(m, `ims_http_request_duration_seconds_bucket{${labels},le="+Inf"}`), count);
  const buckets = [...m].filter(([k]) => k.startsWith(`ims_http_request_duration_seconds_bucket{${labels},`)).map(([, v]) => v);
  assert.ok(buckets.length >= 10);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i]! >= buckets[i - 1]!, 'buckets never decrease');
  assert.ok(value(m, `ims_http_request_duration_seconds_sum{${labels}}`) > 0);
});

test('postings and their lines are counted once committed; a refused posting is not', async () => {
  const before = await scrape();
  for (let i = 0; i < 3; i++) {
    expectStatus(await t.call('POST', '/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binA, qtyDelta: 5 }), 201);
  }
  expectStatus(await t.call('POST', '/v1/inventory/moves', { itemId: w.itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 1 }), 201);
  expectStatus(await t.call('POST', '/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binA, qtyDelta: -1000 }), 409);
  const after = await scrape();
  assert.is(value(after, 'ims_postings_total') - value(before, 'ims_postings_total'), 4);
  // Three one-line adjustments and a two-line move.
  assert.is(value(after, 'ims_posting_lines_total') - value(before, 'ims_posting_lines_total'), 5);
});

test('every committed write unit shows in the commit batch sizes', async () => {
  const before = await scrape();
  const n = 12;
  const replies = await Promise.all(Array.from({ length: n }, () =>
    t.call('POST', '/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binA, qtyDelta: 1 })));
  for (const r of replies) expectStatus(r, 201);
  const after = await scrape();
  // The sum is the units committed; on SQLite several may share one commit.
  assert.is(value(after, 'ims_commit_batch_size_sum') - value(before, 'ims_commit_batch_size_sum'), n);
  const commits = value(after, 'ims_commit_batch_size_count') - value(before, 'ims_commit_batch_size_count');
  assert.ok(commits >= 1 && commits <= n, `${commits} commits`);
  if (TEST_DATABASE === 'postgres') assert.is(commits, n, 'one commit per unit on PostgreSQL');
});

test('units submitted in one turn share one SQLite commit, and the histogram says so', async () => {
  const store = await openStore('sqlite::memory:');
  const metrics = new Metrics();
  const counted = metrics.instrument(store);
  await Promise.all(Array.from({ length: 5 }, () => counted.write(async () => 1)));
  const m = samples(metrics.render());
  assert.is(m.get('ims_commit_batch_size_count'), 1);
  assert.is(m.get('ims_commit_batch_size_sum'), 5);
  assert.is(m.get('ims_commit_batch_size_bucket{le="4"}'), 0);
  assert.is(m.get('ims_commit_batch_size_bucket{le="8"}'), 1);
  await store.close();
});

test('database errors are counted: requests the database failed and failed health checks', async () => {
  const inner = await openStore('sqlite::memory:');
  const token = 'metrics_test_token_0123456789';
  unwrap(await runCommand(inner, (tx) => bootstrapToken(tx, token, new Date().toISOString())));
  const fail = () => Promise.reject(new StoreUnavailable('connection refused'));
  const corrupt = () => Promise.reject(Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' }));
  const broken: Store = {
    kind: inner.kind,
    read: { ...inner.read, catalog: { ...inner.read.catalog, listUoms: fail, listItems: corrupt } },
    write: (work) => inner.write(work),
    ping: fail,
    close: () => inner.close(),
  };
  const server = await startServer({ store: broken, logger: createLogger('silent') });
  try {
    const r = await fetch(`${server.url}/v1/uoms`, { headers: { authorization: `Bearer ${token}` } });
    assert.is(r.status, 503);
    assert.is((await fetch(`${server.url}/health`)).status, 503);
    const items = await fetch(`${server.url}/v1/items`, { headers: { authorization: `Bearer ${token}` } });
    assert.is(items.status, 500);
    const m = samples(await (await fetch(`${server.url}/metrics`)).text());
    assert.is(m.get('ims_database_errors_total{kind="unavailable"}'), 2);
    assert.is(m.get('ims_database_errors_total{kind="internal"}'), 1);
    assert.is(m.get('ims_http_requests_total{method="GET",route="/v1/uoms",status="503"}'), 1);
  } finally {
    await server.close();
    await inner.close();
  }
});

test.run();
