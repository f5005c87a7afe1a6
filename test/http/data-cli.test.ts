// The data commands as a user runs them: `ims import|export` (exit 1 naming the bad line,
// nothing written), `ims backup` of a database a running server keeps writing to, and
// `ims restore`, which refuses while the server runs and refuses a file that fails its
// checks. SQLite only: backup and restore are SQLite's; CSV import and export run on every
// adapter in test/storage/exchange.test.ts.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyBalances } from '../../core/verify.js';
import { openStore } from '../../storage/open.js';
import { envWith, startHost, waitHealthy, type Host } from '../support/serve.js';
import { chooseDriver } from '../../storage/sqlite/drivers.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const ADMIN = 'data_cli_admin_token_0123456789';
let dir: string;
let databaseUrl: string;
let dbFile: string;
let host: Host | null = null;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ims(args: string[], extra: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/ims.mjs', ...args], { cwd: ROOT, env: envWith({ DATABASE_URL: databaseUrl, ...extra }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(host!.url + path, {
    method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ims-data-cli-'));
  dbFile = join(dir, 'ims.db');
  databaseUrl = `sqlite:${dbFile}`;
});
test.after(async () => {
  await host?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('import: every row of a good file, exit 0; a bad row: exit 1, its line named, nothing written', async () => {
  const uoms = await ims(['import', 'uoms', file('uoms.csv', 'code,name\nEA,Each\n')]);
  assert.is(uoms.code, 0, uoms.stderr);
  assert.match(uoms.stdout, /imported 1 uoms/);
  const bad = await ims(['import', 'items', file('bad.csv', 'itemNo,name,itemKind,baseUom\nA-1,Apple,purchased,EA\nB-1,Bad,purchased,XX\n')]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /nothing was written.*line 3: baseUom/);
  const items = await ims(['export', 'items']);
  assert.is(items.code, 0);
  assert.is(items.stdout.trim().split('\n').length, 1, 'only the header: A-1 of the refused file was not written');
  const good = await ims(['import', 'items', file('good.csv', 'itemNo,name,itemKind,baseUom\nA-1,Apple,purchased,EA\n')]);
  assert.is(good.code, 0, good.stderr);
  assert.is((await ims(['import', 'gadgets', 'x.csv'])).code, 2);
  assert.is((await ims(['import', 'items', join(dir, 'missing.csv')])).code, 2);
});

test('export writes the header and rows to standard output or to a file', async () => {
  const out = join(dir, 'items-out.csv');
  const r = await ims(['export', 'items', out]);
  assert.is(r.code, 0, r.stderr);
  const text = readFileSync(out, 'utf8');
  assert.match(text, /^itemNo,name,itemKind,baseUom,/);
  assert.match(text, /\r\nA-1,Apple,purchased,EA,/);
});

test('backup copies the database while the server runs and writes; the copy verifies', async () => {
  host = await startHost({ DATABASE_URL: databaseUrl, IMS_ADMIN_TOKEN: ADMIN });
  await waitHealthy(host);
  const items = (await call('GET', '/v1/items')).body.data;
  const facility = (await call('POST', '/v1/facilities', { code: 'WH1', name: 'Main', type: 'warehouse' })).body.data;
  const bin = (await call('POST', `/v1/facilities/${facility.id}/locations`, { code: 'A', name: 'A', type: 'bin' })).body.data;
  // Postings keep arriving while the backup runs.
  let writing = true;
  const writer = (async () => {
    let n = 0;
    while (writing && n < 2000) {
      const r = await call('POST', '/v1/inventory/adjustments', { itemId: items[0].id, locationId: bin.id, qtyDelta: 1 });
      assert.is(r.status, 201);
      n++;
    }
    return n;
  })();
  const backup = join(dir, 'backup.db');
  const r = await ims(['backup', backup]);
  writing = false;
  const posted = await writer;
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /integrity check and verify passed/);
  assert.ok(posted > 0);
  const copy = await openStore(`sqlite:${backup}`);
  try {
    assert.equal(await verifyBalances(copy.read), []);
    assert.is((await copy.read.catalog.listItems({}, { limit: 10, offset: 0 })).total, 1);
  } finally {
    await copy.close();
  }
  // An existing file is never overwritten; a folder that is not there is a clear refusal.
  const again = await ims(['backup', backup]);
  assert.is(again.code, 1);
  assert.match(again.stderr, /exists already/);
  const nowhere = await ims(['backup', join(dir, 'no-such-folder', 'b.db')]);
  assert.is(nowhere.code, 1);
  assert.match(nowhere.stderr, /backup failed: the copy could not be written/);
});

test('restore refuses while the server has the database open, and changes nothing', async () => {
  const r = await ims(['restore', join(dir, 'backup.db')]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /open in another process/);
  assert.not.ok(existsSync(`${dbFile}.restoring`), 'no copy is left behind');
  // The server goes on over its own data.
  assert.is((await call('GET', '/health')).status, 200);
  assert.is((await call('GET', '/v1/items')).body.data[0].itemNo, 'A-1');
  assert.is((await call('POST', '/v1/uoms', { code: 'DURING', name: 'While refused' })).status, 201);
});

test('restore refuses a damaged file and a ledger that fails verify; a good backup comes back', async () => {
  // A record created after the backup: gone once the backup is restored.
  assert.is((await call('POST', '/v1/uoms', { code: 'LATE', name: 'After the backup' })).status, 201);
  await host!.stop();
  host = null;

  const garbage = file('garbage.db', 'not a database at all');
  let r = await ims(['restore', garbage]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /restore refused/);

  const drifted = join(dir, 'drifted.db');
  copyFileSync(join(dir, 'backup.db'), drifted);
  const db = chooseDriver().open(drifted);
  db.prepare('UPDATE balances SET on_hand = on_hand + 1000000').run();
  db.close();
  r = await ims(['restore', drifted]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /fails verify/);

  const damaged = join(dir, 'damaged.db');
  const bytes = readFileSync(join(dir, 'backup.db'));
  // Overwrite pages past the first (the schema) with noise: the integrity check fails.
  for (let i = 8192; i < bytes.length; i += 7) bytes[i] = (i * 31) & 0xff;
  writeFileSync(damaged, bytes);
  r = await ims(['restore', damaged]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /restore refused/);

  // Every refusal left the database as the server left it.
  let store = await openStore(databaseUrl);
  assert.ok(await store.read.catalog.findUomByCode('LATE'));
  await store.close();

  r = await ims(['restore', join(dir, 'backup.db')]);
  assert.is(r.code, 0, r.stderr);
  store = await openStore(databaseUrl);
  try {
    assert.is(await store.read.catalog.findUomByCode('LATE'), null);
    assert.ok(await store.read.catalog.findItemByNo('A-1'));
    assert.equal(await verifyBalances(store.read), []);
  } finally {
    await store.close();
  }
  assert.is((await ims(['verify'])).code, 0);
});

test('backup and restore explain themselves on PostgreSQL and without a file', async () => {
  const pg = await ims(['backup', join(dir, 'x.db')], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
  assert.is(pg.code, 2);
  assert.match(pg.stderr, /pg_dump/);
  assert.is((await ims(['restore'])).code, 2);
});

test('seed --demo fills an empty database once; a second run is refused; a bare seed is a usage error', async () => {
  const demoUrl = `sqlite:${join(dir, 'demo.db')}`;
  const first = await ims(['seed', '--demo'], { DATABASE_URL: demoUrl });
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stdout, /demo company seeded: 50 items, 3 facilities/);
  const second = await ims(['seed', '--demo'], { DATABASE_URL: demoUrl });
  assert.is(second.code, 1);
  assert.match(second.stderr, /has items already/);
  assert.is((await ims(['seed'], { DATABASE_URL: demoUrl })).code, 2);
  assert.is((await ims(['verify'], { DATABASE_URL: demoUrl })).code, 0);
});

test.run();
