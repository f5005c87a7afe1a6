// Catalog over HTTP: units of measure and items (create, validation, uniqueness, search,
// paging, PATCH with optimistic concurrency).
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectStatus, startTestServer, type Reply, type TestServer } from './harness.js';

let t: TestServer;
let ea: { id: string };
let box: { id: string };
let kg: { id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function expectError(r: Reply, status: number, code: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code, JSON.stringify(r.body));
  assert.is(r.body.status, status);
}

function detailPaths(r: Reply): string[] {
  assert.ok(Array.isArray(r.body.details), `expected details in ${JSON.stringify(r.body)}`);
  return r.body.details.map((d: { path: string }) => d.path);
}

async function createItem(body: Record<string, unknown>): Promise<any> {
  const r = await t.call('POST', '/v1/items', { itemKind: 'purchased', baseUomId: ea.id, ...body });
  expectStatus(r, 201);
  return r.body.data;
}

async function itemCount(): Promise<number> {
  const r = await t.call('GET', '/v1/items?limit=1');
  expectStatus(r, 200);
  return r.body.count;
}

const ids = (r: Reply): string[] => r.body.data.map((x: { id: string }) => x.id);

test.before(async () => {
  t = await startTestServer();
  const mk = async (code: string, name: string, decimals?: number) => {
    const r = await t.call('POST', '/v1/uoms', decimals === undefined ? { code, name } : { code, name, decimals });
    expectStatus(r, 201);
    return r.body.data;
  };
  ea = await mk('EA', 'Each');
  box = await mk('BOX', 'Box of 12');
  kg = await mk('KG', 'Kilogram', 3);
});
test.after(async () => {
  await t.close();
});

// ---------------------------------------------------------------- UOMs

test('uom: create answers 201 with an id, and decimals defaults to 0', async () => {
  const r = await t.call('POST', '/v1/uoms', { code: 'PR', name: 'Pair' });
  expectStatus(r, 201);
  assert.match(r.body.data.id, UUID);
  assert.is(r.body.data.code, 'PR');
  assert.is(r.body.data.name, 'Pair');
  assert.is(r.body.data.decimals, 0);
  assert.is(kg.id !== ea.id, true);
});

test('uom: decimals is kept when given', async () => {
  const r = await t.call('GET', `/v1/uoms/${kg.id}`);
  expectStatus(r, 200);
  assert.is(r.body.data.decimals, 3);
});

test('uom: a duplicate code is a 409 conflict and leaves the first one as it was', async () => {
  const r = await t.call('POST', '/v1/uoms', { code: 'EA', name: 'Each again', decimals: 2 });
  expectError(r, 409, 'conflict');
  const first = await t.call('GET', `/v1/uoms/${ea.id}`);
  expectStatus(first, 200);
  assert.is(first.body.data.name, 'Each');
  assert.is(first.body.data.decimals, 0);
});

test('uom: GET one returns it', async () => {
  const r = await t.call('GET', `/v1/uoms/${box.id}`);
  expectStatus(r, 200);
  assert.is(r.body.data.id, box.id);
  assert.is(r.body.data.code, 'BOX');
  assert.is(r.body.data.name, 'Box of 12');
});

test('uom: GET an unknown id is a 404 not_found', async () => {
  expectError(await t.call('GET', `/v1/uoms/${randomUUID()}`), 404, 'not_found');
});

test('uom: list is an envelope with every UOM, each code once', async () => {
  const r = await t.call('GET', '/v1/uoms');
  expectStatus(r, 200);
  assert.is(r.body.limit, 50);
  assert.is(r.body.offset, 0);
  const codes = r.body.data.map((u: { code: string }) => u.code);
  for (const c of ['EA', 'BOX', 'KG']) assert.ok(codes.includes(c), `missing ${c} in ${codes}`);
  assert.is(codes.filter((c: string) => c === 'EA').length, 1, 'the refused duplicate was not stored');
  assert.is(r.body.count, codes.length);
  const paged = await t.call('GET', '/v1/uoms?limit=1&offset=1');
  expectStatus(paged, 200);
  assert.is(paged.body.count, r.body.count);
  assert.is(paged.body.data.length, 1);
  assert.is(paged.body.data[0].id, r.body.data[1].id);
});

test('uom: invalid bodies are 400 (missing code, bad decimals, unknown field)', async () => {
  const missing = await t.call('POST', '/v1/uoms', { name: 'No code' });
  expectError(missing, 400, 'bad_request');
  assert.ok(detailPaths(missing).includes('/code'));
  expectError(await t.call('POST', '/v1/uoms', { code: 'X1', name: 'x', decimals: 7 }), 400, 'bad_request');
  expectError(await t.call('POST', '/v1/uoms', { code: 'X2', name: 'x', decimals: 1.5 }), 400, 'bad_request');
  const extra = await t.call('POST', '/v1/uoms', { code: 'X3', name: 'x', colour: 'red' });
  expectError(extra, 400, 'bad_request');
  assert.ok(detailPaths(extra).includes('/colour'));
});

// ---------------------------------------------------------------- items: create

test('item: create with identifiers, attributes and uomConversions round-trips', async () => {
  const body = {
    itemNo: 'TBL-NOTE-08',
    name: 'Notebook A5',
    itemKind: 'purchased',
    baseUomId: ea.id,
    description: 'Ruled, 80 sheets',
    lotTracking: 'tracked',
    serialTracking: 'none',
    expiryTracking: 'none',
    isActive: true,
    identifiers: [{ type: 'gtin', value: '04006381333931' }, { type: 'sku', value: 'SKU-NB-A5' }],
    attributes: { colour: 'blue', sheets: 80, recycled: true },
    uomConversions: [{ uomId: box.id, factor: 12 }],
  };
  const r = await t.call('POST', '/v1/items', body);
  expectStatus(r, 201);
  const item = r.body.data;
  assert.match(item.id, UUID);
  assert.is(item.version, 1);
  assert.ok(typeof item.createdAt === 'string' && !Number.isNaN(Date.parse(item.createdAt)));
  for (const [k, v] of Object.entries(body)) assert.equal(item[k], v, `field ${k}`);

  const got = await t.call('GET', `/v1/items/${item.id}`);
  expectStatus(got, 200);
  for (const [k, v] of Object.entries(body)) assert.equal(got.body.data[k], v, `GET field ${k}`);
  assert.is(got.body.data.id, item.id);
});

test('item: defaults (tracking none, isActive true, empty collections)', async () => {
  const item = await createItem({ itemNo: 'DEF-001', name: 'Defaults' });
  assert.is(item.lotTracking, 'none');
  assert.is(item.serialTracking, 'none');
  assert.is(item.expiryTracking, 'none');
  assert.is(item.isActive, true);
  assert.equal(item.identifiers, []);
  assert.equal(item.attributes, {});
  assert.equal(item.uomConversions, []);
});

test('item: each required field missing is a 400 whose details name it', async () => {
  const full = { itemNo: 'REQ-001', name: 'Required', itemKind: 'purchased', baseUomId: ea.id };
  for (const field of Object.keys(full)) {
    const body: Record<string, unknown> = { ...full };
    delete body[field];
    const r = await t.call('POST', '/v1/items', body);
    expectError(r, 400, 'bad_request');
    assert.ok(detailPaths(r).includes(`/${field}`), `details ${JSON.stringify(r.body.details)} should name /${field}`);
  }
  const r = await t.call('GET', '/v1/items?q=REQ-001');
  assert.is(r.body.count, 0);
});

test('item: an unknown body field is a 400 naming it, and nothing is created', async () => {
  const r = await t.call('POST', '/v1/items', { itemNo: 'UNK-001', name: 'x', itemKind: 'purchased', baseUomId: ea.id, colour: 'red' });
  expectError(r, 400, 'bad_request');
  assert.ok(detailPaths(r).includes('/colour'));
  assert.is((await t.call('GET', '/v1/items?q=UNK-001')).body.count, 0);
});

test('item: an unknown nested field is a 400 too', async () => {
  const r = await t.call('POST', '/v1/items', {
    itemNo: 'UNK-002', name: 'x', itemKind: 'purchased', baseUomId: ea.id,
    identifiers: [{ type: 'gtin', value: '123', note: 'x' }],
  });
  expectError(r, 400, 'bad_request');
});

test('item: invalid enum values and wrong types are 400', async () => {
  expectError(await t.call('POST', '/v1/items', { itemNo: 'BAD-1', name: 'x', itemKind: 'gadget', baseUomId: ea.id }), 400, 'bad_request');
  expectError(await t.call('POST', '/v1/items', { itemNo: 'BAD-2', name: 'x', itemKind: 'purchased', baseUomId: 'not-a-uuid' }), 400, 'bad_request');
  expectError(await t.call('POST', '/v1/items', { itemNo: 'BAD-3', name: 'x', itemKind: 'purchased', baseUomId: ea.id, isActive: 'yes' }), 400, 'bad_request');
  expectError(await t.call('POST', '/v1/items', { itemNo: 'BAD-4', name: 'x', itemKind: 'purchased', baseUomId: ea.id, lotTracking: 'lots' }), 400, 'bad_request');
  expectError(await t.call('POST', '/v1/items', { itemNo: 'BAD-5', name: 'x', itemKind: 'purchased', baseUomId: ea.id, identifiers: [{ type: 'isbn', value: '1' }] }), 400, 'bad_request');
  expectError(await t.call('POST', '/v1/items', [1, 2]), 400, 'bad_request');
});

test('item: a duplicate itemNo is a 409 conflict and the count is unchanged', async () => {
  await createItem({ itemNo: 'DUP-001', name: 'First' });
  const before = await itemCount();
  const r = await t.call('POST', '/v1/items', { itemNo: 'DUP-001', name: 'Second', itemKind: 'purchased', baseUomId: ea.id });
  expectError(r, 409, 'conflict');
  assert.is(await itemCount(), before);
});

test('item: an identifier owned by another item is a 409 conflict', async () => {
  await createItem({ itemNo: 'OWN-001', name: 'Owner', identifiers: [{ type: 'ean', value: '5901234123457' }] });
  const before = await itemCount();
  const r = await t.call('POST', '/v1/items', {
    itemNo: 'OWN-002', name: 'Thief', itemKind: 'purchased', baseUomId: ea.id, identifiers: [{ type: 'ean', value: '5901234123457' }],
  });
  expectError(r, 409, 'conflict');
  assert.is(await itemCount(), before);
  assert.is((await t.call('GET', '/v1/items?identifier=5901234123457')).body.count, 1);
});

test('item: an unknown baseUomId is a 404 not_found', async () => {
  const r = await t.call('POST', '/v1/items', { itemNo: 'NOUOM-1', name: 'x', itemKind: 'purchased', baseUomId: randomUUID() });
  expectError(r, 404, 'not_found');
  assert.is((await t.call('GET', '/v1/items?q=NOUOM-1')).body.count, 0);
});

test('item: an unknown UOM in uomConversions is a 404', async () => {
  const r = await t.call('POST', '/v1/items', {
    itemNo: 'NOUOM-2', name: 'x', itemKind: 'purchased', baseUomId: ea.id, uomConversions: [{ uomId: randomUUID(), factor: 6 }],
  });
  expectError(r, 404, 'not_found');
});

test('item: a uomConversions factor with more than 6 decimals is a 400', async () => {
  const r = await t.call('POST', '/v1/items', {
    itemNo: 'FACT-1', name: 'x', itemKind: 'purchased', baseUomId: kg.id, uomConversions: [{ uomId: box.id, factor: 1.0000001 }],
  });
  expectError(r, 400, 'bad_request');
  assert.ok(detailPaths(r).some((p) => p.startsWith('/uomConversions/0')), JSON.stringify(r.body.details));
  // Six decimals are fine and come back exactly.
  const okItem = await createItem({ itemNo: 'FACT-2', name: 'x', baseUomId: kg.id, uomConversions: [{ uomId: box.id, factor: 0.000001 }] });
  assert.is(okItem.uomConversions[0].factor, 0.000001);
});

test('item: zero or negative factors are 400', async () => {
  for (const factor of [0, -2]) {
    const r = await t.call('POST', '/v1/items', {
      itemNo: `FACT-N${factor}`, name: 'x', itemKind: 'purchased', baseUomId: ea.id, uomConversions: [{ uomId: box.id, factor }],
    });
    expectError(r, 400, 'bad_request');
  }
});

test('item: GET one unknown is a 404', async () => {
  expectError(await t.call('GET', `/v1/items/${randomUUID()}`), 404, 'not_found');
});

// ---------------------------------------------------------------- items: list and search

test('list: envelope, count is the total matching, limit/offset page through', async () => {
  const made: string[] = [];
  for (let i = 1; i <= 7; i++) made.push((await createItem({ itemNo: `PAGE-${String(i).padStart(2, '0')}`, name: `Pager ${i}` })).id);
  const first = await t.call('GET', '/v1/items?q=PAGE-&limit=3');
  expectStatus(first, 200);
  assert.equal(Object.keys(first.body).sort(), ['count', 'data', 'limit', 'offset']);
  assert.is(first.body.count, 7);
  assert.is(first.body.limit, 3);
  assert.is(first.body.offset, 0);
  assert.is(first.body.data.length, 3);

  const second = await t.call('GET', '/v1/items?q=PAGE-&limit=3&offset=3');
  expectStatus(second, 200);
  assert.is(second.body.count, 7);
  assert.is(second.body.offset, 3);
  assert.is(second.body.data.length, 3);

  const third = await t.call('GET', '/v1/items?q=PAGE-&limit=3&offset=6');
  assert.is(third.body.count, 7);
  assert.is(third.body.data.length, 1);

  const all = [...ids(first), ...ids(second), ...ids(third)];
  assert.is(new Set(all).size, 7, 'pages do not overlap');
  assert.equal([...all].sort(), [...made].sort());

  const past = await t.call('GET', '/v1/items?q=PAGE-&limit=3&offset=50');
  expectStatus(past, 200);
  assert.is(past.body.count, 7);
  assert.equal(past.body.data, []);
});

test('list: default limit 50 and offset 0; total count exceeds the page', async () => {
  for (let i = 0; i < 52; i++) {
    const r = await t.call('POST', '/v1/items', { itemNo: `BULK-${String(i).padStart(3, '0')}`, name: `Bulk ${i}`, itemKind: 'service', baseUomId: ea.id });
    expectStatus(r, 201);
  }
  const r = await t.call('GET', '/v1/items?itemKind=service');
  expectStatus(r, 200);
  assert.is(r.body.limit, 50);
  assert.is(r.body.offset, 0);
  assert.is(r.body.data.length, 50);
  assert.is(r.body.count, 52);
  const all = await t.call('GET', '/v1/items?itemKind=service&limit=1000');
  assert.is(all.body.data.length, 52);
  assert.ok(all.body.data.every((i: { itemKind: string }) => i.itemKind === 'service'));
});

test('list: limit 0, 1001, -1, non-numbers and a negative offset are 400', async () => {
  for (const qs of ['limit=0', 'limit=1001', 'limit=-1', 'limit=abc', 'limit=1.5', 'offset=-1', 'offset=x']) {
    expectError(await t.call('GET', `/v1/items?${qs}`), 400, 'bad_request');
  }
  expectStatus(await t.call('GET', '/v1/items?limit=1000'), 200);
  expectStatus(await t.call('GET', '/v1/items?limit=1'), 200);
});

test('search: q finds by name substring, case-insensitively', async () => {
  const target = await createItem({ itemNo: 'SRCH-001', name: 'Stapler Heavy Duty' });
  await createItem({ itemNo: 'SRCH-002', name: 'Paper clips' });
  for (const q of ['Stapler', 'stapler', 'apl', 'Heavy', 'DUTY']) {
    const r = await t.call('GET', `/v1/items?q=${encodeURIComponent(q)}`);
    expectStatus(r, 200);
    assert.equal(ids(r), [target.id], `q=${q}`);
    assert.is(r.body.count, 1);
  }
});

test('search: q finds TBL-NOTE-08 by its item number with dashes', async () => {
  const r0 = await t.call('GET', '/v1/items?identifier=04006381333931');
  const notebook = r0.body.data[0];
  assert.is(notebook.itemNo, 'TBL-NOTE-08');
  await createItem({ itemNo: 'TBL-NOTE-09', name: 'Notepad' });
  for (const q of ['NOTE-08', 'TBL-NOTE-08', 'tbl-note-08']) {
    const r = await t.call('GET', `/v1/items?q=${encodeURIComponent(q)}`);
    expectStatus(r, 200);
    assert.equal(ids(r), [notebook.id], `q=${q}`);
  }
  const both = await t.call('GET', '/v1/items?q=TBL-NOTE');
  assert.is(both.body.count, 2);
});

test('search: q finds by identifier value', async () => {
  const item = await createItem({ itemNo: 'IDQ-001', name: 'Identified', identifiers: [{ type: 'upc', value: '036000291452' }] });
  const full = await t.call('GET', '/v1/items?q=036000291452');
  assert.equal(ids(full), [item.id]);
  const part = await t.call('GET', '/v1/items?q=0002914');
  assert.equal(ids(part), [item.id]);
  const sku = await t.call('GET', '/v1/items?q=SKU-NB-A5');
  assert.is(sku.body.count, 1);
  assert.is(sku.body.data[0].itemNo, 'TBL-NOTE-08');
});

test('search: short terms (2 characters) match', async () => {
  const r = await t.call('GET', '/v1/items?q=A5');
  expectStatus(r, 200);
  assert.ok(r.body.count >= 1);
  assert.ok(r.body.data.some((i: { itemNo: string }) => i.itemNo === 'TBL-NOTE-08'));
  for (const i of r.body.data) {
    const text = [i.itemNo, i.name, ...i.identifiers.map((x: { value: string }) => x.value)].join(' ').toLowerCase();
    assert.ok(text.includes('a5'), `${i.itemNo} should contain a5`);
  }
  const item = await createItem({ itemNo: 'XQ-77', name: 'Short code' });
  const xq = await t.call('GET', '/v1/items?q=xq');
  assert.equal(ids(xq), [item.id]);
  const one = await t.call('GET', '/v1/items?q=Q-7');
  assert.equal(ids(one), [item.id]);
});

test('search: several terms must all match (AND)', async () => {
  const a = await createItem({ itemNo: 'AND-001', name: 'Blue Marker Fine' });
  const b = await createItem({ itemNo: 'AND-002', name: 'Blue Pen' });
  await createItem({ itemNo: 'AND-003', name: 'Red Marker' });
  const marker = await t.call('GET', `/v1/items?q=${encodeURIComponent('blue marker')}`);
  assert.equal(ids(marker), [a.id]);
  const pen = await t.call('GET', `/v1/items?q=${encodeURIComponent('AND- blue')}`);
  assert.equal(ids(pen).sort(), [a.id, b.id].sort());
  const short = await t.call('GET', `/v1/items?q=${encodeURIComponent('marker ne')}`);
  assert.equal(ids(short), [a.id]);
  const none = await t.call('GET', `/v1/items?q=${encodeURIComponent('blue zebra')}`);
  assert.is(none.body.count, 0);
  assert.equal(none.body.data, []);
});

test('search: a term with quotes or FTS syntax is a literal, not an error', async () => {
  for (const q of ['"', 'a"b', 'NOT', 'OR AND', '*', 'note*', '(x)', 'col:val']) {
    const r = await t.call('GET', `/v1/items?q=${encodeURIComponent(q)}`);
    expectStatus(r, 200);
  }
});

test('identifier= is an exact lookup', async () => {
  const r = await t.call('GET', '/v1/items?identifier=036000291452');
  expectStatus(r, 200);
  assert.is(r.body.count, 1);
  assert.is(r.body.data[0].itemNo, 'IDQ-001');
  const partial = await t.call('GET', '/v1/items?identifier=03600029145');
  assert.is(partial.body.count, 0);
  const unknown = await t.call('GET', '/v1/items?identifier=nothing-here');
  expectStatus(unknown, 200);
  assert.is(unknown.body.count, 0);
});

// ---------------------------------------------------------------- items: PATCH

test('patch: changes fields, bumps version and updatedAt', async () => {
  const item = await createItem({ itemNo: 'PAT-001', name: 'Before', identifiers: [{ type: 'sku', value: 'PAT-SKU-1' }] });
  await new Promise((r) => setTimeout(r, 5));
  const r = await t.call('PATCH', `/v1/items/${item.id}`, {
    name: 'After', description: 'changed', attributes: { size: 'L' }, identifiers: [{ type: 'sku', value: 'PAT-SKU-2' }],
  });
  expectStatus(r, 200);
  assert.is(r.body.data.name, 'After');
  assert.is(r.body.data.description, 'changed');
  assert.equal(r.body.data.attributes, { size: 'L' });
  assert.is(r.body.data.version, 2);
  assert.is(r.body.data.itemNo, 'PAT-001');
  assert.is(r.body.data.createdAt, item.createdAt);
  assert.ok(r.body.data.updatedAt > item.updatedAt, 'updatedAt moves forward');

  const got = await t.call('GET', `/v1/items/${item.id}`);
  assert.is(got.body.data.name, 'After');
  assert.is(got.body.data.version, 2);
  // The search index follows the change.
  assert.equal(ids(await t.call('GET', '/v1/items?q=PAT-SKU-2')), [item.id]);
  assert.is((await t.call('GET', '/v1/items?identifier=PAT-SKU-1')).body.count, 0);
  assert.is((await t.call('GET', `/v1/items?q=${encodeURIComponent('Before')}`)).body.data.some((i: { id: string }) => i.id === item.id), false);
});

test('patch: If-Match with a stale version is a 409 and changes nothing; the current version is 200', async () => {
  const item = await createItem({ itemNo: 'PAT-002', name: 'v1' });
  expectStatus(await t.call('PATCH', `/v1/items/${item.id}`, { name: 'v2' }), 200);
  const stale = await t.call('PATCH', `/v1/items/${item.id}`, { name: 'stale' }, { headers: { 'if-match': '1' } });
  expectError(stale, 409, 'conflict');
  const after = await t.call('GET', `/v1/items/${item.id}`);
  assert.is(after.body.data.name, 'v2');
  assert.is(after.body.data.version, 2);

  const current = await t.call('PATCH', `/v1/items/${item.id}`, { name: 'v3' }, { headers: { 'if-match': '2' } });
  expectStatus(current, 200);
  assert.is(current.body.data.name, 'v3');
  assert.is(current.body.data.version, 3);

  const quoted = await t.call('PATCH', `/v1/items/${item.id}`, { name: 'v4' }, { headers: { 'if-match': '"3"' } });
  expectStatus(quoted, 200);
  assert.is(quoted.body.data.version, 4);
});

test('patch: an If-Match that is not a version is a 400', async () => {
  const item = await createItem({ itemNo: 'PAT-003', name: 'x' });
  expectError(await t.call('PATCH', `/v1/items/${item.id}`, { name: 'y' }, { headers: { 'if-match': 'banana' } }), 400, 'bad_request');
  assert.is((await t.call('GET', `/v1/items/${item.id}`)).body.data.version, 1);
});

test('patch: an unknown item is a 404', async () => {
  expectError(await t.call('PATCH', `/v1/items/${randomUUID()}`, { name: 'x' }), 404, 'not_found');
});

test('patch: taking another item\'s itemNo is a 409 and changes nothing', async () => {
  await createItem({ itemNo: 'PAT-010', name: 'Taken' });
  const item = await createItem({ itemNo: 'PAT-011', name: 'Mine' });
  const r = await t.call('PATCH', `/v1/items/${item.id}`, { itemNo: 'PAT-010' });
  expectError(r, 409, 'conflict');
  const got = await t.call('GET', `/v1/items/${item.id}`);
  assert.is(got.body.data.itemNo, 'PAT-011');
  assert.is(got.body.data.version, 1);
});

test('patch: unknown fields, an empty body and >6-decimal factors are 400', async () => {
  const item = await createItem({ itemNo: 'PAT-020', name: 'x' });
  expectError(await t.call('PATCH', `/v1/items/${item.id}`, { colour: 'red' }), 400, 'bad_request');
  expectError(await t.call('PATCH', `/v1/items/${item.id}`, {}), 400, 'bad_request');
  expectError(await t.call('PATCH', `/v1/items/${item.id}`, { uomConversions: [{ uomId: box.id, factor: 2.1234567 }] }), 400, 'bad_request');
  const got = await t.call('GET', `/v1/items/${item.id}`);
  assert.is(got.body.data.version, 1);
  assert.equal(got.body.data.uomConversions, []);
});

test.run();
