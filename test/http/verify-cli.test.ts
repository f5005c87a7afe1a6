// `ims verify` against a database a real server populated: exit 0 while every balance
// matches the ledger, exit 1 once the balance table is corrupted behind the ledger's back.
// On the SQLite file of the test server, or (IMS_TEST_DATABASE=postgres) its PostgreSQL
// database; the corruption is plain SQL through the database's own driver.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chooseDriver } from '../../storage/sqlite/drivers.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { expectStatus, seedWorld, startTestServer, TEST_DATABASE } from './harness.js';

const root = new URL('../..', import.meta.url).pathname;
let dir: string;
let databaseUrl: string;
let database: TestDatabase | null = null;

function verify(): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/ims.mjs', 'verify'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs statements on the database behind the core's back; returns the rows each changed. */
async function tamper(...statements: string[]): Promise<number[]> {
  if (TEST_DATABASE === 'postgres') {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const changed: number[] = [];
      for (const s of statements) changed.push((await client.query(s)).rowCount ?? 0);
      return changed;
    } finally {
      await client.end();
    }
  }
  const db = chooseDriver().open(join(dir, 'ims.db'));
  try {
    return statements.map((s) => db.prepare(s).run().changes);
  } finally {
    db.close();
  }
}

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ims-verify-'));
  if (TEST_DATABASE === 'postgres') {
    database = await createTestDatabase();
    databaseUrl = database.url;
  } else {
    databaseUrl = `sqlite:${join(dir, 'ims.db')}`;
  }
  const t = await startTestServer({ databaseUrl });
  try {
    const w = await seedWorld(t);
    const post = async (path: string, body: unknown) => expectStatus(await t.call('POST', path, body), 201);
    await post('/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binA, qtyDelta: 10, unitCost: 2.5 });
    await post('/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binA, qtyDelta: -3 });
    await post('/v1/inventory/moves', { itemId: w.itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 2, toStatusId: 'quarantine' });
    await post('/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binB, qtyDelta: 4 });
    await post('/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binB, qtyDelta: -4 });
  } finally {
    await t.close();
  }
});

test.after(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('verify exits 0 when every balance matches the ledger', () => {
  const r = verify();
  assert.is(r.status, 0, r.stdout + r.stderr);
});

test('verify exits 1 once a balance drifts from the ledger', async () => {
  const [changed] = await tamper('UPDATE balances SET on_hand = on_hand + 1');
  assert.ok(changed! >= 2, `balance rows were corrupted: ${changed}`);
  const r = verify();
  assert.is(r.status, 1, r.stdout + r.stderr);
});

test('verify exits 1 when a balance row is missing altogether', async () => {
  await tamper('UPDATE balances SET on_hand = on_hand - 1');
  assert.is(verify().status, 0, 'restored');
  await tamper("DELETE FROM balances WHERE status_id = 'quarantine'");
  assert.is(verify().status, 1);
});

test('verify exits 1 when a line\'s running balance does not follow from the line before it', async () => {
  await tamper("INSERT INTO balances (item_id, location_id, lot_id, status_id, facility_id, on_hand) SELECT item_id, location_id, lot_id, status_id, facility_id, on_hand_after FROM inventory_lines WHERE status_id = 'quarantine'");
  const restored = verify();
  assert.is(restored.status, 0, restored.stdout);
  // The balances and the sums still agree; only the running balance of one line is wrong.
  const [changed] = await tamper('UPDATE inventory_lines SET on_hand_after = on_hand_after + 5 WHERE seq = (SELECT min(seq) FROM inventory_lines)');
  assert.is(changed, 1);
  const r = verify();
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /"kind":"running"/);
});

test('verify exits 1 when a stock value is not the sum of its lines\' valueDelta', async () => {
  await tamper('UPDATE inventory_lines SET on_hand_after = on_hand_after - 5 WHERE seq = (SELECT min(seq) FROM inventory_lines)');
  const restored = verify();
  assert.is(restored.status, 0, restored.stdout);
  assert.match(restored.stdout, /stock value/);
  const [changed] = await tamper('UPDATE valuations SET value = value + 1');
  assert.is(changed, 1);
  const r = verify();
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /"kind":"value"/);
});

test.run();
