// `ims verify` against a database a real server populated: exit 0 while every balance
// matches the ledger, exit 1 once the balance table is corrupted behind the ledger's back.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectStatus, seedWorld, startTestServer } from './harness.js';

const root = new URL('../..', import.meta.url).pathname;
let dir: string;
let file: string;

function verify(): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/ims.mjs', 'verify'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ims-verify-'));
  file = join(dir, 'ims.db');
  const t = await startTestServer({ databaseUrl: `sqlite:${file}` });
  try {
    const w = await seedWorld(t);
    const post = async (path: string, body: unknown) => expectStatus(await t.call('POST', path, body), 201);
    await post('/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binA, qtyDelta: 10 });
    await post('/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binA, qtyDelta: -3 });
    await post('/v1/inventory/moves', { itemId: w.itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 2, toStatusId: 'quarantine' });
    await post('/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binB, qtyDelta: 4 });
    await post('/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binB, qtyDelta: -4 });
  } finally {
    await t.close();
  }
});

test.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('verify exits 0 when every balance matches the ledger', () => {
  const r = verify();
  assert.is(r.status, 0, r.stdout + r.stderr);
});

test('verify exits 1 once a balance drifts from the ledger', () => {
  const db = new Database(file);
  try {
    const changed = db.prepare('UPDATE balances SET on_hand = on_hand + 1').run().changes;
    assert.ok(changed >= 2, `balance rows were corrupted: ${changed}`);
  } finally {
    db.close();
  }
  const r = verify();
  assert.is(r.status, 1, r.stdout + r.stderr);
});

test('verify exits 1 when a balance row is missing altogether', () => {
  const db = new Database(file);
  try {
    db.prepare('UPDATE balances SET on_hand = on_hand - 1').run();
    assert.is(verify().status, 0, 'restored');
    db.prepare("DELETE FROM balances WHERE status_id = 'quarantine'").run();
  } finally {
    db.close();
  }
  assert.is(verify().status, 1);
});

test.run();
