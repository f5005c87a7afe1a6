// `npm run build:binary` makes one executable that needs no Node.js, node_modules or checkout
// beside it: built once here (into a temporary directory), started from another directory on
// a new SQLite file, it answers /health, migrates, posts stock and records the posting's event:
// through better-sqlite3's addon (loaded from its cache directory) when built on Node 20, and
// through node:sqlite with no addon at all when built on a Node that has it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadNodeSqlite } from '../storage/sqlite/node-sqlite.js';
import { freePort } from './support/postgres.mjs';

const TOKEN = 'binary_admin_token_0123456789';
const dir = mkdtempSync(join(tmpdir(), 'ims-binary-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Whether this Node (which builds the binary) has a node:sqlite the adapter uses. */
const nodeSqlite = () => typeof loadNodeSqlite() !== 'string';

/** Why the binary cannot be built here, or null. */
function skipReason(): string | null {
  const require = createRequire(import.meta.url);
  for (const name of ['esbuild', 'postject']) {
    try {
      require.resolve(name);
    } catch {
      return `${name} is not installed (npm install)`;
    }
  }
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  if (major < 20 || (major === 20 && minor < 12)) return `Node ${process.version} has no single executable assets (20.12 or later)`;
  if (process.platform !== 'linux' && process.platform !== 'darwin') return `not tried on ${process.platform}`;
  return null;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(base + path, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  });
  return { status: r.status, body: await r.json() };
}

const reason = skipReason();
if (reason) {
  console.log(`  skip single executable: ${reason}`);
  test.skip('npm run build:binary makes one executable that serves /health and posts stock');
} else {
  test('npm run build:binary makes one executable that serves /health and posts stock', async () => {
    const out = join(dir, 'out');
    const build = spawnSync(process.execPath, ['scripts/build-binary.mjs', out], { encoding: 'utf8', timeout: 240_000 });
    assert.is(build.status, 0, build.stdout + build.stderr);
    const binary = join(out, 'ims');
    assert.ok(existsSync(binary));
    const version = spawnSync(binary, ['--version'], { encoding: 'utf8', cwd: dir, env: { PATH: '/usr/bin:/bin', IMS_CACHE_DIR: join(dir, 'cache') } });
    assert.is(version.stdout.trim(), '0.1.0', version.stderr);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // Another directory, an environment without Node's: nothing of the checkout is in reach.
    const child = spawn(binary, ['serve'], {
      cwd: dir, stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: '/usr/bin:/bin', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'data', 'ims.db')}`,
        IMS_ADMIN_TOKEN: TOKEN, IMS_CACHE_DIR: join(dir, 'cache'), LOG_LEVEL: 'info',
      },
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let health: { status: number; body: any } | null = null;
      for (let i = 0; i < 200 && child.exitCode === null; i++) {
        health = await fetch(`${base}/health`).then(async (r) => ({ status: r.status, body: await r.json() }), () => null);
        if (health) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(health, `the binary did not answer: ${output}`);
      assert.is(health!.status, 200);
      assert.is(health!.body.status, 'healthy');
      assert.is(health!.body.version, '0.1.0');

      const ea = (await call(base, 'POST', '/v1/uoms', { code: 'EA', name: 'Each', decimals: 0 })).body.data;
      const item = (await call(base, 'POST', '/v1/items', { itemNo: 'BIN-1', name: 'Boxed', itemKind: 'purchased', baseUomId: ea.id })).body.data;
      const wh = (await call(base, 'POST', '/v1/facilities', { code: 'WH', name: 'Warehouse', type: 'warehouse' })).body.data;
      const bin = (await call(base, 'POST', `/v1/facilities/${wh.id}/locations`, { code: 'A', name: 'Bin A', type: 'bin' })).body.data;
      const posted = await call(base, 'POST', '/v1/inventory/adjustments', { itemId: item.id, locationId: bin.id, qtyDelta: 7 });
      assert.is(posted.status, 201, JSON.stringify(posted.body));
      const refused = await call(base, 'POST', '/v1/inventory/adjustments', { itemId: item.id, locationId: bin.id, qtyDelta: -8 });
      assert.is(refused.body.error, 'insufficient_stock');
      const balances = await call(base, 'GET', `/v1/inventory/balances?itemId=${item.id}`);
      assert.equal(balances.body.data.map((b: { onHand: number }) => b.onHand), [7]);
      const events = await call(base, 'GET', '/v1/events?type=transaction.posted');
      assert.equal(events.body.data.map((e: any) => e.data.transactionId), [posted.body.data.id]);
      if (nodeSqlite()) {
        // Built with a Node that has node:sqlite: no addon inside, none written, that driver used.
        assert.not.ok(existsSync(join(dir, 'cache')), 'no addon cache');
        assert.match(output, /"sqliteDriver":"node:sqlite/);
      } else {
        // The addon was written to the cache directory, named by its hash.
        assert.is(readdirSync(join(dir, 'cache')).filter((f) => f.startsWith('addon-')).length, 1);
        assert.match(output, /"sqliteDriver":"better-sqlite3/);
      }
    } finally {
      child.kill('SIGTERM');
    }
    assert.is(await exited, 0, output);
  });
}

test.run();
