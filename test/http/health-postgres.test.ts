// /health on PostgreSQL, with a real outage: a small cluster of this file's own (stopping the
// run's shared cluster would break the other test files) is stopped under a running host and
// started again on the same port. While it is down, /health answers 503 `unhealthy` and /v1
// requests 503 `service_unavailable`; once it is back, the same host (no restart) answers 200
// and the data is there. Needs the server binaries; without them it is skipped with the reason.
import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCommand } from '../../core/command.js';
import type { Store } from '../../core/ports.js';
import { unwrap } from '../../core/result.js';
import { bootstrapToken } from '../../core/token.js';
import { createLogger } from '../../http/log.js';
import { startServer, type RunningServer } from '../../http/server.js';
import { openStore } from '../../storage/open.js';
import { databaseUrl } from '../support/database.js';
import { findPgBin, startCluster, type Cluster } from '../support/postgres.mjs';
import { startHost } from '../support/serve.js';

const TOKEN = 'pg_health_test_token_0123456789';
const reason = process.env.IMS_TEST_PG === '0'
  ? 'IMS_TEST_PG=0 turns the PostgreSQL tests off'
  : findPgBin() ? null : 'no PostgreSQL server binaries (initdb, pg_ctl): an outage needs a cluster this test can stop and start';
if (reason && process.env.IMS_REQUIRE_PG === '1') throw new Error(`IMS_REQUIRE_PG=1 but ${reason}`);

let cluster: Cluster;
let store: Store;
let server: RunningServer;

const call = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, any> };
};

/** Polls /health until it answers `status`, for at most `ms`. */
async function healthBecomes(status: number, ms: number): Promise<number> {
  const until = Date.now() + ms;
  let last = 0;
  while (Date.now() < until) {
    last = (await call('GET', '/health')).status;
    if (last === status) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

if (reason) {
  console.log(`  skip [postgres] health outage: ${reason}`);
  test.skip('healthy on PostgreSQL');
  test.skip('PostgreSQL down: 503 unhealthy and service_unavailable, no 500');
  test.skip('PostgreSQL back: healthy again without a restart, the data intact');
  test.skip('a host started while PostgreSQL is down waits for it, then serves');
} else {
  test.before(async () => {
    cluster = await startCluster({ fsync: false, maxConnections: 30 });
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE ims');
    await admin.end();
    store = await openStore(databaseUrl(cluster.url, 'ims'), { postgres: { max: 4, connectionTimeoutMillis: 2000 } });
    unwrap(await runCommand(store, (tx) => bootstrapToken(tx, TOKEN, new Date().toISOString())));
    server = await startServer({ store, logger: createLogger('silent') });
  });

  test.after(async () => {
    await server?.close();
    await store?.close().catch(() => {});
    await cluster?.destroy();
  });

  test('healthy on PostgreSQL', async () => {
    const h = await call('GET', '/health');
    assert.is(h.status, 200);
    assert.is(h.body.status, 'healthy');
    const r = await call('POST', '/v1/uoms', { code: 'EA', name: 'Each' });
    assert.is(r.status, 201);
  });

  test('PostgreSQL down: 503 unhealthy and service_unavailable, no 500', async () => {
    await cluster.stop();
    const h = await call('GET', '/health');
    assert.is(h.status, 503);
    assert.is(h.body.status, 'unhealthy');
    assert.is(h.body.service, 'ims-api');
    const list = await call('GET', '/v1/uoms');
    assert.is(list.status, 503, JSON.stringify(list.body));
    assert.is(list.body.error, 'service_unavailable');
    const write = await call('POST', '/v1/uoms', { code: 'KG', name: 'Kilogram', decimals: 3 });
    assert.is(write.status, 503, JSON.stringify(write.body));
    assert.is(write.body.error, 'service_unavailable');
    assert.is((await call('GET', '/health')).status, 503, 'still down');
  });

  test('PostgreSQL back: healthy again without a restart, the data intact', async () => {
    await cluster.start();
    assert.is(await healthBecomes(200, 15_000), 200);
    const list = await call('GET', '/v1/uoms');
    assert.is(list.status, 200);
    assert.equal(list.body.data.map((u: { code: string }) => u.code), ['EA'], 'the write made while down did not happen');
    const r = await call('POST', '/v1/uoms', { code: 'KG', name: 'Kilogram', decimals: 3 });
    assert.is(r.status, 201);
  });

  test('a host started while PostgreSQL is down waits for it, then serves', async () => {
    await cluster.stop();
    const host = await startHost({ DATABASE_URL: databaseUrl(cluster.url, 'ims'), IMS_ADMIN_TOKEN: TOKEN });
    try {
      await new Promise((r) => setTimeout(r, 1500));
      assert.is(host.child.exitCode, null, `the host must wait, not exit:\n${host.output()}`);
      await cluster.start();
      let status = 0;
      for (const until = Date.now() + 20_000; Date.now() < until && status !== 200;) {
        status = await fetch(`${host.url}/health`).then((r) => r.status, () => 0);
        if (status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      assert.is(status, 200, host.output());
      const list = await fetch(`${host.url}/v1/uoms`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.is(list.status, 200);
    } finally {
      const exit = await host.stop();
      assert.is(exit.code, 0);
    }
  });
}

test.run();
