// Valuation over HTTP: items' costMethod; receipts valued at the PO price through UOM
// conversion; adjustments with and without unitCost; shipments at the moving average or by
// FIFO layers; production output worth what it consumed; transfers carrying value to the
// destination; reversals; GET /v1/inventory/valuation per item and facility, per item, per
// facility and as of an instant (equal to the live figures at now); and ims verify clean.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyBalances } from '../../core/verify.js';
import { loadConfig } from '../../http/config.js';
import { createLogger } from '../../http/log.js';
import { startServer } from '../../http/server.js';
import { ADMIN_TOKEN, expectStatus, seedWorld, startTestServer, type Reply, type TestServer, type World } from './harness.js';

let t: TestServer;
let w: World;
let w2: World;
let boxId: string;
let supplierId: string;
let customerId: string;

const created = (r: Reply) => (expectStatus(r, 201), r.body.data);
const okay = (r: Reply) => (expectStatus(r, 200), r.body.data);

function expectError(r: Reply, status: number, code: string, path?: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code, JSON.stringify(r.body));
  if (path !== undefined) assert.ok(r.body.details?.some((d: { path: string }) => d.path === path), `details name ${path}: ${JSON.stringify(r.body.details)}`);
}

let items = 0;
async function item(extra: Record<string, unknown> = {}): Promise<string> {
  items += 1;
  return created(await t.call('POST', '/v1/items', { itemNo: `VAL-${String(items).padStart(3, '0')}`, name: `Item ${items}`, itemKind: 'purchased', baseUomId: w.eaId, ...extra })).id;
}

const adjust = (body: Record<string, unknown>) => t.call('POST', '/v1/inventory/adjustments', { locationId: w.binA, ...body });

/** The valuation row of an item at a facility (zeros when there is none). */
async function valuation(itemId: string, facilityId = w.facilityId): Promise<{ onHand: number; value: number; unitCost: number | null }> {
  const rows = okay(await t.call('GET', `/v1/inventory/valuation?itemId=${itemId}&facilityId=${facilityId}`));
  assert.ok(rows.length <= 1);
  return rows[0] ?? { onHand: 0, value: 0, unitCost: null };
}

async function clean(): Promise<void> {
  assert.equal(await verifyBalances(t.store.read), []);
}

test.before(async () => {
  t = await startTestServer();
  w = await seedWorld(t);
  w2 = await seedWorld(t, '2');
  boxId = created(await t.call('POST', '/v1/uoms', { code: 'BOX12', name: 'Box of 12', decimals: 0 })).id;
  supplierId = created(await t.call('POST', '/v1/procurement/suppliers', { code: 'SUP-V', name: 'Supplier' })).id;
  customerId = created(await t.call('POST', '/v1/sales/customers', { code: 'CUS-V', name: 'Customer' })).id;
});

test.after(async () => {
  await t.close();
});

test('costMethod: moving_average by default, fifo on request, changeable only without stock', async () => {
  const avg = await item();
  assert.is(okay(await t.call('GET', `/v1/items/${avg}`)).costMethod, 'moving_average');
  const fifo = await item({ costMethod: 'fifo' });
  assert.is(okay(await t.call('GET', `/v1/items/${fifo}`)).costMethod, 'fifo');
  expectError(await t.call('POST', '/v1/items', { itemNo: 'VAL-BAD', name: 'x', itemKind: 'purchased', baseUomId: w.eaId, costMethod: 'lifo' }), 400, 'bad_request');
  created(await adjust({ itemId: avg, qtyDelta: 1, unitCost: 2 }));
  expectError(await t.call('PATCH', `/v1/items/${avg}`, { costMethod: 'fifo' }), 409, 'conflict', '/costMethod');
  created(await adjust({ itemId: avg, qtyDelta: -1 }));
  assert.is(okay(await t.call('PATCH', `/v1/items/${avg}`, { costMethod: 'fifo' })).costMethod, 'fifo', 'no stock: it may change');
  await clean();
});

test('adjustments: unitCost values stock coming in; none takes the current cost; stock going out takes the average', async () => {
  const itemId = await item();
  const a = created(await adjust({ itemId, qtyDelta: 10, unitCost: 2 }));
  assert.equal([a.lines[0].unitCost, a.lines[0].valueDelta], [2, 20]);
  const b = created(await adjust({ itemId, qtyDelta: 30, unitCost: 3 }));
  assert.is(b.lines[0].valueDelta, 90);
  assert.equal(await valuation(itemId), { itemId, itemNo: (await valuation(itemId) as any).itemNo, facilityId: w.facilityId, onHand: 40, value: 110, unitCost: 2.75, currency: 'USD' });
  const c = created(await adjust({ itemId, qtyDelta: 4 }));
  assert.equal([c.lines[0].unitCost, c.lines[0].valueDelta], [2.75, 11], 'no unitCost: the current average');
  const d = created(await adjust({ itemId, qtyDelta: -22 }));
  assert.equal([d.lines[0].unitCost, d.lines[0].valueDelta], [2.75, -60.5]);
  // The last unit out takes what is left: exactly 0.
  const e = created(await adjust({ itemId, qtyDelta: -22 }));
  assert.is(e.lines[0].valueDelta, -60.5);
  assert.equal(await valuation(itemId), { onHand: 0, value: 0, unitCost: null }, 'no row for an empty, worthless stock');
  // unitCost is for stock coming in, exact money only.
  expectError(await adjust({ itemId, qtyDelta: -1, unitCost: 1 }), 400, 'bad_request', '/unitCost');
  expectError(await adjust({ itemId, qtyDelta: 1, unitCost: 0.1234567 }), 400, 'bad_request');
  expectError(await adjust({ itemId, qtyDelta: 1, unitCost: -1 }), 400, 'bad_request');
  await clean();
});

test('PO receipts take the line price through UOM conversion; sales shipments by FIFO layers', async () => {
  const itemId = await item({ costMethod: 'fifo', uomConversions: [{ uomId: boxId, factor: 12 }] });
  let po = created(await t.call('POST', '/v1/procurement/purchase-orders', {
    supplierId, facilityId: w.facilityId,
    lines: [{ itemId, qty: 2, uomId: boxId, unitPrice: 10 }, { itemId, qty: 12, unitPrice: 1.5 }],
  }));
  for (const a of ['submit', 'approve', 'send']) po = okay(await t.call('POST', `/v1/procurement/purchase-orders/${po.id}/${a}`, {}));
  // A box of 12 at 10: 24 units worth 20 (0.833333 a unit, but the value is exact).
  const r1 = created(await t.call('POST', `/v1/procurement/purchase-orders/${po.id}/receipts`, { lines: [{ lineId: po.lines[0].id, qty: 2, locationId: w.binA }] }));
  const tx1 = okay(await t.call('GET', `/v1/inventory/transactions/${r1.transactionId}`));
  assert.equal([tx1.lines[0].qtyDelta, tx1.lines[0].valueDelta, tx1.lines[0].unitCost], [24, 20, 0.833333]);
  created(await t.call('POST', `/v1/procurement/purchase-orders/${po.id}/receipts`, { lines: [{ lineId: po.lines[1].id, qty: 12, locationId: w.binA }] }));
  assert.equal(await valuation(itemId), { ...(await valuation(itemId)), onHand: 36, value: 38 });

  const so = created(await t.call('POST', '/v1/sales/orders', { customerId, facilityId: w.facilityId, lines: [{ itemId, qty: 30, unitPrice: 5 }] }));
  okay(await t.call('POST', `/v1/sales/orders/${so.id}/open`, {}));
  okay(await t.call('POST', `/v1/sales/orders/${so.id}/ship`, { lines: [{ lineId: so.lines[0].id, qty: 30, locationId: w.binA }] }));
  const [shipment] = okay(await t.call('GET', `/v1/inventory/transactions?itemId=${itemId}&type=shipment`));
  // FIFO: the 24 from the boxes (20), then 6 at 1.5 (9).
  assert.equal(shipment.lines.map((l: { valueDelta: number }) => l.valueDelta), [-29]);
  assert.equal(await valuation(itemId), { ...(await valuation(itemId)), onHand: 6, value: 9, unitCost: 1.5 });
  await clean();
});

test('production output is worth exactly what the work order consumed', async () => {
  const part = await item();
  const made = await item({ itemKind: 'manufactured' });
  created(await adjust({ itemId: part, qtyDelta: 3, unitCost: 1 }));
  created(await adjust({ itemId: part, qtyDelta: 3, unitCost: 2 }));
  const bom = created(await t.call('POST', '/v1/production/boms', { itemId: made, components: [{ itemId: part, qty: 2 }] }));
  okay(await t.call('POST', `/v1/production/boms/${bom.id}/activate`, {}));
  const wo = created(await t.call('POST', '/v1/production/work-orders', { itemId: made, qty: 2, facilityId: w.facilityId, outputLocationId: w.binB }));
  okay(await t.call('POST', `/v1/production/work-orders/${wo.id}/release`, {}));
  okay(await t.call('POST', `/v1/production/work-orders/${wo.id}/complete`, {}));
  // 4 of 6 parts at an average of 1.5: 6.
  assert.equal(await valuation(part), { ...(await valuation(part)), onHand: 2, value: 3 });
  assert.equal(await valuation(made), { ...(await valuation(made)), onHand: 2, value: 6, unitCost: 3 });
  const [output] = okay(await t.call('GET', `/v1/inventory/transactions?itemId=${made}&type=production_output`));
  assert.equal([output.lines[0].valueDelta, output.lines[0].unitCost], [6, 3]);
  await clean();
});

test('transfers carry value from the source to the destination; arrival from transit changes nothing', async () => {
  const itemId = await item({ costMethod: 'fifo' });
  created(await adjust({ itemId, qtyDelta: 4, unitCost: 1 }));
  created(await adjust({ itemId, qtyDelta: 4, unitCost: 2 }));
  const tr = created(await t.call('POST', '/v1/inventory/transfers', { fromFacilityId: w.facilityId, toFacilityId: w2.facilityId, lines: [{ itemId, qty: 6 }] }));
  okay(await t.call('POST', `/v1/inventory/transfers/${tr.id}/release`, {}));
  okay(await t.call('POST', `/v1/inventory/transfers/${tr.id}/ship`, { lines: [{ lineId: tr.lines[0].id, qty: 6, fromLocationId: w.binA }] }));
  assert.equal([(await valuation(itemId)).value, (await valuation(itemId, w2.facilityId)).value], [4, 8]);
  okay(await t.call('POST', `/v1/inventory/transfers/${tr.id}/receive`, { lines: [{ lineId: tr.lines[0].id, qty: 6, toLocationId: w2.binA }] }));
  assert.equal(await valuation(itemId, w2.facilityId), { ...(await valuation(itemId, w2.facilityId)), onHand: 6, value: 8 });
  const [arrival] = okay(await t.call('GET', `/v1/inventory/transactions?itemId=${itemId}&type=transfer_in`));
  assert.is(arrival.lines.reduce((s: number, l: { valueDelta: number }) => s + l.valueDelta, 0), 0);
  await clean();
});

test('moves keep the value; reversals negate exactly, or are refused when they no longer fit', async () => {
  const itemId = await item();
  const inbound = created(await adjust({ itemId, qtyDelta: 10, unitCost: 1 }));
  const dear = created(await adjust({ itemId, qtyDelta: 10, unitCost: 100 }));
  const move = created(await t.call('POST', '/v1/inventory/moves', { itemId, fromLocationId: w.binA, toLocationId: w.binB, qty: 5 }));
  assert.equal(move.lines.map((l: { valueDelta: number }) => l.valueDelta), [-252.5, 252.5]);
  assert.is((await valuation(itemId)).value, 1010);
  created(await t.call('POST', `/v1/inventory/transactions/${move.id}/reverse`, {}));
  assert.is((await valuation(itemId)).value, 1010);
  const issue = created(await adjust({ itemId, qtyDelta: -10 }));
  assert.is(issue.lines[0].valueDelta, -505);
  // Undoing the dear receipt exactly would take 1000 out of 505.
  expectError(await t.call('POST', `/v1/inventory/transactions/${dear.id}/reverse`, {}), 409, 'invalid_state');
  const back = created(await t.call('POST', `/v1/inventory/transactions/${issue.id}/reverse`, {}));
  assert.equal([back.lines[0].qtyDelta, back.lines[0].valueDelta], [10, 505]);
  const undone = created(await t.call('POST', `/v1/inventory/transactions/${inbound.id}/reverse`, {}));
  assert.equal([undone.lines[0].qtyDelta, undone.lines[0].valueDelta], [-10, -10]);
  assert.equal(await valuation(itemId), { ...(await valuation(itemId)), onHand: 10, value: 1000, unitCost: 100 });
  await clean();
});

test('GET /v1/inventory/valuation: groupings, filters, asOf equal to the live figures at now', async () => {
  const a = await item();
  const b = await item();
  created(await adjust({ itemId: a, qtyDelta: 2, unitCost: 5 }));
  created(await adjust({ itemId: a, qtyDelta: 1, unitCost: 7, locationId: w2.binA }));
  created(await adjust({ itemId: b, qtyDelta: 3, unitCost: 1 }));
  await new Promise((r) => setTimeout(r, 5));
  const between = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
  created(await adjust({ itemId: a, qtyDelta: -1 }));

  const perItem = okay(await t.call('GET', `/v1/inventory/valuation?groupBy=item&itemId=${a}`));
  assert.equal(perItem, [{ itemId: a, itemNo: perItem[0].itemNo, onHand: 2, value: 12, unitCost: 6, currency: 'USD' }]);
  const rows = okay(await t.call('GET', `/v1/inventory/valuation?itemId=${a}`));
  assert.equal(rows.map((r: { facilityId: string; value: number }) => [r.facilityId, r.value]), [[w.facilityId, 5], [w2.facilityId, 7]]);
  const then = okay(await t.call('GET', `/v1/inventory/valuation?itemId=${a}&asOf=${between}`));
  assert.equal(then.map((r: { onHand: number; value: number }) => [r.onHand, r.value]), [[2, 10], [1, 7]], 'before the issue');
  const past = okay(await t.call('GET', '/v1/inventory/valuation?asOf=2000-01-01T00:00:00Z'));
  assert.equal(past, [], 'nothing before anything was posted');
  // At now, recomputing from the ledger gives exactly the live figures, in every grouping.
  for (const q of ['', 'groupBy=item', 'groupBy=facility', `facilityId=${w2.facilityId}`]) {
    const live = okay(await t.call('GET', `/v1/inventory/valuation?limit=1000&${q}`));
    const recomputed = okay(await t.call('GET', `/v1/inventory/valuation?limit=1000&${q}&asOf=${new Date(Date.now() + 60_000).toISOString()}`));
    assert.equal(recomputed, live, q);
  }
  const facilities = okay(await t.call('GET', '/v1/inventory/valuation?groupBy=facility&limit=1000'));
  assert.ok(facilities.every((f: Record<string, unknown>) => Object.keys(f).sort().join() === 'currency,facilityId,value'));
  const paged = await t.call('GET', '/v1/inventory/valuation?limit=1');
  expectStatus(paged, 200);
  assert.is(paged.body.data.length, 1);
  assert.ok(paged.body.count > 1);
  expectError(await t.call('GET', '/v1/inventory/valuation?groupBy=lot'), 400, 'bad_request');
  expectError(await t.call('GET', '/v1/inventory/valuation?asOf=yesterday'), 400, 'bad_request');
  const reader = await t.tokenWith(['catalog:read']);
  expectError(await t.call('GET', '/v1/inventory/valuation', undefined, { token: reader }), 403, 'forbidden');
  await clean();
});

test('one currency per installation: IMS_CURRENCY (default USD), named in each row and in the money schemas', async () => {
  assert.is(loadConfig({}).currency, 'USD');
  assert.is(loadConfig({ IMS_CURRENCY: 'EUR' }).currency, 'EUR');
  assert.throws(() => loadConfig({ IMS_CURRENCY: 'euro' }), /IMS_CURRENCY/);
  const doc = (await t.call('GET', '/v1/openapi.json', undefined, { token: null })).body;
  assert.is(doc.info['x-currency'], 'USD');
  const unitCost = doc.paths['/v1/inventory/adjustments'].post.requestBody.content['application/json'].schema.properties.unitCost;
  assert.match(unitCost.description, /in the installation's one currency: info\.x-currency of this document/);
  assert.match(doc.info.description, /Every money amount .* is in USD/);

  const itemId = await item();
  created(await adjust({ itemId, qtyDelta: 1, unitCost: 3 }));
  const euro = await startServer({ store: t.store, logger: createLogger('silent'), currency: 'EUR' });
  try {
    const get = async (path: string) => (await fetch(euro.url + path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json() as Promise<any>;
    const [row] = (await get(`/v1/inventory/valuation?itemId=${itemId}`)).data;
    assert.equal([row.value, row.currency], [3, 'EUR']);
    assert.is((await get('/v1/openapi.json'))['info']['x-currency'], 'EUR');
  } finally {
    await euro.close();
  }
});

test.run();
