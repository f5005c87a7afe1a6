// Suppliers (procurement) and customers (sales): list with q, create, get, patch with
// If-Match, unique codes, and what each kind shows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectStatus, startTestServer, type Reply, type TestServer } from './harness.js';

let t: TestServer;
const created = (r: Reply) => (expectStatus(r, 201), r.body.data);
const okay = (r: Reply) => (expectStatus(r, 200), r.body.data);
function expectError(r: Reply, status: number, code: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code, JSON.stringify(r.body));
}

test.before(async () => {
  t = await startTestServer();
});
test.after(async () => {
  await t.close();
});

const kinds = [
  { base: '/v1/procurement/suppliers', extra: { currency: 'EUR', leadTimeDays: 14 }, fields: ['currency', 'leadTimeDays'] },
  { base: '/v1/sales/customers', extra: { phone: '+49 30 1234' }, fields: [] as string[] },
];

for (const { base, extra, fields } of kinds) {
  test(`${base}: create, get, list with q, and the fields of the kind`, async () => {
    const a = created(await t.call('POST', base, { code: 'ACME', name: 'Acme Components', email: 'orders@acme.example', ...extra }));
    assert.is(a.isActive, true);
    assert.is(a.version, 1);
    for (const f of fields) assert.ok(f in a, `${f} shown`);
    if (base.includes('customers')) assert.not.ok('currency' in a, 'customers have no currency');
    assert.equal(okay(await t.call('GET', `${base}/${a.id}`)), a);
    created(await t.call('POST', base, { code: 'BOLT-CO', name: 'Bolt & Nut', isActive: false }));
    const all = await t.call('GET', `${base}?limit=1`);
    assert.equal([all.body.count, all.body.data.length, all.body.data[0].code], [2, 1, 'ACME']);
    assert.equal(okay(await t.call('GET', `${base}?q=acme`)).map((p: { code: string }) => p.code), ['ACME']);
    assert.equal(okay(await t.call('GET', `${base}?q=nut`)).map((p: { code: string }) => p.code), ['BOLT-CO']);
    assert.equal(okay(await t.call('GET', `${base}?isActive=false`)).map((p: { code: string }) => p.code), ['BOLT-CO']);
  });

  test(`${base}: code unique, bad input 400, unknown id 404, nothing changed`, async () => {
    expectError(await t.call('POST', base, { code: 'ACME', name: 'Again' }), 409, 'conflict');
    expectError(await t.call('POST', base, { code: 'X', name: 'X', email: 'not-an-email' }), 400, 'bad_request');
    expectError(await t.call('POST', base, { code: 'with space', name: 'X' }), 400, 'bad_request');
    expectError(await t.call('POST', base, { code: 'Y', name: 'Y', unknown: 1 }), 400, 'bad_request');
    expectError(await t.call('GET', `${base}/00000000-0000-7000-8000-000000000000`), 404, 'not_found');
    assert.is((await t.call('GET', base)).body.count, 2);
  });

  test(`${base}: patch changes fields, bumps the version, honours If-Match and unique codes`, async () => {
    const [a, b] = okay(await t.call('GET', base));
    const p = okay(await t.call('PATCH', `${base}/${a.id}`, { name: 'Acme Parts' }));
    assert.equal([p.name, p.version, p.code], ['Acme Parts', 2, 'ACME']);
    expectError(await t.call('PATCH', `${base}/${a.id}`, { name: 'Stale' }, { headers: { 'if-match': '1' } }), 409, 'conflict');
    assert.is(okay(await t.call('PATCH', `${base}/${a.id}`, { isActive: false }, { headers: { 'if-match': '2' } })).isActive, false);
    expectError(await t.call('PATCH', `${base}/${a.id}`, { code: b.code }), 409, 'conflict');
    expectError(await t.call('PATCH', `${base}/${a.id}`, {}), 400, 'bad_request');
    expectError(await t.call('PATCH', `${base}/00000000-0000-7000-8000-000000000000`, { name: 'N' }), 404, 'not_found');
  });
}

test('a supplier is not a customer: each kind has its own ids and codes', async () => {
  const s = created(await t.call('POST', '/v1/procurement/suppliers', { code: 'BOTH', name: 'Both' }));
  const c = created(await t.call('POST', '/v1/sales/customers', { code: 'BOTH', name: 'Both' }));
  expectError(await t.call('GET', `/v1/sales/customers/${s.id}`), 404, 'not_found');
  expectError(await t.call('GET', `/v1/procurement/suppliers/${c.id}`), 404, 'not_found');
});

test.run();
