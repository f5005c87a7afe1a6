// The host's error behaviour: body parsing, size and media type, 404/405, the error
// envelope, request ids, unknown query parameters, and that a refused write changes nothing.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ADMIN_TOKEN, expectStatus, seedWorld, startTestServer, type Reply, type TestServer, type World } from './harness.js';

let t: TestServer;
let w: World;

const ERROR_KEYS = new Set(['error', 'message', 'status', 'details']);

/** Status, code, and exactly the error envelope. */
function expectError(r: Reply, status: number, code: string): void {
  expectStatus(r, status);
  expectEnvelope(r);
  assert.is(r.body.error, code, JSON.stringify(r.body));
}

function expectEnvelope(r: Reply): void {
  assert.type(r.body, 'object', `error body is JSON: ${String(r.body)}`);
  for (const k of Object.keys(r.body)) assert.ok(ERROR_KEYS.has(k), `unexpected key ${k} in ${JSON.stringify(r.body)}`);
  assert.type(r.body.error, 'string');
  assert.type(r.body.message, 'string');
  assert.ok(r.body.message.length > 0);
  assert.is(r.body.status, r.status);
  if ('details' in r.body) {
    assert.ok(Array.isArray(r.body.details) && r.body.details.length > 0, 'details is a non-empty array when present');
    for (const d of r.body.details) {
      assert.equal(Object.keys(d).sort(), ['message', 'path']);
      assert.type(d.path, 'string');
      assert.type(d.message, 'string');
    }
  }
  assert.ok(/^application\/json/.test(r.headers.get('content-type') ?? ''), 'errors are JSON');
}

/**
 * A request through node:http on its own connection (closed after the answer), for bodies
 * fetch will not send: chunked, oversized, or without a content type.
 */
function rawRequest(method: string, path: string, opts: { headers?: Record<string, string>; chunks?: Buffer[] } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(t.url + path, {
      method, agent: false, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, connection: 'close', ...opts.headers },
    }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // keep text
        }
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        resolve({ status: res.statusCode!, body, headers });
      });
    });
    // The server may answer and close before reading all we send: that is fine once answered.
    req.on('error', (e) => {
      if (!answered) reject(new Error(`no answer: ${e.message}`));
    });
    for (const c of opts.chunks ?? []) req.write(c);
    req.end();
  });
}

async function itemCount(): Promise<number> {
  const r = await t.call('GET', '/v1/items?limit=1');
  expectStatus(r, 200);
  return r.body.count;
}

test.before(async () => {
  t = await startTestServer();
  w = await seedWorld(t);
});
test.after(async () => {
  await t.close();
});

// ---------------------------------------------------------------- bodies

test('malformed JSON is a 400 bad_request', async () => {
  for (const raw of ['{bad', '{"itemNo": "X",}', "{'a': 1}", 'undefined', '{"a":1}garbage']) {
    const r = await t.call('POST', '/v1/items', undefined, { raw });
    expectError(r, 400, 'bad_request');
  }
  const patch = await t.call('PATCH', `/v1/items/${w.itemId}`, undefined, { raw: '{"name":' });
  expectError(patch, 400, 'bad_request');
});

test('a JSON body that is not an object is a 400', async () => {
  for (const raw of ['[]', '"text"', '42', 'true']) {
    expectError(await t.call('POST', '/v1/uoms', undefined, { raw }), 400, 'bad_request');
  }
});

test('a JSON null body is not an object either, even where every field is optional', async () => {
  // An empty body stands for {}; `null` is a body, and a 400, not a 404 for the unknown id.
  const r = await t.call('POST', `/v1/inventory/transactions/${randomUUID()}/reverse`, undefined, { raw: 'null' });
  expectError(r, 400, 'bad_request');
});

test('a non-JSON content type with a body is a 415 unsupported_media_type', async () => {
  const before = (await t.call('GET', '/v1/facilities?limit=1')).body.count;
  const body = JSON.stringify({ code: 'TXT', name: 'Text', type: 'store' });
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
    const r = await t.call('POST', '/v1/facilities', undefined, { raw: body, headers: { 'content-type': type } });
    expectError(r, 415, 'unsupported_media_type');
  }
  // No content type at all is not JSON either.
  const none = await rawRequest('POST', '/v1/facilities', { chunks: [Buffer.from(body)] });
  expectError(none, 415, 'unsupported_media_type');
  // The refused facility was not created.
  const after = await t.call('GET', '/v1/facilities?limit=1000');
  expectStatus(after, 200);
  assert.is(after.body.count, before);
  assert.is(after.body.data.some((f: { code: string }) => f.code === 'TXT'), false);
});

test('application/json with a charset is accepted', async () => {
  const r = await t.call('POST', '/v1/facilities', undefined, {
    raw: JSON.stringify({ code: 'CHARSET', name: 'x', type: 'store' }), headers: { 'content-type': 'application/json; charset=utf-8' },
  });
  expectStatus(r, 201);
});

test('a body over 1 MiB is a 413 payload_too_large (declared length)', async () => {
  const big = Buffer.from(JSON.stringify({ code: 'BIG', name: 'x'.repeat(1024 * 1024) }));
  const r = await rawRequest('POST', '/v1/uoms', {
    headers: { 'content-type': 'application/json', 'content-length': String(big.length) }, chunks: [big],
  });
  expectError(r, 413, 'payload_too_large');
});

test('a body over 1 MiB is a 413 through fetch as well', async () => {
  let r: Reply;
  try {
    r = await t.call('POST', '/v1/facilities', undefined, { raw: JSON.stringify({ code: 'BIG', name: 'x'.repeat(1024 * 1024 + 10), type: 'store' }) });
  } catch (e) {
    throw new Error(`the server dropped the connection instead of answering 413: ${(e as Error).message}`);
  }
  expectError(r, 413, 'payload_too_large');
});

test('a body over 1 MiB is a 413 payload_too_large (chunked, no length)', async () => {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const chunks = [Buffer.from('{"code":"BIG2","name":"'), ...Array.from({ length: 17 }, () => chunk), Buffer.from('"}')];
  const r = await rawRequest('POST', '/v1/uoms', { headers: { 'content-type': 'application/json' }, chunks });
  expectError(r, 413, 'payload_too_large');
});

test('a body just under 1 MiB is read (and then validated)', async () => {
  const name = 'x'.repeat(1024 * 1024 - 200);
  const r = await t.call('POST', '/v1/uoms', undefined, { raw: JSON.stringify({ code: 'NEAR', name }) });
  // Not refused for size: the schema limits name to 200 characters.
  expectError(r, 400, 'bad_request');
});

test('the server survives oversized bodies and keeps answering', async () => {
  expectStatus(await t.call('GET', '/v1/items'), 200);
});

// ---------------------------------------------------------------- 404 / 405

function allowOf(r: Reply): string[] {
  const allow = r.headers.get('allow');
  assert.ok(allow, 'an Allow header');
  return allow!.split(',').map((m) => m.trim()).sort();
}

test('a known path with the wrong method is a 405 with an Allow header', async () => {
  const cases: Array<[string, string, string[]]> = [
    ['PUT', '/v1/items', ['GET', 'POST']],
    ['DELETE', '/v1/items', ['GET', 'POST']],
    ['DELETE', `/v1/items/${w.itemId}`, ['GET', 'PATCH']],
    ['PUT', `/v1/items/${w.itemId}`, ['GET', 'PATCH']],
    ['POST', `/v1/items/${w.itemId}`, ['GET', 'PATCH']],
    ['PUT', `/v1/inventory/transactions/${randomUUID()}`, ['GET']],
    ['PATCH', `/v1/inventory/transactions/${randomUUID()}`, ['GET']],
    ['DELETE', `/v1/inventory/transactions/${randomUUID()}`, ['GET']],
    ['POST', '/v1/inventory/transactions', ['GET']],
    ['PATCH', '/v1/facilities', ['GET', 'POST']],
    ['GET', '/v1/inventory/adjustments', ['POST']],
    ['POST', '/health', ['GET']],
  ];
  for (const [method, path, allow] of cases) {
    const body = method === 'GET' || method === 'DELETE' ? undefined : {};
    const r = await t.call(method, path, body);
    expectError(r, 405, 'method_not_allowed');
    assert.equal(allowOf(r), allow, `${method} ${path}`);
  }
});

test('PUT, PATCH and DELETE on a real ledger transaction are 405 and change nothing', async () => {
  const posted = await t.call('POST', '/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binA, qtyDelta: 4 });
  expectStatus(posted, 201);
  const id = posted.body.data.id;
  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    const r = await t.call(method, `/v1/inventory/transactions/${id}`, method === 'DELETE' ? undefined : { lines: [] });
    expectError(r, 405, 'method_not_allowed');
    assert.ok(allowOf(r).includes('GET'));
  }
  const got = await t.call('GET', `/v1/inventory/transactions/${id}`);
  expectStatus(got, 200);
  assert.equal(got.body.data, posted.body.data);
});

test('an unknown path is a 404 not_found', async () => {
  for (const path of ['/v1/nothing', '/nothing', '/', '/v2/items', `/v1/items/${w.itemId}/extra`, '/v1/items/', '/v1//items', '/v1/%E0%A4%A']) {
    const r = await t.call('GET', path);
    expectError(r, 404, 'not_found');
  }
  expectError(await t.call('GET', '/v1/nothing', undefined, { token: null }), 404, 'not_found');
  expectError(await t.call('POST', '/v1/nothing', {}), 404, 'not_found');
});

test('an unknown id is a 404 not_found in the envelope', async () => {
  expectError(await t.call('GET', `/v1/items/${randomUUID()}`), 404, 'not_found');
  expectError(await t.call('GET', `/v1/facilities/${randomUUID()}`), 404, 'not_found');
  expectError(await t.call('GET', `/v1/inventory/transactions/${randomUUID()}`), 404, 'not_found');
});

// ---------------------------------------------------------------- envelope and request ids

test('every error kind answers exactly {error, message, status[, details]}', async () => {
  const replies: Array<[Reply, number, string]> = [
    [await t.call('GET', '/v1/items', undefined, { token: null }), 401, 'unauthorized'],
    [await t.call('GET', '/v1/items', undefined, { token: await t.tokenWith(['sales:read']) }), 403, 'forbidden'],
    [await t.call('GET', `/v1/items/${randomUUID()}`), 404, 'not_found'],
    [await t.call('PUT', '/v1/items', {}), 405, 'method_not_allowed'],
    [await t.call('POST', '/v1/items', { itemNo: 'ITEM-A', name: 'x', itemKind: 'purchased', baseUomId: w.eaId }), 409, 'conflict'],
    [await t.call('POST', '/v1/items', { name: 'x' }), 400, 'bad_request'],
    [await t.call('POST', '/v1/items', undefined, { raw: '{' }), 400, 'bad_request'],
    [await t.call('GET', '/v1/items?limit=5000'), 400, 'bad_request'],
    [await t.call('POST', '/v1/items', undefined, { raw: 'x', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type'],
    [await t.call('POST', '/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binB, qtyDelta: -1000 }), 409, 'insufficient_stock'],
  ];
  for (const [r, status, code] of replies) expectError(r, status, code);
  // Validation failures name the field.
  const missing = replies[5]![0];
  assert.ok(missing.body.details.some((d: { path: string }) => d.path === '/itemNo'));
});

test('x-request-id is on every answer, and echoed when the client sends one', async () => {
  const answers = [
    await t.call('GET', '/health', undefined, { token: null }),
    await t.call('GET', '/v1/items'),
    await t.call('POST', '/v1/facilities', { code: 'RID', name: 'x', type: 'store' }),
    await t.call('GET', '/v1/items', undefined, { token: null }),
    await t.call('GET', '/v1/nothing'),
    await t.call('PUT', '/v1/items', {}),
    await t.call('POST', '/v1/items', undefined, { raw: '{' }),
    await t.call('GET', '/v1/openapi.json', undefined, { token: null }),
  ];
  const ids = answers.map((r) => r.headers.get('x-request-id'));
  for (const [i, id] of ids.entries()) assert.ok(id && id.length > 0, `answer ${i} (${answers[i]!.status}) has x-request-id`);
  assert.is(new Set(ids).size, ids.length, 'each answer gets its own id');

  const mine = 'client-req-0001';
  for (const [method, path, token] of [['GET', '/v1/items', ADMIN_TOKEN], ['GET', '/v1/items', null], ['GET', '/v1/nothing', ADMIN_TOKEN], ['GET', '/health', null]] as const) {
    const r = await t.call(method, path, undefined, { token, headers: { 'x-request-id': mine } });
    assert.is(r.headers.get('x-request-id'), mine, `${method} ${path} echoes the id`);
  }
  const e = await t.call('POST', '/v1/items', { bogus: 1 }, { headers: { 'x-request-id': 'abc-err' } });
  expectStatus(e, 400);
  assert.is(e.headers.get('x-request-id'), 'abc-err');
});

test('an unknown query parameter on a list is a 400 naming it', async () => {
  for (const path of ['/v1/items?colour=red', '/v1/uoms?sort=code', '/v1/facilities?foo=1', `/v1/facilities/${w.facilityId}/locations?x=1`,
    '/v1/inventory/statuses?all=true', '/v1/auth/tokens?name=x', '/v1/inventory/transactions?itemid=1', '/v1/items?limit=10&Q=x']) {
    const r = await t.call('GET', path);
    expectError(r, 400, 'bad_request');
    assert.ok(Array.isArray(r.body.details) && r.body.details.some((d: { path: string }) => d.path.startsWith('/query/')), `${path}: ${JSON.stringify(r.body)}`);
  }
});

test('a filter of the wrong type is a 400', async () => {
  expectError(await t.call('GET', '/v1/items?isActive=maybe'), 400, 'bad_request');
  expectError(await t.call('GET', '/v1/items?itemKind=gadget'), 400, 'bad_request');
  expectError(await t.call('GET', '/v1/inventory/balances?itemId=not-a-uuid'), 400, 'bad_request');
  expectStatus(await t.call('GET', '/v1/items?isActive=true'), 200);
});

test('an unknown query parameter on a single read or a write is a 400 too', async () => {
  const before = await itemCount();
  const get = await t.call('GET', `/v1/items/${w.itemId}?colour=red`);
  expectError(get, 400, 'bad_request');
  const post = await t.call('POST', '/v1/items?dryRun=true', { itemNo: 'QS-1', name: 'x', itemKind: 'purchased', baseUomId: w.eaId });
  expectError(post, 400, 'bad_request');
  assert.is(await itemCount(), before);
});

// ---------------------------------------------------------------- refused writes change nothing

test('a refused write changes nothing: 409 duplicate item', async () => {
  const before = await itemCount();
  const original = (await t.call('GET', `/v1/items/${w.itemId}`)).body.data;
  const r = await t.call('POST', '/v1/items', {
    itemNo: original.itemNo, name: 'Impostor', itemKind: 'purchased', baseUomId: w.eaId, identifiers: [{ type: 'sku', value: 'IMPOSTOR-SKU' }],
  });
  expectError(r, 409, 'conflict');
  assert.is(await itemCount(), before);
  assert.equal((await t.call('GET', `/v1/items/${w.itemId}`)).body.data, original);
  assert.is((await t.call('GET', '/v1/items?identifier=IMPOSTOR-SKU')).body.count, 0);
  assert.is((await t.call('GET', '/v1/items?q=Impostor')).body.count, 0);
});

test('a refused write changes nothing: identifier clash after a fresh identifier', async () => {
  const owner = await t.call('POST', '/v1/items', {
    itemNo: 'CLASH-1', name: 'Owner', itemKind: 'purchased', baseUomId: w.eaId, identifiers: [{ type: 'gtin', value: '00012345600012' }],
  });
  expectStatus(owner, 201);
  const before = await itemCount();
  const r = await t.call('POST', '/v1/items', {
    itemNo: 'CLASH-2', name: 'Clasher', itemKind: 'purchased', baseUomId: w.eaId,
    identifiers: [{ type: 'sku', value: 'CLASH-FRESH' }, { type: 'gtin', value: '00012345600012' }],
  });
  expectError(r, 409, 'conflict');
  assert.is(await itemCount(), before);
  assert.is((await t.call('GET', '/v1/items?identifier=CLASH-FRESH')).body.count, 0);
  // A refused PATCH leaves the item and its identifiers as they were.
  const p = await t.call('PATCH', `/v1/items/${w.itemId}`, { name: 'Renamed', identifiers: [{ type: 'gtin', value: '00012345600012' }] });
  expectError(p, 409, 'conflict');
  const item = (await t.call('GET', `/v1/items/${w.itemId}`)).body.data;
  assert.is.not(item.name, 'Renamed');
  const owners = await t.call('GET', '/v1/items?identifier=00012345600012');
  assert.equal(owners.body.data.map((i: { itemNo: string }) => i.itemNo), ['CLASH-1']);
});

test('a refused write changes nothing: 400 and 404 leave the lists as they were', async () => {
  const items = await itemCount();
  const facilities = (await t.call('GET', '/v1/facilities?limit=1')).body.count;
  const locations = (await t.call('GET', `/v1/facilities/${w.facilityId}/locations?limit=1`)).body.count;
  expectError(await t.call('POST', '/v1/items', { itemNo: 'NEW-1', name: 'x', itemKind: 'purchased', baseUomId: randomUUID() }), 404, 'not_found');
  expectError(await t.call('POST', '/v1/items', { itemNo: 'NEW-2', name: 'x', itemKind: 'purchased', baseUomId: w.eaId, extra: 1 }), 400, 'bad_request');
  expectError(await t.call('POST', '/v1/facilities', { code: 'WH1', name: 'dup', type: 'store' }), 409, 'conflict');
  expectError(await t.call('POST', `/v1/facilities/${w.facilityId}/locations`, { code: 'A', name: 'dup', type: 'bin' }), 409, 'conflict');
  expectError(await t.call('POST', `/v1/facilities/${w.facilityId}/locations`, { code: 'NEWLOC', name: 'x', type: 'bin', parentId: randomUUID() }), 404, 'not_found');
  assert.is(await itemCount(), items);
  assert.is((await t.call('GET', '/v1/facilities?limit=1')).body.count, facilities);
  assert.is((await t.call('GET', `/v1/facilities/${w.facilityId}/locations?limit=1`)).body.count, locations);
});

test('a string holding U+0000 is a 400 naming the field, on every adapter, and nothing is stored', async () => {
  const items = await itemCount();
  for (const body of [
    { itemNo: 'NUL-1', name: 'bad\u0000name', itemKind: 'purchased', baseUomId: w.eaId },
    { itemNo: 'NUL\u0000-2', name: 'x', itemKind: 'purchased', baseUomId: w.eaId },
    { itemNo: 'NUL-3', name: 'x', itemKind: 'purchased', baseUomId: w.eaId, attributes: { 'k\u0000': 'v' } },
    { itemNo: 'NUL-4', name: 'x', itemKind: 'purchased', baseUomId: w.eaId, identifiers: [{ type: 'sku', value: 'a\u0000' }] },
  ]) {
    const r = await t.call('POST', '/v1/items', body);
    expectError(r, 400, 'bad_request');
    assert.ok(r.body.details?.length > 0, JSON.stringify(r.body));
  }
  assert.is(await itemCount(), items);
});

test('a 500 never carries a stack trace (no handler path leaks internals)', async () => {
  // Walk the open and guarded reads with odd ids; none may answer 5xx with internals.
  for (const path of [`/v1/items/${encodeURIComponent("' OR 1=1 --")}`, '/v1/items?q=%22%22%22', '/v1/items?q=%00']) {
    const r = await t.call('GET', path);
    assert.ok(r.status < 500, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
    const text = JSON.stringify(r.body);
    assert.is(/\bat .*\.(ts|js):\d+/.test(text), false, 'no stack frames');
  }
});

test.run();
