// Authentication and authorization over the whole route table: every route that needs a
// token answers one identical 401 body to no token, a malformed header, and an unknown,
// revoked or expired token; a token without the route's permission gets a 403; bodies that
// try to set a server-owned field are a 400 naming it; none of it changes the database; and
// no clear token appears in the database files or the logs.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCommand } from '../../core/command.js';
import { PERMISSIONS, type Permission } from '../../core/permission.js';
import type { Store } from '../../core/ports.js';
import { ok, unwrap } from '../../core/result.js';
import type { Schema } from '../../core/schema.js';
import { bootstrapToken, createToken, hashToken } from '../../core/token.js';
import { createLogger } from '../../http/log.js';
import type { Route } from '../../http/route.js';
import { routes } from '../../http/routes/index.js';
import { startServer, type RunningServer } from '../../http/server.js';
import { openStore } from '../../storage/open.js';
import type { Reply } from '../http/harness.js';
import { bodyRoutes, digestSqlite, expectEnvelope, pathOf, sample } from './support.js';

const ADMIN = 'auth_battery_admin_token_0123456789';
const SERVER_OWNED = ['id', 'status', 'qtyReceived', 'seq', 'version', 'createdAt'] as const;

let dir: string;
let file: string;
let store: Store;
let server: RunningServer;
const logs: string[] = [];
/** Every clear token this test made or sent: none may be found at rest. */
const secrets = new Set<string>([ADMIN]);

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ims-auth-'));
  file = join(dir, 'ims.db');
  store = await openStore(`sqlite:${file}`);
  unwrap(await runCommand(store, (tx) => bootstrapToken(tx, ADMIN, new Date().toISOString())));
  server = await startServer({ store, logger: createLogger('debug', (line) => logs.push(line)) });
});
test.after(async () => {
  await server.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body: unknown, authorization: string | null, headers: Record<string, string> = {}): Promise<Reply> {
  const h: Record<string, string> = { ...headers };
  if (authorization !== null) h.authorization = authorization;
  if (body !== undefined) h['content-type'] = 'application/json';
  const r = await fetch(server.url + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null, headers: r.headers };
}

const guarded = routes.filter((r) => r.permission !== 'public');
const bodyOf = (route: Route) => (route.body ? sample(route.body) : undefined);

async function tokenWith(permissions: Permission[], expiresAt?: string): Promise<string> {
  const clear = unwrap(await runCommand(store, (tx) => createToken(tx, { name: 'battery', permissions, expiresAt }, new Date().toISOString()))).token;
  secrets.add(clear);
  return clear;
}

test('every guarded route: no, malformed, unknown, revoked and expired tokens get one identical 401 body', async () => {
  const revoked = await tokenWith(['*']);
  const revokedId = (await call('GET', '/v1/auth/tokens?limit=1000', undefined, `Bearer ${ADMIN}`)).body.data.find((t: { name: string; revokedAt: string | null }) => t.name === 'battery').id;
  assert.is((await call('DELETE', `/v1/auth/tokens/${revokedId}`, undefined, `Bearer ${ADMIN}`)).status, 200);
  // A token that expired: written straight to the store, as creation refuses a past expiry.
  const expired = `ims_expired_${randomUUID()}`;
  secrets.add(expired);
  await runCommand(store, async (tx) => {
    await tx.tokens.insertToken({
      id: randomUUID(), name: 'expired', permissions: ['*'], createdAt: '2020-01-01T00:00:00.000Z',
      expiresAt: '2020-01-02T00:00:00.000Z', revokedAt: null, hash: hashToken(expired),
    });
    return ok(null);
  });
  const unknown = `ims_${randomUUID()}`;
  secrets.add(unknown);
  const cases: Array<[string, string | null]> = [
    ['no token', null],
    ['empty header', ''],
    ['Bearer without a token', 'Bearer'],
    ['Basic scheme', `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}`],
    ['two words', `Bearer ${ADMIN} extra`],
    ['unknown', `Bearer ${unknown}`],
    ['revoked', `Bearer ${revoked}`],
    ['expired', `Bearer ${expired}`],
  ];
  const before = digestSqlite(file);
  let first: unknown = null;
  let n = 0;
  for (const route of guarded) {
    for (const [name, header] of cases) {
      const r = await call(route.method, pathOf(route), bodyOf(route), header);
      const what = `${route.method} ${route.path} with ${name}`;
      assert.is(r.status, 401, `${what}: ${JSON.stringify(r.body)}`);
      expectEnvelope(r, what);
      first ??= r.body;
      assert.equal(r.body, first, `${what}: the same 401 body as every other`);
      n++;
    }
  }
  assert.is(digestSqlite(file), before, 'refused requests changed nothing');
  console.log(`  auth: ${n} requests over ${guarded.length} guarded routes, all one 401 body`);
});

/** Every permission except those that would grant `needed`. */
function allBut(needed: Permission): Permission[] {
  const [area, level] = needed.split(':');
  return PERMISSIONS.filter((p) => p !== '*' && p !== needed && !(level === 'read' && p === `${area}:write`)) as Permission[];
}

test('every guarded route: a token with every other permission gets a 403', async () => {
  const tokens = new Map<string, string>();
  for (const route of guarded) {
    const perm = route.permission as Permission;
    if (!tokens.has(perm)) tokens.set(perm, await tokenWith(allBut(perm)));
  }
  const before = digestSqlite(file);
  for (const route of guarded) {
    const r = await call(route.method, pathOf(route), bodyOf(route), `Bearer ${tokens.get(route.permission)}`);
    const what = `${route.method} ${route.path} without ${route.permission}`;
    assert.is(r.status, 403, `${what}: ${JSON.stringify(r.body)}`);
    expectEnvelope(r, what);
    assert.is(r.body.error, 'forbidden', what);
  }
  assert.is(digestSqlite(file), before, 'forbidden requests changed nothing');
});

/** Where a server-owned field may be smuggled in: the body, and its first line when it has lines. */
function smuggled(schema: Schema, field: string): Array<{ body: unknown; path: string }> {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const out: Array<{ body: unknown; path: string }> = [];
  const base = sample(schema) as Record<string, unknown>;
  if (!(field in props)) out.push({ body: { ...base, [field]: field === 'id' ? randomUUID() : 1 }, path: `/${field}` });
  const lines = props.lines?.items as Schema | undefined;
  if (lines && !(field in ((lines.properties ?? {}) as object))) {
    const body = { ...base, lines: [{ ...(sample(lines) as object), [field]: 5 }] };
    out.push({ body, path: `/lines/0/${field}` });
  }
  return out;
}

test('bodies that set server-owned fields are a 400 naming the field, and change nothing', async () => {
  const before = digestSqlite(file);
  let n = 0;
  const declared: string[] = [];
  for (const route of bodyRoutes(routes)) {
    for (const field of SERVER_OWNED) {
      const tries = smuggled(route.body, field);
      if (((route.body.properties ?? {}) as object)[field as never] !== undefined) declared.push(`${route.method} ${route.path} ${field}`);
      for (const { body, path } of tries) {
        const r = await call(route.method, pathOf(route), body, `Bearer ${ADMIN}`);
        const what = `${route.method} ${route.path} setting ${path}`;
        assert.is(r.status, 400, `${what}: ${JSON.stringify(r.body)}`);
        expectEnvelope(r, what);
        assert.ok(r.body.details?.some((d: { path: string }) => d.path === path), `${what}: the error names ${path}: ${JSON.stringify(r.body)}`);
        n++;
      }
    }
  }
  assert.is(digestSqlite(file), before);
  // The one top-level field of that list a client does set: a BOM's own version number.
  assert.equal(declared, ['POST /v1/production/boms version']);
  console.log(`  auth: ${n} bodies setting server-owned fields, all 400`);
});

test('no clear token is found in the database files or the logs', async () => {
  // Through the API too, with and without an Idempotency-Key (whose stored reply omits it).
  for (const key of [undefined, `tok-${randomUUID()}`]) {
    const r = await call('POST', '/v1/auth/tokens', { name: 'via api', permissions: ['inventory:read'] }, `Bearer ${ADMIN}`, key ? { 'idempotency-key': key } : {});
    assert.is(r.status, 201);
    secrets.add(r.body.data.token);
    assert.is((await call('GET', '/v1/inventory/balances', undefined, `Bearer ${r.body.data.token}`)).status, 200);
  }
  assert.ok(secrets.size >= 5);
  await new Promise((r) => setImmediate(r));
  const files = [file, `${file}-wal`, `${file}-shm`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1'));
  const text = logs.join('');
  assert.ok(text.includes('"status":401') && text.includes('"status":201'), 'the log has the requests');
  for (const secret of secrets) {
    for (const bytes of files) assert.not.ok(bytes.includes(secret), 'a clear token is in the database files');
    assert.not.ok(text.includes(secret), 'a clear token is in the logs');
  }
});

test.run();
