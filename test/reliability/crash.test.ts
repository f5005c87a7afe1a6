// Crash durability: the real server (`ims serve` on a SQLite file, synchronous=FULL) is
// killed with SIGKILL KILLS times, each at a random moment of a 4-client load of multi-line
// postings (three-line purchase receipts and two-line moves), every one sent with an
// Idempotency-Key that is also its `reason`, so the ledger row can be found by it. After each
// kill, with the server down: SQLite's integrity_check says ok; every posting acknowledged
// with a 2xx is in the ledger exactly once; no posting is partial (each has all its lines, and
// the order's received quantities equal its receipt lines); `ims verify` finds every balance
// equal to a replay of the ledger. After the restart, every request that was in flight is
// sent again with its key: it lands exactly once (a replay, or the first run if the kill
// came before its commit).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../http/cli.js';
import { startHealthyHost, type Host } from '../support/serve.js';
import { batterySeed, random } from './support.js';

const KILLS = 30;
const CLIENTS = 4;
const TOKEN = 'crash_battery_token_0123456789abcdef';
const SEED = batterySeed(9_001);
const rnd = random(SEED);

let dir: string;
let url: string;
let file: string;
let host: Host | null = null;

interface Sent {
  key: string;
  path: string;
  body: unknown;
  lines: number;
}

/** key → what was sent; `acked` had a 2xx; `inFlight` got no answer (the kill came first). */
const sent = new Map<string, Sent>();
const acked = new Set<string>();
let inFlight: Sent[] = [];

async function call(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (key) headers['idempotency-key'] = key;
  const r = await fetch(host!.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

async function created(method: string, path: string, body: unknown): Promise<any> {
  const r = await call(method, path, body);
  if (r.status !== 201 && r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
}

let items: string[] = [];
let bins: string[] = [];
let po: { id: string; lines: Array<{ id: string; itemId: string }> };

async function start(): Promise<void> {
  host = await startHealthyHost({ DATABASE_URL: url, IMS_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn' });
}

async function seed(): Promise<void> {
  const ea = await created('POST', '/v1/uoms', { code: 'EA', name: 'Each' });
  items = [];
  for (const n of [1, 2, 3]) items.push((await created('POST', '/v1/items', { itemNo: `CRASH-${n}`, name: `Crash ${n}`, itemKind: 'purchased', baseUomId: ea.id })).id);
  const facility = await created('POST', '/v1/facilities', { code: 'WH', name: 'Warehouse', type: 'warehouse' });
  bins = [];
  for (const code of ['A', 'B', 'C', 'D']) bins.push((await created('POST', `/v1/facilities/${facility.id}/locations`, { code, name: code, type: 'bin' })).id);
  const supplier = await created('POST', '/v1/procurement/suppliers', { code: 'SUP', name: 'Supplier' });
  const order = await created('POST', '/v1/procurement/purchase-orders', {
    supplierId: supplier.id, facilityId: facility.id, lines: items.map((itemId) => ({ itemId, qty: 1_000_000, unitPrice: 1 })),
  });
  for (const action of ['submit', 'approve', 'send']) await created('POST', `/v1/procurement/purchase-orders/${order.id}/${action}`, {});
  po = order;
}

/** The next posting of a client: mostly a three-line receipt, sometimes a two-line move. */
function nextPosting(key: string): Sent {
  if (rnd.chance(0.7)) {
    const lines = po.lines.map((l) => ({ lineId: l.id, qty: 1 + rnd.int(3), locationId: rnd.pick(bins) }));
    return { key, path: `/v1/procurement/purchase-orders/${po.id}/receipts`, body: { lines, reason: key }, lines: 3 };
  }
  const from = rnd.pick(bins);
  const to = bins.find((b) => b !== from)!;
  return { key, path: '/v1/inventory/moves', body: { itemId: rnd.pick(items), fromLocationId: from, toLocationId: to, qty: 1, reason: key }, lines: 2 };
}

/** One client: posts until the server stops answering. */
async function client(cycle: number, id: number): Promise<void> {
  for (let n = 0; ; n++) {
    const s = nextPosting(`crash-${cycle}-${id}-${n}`);
    sent.set(s.key, s);
    let r;
    try {
      r = await call('POST', s.path, s.body, s.key);
    } catch {
      inFlight.push(s);
      return;
    }
    if (r.status >= 200 && r.status < 300) acked.add(s.key);
    else if (r.status >= 500) throw new Error(`${s.path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

/** The ledger as the file holds it, checked with the server down (or beside it). */
function checkFile(cycle: number, mustExist: Iterable<string>): void {
  const db = new Database(file);
  try {
    assert.is(db.pragma('integrity_check', { simple: true }), 'ok', `cycle ${cycle}: integrity_check`);
    const rows = db.prepare(`SELECT t.reason AS key, count(DISTINCT t.seq) AS postings, count(*) AS lines
      FROM inventory_transactions t JOIN inventory_lines l ON l.seq = t.seq
      WHERE t.reason LIKE 'crash-%' GROUP BY t.reason`).all() as Array<{ key: string; postings: number; lines: number }>;
    const found = new Map(rows.map((r) => [r.key, r]));
    for (const r of rows) {
      const s = sent.get(r.key);
      assert.ok(s, `cycle ${cycle}: a posting nobody sent: ${r.key}`);
      assert.is(r.postings, 1, `cycle ${cycle}: ${r.key} is in the ledger ${r.postings} times`);
      assert.is(r.lines, s!.lines, `cycle ${cycle}: ${r.key} is partial: ${r.lines} of ${s!.lines} lines`);
    }
    for (const key of mustExist) assert.ok(found.has(key), `cycle ${cycle}: acknowledged ${key} is missing`);
    // The order's received quantities are exactly what its receipt lines put in stock.
    const received = db.prepare('SELECT item_id AS itemId, qty_received AS qty FROM purchase_order_lines WHERE purchase_order_id = ?').all(po.id) as Array<{ itemId: string; qty: number }>;
    const posted = db.prepare(`SELECT l.item_id AS itemId, sum(l.qty_delta) AS qty FROM inventory_transactions t JOIN inventory_lines l ON l.seq = t.seq
      WHERE t.type = 'receipt' GROUP BY l.item_id`).all() as Array<{ itemId: string; qty: number }>;
    const postedBy = new Map(posted.map((p) => [p.itemId, p.qty]));
    for (const r of received) assert.is(postedBy.get(r.itemId) ?? 0, r.qty, `cycle ${cycle}: order line of ${r.itemId} vs its receipts`);
  } finally {
    db.close();
  }
}

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ims-crash-'));
  file = join(dir, 'ims.db');
  url = `sqlite:${file}`;
  await start();
  await seed();
});
test.after(async () => {
  await host?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test(`${KILLS} kill -9 under a ${CLIENTS}-client load: acknowledged postings survive once, none partial, retries exactly once, verify clean (seed ${SEED})`, async () => {
  const started = Date.now();
  let survived = 0;
  let retried = 0;
  for (let cycle = 1; cycle <= KILLS; cycle++) {
    inFlight = [];
    const load = Array.from({ length: CLIENTS }, (_, i) => client(cycle, i));
    await new Promise((r) => setTimeout(r, 100 + rnd.int(500)));
    host!.child.kill('SIGKILL');
    const exit = await host!.exited;
    // A server that stopped by itself says why in its output.
    assert.is(exit.signal, 'SIGKILL', `cycle ${cycle}: the server exited by itself (${JSON.stringify(exit)}):\n${host!.output().slice(-4000)}`);
    await Promise.all(load);
    // Down: the file alone must be whole and agree with what was acknowledged.
    checkFile(cycle, acked);
    const code = await main(['verify', '--database-url', url]);
    assert.is(code, 0, `cycle ${cycle}: ims verify`);
    // Up again: what was in flight is sent again with its key, and lands exactly once.
    await start();
    for (const s of inFlight) {
      const r = await call('POST', s.path, s.body, s.key);
      assert.ok(r.status < 500, `cycle ${cycle}: retry of ${s.key}: ${r.status} ${JSON.stringify(r.body)}`);
      if (r.status < 300) acked.add(s.key);
      retried++;
    }
    checkFile(cycle, acked);
    survived++;
  }
  assert.is(survived, KILLS);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`  crash: ${survived}/${KILLS} kills survived in ${seconds} s; ${acked.size} postings acknowledged, ${retried} in-flight requests retried, ${sent.size} sent`);
});

test.run();
