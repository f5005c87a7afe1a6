// Facilities and their location trees over HTTP, and the seeded stock statuses.
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectStatus, startTestServer, type Reply, type TestServer } from './harness.js';

let t: TestServer;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function expectError(r: Reply, status: number, code: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code, JSON.stringify(r.body));
  assert.is(r.body.status, status);
}

async function facility(code: string, type = 'warehouse'): Promise<any> {
  const r = await t.call('POST', '/v1/facilities', { code, name: `Facility ${code}`, type });
  expectStatus(r, 201);
  return r.body.data;
}

async function location(facilityId: string, code: string, type: string, parentId?: string): Promise<any> {
  const body: Record<string, unknown> = { code, name: `Location ${code}`, type };
  if (parentId !== undefined) body.parentId = parentId;
  const r = await t.call('POST', `/v1/facilities/${facilityId}/locations`, body);
  expectStatus(r, 201);
  return r.body.data;
}

async function locations(facilityId: string, qs = 'limit=1000'): Promise<any[]> {
  const r = await t.call('GET', `/v1/facilities/${facilityId}/locations?${qs}`);
  expectStatus(r, 200);
  return r.body.data;
}

test.before(async () => {
  t = await startTestServer();
});
test.after(async () => {
  await t.close();
});

// ---------------------------------------------------------------- facilities

test('facility: create answers 201 with the record; isActive defaults to true', async () => {
  const r = await t.call('POST', '/v1/facilities', { code: 'WH1', name: 'Main warehouse', type: 'warehouse' });
  expectStatus(r, 201);
  const f = r.body.data;
  assert.match(f.id, UUID);
  assert.is(f.code, 'WH1');
  assert.is(f.name, 'Main warehouse');
  assert.is(f.type, 'warehouse');
  assert.is(f.isActive, true);
  assert.is(f.version, 1);
  const inactive = await t.call('POST', '/v1/facilities', { code: 'ST1', name: 'Old store', type: 'store', isActive: false });
  expectStatus(inactive, 201);
  assert.is(inactive.body.data.isActive, false);
});

test('facility: GET one, and 404 for an unknown id', async () => {
  const f = await facility('PL1', 'plant');
  const r = await t.call('GET', `/v1/facilities/${f.id}`);
  expectStatus(r, 200);
  assert.equal(r.body.data, f);
  expectError(await t.call('GET', `/v1/facilities/${randomUUID()}`), 404, 'not_found');
});

test('facility: list is an envelope with count and paging', async () => {
  const all = await t.call('GET', '/v1/facilities');
  expectStatus(all, 200);
  assert.is(all.body.limit, 50);
  assert.is(all.body.offset, 0);
  assert.is(all.body.count, all.body.data.length);
  const codes = all.body.data.map((f: { code: string }) => f.code);
  for (const c of ['WH1', 'ST1', 'PL1']) assert.ok(codes.includes(c), `${c} in ${codes}`);
  const page = await t.call('GET', '/v1/facilities?limit=1&offset=1');
  expectStatus(page, 200);
  assert.is(page.body.count, all.body.count);
  assert.is(page.body.data.length, 1);
  assert.is(page.body.data[0].id, all.body.data[1].id);
  const plants = await t.call('GET', '/v1/facilities?type=plant');
  assert.ok(plants.body.data.length >= 1);
  assert.ok(plants.body.data.every((f: { type: string }) => f.type === 'plant'));
  expectError(await t.call('GET', '/v1/facilities?limit=0'), 400, 'bad_request');
});

test('facility: a duplicate code is a 409 conflict and creates nothing', async () => {
  const before = (await t.call('GET', '/v1/facilities?limit=1000')).body.count;
  const r = await t.call('POST', '/v1/facilities', { code: 'WH1', name: 'Second', type: 'store' });
  expectError(r, 409, 'conflict');
  const after = await t.call('GET', '/v1/facilities?limit=1000');
  assert.is(after.body.count, before);
});

test('facility: invalid bodies are 400 (missing type, bad type, unknown field, bad code)', async () => {
  const missing = await t.call('POST', '/v1/facilities', { code: 'X1', name: 'x' });
  expectError(missing, 400, 'bad_request');
  assert.ok(missing.body.details.some((d: { path: string }) => d.path === '/type'));
  expectError(await t.call('POST', '/v1/facilities', { code: 'X2', name: 'x', type: 'garage' }), 400, 'bad_request');
  const extra = await t.call('POST', '/v1/facilities', { code: 'X3', name: 'x', type: 'store', city: 'Oslo' });
  expectError(extra, 400, 'bad_request');
  assert.ok(extra.body.details.some((d: { path: string }) => d.path === '/city'));
  expectError(await t.call('POST', '/v1/facilities', { code: 'A/B', name: 'x', type: 'store' }), 400, 'bad_request');
});

test('facility: every facility gets exactly one transit location, listed with the others', async () => {
  const f = await facility('TR1');
  const rows = await locations(f.id);
  const transit = rows.filter((l) => l.type === 'transit');
  assert.is(transit.length, 1);
  assert.is(transit[0].facilityId, f.id);
  assert.is(transit[0].parentId, null);
  assert.is(transit[0].depth, 0);
  assert.match(transit[0].id, UUID);
  await location(f.id, 'A', 'zone');
  const again = await locations(f.id);
  assert.is(again.filter((l) => l.type === 'transit').length, 1);
  assert.is(again.length, 2);
  // Another facility has its own.
  const g = await facility('TR2');
  const other = (await locations(g.id)).filter((l) => l.type === 'transit');
  assert.is(other.length, 1);
  assert.is.not(other[0].id, transit[0].id);
});

// ---------------------------------------------------------------- locations

test('location: nested create gives depth and path', async () => {
  const f = await facility('NEST');
  const zone = await location(f.id, 'A', 'zone');
  const aisle = await location(f.id, '01', 'aisle', zone.id);
  const bin = await location(f.id, '03', 'bin', aisle.id);
  assert.is(zone.depth, 0);
  assert.is(zone.path, 'A');
  assert.is(zone.parentId, null);
  assert.is(aisle.depth, 1);
  assert.is(aisle.path, 'A/01');
  assert.is(aisle.parentId, zone.id);
  assert.is(bin.depth, 2);
  assert.is(bin.path, 'A/01/03');
  assert.is(bin.parentId, aisle.id);
  assert.is(bin.facilityId, f.id);
  assert.is(bin.isPickable, true);
  const rows = await locations(f.id);
  const listed = rows.find((l) => l.id === bin.id);
  assert.ok(listed);
  assert.is(listed.path, 'A/01/03');
  assert.is(listed.depth, 2);
  assert.is(listed.parentId, aisle.id);
});

test('location: isPickable is kept when false', async () => {
  const f = await facility('PICK');
  const staging = await t.call('POST', `/v1/facilities/${f.id}/locations`, { code: 'STG', name: 'Staging', type: 'staging', isPickable: false });
  expectStatus(staging, 201);
  assert.is(staging.body.data.isPickable, false);
});

test('location: the list is flat with every parent before its children', async () => {
  const f = await facility('TREE');
  // Built out of order across branches so that creation order is not the answer.
  const b = await location(f.id, 'B', 'zone');
  const a = await location(f.id, 'A', 'zone');
  const b2 = await location(f.id, 'B-02', 'aisle', b.id);
  const a1 = await location(f.id, 'A-01', 'aisle', a.id);
  const a2 = await location(f.id, 'A-02', 'aisle', a.id);
  const b1 = await location(f.id, 'B-01', 'aisle', b.id);
  const a1r = await location(f.id, 'A-01-R1', 'rack', a1.id);
  const a2r = await location(f.id, 'A-02-R1', 'rack', a2.id);
  const a1r1 = await location(f.id, 'A-01-R1-1', 'bin', a1r.id);
  const a1r2 = await location(f.id, 'A-01-R1-2', 'bin', a1r.id);
  const b1b = await location(f.id, 'B-01-1', 'bin', b1.id);
  const c = await location(f.id, 'A2', 'zone');
  const c1 = await location(f.id, 'A2-1', 'bin', c.id);
  await location(f.id, '0', 'staging');
  const made = [a, b, c, a1, a2, b1, b2, a1r, a2r, a1r1, a1r2, b1b, c1];

  const rows = await locations(f.id);
  assert.is(rows.length, made.length + 2, 'every location plus transit and staging');
  const seen = new Map<string, number>();
  rows.forEach((row, i) => {
    if (row.parentId !== null) {
      assert.ok(seen.has(row.parentId), `${row.path} at ${i} comes before its parent`);
    }
    seen.set(row.id, i);
    const parent = rows.find((p) => p.id === row.parentId);
    assert.is(row.depth, parent ? parent.depth + 1 : 0, `depth of ${row.path}`);
    assert.is(row.path, parent ? `${parent.path}/${row.code}` : row.code, `path of ${row.path}`);
  });
  for (const m of made) assert.ok(seen.has(m.id), `${m.code} listed`);
  assert.is(rows.find((r) => r.id === a1r1.id).path, 'A/A-01/A-01-R1/A-01-R1-1');
  // Each subtree is contiguous: a node's descendants follow it before any unrelated row.
  for (const [i, row] of rows.entries()) {
    const descendants = rows.filter((r) => r.path.startsWith(`${row.path}/`)).length;
    for (let j = i + 1; j <= i + descendants; j++) {
      assert.ok(rows[j].path.startsWith(`${row.path}/`), `${rows[j].path} interrupts the subtree of ${row.path}`);
    }
  }
});

test('location: paging the tree keeps the count and the order', async () => {
  const f = await facility('PAGE');
  const z = await location(f.id, 'Z', 'zone');
  for (let i = 1; i <= 4; i++) await location(f.id, `Z${i}`, 'bin', z.id);
  const all = await locations(f.id);
  assert.is(all.length, 6);
  const p1 = await t.call('GET', `/v1/facilities/${f.id}/locations?limit=2`);
  const p2 = await t.call('GET', `/v1/facilities/${f.id}/locations?limit=2&offset=2`);
  expectStatus(p1, 200);
  expectStatus(p2, 200);
  assert.is(p1.body.count, 6);
  assert.is(p2.body.count, 6);
  assert.equal([...p1.body.data, ...p2.body.data].map((l: { id: string }) => l.id), all.slice(0, 4).map((l) => l.id));
});

test('location: codes are unique within a facility (409) but reusable in another', async () => {
  const f = await facility('UNQ1');
  const g = await facility('UNQ2');
  const first = await location(f.id, 'BIN-1', 'bin');
  const dup = await t.call('POST', `/v1/facilities/${f.id}/locations`, { code: 'BIN-1', name: 'again', type: 'bin' });
  expectError(dup, 409, 'conflict');
  // Also under a different parent in the same facility.
  const zone = await location(f.id, 'Z', 'zone');
  const nested = await t.call('POST', `/v1/facilities/${f.id}/locations`, { code: 'BIN-1', name: 'nested', type: 'bin', parentId: zone.id });
  expectError(nested, 409, 'conflict');
  assert.is((await locations(f.id)).filter((l) => l.code === 'BIN-1').length, 1);
  const other = await location(g.id, 'BIN-1', 'bin');
  assert.is.not(other.id, first.id);
  assert.is(other.facilityId, g.id);
});

test('location: a parentId from another facility is a 404', async () => {
  const f = await facility('PAR1');
  const g = await facility('PAR2');
  const foreign = await location(g.id, 'Z', 'zone');
  const r = await t.call('POST', `/v1/facilities/${f.id}/locations`, { code: 'C', name: 'child', type: 'bin', parentId: foreign.id });
  expectError(r, 404, 'not_found');
  const unknown = await t.call('POST', `/v1/facilities/${f.id}/locations`, { code: 'D', name: 'child', type: 'bin', parentId: randomUUID() });
  expectError(unknown, 404, 'not_found');
  assert.is((await locations(f.id)).length, 1, 'only the transit location');
});

test('location: creating a transit location is a 409', async () => {
  const f = await facility('NOTR');
  const r = await t.call('POST', `/v1/facilities/${f.id}/locations`, { code: 'T2', name: 'Second transit', type: 'transit' });
  expectError(r, 409, 'conflict');
  assert.is((await locations(f.id)).filter((l) => l.type === 'transit').length, 1);
});

test('location: the transit location takes no children', async () => {
  const f = await facility('TRCH');
  const transit = (await locations(f.id)).find((l) => l.type === 'transit');
  const r = await t.call('POST', `/v1/facilities/${f.id}/locations`, { code: 'UNDER', name: 'x', type: 'bin', parentId: transit.id });
  assert.ok(r.status === 409 || r.status === 400, `expected a refusal, got ${r.status}`);
  assert.is((await locations(f.id)).length, 1);
});

test('location: an unknown facility is a 404 for list and create', async () => {
  const id = randomUUID();
  expectError(await t.call('GET', `/v1/facilities/${id}/locations`), 404, 'not_found');
  expectError(await t.call('POST', `/v1/facilities/${id}/locations`, { code: 'A', name: 'A', type: 'bin' }), 404, 'not_found');
});

test('location: invalid bodies are 400', async () => {
  const f = await facility('LBAD');
  const missing = await t.call('POST', `/v1/facilities/${f.id}/locations`, { code: 'A', name: 'A' });
  expectError(missing, 400, 'bad_request');
  assert.ok(missing.body.details.some((d: { path: string }) => d.path === '/type'));
  expectError(await t.call('POST', `/v1/facilities/${f.id}/locations`, { code: 'A', name: 'A', type: 'shelf' }), 400, 'bad_request');
  expectError(await t.call('POST', `/v1/facilities/${f.id}/locations`, { code: 'A/1', name: 'A', type: 'bin' }), 400, 'bad_request');
  expectError(await t.call('POST', `/v1/facilities/${f.id}/locations`, { code: 'A', name: 'A', type: 'bin', depth: 3 }), 400, 'bad_request');
  expectError(await t.call('POST', `/v1/facilities/${f.id}/locations`, { code: 'A', name: 'A', type: 'bin', parentId: 'nope' }), 400, 'bad_request');
  assert.is((await locations(f.id)).length, 1);
});

// ---------------------------------------------------------------- statuses

test('statuses: available, quarantine and damaged are listed', async () => {
  const r = await t.call('GET', '/v1/inventory/statuses');
  expectStatus(r, 200);
  assert.is(r.body.count, r.body.data.length);
  const byId = new Map(r.body.data.map((s: { id: string }) => [s.id, s]));
  for (const id of ['available', 'quarantine', 'damaged']) assert.ok(byId.has(id), `${id} listed`);
  assert.is((byId.get('available') as { isAvailable: boolean }).isAvailable, true);
  assert.is((byId.get('quarantine') as { isAvailable: boolean }).isAvailable, false);
  assert.is((byId.get('damaged') as { isAvailable: boolean }).isAvailable, false);
});

test.run();
