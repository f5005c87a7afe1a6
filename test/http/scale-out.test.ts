// Two hosts on one PostgreSQL database: two `ims serve` processes started at once (both
// migrate and bootstrap the admin token; the advisory lock and the unique hash make that
// safe), then requests spread over both. They never oversell: 32 parallel issues of 1
// against 10 on hand succeed exactly 10 times. Hundreds of concurrent moves and adjustments
// from both hosts answer 201 or 409, never 5xx; `ims verify` finds no drift; and the change
// feed lists every seq exactly once, in order, with no gaps, even to a reader that follows it
// while the postings are being made (seq order is commit order). One Idempotency-Key sent to
// both hosts at once posts once.
//
// The oversell checks run twice: 32 parallel reservations of 1 against 10 available, and
// 32 parallel issues (adjustments of -1) against 10 on hand, both spread over the two hosts.
//
// This file chooses its database itself (a fresh PostgreSQL database), so test/run.mjs runs
// it once. Without PostgreSQL it is skipped with the reason (a failure when IMS_REQUIRE_PG=1).
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../support/database.js';
import { startHost, waitHealthy, type Host } from '../support/serve.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const TOKEN = 'scale_out_admin_token_0123456789';
const reason = postgresSkipReason();

let database: TestDatabase;
let hosts: Host[] = [];

interface Reply {
  status: number;
  body: any;
}

async function call(host: Host, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply & { headers: Headers }> {
  const r = await fetch(host.url + path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // the test sees the text
  }
  return { status: r.status, body: parsed, headers: r.headers };
}

async function created(host: Host, path: string, body: unknown): Promise<any> {
  const r = await call(host, 'POST', path, body);
  if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
}

async function onHand(host: Host, itemId: string, locationId: string): Promise<number> {
  const r = await call(host, 'GET', `/v1/inventory/balances?itemId=${itemId}&locationId=${locationId}`);
  assert.is(r.status, 200);
  return (r.body.data as Array<{ onHand: number; statusId: string }>).filter((b) => b.statusId === 'available').reduce((n, b) => n + b.onHand, 0);
}

/** Runs `tasks` with at most `width` in flight at once. */
async function inParallel<T>(tasks: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  }));
  return out;
}

/** The whole change feed from the start, page by page. */
async function feed(host: Host, afterSeq = 0): Promise<number[]> {
  const seqs: number[] = [];
  for (;;) {
    const r = await call(host, 'GET', `/v1/inventory/transactions?afterSeq=${afterSeq}&limit=1000`);
    assert.is(r.status, 200);
    const page = (r.body.data as Array<{ seq: number }>).map((t) => t.seq);
    if (page.length === 0) return seqs;
    seqs.push(...page);
    afterSeq = page[page.length - 1]!;
  }
}

/** Every transaction's postedAt, in seq order. */
async function postedTimes(host: Host): Promise<string[]> {
  const out: string[] = [];
  for (let after = 0; ;) {
    const r = await call(host, 'GET', `/v1/inventory/transactions?afterSeq=${after}&limit=1000`);
    const page = r.body.data as Array<{ seq: number; postedAt: string }>;
    if (page.length === 0) return out;
    out.push(...page.map((t) => t.postedAt));
    after = page[page.length - 1]!.seq;
  }
}

function assertConsecutive(seqs: number[], what: string): void {
  for (let i = 1; i < seqs.length; i++) {
    if (seqs[i] !== seqs[i - 1]! + 1) assert.unreachable(`${what}: seq ${seqs[i]} follows ${seqs[i - 1]} (a gap or a reorder)`);
  }
}

if (reason !== null) {
  console.log(`  skip [postgres] scale-out: ${reason}`);
  test.skip('two hosts on one database never oversell');
  test.skip('one Idempotency-Key sent to both hosts at once posts once; both answer with it');
  test.skip('concurrent postings from both hosts: no 5xx, verify clean, the feed complete and in order');
} else {
  test.before(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, IMS_ADMIN_TOKEN: TOKEN, IMS_PG_POOL: '8' };
    // Both at once: migrations and the first-start token race each other.
    hosts = await Promise.all([startHost(env), startHost(env)]);
    await Promise.all(hosts.map((h) => waitHealthy(h)));
  });

  test.after(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await database?.drop();
  });

  test('two hosts on one database never oversell', async () => {
    const [a, b] = hosts as [Host, Host];
    const tokens = await call(b, 'GET', '/v1/auth/tokens');
    assert.is(tokens.status, 200);
    assert.is(tokens.body.count, 1, 'both hosts started on an empty database: one admin token');
    const ea = await created(a, '/v1/uoms', { code: 'EA', name: 'Each', decimals: 0 });
    const item = await created(b, '/v1/items', { itemNo: 'SCALE-1', name: 'Scale item', itemKind: 'purchased', baseUomId: ea.id });
    const facility = await created(a, '/v1/facilities', { code: 'WH1', name: 'Main', type: 'warehouse' });
    const bin = await created(b, `/v1/facilities/${facility.id}/locations`, { code: 'A', name: 'Bin A', type: 'bin' });
    await created(a, '/v1/inventory/adjustments', { itemId: item.id, locationId: bin.id, qtyDelta: 10 });
    const replies = await Promise.all(Array.from({ length: 32 }, (_, i) =>
      call(hosts[i % 2]!, 'POST', '/v1/inventory/adjustments', { itemId: item.id, locationId: bin.id, qtyDelta: -1 })));
    const ok = replies.filter((r) => r.status === 201);
    const refused = replies.filter((r) => r.status === 409);
    assert.is(ok.length, 10, 'exactly 10 issues of 1 against 10 on hand');
    assert.is(refused.length, 22, `the rest are refused: ${JSON.stringify(replies.filter((r) => r.status !== 201 && r.status !== 409).slice(0, 3))}`);
    for (const r of refused) assert.is(r.body.error, 'insufficient_stock');
    assert.is(await onHand(a, item.id, bin.id), 0);
    assert.is(await onHand(b, item.id, bin.id), 0);

    // Reservations: 32 of 1 against 10 available, over both hosts, 5 rounds.
    for (let round = 0; round < 5; round++) {
      const reserved = await created(b, '/v1/items', { itemNo: `SCALE-R${round}`, name: 'Reserved', itemKind: 'purchased', baseUomId: ea.id });
      await created(a, '/v1/inventory/adjustments', { itemId: reserved.id, locationId: bin.id, qtyDelta: 10 });
      const holds = await Promise.all(Array.from({ length: 32 }, (_, i) => call(hosts[i % 2]!, 'POST', '/v1/inventory/reservations',
        { itemId: reserved.id, facilityId: facility.id, qty: 1, demand: { type: 'manual' } })));
      assert.is(holds.filter((r) => r.status === 201).length, 10, `round ${round}: ${holds.map((r) => r.status).join(',')}`);
      assert.ok(holds.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.body.error === 'insufficient_stock'));
      const availability = await call(a, 'GET', `/v1/inventory/availability?groupBy=facility&itemId=${reserved.id}`);
      assert.is(availability.body.data[0].available, 0);
      assert.is(availability.body.data[0].reserved, 10);
    }
  });

  test('one Idempotency-Key sent to both hosts at once posts once; both answer with it', async () => {
    const [a, b] = hosts as [Host, Host];
    const ea = (await call(a, 'GET', '/v1/uoms')).body.data[0];
    const item = await created(a, '/v1/items', { itemNo: 'IDEM-1', name: 'Idempotent', itemKind: 'purchased', baseUomId: ea.id });
    const facility = await created(b, '/v1/facilities', { code: 'WH3', name: 'Third', type: 'warehouse' });
    const bin = await created(a, `/v1/facilities/${facility.id}/locations`, { code: 'A', name: 'A', type: 'bin' });
    for (let round = 0; round < 5; round++) {
      const key = `scale-out-${round}`;
      const body = { itemId: item.id, locationId: bin.id, qtyDelta: 2 };
      const replies = await Promise.all([a, b, a, b].map((h) => call(h, 'POST', '/v1/inventory/adjustments', body, { 'idempotency-key': key })));
      // On one host a duplicate in flight is a 409; across hosts the second waits for the first and replays it.
      const answered = replies.filter((r) => r.status === 201);
      for (const r of replies) assert.ok(r.status === 201 || (r.status === 409 && r.body.error === 'conflict'), `${r.status} ${JSON.stringify(r.body)}`);
      assert.ok(answered.length >= 2, 'each host answered at least once');
      assert.is(new Set(answered.map((r) => r.body.data.id)).size, 1, 'every answer names the same transaction');
    }
    const posted = await call(b, 'GET', `/v1/inventory/transactions?itemId=${item.id}`);
    assert.is(posted.body.count, 5, 'one posting per key');
    assert.is(await onHand(a, item.id, bin.id), 10);
  });

  test('concurrent postings from both hosts: no 5xx, verify clean, the feed complete and in order', async () => {
    const [a, b] = hosts as [Host, Host];
    const ea = (await call(a, 'GET', '/v1/uoms')).body.data[0];
    const facility = await created(a, '/v1/facilities', { code: 'WH2', name: 'Second', type: 'warehouse' });
    const bins: Array<{ id: string }> = [];
    for (const code of ['X', 'Y', 'Z']) bins.push(await created(b, `/v1/facilities/${facility.id}/locations`, { code, name: code, type: 'bin' }));
    const items: Array<{ id: string }> = [];
    for (let i = 0; i < 3; i++) items.push(await created(a, '/v1/items', { itemNo: `MIX-${i}`, name: `Mixed ${i}`, itemKind: 'purchased', baseUomId: ea.id }));
    for (const item of items) {
      for (const bin of bins) await created(b, '/v1/inventory/adjustments', { itemId: item.id, locationId: bin.id, qtyDelta: 5 });
    }

    // A change-feed reader that follows the ledger while it grows, as a consumer would.
    let writing = true;
    const followed: number[] = [];
    const follower = (async () => {
      let after = 0;
      while (writing) {
        const r = await call(b, 'GET', `/v1/inventory/transactions?afterSeq=${after}&limit=1000`);
        assert.is(r.status, 200);
        for (const t of r.body.data as Array<{ seq: number }>) {
          followed.push(t.seq);
          after = t.seq;
        }
        await new Promise((res) => setTimeout(res, 5));
      }
    })();

    // Seeded random choices, so a failure can be replayed.
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const tasks = Array.from({ length: 300 }, (_, i) => {
      const host = hosts[i % 2]!;
      const item = items[rand(items.length)]!;
      const from = bins[rand(bins.length)]!;
      const to = bins[(bins.indexOf(from) + 1 + rand(bins.length - 1)) % bins.length]!;
      const kind = rand(3);
      if (kind === 0) return () => call(host, 'POST', '/v1/inventory/moves', { itemId: item.id, fromLocationId: from.id, toLocationId: to.id, qty: 1 + rand(3) });
      const qtyDelta = kind === 1 ? 1 + rand(2) : -(1 + rand(3));
      return () => call(host, 'POST', '/v1/inventory/adjustments', { itemId: item.id, locationId: from.id, qtyDelta });
    });
    let replies: Reply[];
    try {
      replies = await inParallel(tasks, 24);
    } finally {
      writing = false;
      await follower;
    }
    const unexpected = replies.filter((r) => r.status !== 201 && !(r.status === 409 && r.body.error === 'insufficient_stock'));
    assert.equal(unexpected.slice(0, 5), [], 'every posting answers 201 or 409 insufficient_stock');
    assert.ok(replies.filter((r) => r.status === 201).length > 100, 'most postings went through');
    for (const h of hosts) assert.ok(!/"level":"error"/.test(h.output()), `no errors logged:\n${h.output()}`);

    const v = spawnSync(process.execPath, ['bin/ims.mjs', 'verify'], {
      cwd: ROOT, env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'silent' }, encoding: 'utf8', timeout: 60_000,
    });
    assert.is(v.status, 0, `ims verify: ${v.stdout}${v.stderr}`);

    const all = await feed(a);
    assert.is(all[0], 1, 'the feed starts at seq 1');
    const times = await postedTimes(a);
    for (let i = 1; i < times.length; i++) {
      assert.ok(times[i]! >= times[i - 1]!, `posting times never go backwards in seq order: ${times[i - 1]} then ${times[i]}`);
    }
    assertConsecutive(all, 'the change feed');
    const total = (await call(b, 'GET', '/v1/inventory/transactions?limit=1')).body.count;
    assert.is(all.length, total, 'the feed lists every transaction');
    // The follower read the feed while it grew; what it saw is a prefix of the whole feed,
    // in order and without a gap (a skipped seq would mean a lower seq committed later).
    assertConsecutive(followed, 'the followed feed');
    const rest = await feed(b, followed[followed.length - 1] ?? 0);
    assert.equal([...followed, ...rest], all, 'following the feed saw every transaction exactly once');
    assert.ok(followed.length > 0);
  });
}

test.run();
