// The real command line: `node bin/ims.mjs ...` against a temporary SQLite database.
// SQLite-only on purpose: it checks the CLI itself (flags, first start, signals), which is the
// same on every adapter; `ims serve` and `ims verify` on PostgreSQL are covered by
// scale-out.test.ts and verify-cli.test.ts [postgres].
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DRIVER_NAMES } from '../../storage/sqlite/driver.js';
import { chooseDriver, loadDriver } from '../../storage/sqlite/drivers.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const ADMIN = 'cli_test_admin_token_0123456789';

let dir: string;
const dirs: string[] = [];
const children: ChildProcess[] = [];

function freshDb(): string {
  const d = mkdtempSync(join(tmpdir(), 'ims-cli-'));
  dirs.push(d);
  return `sqlite:${join(d, 'ims.db')}`;
}

/** The environment of a child: ours without any ims settings, plus `extra`. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['IMS_ADMIN_TOKEN', 'DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL']) delete env[k];
  return { ...env, LOG_LEVEL: 'warn', ...extra };
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string>, timeoutMs = 15_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/ims.mjs', ...args], { cwd: ROOT, env: envWith(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ims ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

interface Served {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startServe(env: Record<string, string>): Promise<Served> {
  return freePort().then((port) => {
    const child = spawn(process.execPath, ['bin/ims.mjs', 'serve'], {
      cwd: ROOT, env: envWith({ PORT: String(port), HOST: '127.0.0.1', ...env }), stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    return { child, url: `http://127.0.0.1:${port}`, output: () => out, exited };
  });
}

async function waitHealthy(s: Served, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let exited = false;
  void s.exited.then(() => (exited = true));
  while (Date.now() < until && !exited) {
    try {
      const r = await fetch(`${s.url}/health`);
      if (r.status === 200) {
        const body = await r.json() as { status: string };
        assert.is(body.status, 'healthy');
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`serve did not become healthy (exited: ${exited})\n${s.output()}`);
}

/** Waits for the child to exit, failing with `message` after `timeoutMs`; kills it if it is still running. */
async function exitWithin(s: Served, timeoutMs: number, message: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message}\n${s.output()}`)), timeoutMs);
  });
  try {
    return await Promise.race([s.exited, timeout]);
  } finally {
    clearTimeout(timer);
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  }
}

async function stop(s: Served, timeoutMs = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  s.child.kill('SIGTERM');
  return exitWithin(s, timeoutMs, `serve did not exit within ${timeoutMs} ms of SIGTERM`);
}

function get(url: string, token?: string): Promise<Response> {
  return fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

test.before(() => {
  dir = freshDb();
});
test.after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('--version prints the package.json version', async () => {
  const r = await run(['--version'], {});
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), pkg.version);
});

let created: { id: string; token: string; name: string; permissions: string[] };

test('token create prints JSON with the clear token', async () => {
  const r = await run(['token', 'create', '--name', 'x', '--permissions', 'inventory:read'], { DATABASE_URL: dir });
  assert.is(r.code, 0, r.stderr);
  created = JSON.parse(r.stdout);
  assert.type(created.id, 'string');
  assert.is(created.name, 'x');
  assert.equal(created.permissions, ['inventory:read']);
  assert.type(created.token, 'string');
  assert.ok(created.token.length >= 20);
  assert.ok(existsSync(dir.slice('sqlite:'.length)), 'the database file was created');
});

test('token create refuses unknown permissions and a missing name', async () => {
  const bad = await run(['token', 'create', '--name', 'y', '--permissions', 'warehouse:read'], { DATABASE_URL: dir });
  assert.ok(bad.code !== 0, 'unknown permission exits non-zero');
  const noName = await run(['token', 'create', '--permissions', 'inventory:read'], { DATABASE_URL: dir });
  assert.ok(noName.code !== 0, 'missing name exits non-zero');
  const list = await run(['token', 'list'], { DATABASE_URL: dir });
  assert.is(list.stdout.trim().split('\n').filter(Boolean).length, 1, 'nothing else was created');
});

test('token list lists it without the secret', async () => {
  const r = await run(['token', 'list'], { DATABASE_URL: dir });
  assert.is(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const row = rows.find((x) => x.id === created.id);
  assert.ok(row, `token ${created.id} listed in ${r.stdout}`);
  assert.is(row.name, 'x');
  assert.equal(row.permissions, ['inventory:read']);
  assert.is(row.revokedAt, null);
  assert.is('token' in row, false);
  assert.is('hash' in row, false);
  assert.is(r.stdout.includes(created.token), false, 'the clear token is never listed');
});

test('token revoke marks it revoked', async () => {
  const r = await run(['token', 'revoke', created.id], { DATABASE_URL: dir });
  assert.is(r.code, 0, r.stderr);
  const revoked = JSON.parse(r.stdout);
  assert.is(revoked.id, created.id);
  assert.type(revoked.revokedAt, 'string');
  const list = await run(['token', 'list'], { DATABASE_URL: dir });
  const row = list.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((x) => x.id === created.id);
  assert.is(row.revokedAt, revoked.revokedAt);
  const unknown = await run(['token', 'revoke', '01900000-0000-7000-8000-000000000000'], { DATABASE_URL: dir });
  assert.ok(unknown.code !== 0, 'revoking an unknown id exits non-zero');
});

test('verify exits 0 on a fresh database', async () => {
  const r = await run(['verify'], { DATABASE_URL: freshDb() });
  assert.is(r.code, 0, r.stdout + r.stderr);
});

test('an unknown command exits non-zero', async () => {
  const r = await run(['frobnicate'], { DATABASE_URL: freshDb() });
  assert.ok(r.code !== 0);
});

test('serve: IMS_ADMIN_TOKEN works, /health answers, SIGTERM exits 0 promptly', async () => {
  const db = freshDb();
  const s = await startServe({ DATABASE_URL: db, IMS_ADMIN_TOKEN: ADMIN });
  await waitHealthy(s);
  const ok = await get(`${s.url}/v1/items`, ADMIN);
  assert.is(ok.status, 200);
  const body = await ok.json() as { data: unknown[]; count: number };
  assert.equal(body.data, []);
  assert.is(body.count, 0);
  const created = await fetch(`${s.url}/v1/facilities`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'WH1', name: 'Main', type: 'warehouse' }),
  });
  assert.is(created.status, 201);
  await created.arrayBuffer();
  assert.is((await get(`${s.url}/v1/items`)).status, 401);
  assert.is((await get(`${s.url}/v1/items`, 'not_the_admin_token_at_all_000')).status, 401);
  // The admin token is not printed: only generated tokens are.
  assert.is(s.output().includes(ADMIN), false);
  const exit = await stop(s);
  assert.is(exit.code, 0, `exit ${JSON.stringify(exit)}\n${s.output()}`);
  // The write survived the shutdown.
  const again = await startServe({ DATABASE_URL: db, IMS_ADMIN_TOKEN: ADMIN });
  await waitHealthy(again);
  const list = await get(`${again.url}/v1/facilities`, ADMIN);
  assert.is(list.status, 200);
  assert.is(((await list.json()) as { count: number }).count, 1);
  assert.is((await stop(again)).code, 0);
});

test('serve: a token made with `ims token create` works against the server', async () => {
  const db = freshDb();
  const made = await run(['token', 'create', '--name', 'clerk', '--permissions', 'catalog:read'], { DATABASE_URL: db });
  assert.is(made.code, 0, made.stderr);
  const { token } = JSON.parse(made.stdout) as { token: string };
  const s = await startServe({ DATABASE_URL: db });
  await waitHealthy(s);
  assert.is((await get(`${s.url}/v1/items`, token)).status, 200);
  assert.is((await get(`${s.url}/v1/facilities`, token)).status, 403);
  // Tokens existed, so nothing was generated.
  assert.is(/ims_[A-Za-z0-9_-]{20,}/.test(s.output()), false, s.output());
  assert.is((await stop(s)).code, 0);
});

test('serve: with no tokens and no IMS_ADMIN_TOKEN, a generated token is printed once and works', async () => {
  const db = freshDb();
  const s = await startServe({ DATABASE_URL: db });
  await waitHealthy(s);
  const m = /\b(ims_[A-Za-z0-9_-]{20,})/.exec(s.output());
  assert.ok(m, `a generated token on stdout:\n${s.output()}`);
  const token = m![1]!;
  assert.is((await get(`${s.url}/v1/items`, token)).status, 200);
  assert.is((await get(`${s.url}/v1/auth/tokens`, token)).status, 200);
  assert.is((await stop(s)).code, 0);
  // A second start finds the token and prints nothing new.
  const again = await startServe({ DATABASE_URL: db });
  await waitHealthy(again);
  assert.is(/ims_[A-Za-z0-9_-]{20,}/.test(again.output()), false, again.output());
  assert.is((await get(`${again.url}/v1/items`, token)).status, 200);
  assert.is((await stop(again)).code, 0);
});

test('serve: logs which SQLite driver it uses', async () => {
  const s = await startServe({ DATABASE_URL: freshDb(), IMS_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'info' });
  await waitHealthy(s);
  // Log lines reach stdout up to 10 ms after they are logged (http/log.ts), so /health may
  // answer before the line is out.
  const find = () => s.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, string>)
    .find((l) => l.msg === 'listening');
  const until = Date.now() + 5000;
  while (!find() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const listening = find();
  assert.ok(listening, s.output());
  assert.is(listening!.sqliteDriver, chooseDriver().description);
  assert.is((await stop(s)).code, 0);
});

// A driver this Node cannot load (node:sqlite on Node 20; better-sqlite3 where it is not built
// for this Node): forcing it must stop the start with advice, not a stack trace.
const missing = DRIVER_NAMES.find((n) => typeof loadDriver(n) === 'string');
if (missing) {
  test(`serve: IMS_SQLITE_DRIVER=${missing}, which this Node cannot load, exits 1 saying what to do`, async () => {
    const r = await run(['serve'], { DATABASE_URL: freshDb(), IMS_ADMIN_TOKEN: ADMIN, IMS_SQLITE_DRIVER: missing, PORT: '0' });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /^ims: no SQLite driver can be used/);
    assert.match(r.stderr, /Node 22\.16 or later/);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  });
} else {
  console.log('  skip cli: a forced driver this Node cannot load: both drivers work here');
  test.skip('serve: IMS_SQLITE_DRIVER naming a driver this Node cannot load exits 1 saying what to do');
}

test('serve: an IMS_ADMIN_TOKEN shorter than 20 characters exits non-zero', async () => {
  const s = await startServe({ DATABASE_URL: freshDb(), IMS_ADMIN_TOKEN: 'short_token_1234567' });
  const exit = await exitWithin(s, 10_000, 'serve kept running with a short token');
  assert.ok(exit.code !== null && exit.code !== 0, `exit ${JSON.stringify(exit)}`);
  let answered = false;
  try {
    await get(`${s.url}/health`);
    answered = true;
  } catch {
    // nothing listens
  }
  assert.is(answered, false);
});

test.run();
