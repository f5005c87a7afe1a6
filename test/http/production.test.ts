// Production over HTTP: BOM versions and their state machine (draft → active → obsolete, an
// active BOM immutable, cycles refused and named), the multi-level explosion (tree, flattened
// requirement, scrap and batch sizes exact or rounded up and flagged, levels, phantoms, stock
// and shortfall at a facility, the most buildable), and work orders: creation pins the BOM
// and lists what it issues, release reserves all or none, completion (whole or partial)
// issues and produces in two transactions posted together or not at all, lots record where
// they came from, cancel releases. Every refusal is checked to leave everything as it was.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyBalances } from '../../core/verify.js';
import { expectStatus, seedWorld, startTestServer, type Reply, type TestServer, type World } from './harness.js';

let t: TestServer;
let w: World;
let kgId: string;
let hourId: string;
let boxId: string;

const created = (r: Reply) => (expectStatus(r, 201), r.body.data);
const okay = (r: Reply) => (expectStatus(r, 200), r.body.data);
const none = '00000000-0000-7000-8000-000000000000';

function expectError(r: Reply, status: number, code: string, path?: string): void {
  expectStatus(r, status);
  assert.is(r.body.error, code, JSON.stringify(r.body));
  if (path !== undefined) assert.ok(r.body.details?.some((d: { path: string }) => d.path === path), `details name ${path}: ${JSON.stringify(r.body.details)}`);
}

let items = 0;
async function item(kind = 'purchased', extra: Record<string, unknown> = {}): Promise<string> {
  items += 1;
  return created(await t.call('POST', '/v1/items', { itemNo: `PRD-${String(items).padStart(3, '0')}`, name: `Item ${items}`, itemKind: kind, baseUomId: w.eaId, ...extra })).id;
}

const createBom = (itemId: string, components: unknown[], extra: Record<string, unknown> = {}) =>
  t.call('POST', '/v1/production/boms', { itemId, components, ...extra });
const activate = (bomId: string) => t.call('POST', `/v1/production/boms/${bomId}/activate`, {});
async function activeBom(itemId: string, components: unknown[], extra: Record<string, unknown> = {}): Promise<any> {
  return okay(await activate(created(await createBom(itemId, components, extra)).id));
}
const explosion = (bomId: string, query = '') => t.call('GET', `/v1/production/boms/${bomId}/explosion${query ? `?${query}` : ''}`);
const createWo = (body: Record<string, unknown>) => t.call('POST', '/v1/production/work-orders', { facilityId: w.facilityId, outputLocationId: w.binB, ...body });
const act = (id: string, name: string, body: unknown = {}) => t.call('POST', `/v1/production/work-orders/${id}/${name}`, body);
const getWo = async (id: string) => okay(await t.call('GET', `/v1/production/work-orders/${id}`));

async function stock(itemId: string, qtyDelta: number, locationId = w.binA, extra: Record<string, unknown> = {}): Promise<void> {
  created(await t.call('POST', '/v1/inventory/adjustments', { itemId, locationId, qtyDelta, ...extra }));
}

/** On hand of an item at a location (any lot and status), or in the whole facility. */
async function onHand(itemId: string, locationId?: string): Promise<number> {
  const rows = okay(await t.call('GET', `/v1/inventory/balances?itemId=${itemId}&limit=1000`));
  return rows.filter((b: { locationId: string }) => !locationId || b.locationId === locationId).reduce((s: number, b: { onHand: number }) => s + b.onHand, 0);
}

async function availability(itemId: string) {
  const rows = okay(await t.call('GET', `/v1/inventory/availability?groupBy=facility&itemId=${itemId}&facilityId=${w.facilityId}`));
  return rows[0] ?? { onHand: 0, reserved: 0, allocated: 0, available: 0 };
}

async function transactionsOf(workOrderId: string) {
  return okay(await t.call('GET', `/v1/inventory/transactions?referenceType=work_order&referenceId=${workOrderId}&limit=1000`)).reverse();
}

async function reservationsOf(workOrderId: string) {
  return okay(await t.call('GET', `/v1/inventory/reservations?demandType=work_order&demandId=${workOrderId}&limit=1000`));
}

interface Product {
  bike: string; wheel: string; kit: string; spoke: string; rim: string; tube: string; bolt: string; labour: string;
  bikeBom: any; wheelBom: any; kitBom: any;
  no: Record<string, string>;
}

/**
 * A bike: 2 wheels (manufactured: 36 spokes and a rim each), a frame kit (phantom, per batch
 * of 2: 3.3 kg of tube with 5 % scrap and 4 bolts), 2 bolts with 10 % scrap, 1.5 h of labour
 * (a service). Items are numbered `<tag>-<PART>` so the flattened list sorts by part.
 */
async function product(tag: string): Promise<Product> {
  const mk = async (part: string, kind: string, extra: Record<string, unknown> = {}) =>
    created(await t.call('POST', '/v1/items', { itemNo: `${tag}-${part}`, name: part, itemKind: kind, baseUomId: w.eaId, ...extra })).id as string;
  const p = {
    bike: await mk('BIKE', 'manufactured'),
    wheel: await mk('WHEEL', 'manufactured'),
    kit: await mk('KIT', 'phantom'),
    spoke: await mk('SPOKE', 'purchased'),
    rim: await mk('RIM', 'purchased'),
    tube: await mk('TUBE', 'purchased', { baseUomId: kgId }),
    bolt: await mk('BOLT', 'purchased'),
    labour: await mk('LABOUR', 'service', { baseUomId: hourId }),
  };
  const wheelBom = await activeBom(p.wheel, [{ itemId: p.spoke, qty: 36 }, { itemId: p.rim, qty: 1 }]);
  const kitBom = await activeBom(p.kit, [{ itemId: p.tube, qty: 3.3, scrapPct: 5 }, { itemId: p.bolt, qty: 4 }], { outputQty: 2 });
  const bikeBom = await activeBom(p.bike, [
    { itemId: p.wheel, qty: 2 }, { itemId: p.kit, qty: 1 }, { itemId: p.bolt, qty: 2, scrapPct: 10 }, { itemId: p.labour, qty: 1.5 },
  ]);
  const no = Object.fromEntries(Object.entries(p).map(([k, v]) => [v, `${tag}-${k.toUpperCase()}`]));
  return { ...p, bikeBom, wheelBom, kitBom, no };
}

/** The flattened list as { part: qty }. */
const flat = (e: any, p: Product) => Object.fromEntries(e.flattened.map((f: { itemId: string; qty: number }) => [p.no[f.itemId]!.split('-')[1], f.qty]));

test.before(async () => {
  t = await startTestServer();
  w = await seedWorld(t, 'P');
  kgId = created(await t.call('POST', '/v1/uoms', { code: 'KG', name: 'Kilogram', decimals: 3 })).id;
  hourId = created(await t.call('POST', '/v1/uoms', { code: 'H', name: 'Hour', decimals: 2 })).id;
  boxId = created(await t.call('POST', '/v1/uoms', { code: 'BOX', name: 'Box', decimals: 0 })).id;
});
test.after(async () => {
  await t.close();
});

// --- BOMs ------------------------------------------------------------------------------------

test('a BOM reads as the API shows it; versions count per item; UOMs convert exactly', async () => {
  const made = await item('manufactured');
  const part = await item('purchased', { uomConversions: [{ uomId: boxId, factor: 12 }] });
  const bom = created(await createBom(made, [{ itemId: part, qty: 2, uomId: boxId, scrapPct: 1.5 }, { itemId: part, qty: 3 }], { notes: 'first cut' }));
  assert.equal(Object.keys(bom).sort(), ['components', 'createdAt', 'id', 'itemId', 'notes', 'outputQty', 'revision', 'status', 'statusHistory',
    'updatedAt', 'version'].sort());
  assert.equal([bom.itemId, bom.version, bom.status, bom.outputQty, bom.notes, bom.revision], [made, 1, 'draft', 1, 'first cut', 1]);
  assert.equal(bom.components.map((c: any) => [c.lineNo, c.itemId, c.qty, c.uomId, c.qtyBase, c.scrapPct]),
    [[1, part, 2, boxId, 24, 1.5], [2, part, 3, null, 3, 0]]);
  assert.equal(Object.keys(bom.components[0]).sort(), ['id', 'itemId', 'lineNo', 'qty', 'qtyBase', 'scrapPct', 'uomId']);
  assert.equal(bom.statusHistory.map((h: any) => [h.from, h.to, h.by?.name]), [[null, 'draft', 'admin (IMS_ADMIN_TOKEN)']]);
  assert.equal(okay(await t.call('GET', `/v1/production/boms/${bom.id}`)), bom);
  const second = created(await createBom(made, [{ itemId: part, qty: 1 }], { outputQty: 4 }));
  assert.equal([second.version, second.outputQty], [2, 4]);
  const tenth = created(await createBom(made, [{ itemId: part, qty: 1 }], { version: 10 }));
  assert.is(tenth.version, 10);
  assert.is(created(await createBom(made, [{ itemId: part, qty: 1 }])).version, 11);
  expectError(await createBom(made, [{ itemId: part, qty: 1 }], { version: 2 }), 409, 'conflict', '/version');
  // Versions are per item.
  const other = await item('phantom');
  assert.is(created(await createBom(other, [{ itemId: part, qty: 1 }])).version, 1);
});

test('BOM states: PATCH only a draft (If-Match on the revision); activate obsoletes the previous version', async () => {
  const made = await item('manufactured');
  const a = await item();
  const b = await item();
  const v1 = created(await createBom(made, [{ itemId: a, qty: 1 }]));
  const patched = okay(await t.call('PATCH', `/v1/production/boms/${v1.id}`, { outputQty: 5, components: [{ itemId: b, qty: 2, scrapPct: 3 }] }));
  assert.equal([patched.outputQty, patched.revision, patched.status, patched.version], [5, 2, 'draft', 1]);
  assert.equal(patched.components.map((c: any) => [c.lineNo, c.itemId, c.qty, c.scrapPct]), [[1, b, 2, 3]]);
  expectError(await t.call('PATCH', `/v1/production/boms/${v1.id}`, { notes: 'x' }, { headers: { 'if-match': '1' } }), 409, 'conflict');
  const noted = okay(await t.call('PATCH', `/v1/production/boms/${v1.id}`, { notes: 'checked' }, { headers: { 'if-match': '2' } }));
  assert.equal([noted.notes, noted.revision, noted.components.length], ['checked', 3, 1]);

  const active = okay(await activate(v1.id));
  assert.equal([active.status, active.revision], ['active', 4]);
  assert.equal(active.statusHistory.map((h: any) => [h.from, h.to]), [[null, 'draft'], ['draft', 'active']]);
  expectError(await t.call('PATCH', `/v1/production/boms/${v1.id}`, { notes: 'too late' }), 409, 'invalid_state');
  expectError(await activate(v1.id), 409, 'invalid_state');
  assert.equal(okay(await t.call('GET', `/v1/production/boms/${v1.id}`)), active);

  const v2 = created(await createBom(made, [{ itemId: a, qty: 3 }]));
  okay(await activate(v2.id));
  const old = okay(await t.call('GET', `/v1/production/boms/${v1.id}`));
  assert.equal([old.status, old.statusHistory.map((h: any) => h.to)], ['obsolete', ['draft', 'active', 'obsolete']]);
  assert.equal(old.components, active.components, 'an obsolete BOM keeps its components');
  expectError(await activate(v1.id), 409, 'invalid_state');
  expectError(await t.call('PATCH', `/v1/production/boms/${v1.id}`, { notes: 'x' }), 409, 'invalid_state');
  const list = okay(await t.call('GET', `/v1/production/boms?itemId=${made}`));
  assert.equal(list.map((x: any) => [x.version, x.status]), [[2, 'active'], [1, 'obsolete']]);
  assert.equal(okay(await t.call('GET', `/v1/production/boms?itemId=${made}&status=active`)).map((x: any) => x.id), [v2.id]);
  assert.equal(okay(await t.call('GET', `/v1/production/boms?itemId=${made}&status=draft`)), []);
});

test('activating a BOM whose explosion would reach its own item, at any depth, is a 409 naming the cycle; it stays a draft', async () => {
  const a = await item('manufactured');
  const b = await item('manufactured');
  const c = await item('phantom');
  const x = await item();
  await activeBom(b, [{ itemId: x, qty: 1 }, { itemId: c, qty: 1 }]);
  const cBom = created(await createBom(c, [{ itemId: a, qty: 2 }]));
  okay(await activate(cBom.id)); // no cycle yet: a has no active BOM
  const aBom = created(await createBom(a, [{ itemId: x, qty: 1 }, { itemId: b, qty: 1 }]));
  const refused = await activate(aBom.id);
  expectError(refused, 409, 'conflict', '/components/1/itemId');
  assert.is(refused.body.details.length, 1);
  const after = okay(await t.call('GET', `/v1/production/boms/${aBom.id}`));
  assert.equal([after.status, after.revision], ['draft', 1]);
  // Its explosion shows the same cycle (a draft, exploded through the active BOMs below it).
  expectError(await explosion(aBom.id), 409, 'conflict', '/components/1/itemId');
  // A BOM cannot name its own item at all.
  expectError(await createBom(a, [{ itemId: a, qty: 1 }]), 400, 'bad_request', '/components/0/itemId');
  // Without the closing edge it activates.
  const fixed = created(await createBom(a, [{ itemId: x, qty: 1 }]));
  assert.is(okay(await activate(fixed.id)).status, 'active');
});

test('BOM refusals: 404s and 400s name the field and create nothing', async () => {
  const made = await item('manufactured');
  const part = await item();
  const count = async () => (await t.call('GET', `/v1/production/boms?itemId=${made}`)).body.count;
  expectError(await createBom(none, [{ itemId: part, qty: 1 }]), 404, 'not_found', '/itemId');
  expectError(await createBom(made, [{ itemId: part, qty: 1 }, { itemId: none, qty: 1 }]), 404, 'not_found', '/components/1/itemId');
  expectError(await createBom(part, [{ itemId: made, qty: 1 }]), 400, 'bad_request', '/itemId');
  expectError(await createBom(await item('service'), [{ itemId: part, qty: 1 }]), 400, 'bad_request', '/itemId');
  expectError(await createBom(made, [{ itemId: part, qty: 1.5 }]), 400, 'bad_request', '/components/0/qty'); // EA takes no decimals
  expectError(await createBom(made, [{ itemId: part, qty: 1, uomId: kgId }]), 400, 'bad_request', '/components/0/uomId');
  expectError(await createBom(made, [{ itemId: part, qty: 1 }], { outputQty: 0.5 }), 400, 'bad_request', '/outputQty');
  const bad = [
    { itemId: made, components: [] },
    { itemId: made },
    { components: [{ itemId: part, qty: 1 }] },
    { itemId: made, components: [{ itemId: part, qty: 0 }] },
    { itemId: made, components: [{ itemId: part, qty: -1 }] },
    { itemId: made, components: [{ itemId: part, qty: 0.0000001 }] },
    { itemId: made, components: [{ itemId: part, qty: 1, scrapPct: -1 }] },
    { itemId: made, components: [{ itemId: part, qty: 1, scrapPct: 1000.5 }] },
    { itemId: made, components: [{ itemId: part, qty: 1, scrapPct: 0.0000001 }] },
    { itemId: made, components: [{ itemId: part, qty: 1, extra: true }] },
    { itemId: made, components: [{ itemId: part, qty: 1 }], status: 'active' },
    { itemId: made, components: [{ itemId: part, qty: 1 }], version: 0 },
    { itemId: made, components: [{ itemId: part, qty: 1 }], version: 1.5 },
    { itemId: made, components: Array.from({ length: 1001 }, () => ({ itemId: part, qty: 1 })) },
  ];
  for (const body of bad) expectError(await t.call('POST', '/v1/production/boms', body), 400, 'bad_request');
  assert.is(await count(), 0);
  const draft = created(await createBom(made, [{ itemId: part, qty: 1 }]));
  expectError(await t.call('PATCH', `/v1/production/boms/${draft.id}`, {}), 400, 'bad_request');
  expectError(await t.call('PATCH', `/v1/production/boms/${draft.id}`, { version: 3 }), 400, 'bad_request');
  expectError(await t.call('PATCH', `/v1/production/boms/${draft.id}`, { components: [{ itemId: draft.itemId, qty: 1 }] }), 400, 'bad_request', '/components/0/itemId');
  expectError(await t.call('PATCH', `/v1/production/boms/${none}`, { notes: 'x' }), 404, 'not_found');
  expectError(await activate(none), 404, 'not_found');
  expectError(await t.call('POST', `/v1/production/boms/${draft.id}/activate`, { force: true }), 400, 'bad_request');
  expectError(await t.call('GET', `/v1/production/boms/${none}`), 404, 'not_found');
  expectError(await t.call('GET', '/v1/production/boms?status=bogus'), 400, 'bad_request');
  assert.equal(okay(await t.call('GET', `/v1/production/boms/${draft.id}`)).components.map((c: any) => c.itemId), [part]);
});

// --- explosion -------------------------------------------------------------------------------

test('explosion: the tree through active BOMs and the flattened requirement, scrap and batches exact', async () => {
  const p = await product('EX');
  const e = okay(await explosion(p.bikeBom.id, 'qty=100'));
  assert.equal([e.bomId, e.itemId, e.itemNo, e.bomVersion, e.bomStatus, e.outputQty, e.qty, e.levels, e.nodes],
    [p.bikeBom.id, p.bike, 'EX-BIKE', 1, 'active', 1, 100, null, 8]);
  assert.not.ok('maxBuildable' in e, 'no stock without a facility');
  const node = (n: any): unknown[] => [p.no[n.itemId], n.level, n.qty, n.roundedUp, n.leafReason, n.components.map(node)];
  assert.equal(e.tree.map(node), [
    ['EX-WHEEL', 1, 200, false, null, [['EX-SPOKE', 2, 7200, false, 'purchased', []], ['EX-RIM', 2, 200, false, 'purchased', []]]],
    ['EX-KIT', 1, 100, false, null, [['EX-TUBE', 2, 173.25, false, 'purchased', []], ['EX-BOLT', 2, 200, false, 'purchased', []]]],
    ['EX-BOLT', 1, 220, false, 'purchased', []],
    ['EX-LABOUR', 1, 150, false, 'service', []],
  ]);
  assert.equal([e.tree[0].bomId, e.tree[0].bomVersion, e.tree[1].bomId], [p.wheelBom.id, 1, p.kitBom.id]);
  assert.equal([e.tree[1].components[0].qtyPerBatch, e.tree[1].components[0].scrapPct], [3.3, 5]);
  // 3.3 kg × 1.05 per batch of 2 kits, for 100 kits: 173.25 exactly; bolts 200 + 220.
  assert.equal(flat(e, p), { BOLT: 420, LABOUR: 150, RIM: 200, SPOKE: 7200, TUBE: 173.25 });
  assert.equal(e.flattened.map((f: any) => [f.itemKind, f.holdsStock]),
    [['purchased', true], ['service', false], ['purchased', true], ['purchased', true], ['purchased', true]]);
  assert.equal(e.flattened[4].uomId, kgId);
  // 3 bikes: 5.1975 kg of tube rounds up to 5.198, 6.6 bolts to 7; each says so.
  const three = okay(await explosion(p.bikeBom.id, 'qty=3'));
  assert.equal(flat(three, p), { BOLT: 13, LABOUR: 4.5, RIM: 6, SPOKE: 216, TUBE: 5.198 });
  assert.equal(three.flattened.filter((f: any) => f.roundedUp).map((f: any) => p.no[f.itemId]), ['EX-BOLT', 'EX-TUBE']);
  // Default: one batch of the BOM.
  assert.equal(okay(await explosion(p.bikeBom.id)).qty, 1);
  assert.equal(okay(await explosion(p.kitBom.id)).qty, 2);
  // levels=1: wheels are taken from stock, the phantom kit is still blown through.
  const one = okay(await explosion(p.bikeBom.id, 'qty=100&levels=1'));
  assert.equal(one.levels, 1);
  assert.equal(flat(one, p), { BOLT: 420, LABOUR: 150, TUBE: 173.25, WHEEL: 200 });
  assert.equal([one.tree[0].leafReason, one.tree[0].components, one.tree[1].leafReason], ['levels', [], null]);
  // A manufactured component without an active BOM is a leaf, marked so.
  const seat = await item('manufactured');
  const bare = created(await createBom(p.bike, [{ itemId: seat, qty: 1 }]));
  const draft = okay(await explosion(bare.id, 'qty=2'));
  assert.equal([draft.bomStatus, draft.tree[0].leafReason, draft.flattened[0].qty], ['draft', 'no_active_bom', 2]);
});

test('explosion at a facility: on hand, available and shortfall per item, and the most buildable', async () => {
  const p = await product('ST');
  await stock(p.spoke, 10000);
  await stock(p.rim, 150);
  await stock(p.tube, 500);
  await stock(p.bolt, 1000, w.binB);
  const e = okay(await explosion(p.bikeBom.id, `qty=100&facilityId=${w.facilityId}`));
  assert.is(e.facilityId, w.facilityId);
  const row = (part: string) => e.flattened.find((f: any) => p.no[f.itemId] === `ST-${part}`);
  assert.equal(['BOLT', 'RIM', 'SPOKE', 'TUBE'].map((x) => { const r = row(x); return [r.qty, r.onHand, r.available, r.shortfall]; }),
    [[420, 1000, 1000, 0], [200, 150, 150, 50], [7200, 10000, 10000, 0], [173.25, 500, 500, 0]]);
  assert.not.ok('onHand' in row('LABOUR'), 'a service is never in stock');
  // Rims allow 75 bikes; spokes 138, tube 288, bolts 238.
  assert.is(e.maxBuildable, 75);
  // What is promised to others is not available.
  created(await t.call('POST', '/v1/inventory/reservations', { itemId: p.rim, facilityId: w.facilityId, qty: 10, demand: { type: 'manual' } }));
  const after = okay(await explosion(p.bikeBom.id, `qty=100&facilityId=${w.facilityId}`));
  const rim = after.flattened.find((f: any) => f.itemId === p.rim);
  assert.equal([rim.onHand, rim.available, rim.shortfall, after.maxBuildable], [150, 140, 60, 70]);
  // One level: wheels come from stock, and there are none.
  const one = okay(await explosion(p.bikeBom.id, `qty=1&levels=1&facilityId=${w.facilityId}`));
  const wheel = one.flattened.find((f: any) => f.itemId === p.wheel);
  assert.equal([wheel.qty, wheel.onHand, wheel.available, wheel.shortfall, one.maxBuildable], [2, 0, 0, 2, 0]);
  // Another facility has nothing.
  const elsewhere = created(await t.call('POST', '/v1/facilities', { code: 'EMPTY', name: 'Empty', type: 'plant' }));
  assert.is(okay(await explosion(p.bikeBom.id, `facilityId=${elsewhere.id}`)).maxBuildable, 0);
});

test('explosion refusals: unknown BOM or facility, bad qty and levels', async () => {
  const p = await product('XR');
  expectError(await explosion(none), 404, 'not_found');
  expectError(await explosion(p.bikeBom.id, `facilityId=${none}`), 404, 'not_found', '/query/facilityId');
  expectError(await explosion(p.bikeBom.id, 'qty=1.5'), 400, 'bad_request', '/query/qty'); // EA
  for (const q of ['qty=0', 'qty=-1', 'qty=abc', 'qty=0.0000001', 'levels=0', 'levels=21', 'levels=1.5', 'facilityId=WH1', 'depth=2']) {
    expectError(await explosion(p.bikeBom.id, q), 400, 'bad_request');
  }
  expectError(await explosion(p.bikeBom.id, 'qty=2000000000'), 400, 'bad_request');
});

// --- work orders -----------------------------------------------------------------------------

test('work order: created from the active BOM, released, completed in two parts; the ledger shows what was used and made', async () => {
  const p = await product('WO');
  await stock(p.wheel, 30);
  await stock(p.tube, 40);
  await stock(p.bolt, 100);
  const wo = created(await createWo({ itemId: p.bike, qty: 10, notes: 'first run' }));
  assert.match(wo.workOrderNo, /^WO-\d{6}$/);
  assert.equal(Object.keys(wo).sort(), ['bomId', 'bomVersion', 'completions', 'componentLocationId', 'components', 'createdAt', 'facilityId', 'id',
    'itemId', 'notes', 'outputLocationId', 'qty', 'qtyCompleted', 'status', 'statusHistory', 'updatedAt', 'version', 'workOrderNo'].sort());
  assert.equal([wo.status, wo.qty, wo.qtyCompleted, wo.bomId, wo.bomVersion, wo.version, wo.notes], ['draft', 10, 0, p.bikeBom.id, 1, 1, 'first run']);
  // One level through the phantom kit; the labour service is not issued from stock.
  // Bolts: 10 × 4 / 2 from the kits + 10 × 2 × 1.1 = 42; tube 10 × 3.3 × 1.05 / 2 = 17.325; wheels 20.
  const lines = (x: any) => x.components.map((l: any) => [p.no[l.itemId], l.qtyRequired, l.qtyIssued]);
  assert.equal(lines(wo), [['WO-BOLT', 42, 0], ['WO-TUBE', 17.325, 0], ['WO-WHEEL', 20, 0]]);
  assert.equal(wo.components.map((l: any) => l.reservationId), [null, null, null]);
  assert.equal(await getWo(wo.id), wo);
  assert.equal((await availability(p.bolt)).reserved, 0, 'a draft promises nothing');

  const released = okay(await act(wo.id, 'release'));
  assert.equal([released.status, released.version], ['released', 2]);
  const reservations = await reservationsOf(wo.id);
  assert.equal(reservations.map((r: any) => [p.no[r.itemId], r.qty, r.status, r.demand.lineId]).sort(),
    released.components.map((l: any) => [p.no[l.itemId], l.qtyRequired, 'open', l.id]).sort());
  assert.equal(released.components.map((l: any) => l.reservationId).sort(), reservations.map((r: any) => r.id).sort());
  assert.equal([(await availability(p.bolt)).reserved, (await availability(p.bolt)).available], [42, 58]);

  const part = okay(await act(wo.id, 'complete', { qty: 4 }));
  assert.equal([part.status, part.qtyCompleted, part.version], ['released', 4, 3]);
  // Shares of 4/10, rounded up to each UOM: 16.8 → 17 bolts, 6.93 kg, 8 wheels.
  assert.equal(lines(part), [['WO-BOLT', 42, 17], ['WO-TUBE', 17.325, 6.93], ['WO-WHEEL', 20, 8]]);
  assert.equal(await onHand(p.bike, w.binB), 4);
  assert.equal([await onHand(p.bolt), await onHand(p.tube), await onHand(p.wheel)], [83, 33.07, 22]);
  assert.equal([(await availability(p.bolt)).reserved, (await availability(p.bolt)).available], [25, 58]);
  const [c1] = part.completions;
  assert.equal([c1.completionNo, c1.qty, c1.lotId, c1.lotNo], [1, 4, null, null]);
  let txs = await transactionsOf(wo.id);
  assert.equal(txs.map((x: any) => [x.type, x.id]), [['production_issue', c1.issueTransactionId], ['production_output', c1.outputTransactionId]]);
  assert.equal(txs[0].lines.map((l: any) => [p.no[l.itemId], l.locationId, l.qtyDelta]),
    [['WO-BOLT', w.binA, -17], ['WO-TUBE', w.binA, -6.93], ['WO-WHEEL', w.binA, -8]]);
  assert.equal(txs[1].lines.map((l: any) => [l.itemId, l.locationId, l.qtyDelta]), [[p.bike, w.binB, 4]]);
  assert.equal(txs.map((x: any) => x.reference), [{ type: 'work_order', id: wo.id }, { type: 'work_order', id: wo.id }]);

  const done = okay(await act(wo.id, 'complete'));
  assert.equal([done.status, done.qtyCompleted], ['completed', 10]);
  assert.equal(lines(done), [['WO-BOLT', 42, 42], ['WO-TUBE', 17.325, 17.325], ['WO-WHEEL', 20, 20]]);
  assert.equal(done.statusHistory.map((h: any) => h.to), ['draft', 'released', 'completed']);
  assert.equal(done.completions.map((c: any) => [c.completionNo, c.qty]), [[1, 4], [2, 6]]);
  txs = await transactionsOf(wo.id);
  assert.equal(txs.map((x: any) => x.type), ['production_issue', 'production_output', 'production_issue', 'production_output']);
  assert.equal(txs[2].lines.map((l: any) => [p.no[l.itemId], l.qtyDelta]), [['WO-BOLT', -25], ['WO-TUBE', -10.395], ['WO-WHEEL', -12]]);
  // Exactly what the BOM says was consumed, and what was asked for was made.
  assert.equal([await onHand(p.bolt), await onHand(p.tube), await onHand(p.wheel), await onHand(p.bike)], [58, 22.675, 10, 10]);
  assert.equal((await reservationsOf(wo.id)).map((r: any) => [r.status, r.qtyFulfilled === r.qty]), [['fulfilled', true], ['fulfilled', true], ['fulfilled', true]]);
  assert.equal([(await availability(p.bolt)).reserved, (await availability(p.bolt)).available], [0, 58]);
  for (const action of ['release', 'complete', 'cancel']) expectError(await act(wo.id, action), 409, 'invalid_state');
  assert.equal(await getWo(wo.id), done);
  assert.equal(await verifyBalances(t.store.read), []);
});

test('lot-tracked output: lotNo required; the lot records the work order and BOM version; expiry for expiry-tracked items', async () => {
  const made = await item('manufactured', { lotTracking: 'tracked', expiryTracking: 'tracked' });
  const part = await item();
  const bom = await activeBom(made, [{ itemId: part, qty: 2 }]);
  await stock(part, 20);
  const wo = created(await createWo({ itemId: made, qty: 5 }));
  okay(await act(wo.id, 'release'));
  expectError(await act(wo.id, 'complete', { qty: 2 }), 400, 'bad_request', '/lotNo');
  expectError(await act(wo.id, 'complete', { qty: 2, lotNo: 'B-1' }), 400, 'bad_request', '/expiresOn');
  assert.equal([await onHand(part), (await getWo(wo.id)).qtyCompleted, (await transactionsOf(wo.id)).length], [20, 0, 0]);
  const first = okay(await act(wo.id, 'complete', { qty: 2, lotNo: 'B-1', expiresOn: '2031-01-31' }));
  const lotId = first.completions[0].lotId;
  assert.equal([first.completions[0].lotNo, typeof lotId], ['B-1', 'string']);
  const lot = okay(await t.call('GET', `/v1/production/lots/${lotId}`));
  assert.equal(lot, {
    id: lotId, itemId: made, lotNo: 'B-1', expiresOn: '2031-01-31', createdAt: lot.createdAt,
    origin: { type: 'work_order', workOrderId: wo.id, workOrderNo: wo.workOrderNo, bomId: bom.id, bomVersion: 1 },
  });
  const [output] = (await transactionsOf(wo.id)).filter((x: any) => x.type === 'production_output');
  assert.equal(output.lines.map((l: any) => [l.lotId, l.lotNo, l.qtyDelta]), [[lotId, 'B-1', 2]]);
  // The same order may add to its own lot; another lot of the item that it did not make is refused.
  await stock(made, 1, w.binA, { lotNo: 'BOUGHT', expiresOn: '2030-12-31' });
  expectError(await act(wo.id, 'complete', { qty: 1, lotNo: 'BOUGHT' }), 409, 'conflict', '/lotNo');
  const second = okay(await act(wo.id, 'complete', { qty: 1, lotNo: 'B-1' }));
  assert.equal([second.completions[1].lotId, second.qtyCompleted], [lotId, 3]);
  const third = okay(await act(wo.id, 'complete', { lotNo: 'B-2', expiresOn: '2031-02-28' }));
  assert.equal([third.status, third.completions.map((c: any) => c.lotNo)], ['completed', ['B-1', 'B-1', 'B-2']]);
  assert.is(okay(await t.call('GET', `/v1/production/lots/${third.completions[2].lotId}`)).origin.workOrderId, wo.id);
  // A lot that was not produced has no origin; an unknown lot is a 404.
  const bought = (okay(await t.call('GET', `/v1/inventory/balances?itemId=${made}`)) as any[]).find((b) => b.lotNo === 'BOUGHT');
  assert.is(okay(await t.call('GET', `/v1/production/lots/${bought.lotId}`)).origin, null);
  expectError(await t.call('GET', `/v1/production/lots/${none}`), 404, 'not_found');
  // A lot number for an item that is not lot tracked is refused.
  const plain = await item('manufactured');
  await activeBom(plain, [{ itemId: part, qty: 1 }]);
  const pw = created(await createWo({ itemId: plain, qty: 1 }));
  okay(await act(pw.id, 'release'));
  expectError(await act(pw.id, 'complete', { lotNo: 'X' }), 400, 'bad_request', '/lotNo');
  assert.is((await getWo(pw.id)).qtyCompleted, 0);
});

test('release is all or none: a short component is a 409 naming it; the order stays a draft and nothing is reserved', async () => {
  const made = await item('manufactured');
  const plenty = await item();
  const short = await item();
  await activeBom(made, [{ itemId: plenty, qty: 1 }, { itemId: short, qty: 3 }]);
  await stock(plenty, 100);
  await stock(short, 10);
  const wo = created(await createWo({ itemId: made, qty: 4 }));
  const r = await act(wo.id, 'release');
  expectError(r, 409, 'insufficient_stock', '/components/1/qty');
  assert.equal(r.body.details.map((d: any) => d.path), ['/components/1/qty']);
  const after = await getWo(wo.id);
  assert.equal([after.status, after.version, after.components.map((l: any) => l.reservationId)], ['draft', 1, [null, null]]);
  assert.equal(await reservationsOf(wo.id), []);
  assert.equal([(await availability(plenty)).reserved, (await availability(short)).reserved], [0, 0]);
  // Completing a draft is refused too.
  expectError(await act(wo.id, 'complete'), 409, 'invalid_state');
  await stock(short, 2);
  assert.is(okay(await act(wo.id, 'release')).status, 'released');
  assert.is((await availability(short)).available, 0);
  expectError(await act(wo.id, 'release'), 409, 'invalid_state');
});

test('complete is atomic: a component short at completion, or an output refused, posts nothing at all', async () => {
  const made = await item('manufactured');
  const a = await item();
  const b = await item();
  await activeBom(made, [{ itemId: a, qty: 2 }, { itemId: b, qty: 1 }]);
  await stock(a, 10);
  await stock(b, 5);
  const wo = created(await createWo({ itemId: made, qty: 5 }));
  const released = okay(await act(wo.id, 'release'));
  // Someone releases the hold on b by hand and writes the stock off: b is short at completion.
  okay(await t.call('POST', `/v1/inventory/reservations/${released.components[1].reservationId}/release`, {}));
  await stock(b, -4);
  const before = { a: await onHand(a), b: await onHand(b), made: await onHand(made), reserved: (await availability(a)).reserved };
  const r = await act(wo.id, 'complete');
  expectError(r, 409, 'insufficient_stock', '/components/1/qty');
  assert.equal(r.body.details.map((d: any) => d.path), ['/components/1/qty']);
  assert.equal(await transactionsOf(wo.id), []);
  assert.equal({ a: await onHand(a), b: await onHand(b), made: await onHand(made), reserved: (await availability(a)).reserved }, before);
  assert.equal(await getWo(wo.id), released);
  // A partial completion whose share of b is there goes through; b comes from free stock.
  const part = okay(await act(wo.id, 'complete', { qty: 1 }));
  assert.equal(part.components.map((l: any) => l.qtyIssued), [2, 1]);
  assert.equal([await onHand(a), await onHand(b), await onHand(made)], [8, 0, 1]);

  // The issue would go through, but the output is refused (the item was made inactive): neither posts.
  okay(await t.call('PATCH', `/v1/items/${made}`, { isActive: false }));
  await stock(b, 4);
  const refused = await act(wo.id, 'complete');
  expectError(refused, 409, 'invalid_state');
  assert.equal((await transactionsOf(wo.id)).length, 2);
  assert.equal([await onHand(a), await onHand(b), await onHand(made)], [8, 4, 1]);
  assert.equal(await getWo(wo.id), part);
  const [ra] = (await reservationsOf(wo.id)).filter((x: any) => x.itemId === a);
  assert.equal([ra.qtyFulfilled, ra.status], [2, 'open']);
  okay(await t.call('PATCH', `/v1/items/${made}`, { isActive: true }));
  const done = okay(await act(wo.id, 'complete'));
  assert.equal([done.status, done.components.map((l: any) => l.qtyIssued)], ['completed', [10, 5]]);
  assert.equal([await onHand(a), await onHand(b), await onHand(made)], [0, 0, 5]);
});

test('cancel: a draft; a released order releases its reservations; after a partial completion it closes short', async () => {
  const made = await item('manufactured');
  const part = await item();
  await activeBom(made, [{ itemId: part, qty: 1 }]);
  await stock(part, 20);
  const draft = created(await createWo({ itemId: made, qty: 2 }));
  const cancelled = okay(await act(draft.id, 'cancel'));
  assert.equal([cancelled.status, cancelled.statusHistory.map((h: any) => h.to)], ['cancelled', ['draft', 'cancelled']]);
  for (const action of ['release', 'complete', 'cancel']) expectError(await act(draft.id, action), 409, 'invalid_state');

  const released = created(await createWo({ itemId: made, qty: 8 }));
  okay(await act(released.id, 'release'));
  assert.is((await availability(part)).reserved, 8);
  assert.is(okay(await act(released.id, 'cancel')).status, 'cancelled');
  assert.equal((await reservationsOf(released.id)).map((r: any) => r.status), ['released']);
  assert.equal([(await availability(part)).reserved, (await availability(part)).available], [0, 20]);
  expectError(await act(released.id, 'complete'), 409, 'invalid_state');

  const short = created(await createWo({ itemId: made, qty: 6 }));
  okay(await act(short.id, 'release'));
  okay(await act(short.id, 'complete', { qty: 2 }));
  const closed = okay(await act(short.id, 'cancel'));
  assert.equal([closed.status, closed.qtyCompleted, closed.components[0].qtyIssued], ['cancelled', 2, 2]);
  assert.equal((await reservationsOf(short.id)).map((r: any) => [r.status, r.qtyFulfilled]), [['released', 2]]);
  assert.equal([(await availability(part)).reserved, await onHand(part), await onHand(made)], [0, 18, 2]);
});

test('components come from the line\'s allocations first, or only from componentLocationId when given', async () => {
  const made = await item('manufactured');
  const part = await item();
  await activeBom(made, [{ itemId: part, qty: 1 }]);
  await stock(part, 10, w.binA);
  await stock(part, 10, w.binB);
  const wo = created(await createWo({ itemId: made, qty: 6 }));
  const released = okay(await act(wo.id, 'release'));
  const rid = released.components[0].reservationId;
  okay(await t.call('POST', `/v1/inventory/reservations/${rid}/allocate`, { allocations: [{ locationId: w.binB, qty: 4 }] }));
  okay(await act(wo.id, 'complete', { qty: 5 }));
  let [issue] = (await transactionsOf(wo.id)).filter((x: any) => x.type === 'production_issue');
  assert.equal(issue.lines.map((l: any) => [l.locationId, l.qtyDelta]), [[w.binB, -4], [w.binA, -1]]);
  const r = okay(await t.call('GET', `/v1/inventory/reservations/${rid}`));
  assert.equal([r.qtyFulfilled, r.qtyAllocated, r.status], [5, 0, 'open']);

  // Named at completion: only there.
  const other = created(await createWo({ itemId: made, qty: 3 }));
  okay(await act(other.id, 'release'));
  expectError(await act(other.id, 'complete', { componentLocationId: w.transitId }), 400, 'bad_request', '/componentLocationId');
  expectError(await act(other.id, 'complete', { componentLocationId: none }), 404, 'not_found', '/componentLocationId');
  okay(await act(other.id, 'complete', { componentLocationId: w.binB }));
  [issue] = (await transactionsOf(other.id)).filter((x: any) => x.type === 'production_issue');
  assert.equal(issue.lines.map((l: any) => [l.locationId, l.qtyDelta]), [[w.binB, -3]]);

  // Named on the order, and not enough there: a 409, nothing posted.
  const pinned = created(await createWo({ itemId: made, qty: 4, componentLocationId: w.binB }));
  assert.is(pinned.componentLocationId, w.binB);
  okay(await act(pinned.id, 'release'));
  expectError(await act(pinned.id, 'complete'), 409, 'insufficient_stock', '/components/0/qty');
  assert.equal(await transactionsOf(pinned.id), []);
  okay(await act(pinned.id, 'complete', { qty: 3 }));
  assert.equal([await onHand(part, w.binA), await onHand(part, w.binB)], [9, 0]);
});

test('creation pins the BOM version: a later version does not change a work order; refusals create nothing', async () => {
  const made = await item('manufactured');
  const part = await item();
  const v1 = await activeBom(made, [{ itemId: part, qty: 1 }]);
  const wo = created(await createWo({ itemId: made, qty: 2 }));
  const v2 = await activeBom(made, [{ itemId: part, qty: 5 }]);
  assert.equal([(await getWo(wo.id)).bomId, (await getWo(wo.id)).components[0].qtyRequired], [v1.id, 2]);
  const later = created(await createWo({ itemId: made, qty: 2 }));
  assert.equal([later.bomId, later.bomVersion, later.components[0].qtyRequired], [v2.id, 2, 10]);
  const count = async () => (await t.call('GET', `/v1/production/work-orders?itemId=${made}`)).body.count;
  const before = await count();
  expectError(await createWo({ itemId: made, qty: 1, bomId: v1.id }), 409, 'invalid_state', '/bomId'); // obsolete
  const draft = created(await createBom(made, [{ itemId: part, qty: 1 }]));
  expectError(await createWo({ itemId: made, qty: 1, bomId: draft.id }), 409, 'invalid_state', '/bomId');
  expectError(await createWo({ itemId: made, qty: 1, bomId: none }), 404, 'not_found', '/bomId');
  const otherItem = await item('manufactured');
  const otherBom = await activeBom(otherItem, [{ itemId: part, qty: 1 }]);
  expectError(await createWo({ itemId: made, qty: 1, bomId: otherBom.id }), 400, 'bad_request', '/bomId');
  expectError(await createWo({ itemId: await item('manufactured'), qty: 1 }), 409, 'conflict', '/bomId'); // no active BOM
  expectError(await createWo({ itemId: none, qty: 1 }), 404, 'not_found', '/itemId');
  expectError(await createWo({ itemId: await item('phantom'), qty: 1 }), 400, 'bad_request', '/itemId');
  expectError(await createWo({ itemId: made, qty: 1, facilityId: none }), 404, 'not_found', '/facilityId');
  const far = await seedWorld(t, 'FAR');
  expectError(await createWo({ itemId: made, qty: 1, outputLocationId: far.binA }), 404, 'not_found', '/outputLocationId');
  expectError(await createWo({ itemId: made, qty: 1, outputLocationId: w.transitId }), 400, 'bad_request', '/outputLocationId');
  expectError(await createWo({ itemId: made, qty: 1, componentLocationId: far.binA }), 404, 'not_found', '/componentLocationId');
  expectError(await createWo({ itemId: made, qty: 1.5 }), 400, 'bad_request', '/qty');
  for (const body of [{ itemId: made }, { itemId: made, qty: 0 }, { itemId: made, qty: 1, status: 'released' }, { itemId: made, qty: 1, outputLocationId: 'BIN' }]) {
    expectError(await createWo(body), 400, 'bad_request');
  }
  // A serial-tracked component is not issued by work orders; a phantom with no active BOM cannot be exploded.
  const serialled = await item('manufactured');
  await activeBom(serialled, [{ itemId: await item('purchased', { serialTracking: 'tracked' }), qty: 1 }]);
  expectError(await createWo({ itemId: serialled, qty: 1 }), 400, 'bad_request', '/bomId');
  const hollow = await item('manufactured');
  await activeBom(hollow, [{ itemId: await item('phantom'), qty: 1 }]);
  expectError(await createWo({ itemId: hollow, qty: 1 }), 409, 'conflict', '/bomId');
  assert.is(await count(), before);
  expectError(await t.call('GET', `/v1/production/work-orders/${none}`), 404, 'not_found');
  for (const action of ['release', 'complete', 'cancel']) expectError(await act(none, action), 404, 'not_found');
});

test('complete refusals: more than is left, bad bodies; nothing changes', async () => {
  const made = await item('manufactured');
  const part = await item();
  await activeBom(made, [{ itemId: part, qty: 1 }]);
  await stock(part, 10);
  const wo = created(await createWo({ itemId: made, qty: 4 }));
  okay(await act(wo.id, 'release'));
  expectError(await act(wo.id, 'complete', { qty: 5 }), 409, 'conflict', '/qty');
  okay(await act(wo.id, 'complete', { qty: 3 }));
  expectError(await act(wo.id, 'complete', { qty: 2 }), 409, 'conflict', '/qty');
  for (const body of [{ qty: 0 }, { qty: -1 }, { qty: 0.5 }, { qty: 1, extra: 1 }, { expiresOn: 'soon' }, { componentLocationId: 'A' }, { serialNos: [] }]) {
    expectError(await act(wo.id, 'complete', body), 400, 'bad_request');
  }
  expectError(await act(wo.id, 'release', { force: true }), 400, 'bad_request');
  const after = await getWo(wo.id);
  assert.equal([after.qtyCompleted, after.components[0].qtyIssued, await onHand(made)], [3, 3, 3]);
});

test('a serial-tracked output names one serial per unit', async () => {
  const made = await item('manufactured', { serialTracking: 'tracked' });
  const part = await item();
  await activeBom(made, [{ itemId: part, qty: 1 }]);
  await stock(part, 5);
  const wo = created(await createWo({ itemId: made, qty: 2 }));
  okay(await act(wo.id, 'release'));
  expectError(await act(wo.id, 'complete'), 400, 'bad_request', '/serialNos');
  expectError(await act(wo.id, 'complete', { serialNos: ['S-1'] }), 400, 'bad_request', '/serialNos');
  const done = okay(await act(wo.id, 'complete', { serialNos: ['S-1', 'S-2'] }));
  assert.is(done.status, 'completed');
  const [output] = (await transactionsOf(wo.id)).filter((x: any) => x.type === 'production_output');
  assert.equal(output.lines[0].serialNos, ['S-1', 'S-2']);
});

test('concurrent completions never complete more than the order', async () => {
  const made = await item('manufactured');
  const part = await item();
  await activeBom(made, [{ itemId: part, qty: 2 }]);
  await stock(part, 100);
  const wo = created(await createWo({ itemId: made, qty: 6 }));
  okay(await act(wo.id, 'release'));
  const replies = await Promise.all([1, 2, 3].map(() => act(wo.id, 'complete', { qty: 4 })));
  assert.equal(replies.map((r) => r.status).sort(), [200, 409, 409]);
  assert.ok(replies.filter((r) => r.status === 409).every((r) => r.body.error === 'conflict'));
  const after = await getWo(wo.id);
  assert.equal([after.qtyCompleted, after.components[0].qtyIssued, await onHand(made), await onHand(part)], [4, 8, 4, 92]);
  const rest = await Promise.all([1, 2].map(() => act(wo.id, 'complete')));
  assert.equal(rest.map((r) => r.status).sort(), [200, 409]);
  assert.equal([(await getWo(wo.id)).status, await onHand(made), await onHand(part)], ['completed', 6, 88]);
});

test('lists filter by status, item, facility and number', async () => {
  const made = await item('manufactured');
  const part = await item();
  await activeBom(made, [{ itemId: part, qty: 1 }]);
  await stock(part, 10);
  const a = created(await createWo({ itemId: made, qty: 1 }));
  const b = created(await createWo({ itemId: made, qty: 1 }));
  okay(await act(b.id, 'release'));
  const ids = async (query: string) => okay(await t.call('GET', `/v1/production/work-orders?limit=1000&${query}`)).map((x: any) => x.id);
  assert.equal(await ids(`itemId=${made}`), [b.id, a.id]);
  assert.equal(await ids(`itemId=${made}&status=released`), [b.id]);
  assert.equal(await ids(`itemId=${made}&status=draft`), [a.id]);
  assert.equal(await ids(`itemId=${made}&status=completed`), []);
  assert.ok((await ids(`facilityId=${w.facilityId}`)).includes(a.id));
  const far = created(await t.call('POST', '/v1/facilities', { code: 'LISTS', name: 'Lists', type: 'plant' }));
  assert.equal(await ids(`facilityId=${far.id}`), []);
  assert.equal(await ids(`q=${a.workOrderNo.toLowerCase()}`), [a.id]);
  assert.equal(await ids('q=nothing-like-it'), []);
  const page = await t.call('GET', '/v1/production/work-orders?limit=1');
  assert.equal([page.body.data.length, page.body.limit, page.body.offset], [1, 1, 0]);
  assert.ok(page.body.count >= 2);
  assert.is(page.body.data[0].components.length, 1, 'each with its lines');
  expectError(await t.call('GET', '/v1/production/work-orders?status=bogus'), 400, 'bad_request');
  expectError(await t.call('GET', '/v1/production/work-orders?itemId=x'), 400, 'bad_request');
});

test('an Idempotency-Key replays a completion instead of making more', async () => {
  const made = await item('manufactured');
  const part = await item();
  await activeBom(made, [{ itemId: part, qty: 1 }]);
  await stock(part, 10);
  const wo = created(await createWo({ itemId: made, qty: 5 }));
  okay(await act(wo.id, 'release'));
  const headers = { 'idempotency-key': `complete-${wo.id}` };
  const first = await t.call('POST', `/v1/production/work-orders/${wo.id}/complete`, { qty: 2 }, { headers });
  const again = await t.call('POST', `/v1/production/work-orders/${wo.id}/complete`, { qty: 2 }, { headers });
  assert.equal([first.status, again.status, again.headers.get('idempotent-replayed')], [200, 200, 'true']);
  assert.equal(again.body, first.body);
  assert.equal([(await getWo(wo.id)).qtyCompleted, await onHand(made)], [2, 2]);
});

test('at the end, every balance and promise adds up', async () => {
  assert.equal(await verifyBalances(t.store.read), []);
});

test.run();
