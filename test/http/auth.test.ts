// Authentication and authorization: bearer tokens, the token routes, permissions, and a
// table-driven check that every /v1 route in the route table demands its permission.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCommand } from '../../core/command.js';
import { AREAS, type Permission } from '../../core/permission.js';
import { createToken, hashToken } from '../../core/token.js';
import { routes } from '../../http/routes/index.js';
import { ADMIN_TOKEN, expectStatus, startTestServer, type Reply, type TestServer } from './harness.js';

let t: TestServer;

function expectError(r: Reply, status: number, code: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code, JSON.stringify(r.body));
  assert.is(r.body.status, status);
}

async function rawGet(path: string, headers: Record<string, string>): Promise<Reply> {
  const r = await fetch(t.url + path, { headers });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: r.status, body, headers: r.headers };
}

async function createViaApi(body: Record<string, unknown>): Promise<any> {
  const r = await t.call('POST', '/v1/auth/tokens', body);
  expectStatus(r, 201);
  return r.body.data;
}

test.before(async () => {
  t = await startTestServer();
});
test.after(async () => {
  await t.close();
});

// ---------------------------------------------------------------- 401

test('401 unauthorized without a token', async () => {
  expectError(await t.call('GET', '/v1/items', undefined, { token: null }), 401, 'unauthorized');
  expectError(await t.call('POST', '/v1/items', {}, { token: null }), 401, 'unauthorized');
});

test('401 unauthorized with an unknown token', async () => {
  expectError(await t.call('GET', '/v1/items', undefined, { token: 'ims_not_a_real_token_at_all_000000' }), 401, 'unauthorized');
  // A near miss of the real token is not it.
  expectError(await t.call('GET', '/v1/items', undefined, { token: `${ADMIN_TOKEN}x` }), 401, 'unauthorized');
  expectError(await t.call('GET', '/v1/items', undefined, { token: ADMIN_TOKEN.slice(0, -1) }), 401, 'unauthorized');
});

test('401 unauthorized with a malformed Authorization header', async () => {
  for (const value of [
    ADMIN_TOKEN, // no scheme
    `Basic ${ADMIN_TOKEN}`,
    'Bearer',
    'Bearer ',
    `Bearer ${ADMIN_TOKEN} extra`,
    `Token ${ADMIN_TOKEN}`,
    `Bearer${ADMIN_TOKEN}`,
  ]) {
    const r = await rawGet('/v1/items', { authorization: value });
    expectError(r, 401, 'unauthorized');
  }
});

test('the Bearer scheme is case-insensitive and the right token is accepted', async () => {
  expectStatus(await rawGet('/v1/items', { authorization: `Bearer ${ADMIN_TOKEN}` }), 200);
  expectStatus(await rawGet('/v1/items', { authorization: `bearer ${ADMIN_TOKEN}` }), 200);
});

test('/health and /v1/openapi.json need no token', async () => {
  expectStatus(await t.call('GET', '/health', undefined, { token: null }), 200);
  expectStatus(await t.call('GET', '/v1/openapi.json', undefined, { token: null }), 200);
});

// ---------------------------------------------------------------- token routes

test('POST /v1/auth/tokens answers 201 with the clear token once', async () => {
  const r = await t.call('POST', '/v1/auth/tokens', { name: 'clerk', permissions: ['inventory:read'] });
  expectStatus(r, 201);
  const d = r.body.data;
  assert.type(d.id, 'string');
  assert.is(d.name, 'clerk');
  assert.equal(d.permissions, ['inventory:read']);
  assert.type(d.token, 'string');
  assert.ok(d.token.length >= 20, 'a long random token');
  assert.type(d.createdAt, 'string');
  assert.is(d.expiresAt, null);
  assert.is(d.hash, undefined);
  // The clear token is not kept: only its hash is stored.
  const stored = await t.store.read.tokens.getToken(d.id);
  assert.ok(stored);
  assert.is.not(stored!.hash, d.token);
  assert.is(stored!.hash, hashToken(d.token));
  // Two tokens are never the same.
  const other = await createViaApi({ name: 'clerk', permissions: ['inventory:read'] });
  assert.is.not(other.token, d.token);
  assert.is.not(other.id, d.id);
});

/** Everything the database holds, as bytes: SQLite's files (database, WAL), or every row of every PostgreSQL table as text. */
async function databaseContents(): Promise<Array<{ what: string; bytes: Buffer }>> {
  if (!t.databaseUrl.startsWith('postgres')) {
    return readdirSync(t.dir).filter((f) => f.startsWith('ims.db')).map((f) => ({ what: f, bytes: readFileSync(join(t.dir, f)) }));
  }
  const client = new pg.Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    const tables = (await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).rows as Array<{ tablename: string }>;
    const contents: Array<{ what: string; bytes: Buffer }> = [];
    for (const { tablename } of tables) {
      const rows = (await client.query(`SELECT t::text AS row FROM "${tablename}" t`)).rows as Array<{ row: string }>;
      contents.push({ what: `table ${tablename}`, bytes: Buffer.from(rows.map((r) => r.row).join('\n')) });
    }
    return contents;
  } finally {
    await client.end();
  }
}

test('the database never holds a clear token', async () => {
  const d = await createViaApi({ name: 'on-disk', permissions: ['catalog:read'] });
  const contents = await databaseContents();
  assert.ok(contents.length >= 1);
  assert.ok(contents.some((c) => c.bytes.includes(Buffer.from(hashToken(d.token)))), 'the token\'s hash is stored');
  for (const { what, bytes } of contents) {
    assert.is(bytes.includes(Buffer.from(d.token)), false, `${what} contains the clear token`);
    assert.is(bytes.includes(Buffer.from(ADMIN_TOKEN)), false, `${what} contains the admin token`);
  }
});

test('GET /v1/auth/tokens never includes the token or its hash', async () => {
  const made = await createViaApi({ name: 'listed', permissions: ['sales:read'] });
  const r = await t.call('GET', '/v1/auth/tokens?limit=1000');
  expectStatus(r, 200);
  assert.ok(r.body.count >= 2);
  const row = r.body.data.find((x: { id: string }) => x.id === made.id);
  assert.ok(row, 'the new token is listed');
  assert.is(row.name, 'listed');
  assert.equal(row.permissions, ['sales:read']);
  assert.is(row.revokedAt, null);
  for (const x of r.body.data) {
    assert.is('token' in x, false);
    assert.is('hash' in x, false);
  }
  const text = JSON.stringify(r.body);
  assert.is(text.includes(made.token), false);
  assert.is(text.includes(hashToken(made.token)), false);
  assert.is(text.includes(ADMIN_TOKEN), false);
  assert.is(text.includes(hashToken(ADMIN_TOKEN)), false);
});

test('token bodies are validated: missing name, empty or unknown permissions, unknown field', async () => {
  expectError(await t.call('POST', '/v1/auth/tokens', { permissions: ['catalog:read'] }), 400, 'bad_request');
  expectError(await t.call('POST', '/v1/auth/tokens', { name: 'x' }), 400, 'bad_request');
  expectError(await t.call('POST', '/v1/auth/tokens', { name: 'x', permissions: [] }), 400, 'bad_request');
  expectError(await t.call('POST', '/v1/auth/tokens', { name: 'x', permissions: ['warehouse:read'] }), 400, 'bad_request');
  expectError(await t.call('POST', '/v1/auth/tokens', { name: 'x', permissions: ['catalog:delete'] }), 400, 'bad_request');
  expectError(await t.call('POST', '/v1/auth/tokens', { name: 'x', permissions: ['catalog:read'], token: 'mine-mine-mine-mine-mine' }), 400, 'bad_request');
  expectError(await t.call('POST', '/v1/auth/tokens', { name: 'x', permissions: ['catalog:read'], expiresAt: 'tomorrow' }), 400, 'bad_request');
});

test('an expiresAt in the past is a 400', async () => {
  const before = (await t.call('GET', '/v1/auth/tokens?limit=1000')).body.count;
  const r = await t.call('POST', '/v1/auth/tokens', { name: 'old', permissions: ['catalog:read'], expiresAt: '2020-01-01T00:00:00.000Z' });
  expectError(r, 400, 'bad_request');
  assert.is((await t.call('GET', '/v1/auth/tokens?limit=1000')).body.count, before);
});

test('a token with a future expiresAt works and reports it', async () => {
  const expiresAt = new Date(Date.now() + 3600_000).toISOString();
  const d = await createViaApi({ name: 'later', permissions: ['catalog:read'], expiresAt });
  assert.is(d.expiresAt, expiresAt);
  expectStatus(await t.call('GET', '/v1/items', undefined, { token: d.token }), 200);
});

test('an expired token is a 401', async () => {
  // Created "an hour ago", expired half an hour ago.
  const past = Date.now() - 3600_000;
  const created = await runCommand(t.store, (tx) =>
    createToken(tx, { name: 'expired', permissions: ['*'], expiresAt: new Date(past + 1800_000).toISOString() }, new Date(past).toISOString()));
  assert.ok(created.ok);
  const clear = (created as { value: { token: string } }).value.token;
  expectError(await t.call('GET', '/v1/items', undefined, { token: clear }), 401, 'unauthorized');
  expectError(await t.call('POST', '/v1/uoms', { code: 'EXP', name: 'x' }, { token: clear }), 401, 'unauthorized');
});

test('a token that expires soon works until it expires, then is a 401', async () => {
  const expiresAt = new Date(Date.now() + 800).toISOString();
  const d = await createViaApi({ name: 'brief', permissions: ['catalog:read'], expiresAt });
  expectStatus(await t.call('GET', '/v1/items', undefined, { token: d.token }), 200);
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now()) + 50));
  expectError(await t.call('GET', '/v1/items', undefined, { token: d.token }), 401, 'unauthorized');
});

test('a new token works where it has permission and is 403 forbidden elsewhere', async () => {
  const d = await createViaApi({ name: 'reader', permissions: ['inventory:read'] });
  expectStatus(await t.call('GET', '/v1/inventory/statuses', undefined, { token: d.token }), 200);
  expectStatus(await t.call('GET', '/v1/inventory/balances', undefined, { token: d.token }), 200);
  expectError(await t.call('GET', '/v1/items', undefined, { token: d.token }), 403, 'forbidden');
  expectError(await t.call('GET', '/v1/facilities', undefined, { token: d.token }), 403, 'forbidden');
  expectError(await t.call('POST', '/v1/inventory/adjustments', {}, { token: d.token }), 403, 'forbidden');
  expectError(await t.call('GET', '/v1/auth/tokens', undefined, { token: d.token }), 403, 'forbidden');
  expectError(await t.call('POST', '/v1/auth/tokens', { name: 'escalate', permissions: ['*'] }, { token: d.token }), 403, 'forbidden');
});

test('read does not imply write', async () => {
  const token = await t.tokenWith(['catalog:read']);
  expectStatus(await t.call('GET', '/v1/items', undefined, { token }), 200);
  const r = await t.call('POST', '/v1/uoms', { code: 'RDO', name: 'x' }, { token });
  expectError(r, 403, 'forbidden');
  const uoms = await t.call('GET', `/v1/uoms/${randomUUID()}`, undefined, { token });
  expectError(uoms, 404, 'not_found');
});

test('write implies read of the same area only', async () => {
  const token = await t.tokenWith(['catalog:write']);
  expectStatus(await t.call('GET', '/v1/items', undefined, { token }), 200);
  const made = await t.call('POST', '/v1/uoms', { code: 'WRT', name: 'Written' }, { token });
  expectStatus(made, 201);
  expectStatus(await t.call('GET', `/v1/uoms/${made.body.data.id}`, undefined, { token }), 200);
  expectError(await t.call('GET', '/v1/facilities', undefined, { token }), 403, 'forbidden');
  expectError(await t.call('GET', '/v1/inventory/statuses', undefined, { token }), 403, 'forbidden');
  const admin = await t.tokenWith(['admin:write']);
  expectStatus(await t.call('GET', '/v1/auth/tokens', undefined, { token: admin }), 200);
  expectError(await t.call('GET', '/v1/items', undefined, { token: admin }), 403, 'forbidden');
});

test('* grants everything', async () => {
  const token = await t.tokenWith(['*']);
  expectStatus(await t.call('GET', '/v1/items', undefined, { token }), 200);
  expectStatus(await t.call('GET', '/v1/facilities', undefined, { token }), 200);
  expectStatus(await t.call('GET', '/v1/inventory/statuses', undefined, { token }), 200);
  expectStatus(await t.call('GET', '/v1/auth/tokens', undefined, { token }), 200);
  expectStatus(await t.call('POST', '/v1/facilities', { code: 'STAR', name: 'Star', type: 'store' }, { token }), 201);
  expectStatus(await t.call('POST', '/v1/auth/tokens', { name: 'by-star', permissions: ['sales:read'] }, { token }), 201);
});

test('DELETE /v1/auth/tokens/{id} revokes: 200 with revokedAt, then the token is a 401', async () => {
  const d = await createViaApi({ name: 'doomed', permissions: ['catalog:read'] });
  expectStatus(await t.call('GET', '/v1/items', undefined, { token: d.token }), 200);
  const r = await t.call('DELETE', `/v1/auth/tokens/${d.id}`);
  expectStatus(r, 200);
  assert.is(r.body.data.id, d.id);
  assert.type(r.body.data.revokedAt, 'string');
  assert.ok(!Number.isNaN(Date.parse(r.body.data.revokedAt)));
  assert.is(r.body.data.token, undefined);
  assert.is(r.body.data.hash, undefined);
  expectError(await t.call('GET', '/v1/items', undefined, { token: d.token }), 401, 'unauthorized');
  const list = await t.call('GET', '/v1/auth/tokens?limit=1000');
  assert.is(list.body.data.find((x: { id: string }) => x.id === d.id).revokedAt, r.body.data.revokedAt);
  // Revoking again keeps the first revocation time.
  const again = await t.call('DELETE', `/v1/auth/tokens/${d.id}`);
  expectStatus(again, 200);
  assert.is(again.body.data.revokedAt, r.body.data.revokedAt);
});

test('DELETE of an unknown token is a 404; revoking needs admin:write', async () => {
  expectError(await t.call('DELETE', `/v1/auth/tokens/${randomUUID()}`), 404, 'not_found');
  const victim = await createViaApi({ name: 'victim', permissions: ['catalog:read'] });
  const reader = await t.tokenWith(['admin:read']);
  expectStatus(await t.call('GET', '/v1/auth/tokens', undefined, { token: reader }), 200);
  expectError(await t.call('DELETE', `/v1/auth/tokens/${victim.id}`, undefined, { token: reader }), 403, 'forbidden');
  expectStatus(await t.call('GET', '/v1/items', undefined, { token: victim.token }), 200);
});

test('a token can revoke itself, and its next request is a 401', async () => {
  const d = await createViaApi({ name: 'self', permissions: ['admin:write'] });
  expectStatus(await t.call('DELETE', `/v1/auth/tokens/${d.id}`, undefined, { token: d.token }), 200);
  expectError(await t.call('GET', '/v1/auth/tokens', undefined, { token: d.token }), 401, 'unauthorized');
});

// ---------------------------------------------------------------- the route table

const guarded = routes.filter((r) => r.path.startsWith('/v1') && r.permission !== 'public');
const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

function concrete(path: string): string {
  return path.replace(/\{\w+\}/g, () => randomUUID());
}

function areaOf(permission: string): string {
  return permission.split(':')[0]!;
}

async function callRoute(route: (typeof routes)[number], token: string | null): Promise<Reply> {
  const body = WRITE_METHODS.has(route.method) && route.method !== 'DELETE' ? {} : undefined;
  return t.call(route.method, concrete(route.path), body, { token });
}

const EXPECTED = [
  'GET /v1/uoms', 'POST /v1/uoms', 'GET /v1/uoms/{}',
  'GET /v1/items', 'POST /v1/items', 'GET /v1/items/{}', 'PATCH /v1/items/{}',
  'GET /v1/facilities', 'POST /v1/facilities', 'GET /v1/facilities/{}',
  'GET /v1/facilities/{}/locations', 'POST /v1/facilities/{}/locations',
  'GET /v1/inventory/statuses', 'GET /v1/inventory/balances', 'GET /v1/inventory/availability',
  'GET /v1/inventory/transactions', 'GET /v1/inventory/transactions/{}',
  'POST /v1/inventory/transactions/{}/reverse',
  'POST /v1/inventory/adjustments', 'POST /v1/inventory/moves',
  'GET /v1/inventory/transfers', 'POST /v1/inventory/transfers', 'GET /v1/inventory/transfers/{}',
  'POST /v1/inventory/transfers/{}/release', 'POST /v1/inventory/transfers/{}/ship',
  'POST /v1/inventory/transfers/{}/receive', 'POST /v1/inventory/transfers/{}/cancel',
  'GET /v1/inventory/policies', 'POST /v1/inventory/policies', 'GET /v1/inventory/policies/{}', 'PATCH /v1/inventory/policies/{}',
  'GET /v1/inventory/replenishment',
  'GET /v1/inventory/count-sessions', 'POST /v1/inventory/count-sessions', 'GET /v1/inventory/count-sessions/{}',
  'POST /v1/inventory/count-sessions/{}/counts', 'POST /v1/inventory/count-sessions/{}/post', 'POST /v1/inventory/count-sessions/{}/cancel',
  'GET /v1/auth/tokens', 'POST /v1/auth/tokens', 'DELETE /v1/auth/tokens/{}',
  'GET /v1/production/boms', 'POST /v1/production/boms', 'GET /v1/production/boms/{}', 'PATCH /v1/production/boms/{}',
  'POST /v1/production/boms/{}/activate', 'GET /v1/production/boms/{}/explosion',
  'GET /v1/production/work-orders', 'POST /v1/production/work-orders', 'GET /v1/production/work-orders/{}',
  'POST /v1/production/work-orders/{}/release', 'POST /v1/production/work-orders/{}/complete', 'POST /v1/production/work-orders/{}/cancel',
  'GET /v1/production/lots/{}',
  'GET /v1/procurement/suppliers', 'POST /v1/procurement/suppliers', 'GET /v1/procurement/suppliers/{}', 'PATCH /v1/procurement/suppliers/{}',
  'GET /v1/procurement/purchase-orders', 'POST /v1/procurement/purchase-orders', 'GET /v1/procurement/purchase-orders/{}',
  'PATCH /v1/procurement/purchase-orders/{}', 'POST /v1/procurement/purchase-orders/{}/submit', 'POST /v1/procurement/purchase-orders/{}/approve',
  'POST /v1/procurement/purchase-orders/{}/send', 'POST /v1/procurement/purchase-orders/{}/cancel',
  'GET /v1/procurement/purchase-orders/{}/receipts', 'POST /v1/procurement/purchase-orders/{}/receipts',
  'GET /v1/procurement/requisitions', 'POST /v1/procurement/requisitions', 'GET /v1/procurement/requisitions/{}', 'PATCH /v1/procurement/requisitions/{}',
  'POST /v1/procurement/requisitions/{}/submit', 'POST /v1/procurement/requisitions/{}/approve', 'POST /v1/procurement/requisitions/{}/reject',
  'POST /v1/procurement/requisitions/{}/cancel', 'POST /v1/procurement/requisitions/{}/convert',
  'POST /v1/inventory/replenishment/requisitions',
  'GET /v1/sales/customers', 'POST /v1/sales/customers', 'GET /v1/sales/customers/{}', 'PATCH /v1/sales/customers/{}',
  'GET /v1/sales/orders', 'POST /v1/sales/orders', 'GET /v1/sales/orders/{}', 'PATCH /v1/sales/orders/{}',
  'POST /v1/sales/orders/{}/open', 'POST /v1/sales/orders/{}/ship', 'POST /v1/sales/orders/{}/cancel',
  'GET /v1/events', 'GET /v1/webhooks', 'POST /v1/webhooks', 'GET /v1/webhooks/{}', 'PATCH /v1/webhooks/{}', 'DELETE /v1/webhooks/{}',
];

test('route table: non-empty and holds every route of the contract implemented so far', () => {
  assert.ok(guarded.length >= EXPECTED.length, `only ${guarded.length} guarded routes`);
  const have = new Set(routes.map((r) => `${r.method} ${r.path.replace(/\{\w+\}/g, '{}')}`));
  for (const e of EXPECTED) assert.ok(have.has(e), `route table lacks ${e}`);
  assert.ok(have.has('GET /health'));
  assert.ok(have.has('GET /v1/openapi.json'));
  // Only the health check, the OpenAPI document, its docs page and the metrics are open.
  const open = routes.filter((r) => r.permission === 'public').map((r) => `${r.method} ${r.path}`).sort();
  assert.equal(open, ['GET /docs', 'GET /docs/docs.css', 'GET /docs/docs.js', 'GET /health', 'GET /metrics', 'GET /v1/openapi.json']);
});

test('route table: each permission is of the route\'s own area, read for GET and write otherwise', () => {
  const areaByPrefix: Array<[string, string]> = [
    // Turning suggestions into requisitions is buying, though it lives under replenishment.
    ['/v1/inventory/replenishment/requisitions', 'procurement'],
    ['/v1/uoms', 'catalog'], ['/v1/items', 'catalog'], ['/v1/facilities', 'facilities'],
    ['/v1/inventory', 'inventory'], ['/v1/procurement', 'procurement'], ['/v1/sales', 'sales'],
    ['/v1/production', 'production'], ['/v1/auth', 'admin'],
    // The feed and the subscriptions see every area's changes: administrators only.
    ['/v1/events', 'admin'], ['/v1/webhooks', 'admin'],
  ];
  for (const r of guarded) {
    const perm = r.permission as string;
    assert.match(perm, /^[a-z]+:(read|write)$/, `${r.method} ${r.path}: ${perm}`);
    assert.ok((AREAS as readonly string[]).includes(areaOf(perm)), `${r.method} ${r.path}: unknown area in ${perm}`);
    assert.is(perm.endsWith(':read'), r.method === 'GET', `${r.method} ${r.path} needs ${r.method === 'GET' ? 'read' : 'write'}, has ${perm}`);
    const expected = areaByPrefix.find(([p]) => r.path === p || r.path.startsWith(`${p}/`));
    if (expected) assert.is(areaOf(perm), expected[1], `${r.method} ${r.path} is in the ${expected[1]} area, has ${perm}`);
  }
});

test('route table: every /v1 route without a token is a 401', async () => {
  for (const route of guarded) {
    const r = await callRoute(route, null);
    assert.is(r.status, 401, `${route.method} ${route.path} without a token: ${r.status} ${JSON.stringify(r.body)}`);
    assert.is(r.body.error, 'unauthorized', `${route.method} ${route.path}`);
    const bad = await callRoute(route, 'ims_unknown_token_value_0000000000');
    assert.is(bad.status, 401, `${route.method} ${route.path} with an unknown token: ${bad.status}`);
  }
});

test('route table: every /v1 route with a permission of another area only is a 403', async () => {
  const single = new Map<string, string>();
  const allOthers = new Map<string, string>();
  for (const area of AREAS) {
    const other = AREAS.find((a) => a !== area)!;
    single.set(area, await t.tokenWith([`${other}:write` as Permission]));
    allOthers.set(area, await t.tokenWith(AREAS.filter((a) => a !== area).flatMap((a) => [`${a}:read`, `${a}:write`] as Permission[])));
  }
  for (const route of guarded) {
    const area = areaOf(route.permission as string);
    for (const [label, tokens] of [['one other area', single], ['every other area', allOthers]] as const) {
      const token = tokens.get(area);
      assert.ok(token, `${route.method} ${route.path}: permission ${route.permission} has no known area`);
      const r = await callRoute(route, token!);
      assert.is(r.status, 403, `${route.method} ${route.path} with ${label}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.is(r.body.error, 'forbidden');
    }
  }
});

test('route table: every /v1 route with exactly its permission gets past auth', async () => {
  const tokens = new Map<string, string>();
  for (const route of guarded) {
    const perm = route.permission as Permission;
    if (!tokens.has(perm)) tokens.set(perm, await t.tokenWith([perm]));
    const r = await callRoute(route, tokens.get(perm)!);
    assert.ok(r.status !== 401 && r.status !== 403, `${route.method} ${route.path} with ${perm}: ${r.status} ${JSON.stringify(r.body)}`);
    assert.ok(r.status < 500, `${route.method} ${route.path} with ${perm}: ${r.status} ${JSON.stringify(r.body)}`);
  }
});

test.run();
