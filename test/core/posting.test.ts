// decidePosting, table-driven, without any database: each row is a hand-built snapshot (or
// the shared one), request lines, and either the expected failure code (with the path it
// names) or the exact balance deltas and effects.
import type { Valuation } from '../../core/valuation.js';
import type { Money } from '../../core/money.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Item } from '../../core/item.js';
import { balanceKey, type Lot, type PostingEffects, type SerialState, type TransactionType } from '../../core/ledger.js';
import type { Location } from '../../core/location.js';
import { decidePosting, type PostingLine, type PostingSnapshot } from '../../core/posting.js';
import { fromMicro, toMicro, type Micro } from '../../core/quantity.js';
import type { ResultCode } from '../../core/result.js';
import { SEEDED_STATUSES } from '../../core/status.js';
import type { Uom } from '../../core/uom.js';

const NOW = '2026-05-15T10:00:00.000Z';
const T0 = '2026-01-01T00:00:00.000Z';

// ---- catalog -------------------------------------------------------------------------

const uom = (id: string, decimals: number): Uom => ({ id, code: id.toUpperCase(), name: id, decimals, createdAt: T0 });
const UOMS = [uom('ea', 0), uom('kg', 3), uom('m', 3)];

const item = (id: string, o: Partial<Item> = {}): Item => ({
  id, itemNo: id.toUpperCase(), name: id, description: null, itemKind: 'purchased', baseUomId: 'ea',
  lotTracking: 'none', serialTracking: 'none', expiryTracking: 'none', isActive: true, costMethod: 'moving_average',
  identifiers: [], attributes: {}, uomConversions: [], createdAt: T0, updatedAt: T0, version: 1, ...o,
});

const PLAIN = 'plain';
const KG = 'kg-item';
const SERVICE = 'service';
const PHANTOM = 'phantom';
const LOT = 'lot-item';
const EXP = 'expiry-item';
const SER = 'serial-item';
const SER_M = 'serial-metre-item';
const SER_LOT = 'serial-lot-item';
const INACTIVE = 'inactive';
const MANUFACTURED = 'manufactured';

const ITEMS = [
  item(PLAIN),
  item(KG, { baseUomId: 'kg' }),
  item(SERVICE, { itemKind: 'service' }),
  item(PHANTOM, { itemKind: 'phantom' }),
  item(MANUFACTURED, { itemKind: 'manufactured' }),
  item(LOT, { lotTracking: 'tracked' }),
  item(EXP, { lotTracking: 'tracked', expiryTracking: 'tracked' }),
  item(SER, { serialTracking: 'tracked' }),
  item(SER_M, { serialTracking: 'tracked', baseUomId: 'm' }),
  item(SER_LOT, { serialTracking: 'tracked', lotTracking: 'tracked' }),
  item(INACTIVE, { isActive: false }),
];

// ---- facilities ----------------------------------------------------------------------

const F1 = 'facility-1';
const F2 = 'facility-2';
const A = 'loc-a';
const B = 'loc-b';
const TRANSIT = 'loc-transit';
const C = 'loc-c';

const location = (id: string, facilityId: string, type: Location['type'] = 'bin'): Location => ({
  id, facilityId, code: id.toUpperCase(), name: id, parentId: null, type, isPickable: type !== 'transit',
  depth: 0, path: id.toUpperCase(), createdAt: T0,
});
const LOCATIONS = [location(A, F1), location(B, F1), location(TRANSIT, F1, 'transit'), location(C, F2)];

// ---- lots ----------------------------------------------------------------------------

const lot = (id: string, itemId: string, lotNo: string, expiresOn: string | null = null): Lot => ({ id, itemId, lotNo, expiresOn, createdAt: T0 });
const L1 = lot('lot-l1', LOT, 'L1');
const E1 = lot('lot-e1', EXP, 'E1', '2027-01-31');
const SLA = lot('lot-sla', SER_LOT, 'SLA');
const SLB = lot('lot-slb', SER_LOT, 'SLB');
const L2 = lot('lot-l2', LOT, 'L2');
const LOTS = [L1, L2, E1, SLA, SLB];

// ---- balances and serials ------------------------------------------------------------

const AV = 'available';
const QU = 'quarantine';

const k = (itemId: string, locationId: string, statusId = AV, lotId: string | null = null): string =>
  balanceKey({ itemId, locationId, lotId, statusId });

type Start = Array<[string, number]>;

const BASE_BALANCES: Start = [
  [k(PLAIN, A), 10],
  [k(PLAIN, TRANSIT), 3],
  [k(KG, A), 2.5],
  [k(LOT, A, AV, L1.id), 5],
  [k(EXP, A, AV, E1.id), 5],
  [k(SER, A), 2], // S1, S2
  [k(SER, A, QU), 1], // S3
  [k(SER, B), 1], // S4
  [k(SER_LOT, A, AV, SLA.id), 1], // SL1
  [k(SER_LOT, A, AV, SLB.id), 1], // SL2
  [k(INACTIVE, A), 5],
];

const serial = (itemId: string, serialNo: string, locationId: string | null, statusId: string | null = AV, lotId: string | null = null): SerialState => ({
  itemId, serialNo, facilityId: locationId ? LOCATIONS.find((l) => l.id === locationId)!.facilityId : null,
  locationId, lotId: locationId ? lotId : null, statusId: locationId ? statusId : null,
});
const SERIALS = [
  serial(SER, 'S1', A),
  serial(SER, 'S2', A),
  serial(SER, 'S3', A, QU),
  serial(SER, 'S4', B),
  serial(SER, 'S0', null), // was on hand once, issued since
  serial(SER_LOT, 'SL1', A, AV, SLA.id),
  serial(SER_LOT, 'SL2', A, AV, SLB.id),
];

function micro(n: number): Micro {
  const v = toMicro(n);
  if (v === null) throw new Error(`test setup: ${n} is not exact`);
  return v;
}

/** The stock the balances hold per item and facility, at no cost: what valuation sees. */
function valuationsOf(balances: Start): Map<string, Valuation> {
  const out = new Map<string, Valuation>();
  for (const [key, qty] of balances) {
    const [itemId, locationId] = key.split('|') as [string, string];
    const facilityId = LOCATIONS.find((l) => l.id === locationId)!.facilityId;
    const k = `${itemId}|${facilityId}`;
    const v = out.get(k) ?? { itemId, facilityId, qty: 0 as Micro, value: 0 as Money, unitCost: null, costMethod: 'moving_average' as const };
    out.set(k, { ...v, qty: (v.qty + micro(qty)) as Micro });
  }
  return out;
}

function snapshot(o: { balances?: Start; lastPostedAt?: string | null; serials?: SerialState[] } = {}): PostingSnapshot {
  return {
    items: new Map(ITEMS.map((i) => [i.id, i])),
    uoms: new Map(UOMS.map((u) => [u.id, u])),
    locations: new Map(LOCATIONS.map((l) => [l.id, l])),
    statuses: new Map(SEEDED_STATUSES.map((s) => [s.id, s])),
    lots: new Map(LOTS.map((l) => [l.id, l])),
    lotsByNo: new Map(LOTS.map((l) => [`${l.itemId}|${l.lotNo}`, l])),
    balances: new Map((o.balances ?? BASE_BALANCES).map(([key, qty]) => [key, micro(qty)])),
    serials: new Map((o.serials ?? SERIALS).map((s) => [`${s.itemId}|${s.serialNo}`, s])),
    positions: new Map(),
    valuations: valuationsOf(o.balances ?? BASE_BALANCES),
    layers: new Map(),
    lastPostedAt: o.lastPostedAt === undefined ? T0 : o.lastPostedAt,
  };
}

// ---- rows ----------------------------------------------------------------------------

interface L {
  item: string;
  loc: string;
  qty: number;
  status?: string;
  lotId?: string | null;
  lotNo?: string | null;
  expiresOn?: string | null;
  serialNos?: string[];
}

function lines(ls: L[]): PostingLine[] {
  return ls.map((l, i) => ({
    itemId: l.item, locationId: l.loc, statusId: l.status ?? AV, qty: micro(l.qty),
    lotId: l.lotId ?? null, lotNo: l.lotNo ?? null, expiresOn: l.expiresOn ?? null,
    serialNos: l.serialNos ?? [], at: `/lines/${i}`,
  }));
}

type Expect = { code: ResultCode; path?: string } | { deltas: Record<string, number> };

interface Row {
  name: string;
  type?: TransactionType;
  balances?: Start;
  lines: L[];
  expect: Expect;
  check?: (e: PostingEffects) => void;
}

function decide(row: Pick<Row, 'type' | 'balances' | 'lines'>, o: { lastPostedAt?: string | null; now?: string } = {}) {
  return decidePosting(
    snapshot({ balances: row.balances, lastPostedAt: o.lastPostedAt }),
    { type: row.type ?? 'adjustment', lines: lines(row.lines) },
    o.now ?? NOW,
  );
}

function deltasOf(e: PostingEffects): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of e.balanceDeltas) {
    const key = balanceKey(d);
    assert.not.ok(key in out, `one delta per key: ${key}`);
    out[key] = fromMicro(d.delta);
  }
  return out;
}

function runRows(group: string, rows: Row[]): void {
  for (const row of rows) {
    test(`${group}: ${row.name}`, () => {
      const r = decide(row);
      if ('code' in row.expect) {
        if (r.ok) return assert.unreachable(`expected ${row.expect.code}, got effects ${JSON.stringify(deltasOf(r.value))}`);
        assert.is(r.code, row.expect.code, r.message);
        assert.not.ok('value' in r, 'a refused decision carries no effects');
        if (row.expect.path !== undefined) {
          assert.ok(r.details?.length, 'the failure names where it lies');
          assert.is(r.details![0]!.path, row.expect.path);
        }
      } else {
        if (!r.ok) return assert.unreachable(`expected effects, got ${r.code}: ${r.message} ${JSON.stringify(r.details)}`);
        assert.equal(deltasOf(r.value), row.expect.deltas);
        assert.is(r.value.lines.length, row.lines.length, 'one ledger line per request line');
        row.check?.(r.value);
      }
    });
  }
}

// ---- references ------------------------------------------------------------------------

runRows('references', [
  { name: 'unknown item → not_found', lines: [{ item: 'nope', loc: A, qty: 1 }], expect: { code: 'not_found', path: '/lines/0/itemId' } },
  { name: 'unknown location → not_found', lines: [{ item: PLAIN, loc: 'nowhere', qty: 1 }], expect: { code: 'not_found', path: '/lines/0/locationId' } },
  { name: 'unknown status → not_found', lines: [{ item: PLAIN, loc: A, qty: 1, status: 'lost' }], expect: { code: 'not_found', path: '/lines/0/statusId' } },
  {
    name: 'the failing line is named, not the first one',
    lines: [{ item: PLAIN, loc: A, qty: 1 }, { item: PLAIN, loc: 'nowhere', qty: 1 }],
    expect: { code: 'not_found', path: '/lines/1/locationId' },
  },
  { name: 'service item → bad_request', lines: [{ item: SERVICE, loc: A, qty: 1 }], expect: { code: 'bad_request', path: '/lines/0/itemId' } },
  { name: 'phantom item → bad_request', lines: [{ item: PHANTOM, loc: A, qty: 1 }], expect: { code: 'bad_request', path: '/lines/0/itemId' } },
  { name: 'manufactured item holds stock', lines: [{ item: MANUFACTURED, loc: A, qty: 1 }], expect: { deltas: { [k(MANUFACTURED, A)]: 1 } } },
]);

// ---- transit ---------------------------------------------------------------------------

runRows('transit', [
  { name: 'adjustment into transit → bad_request', lines: [{ item: PLAIN, loc: TRANSIT, qty: 1 }], expect: { code: 'bad_request', path: '/lines/0/locationId' } },
  { name: 'adjustment out of transit → bad_request', lines: [{ item: PLAIN, loc: TRANSIT, qty: -1 }], expect: { code: 'bad_request', path: '/lines/0/locationId' } },
  {
    name: 'move into transit → bad_request', type: 'move',
    lines: [{ item: PLAIN, loc: A, qty: -1 }, { item: PLAIN, loc: TRANSIT, qty: 1 }],
    expect: { code: 'bad_request', path: '/lines/1/locationId' },
  },
  {
    name: 'receipt into transit → bad_request', type: 'receipt',
    lines: [{ item: PLAIN, loc: TRANSIT, qty: 1 }],
    expect: { code: 'bad_request', path: '/lines/0/locationId' },
  },
  {
    name: 'transfer_out into transit is allowed', type: 'transfer_out',
    lines: [{ item: PLAIN, loc: A, qty: -2 }, { item: PLAIN, loc: TRANSIT, qty: 2 }],
    expect: { deltas: { [k(PLAIN, A)]: -2, [k(PLAIN, TRANSIT)]: 2 } },
  },
  {
    name: 'transfer_in out of transit is allowed', type: 'transfer_in',
    lines: [{ item: PLAIN, loc: TRANSIT, qty: -3 }, { item: PLAIN, loc: B, qty: 3 }],
    expect: { deltas: { [k(PLAIN, TRANSIT)]: -3, [k(PLAIN, B)]: 3 } },
  },
]);

// ---- quantities ------------------------------------------------------------------------

runRows('quantity', [
  { name: 'qty 0 → bad_request', lines: [{ item: PLAIN, loc: A, qty: 0 }], expect: { code: 'bad_request', path: '/lines/0/qty' } },
  { name: '1.5 of an EA (0 decimals) → bad_request', lines: [{ item: PLAIN, loc: A, qty: 1.5 }], expect: { code: 'bad_request', path: '/lines/0/qty' } },
  { name: '1.2345 of a KG (3 decimals) → bad_request', lines: [{ item: KG, loc: A, qty: 1.2345 }], expect: { code: 'bad_request', path: '/lines/0/qty' } },
  { name: '-0.0001 of a KG → bad_request', lines: [{ item: KG, loc: A, qty: -0.0001 }], expect: { code: 'bad_request', path: '/lines/0/qty' } },
  { name: '1.234 of a KG is fine', lines: [{ item: KG, loc: A, qty: 1.234 }], expect: { deltas: { [k(KG, A)]: 1.234 } } },
  {
    name: 'a balance over 1e9 units → bad_request',
    lines: [{ item: PLAIN, loc: A, qty: 1e9 }],
    expect: { code: 'bad_request', path: '/lines/0/qty' },
  },
]);

test('quantity: a flat body names its own field (at "" and qty → qtyDelta)', () => {
  const r = decidePosting(snapshot(), {
    type: 'adjustment',
    lines: [{ itemId: PLAIN, locationId: A, statusId: AV, qty: micro(-11), at: '', fields: { qty: 'qtyDelta' } }],
  }, NOW);
  assert.is(r.ok, false);
  if (r.ok) return;
  assert.is(r.code, 'insufficient_stock');
  assert.is(r.details?.[0]?.path, '/qtyDelta');
});

// ---- lots ------------------------------------------------------------------------------

runRows('lots', [
  { name: 'lot-tracked without a lot → bad_request', lines: [{ item: LOT, loc: A, qty: 1 }], expect: { code: 'bad_request', path: '/lines/0/lotNo' } },
  { name: 'non-lot-tracked with lotNo → bad_request', lines: [{ item: PLAIN, loc: A, qty: 1, lotNo: 'X' }], expect: { code: 'bad_request', path: '/lines/0/lotNo' } },
  { name: 'non-lot-tracked with lotId → bad_request', lines: [{ item: PLAIN, loc: A, qty: 1, lotId: L1.id }], expect: { code: 'bad_request', path: '/lines/0/lotId' } },
  { name: 'unknown lotId → not_found', lines: [{ item: LOT, loc: A, qty: 1, lotId: 'lot-missing' }], expect: { code: 'not_found', path: '/lines/0/lotId' } },
  { name: "another item's lotId → not_found", lines: [{ item: LOT, loc: A, qty: 1, lotId: E1.id }], expect: { code: 'not_found', path: '/lines/0/lotId' } },
  { name: 'lotId and a different lotNo → bad_request', lines: [{ item: LOT, loc: A, qty: 1, lotId: L1.id, lotNo: 'OTHER' }], expect: { code: 'bad_request', path: '/lines/0/lotNo' } },
  {
    name: 'unknown lotNo on an outbound line → not_found',
    lines: [{ item: LOT, loc: A, qty: -1, lotNo: 'NEVER' }],
    expect: { code: 'not_found', path: '/lines/0/lotNo' },
  },
  {
    name: 'existing lot by lotNo: no new lot, its balance moves',
    lines: [{ item: LOT, loc: A, qty: -2, lotNo: 'L1' }],
    expect: { deltas: { [k(LOT, A, AV, L1.id)]: -2 } },
    check: (e) => {
      assert.is(e.newLots.length, 0);
      assert.is(e.lines[0]!.lotId, L1.id);
    },
  },
  {
    name: 'existing lot by lotId',
    lines: [{ item: LOT, loc: B, qty: 4, lotId: L1.id }],
    expect: { deltas: { [k(LOT, B, AV, L1.id)]: 4 } },
    check: (e) => assert.is(e.newLots.length, 0),
  },
  {
    name: 'expiry-tracked new lot without expiresOn → bad_request',
    lines: [{ item: EXP, loc: A, qty: 1, lotNo: 'E2' }],
    expect: { code: 'bad_request', path: '/lines/0/expiresOn' },
  },
  {
    name: 'expiresOn on an item without expiry tracking → bad_request',
    lines: [{ item: LOT, loc: A, qty: 1, lotNo: 'L9', expiresOn: '2027-01-01' }],
    expect: { code: 'bad_request', path: '/lines/0/expiresOn' },
  },
  {
    name: 'existing lot with a different expiresOn → conflict',
    lines: [{ item: EXP, loc: A, qty: 1, lotNo: 'E1', expiresOn: '2027-02-28' }],
    expect: { code: 'conflict', path: '/lines/0/expiresOn' },
  },
  {
    name: 'existing lot with the same expiresOn is fine',
    lines: [{ item: EXP, loc: A, qty: 1, lotNo: 'E1', expiresOn: '2027-01-31' }],
    expect: { deltas: { [k(EXP, A, AV, E1.id)]: 1 } },
  },
  {
    name: 'a new lot named twice with two expiry dates → conflict on the second line',
    lines: [{ item: EXP, loc: A, qty: 1, lotNo: 'E3', expiresOn: '2027-03-31' }, { item: EXP, loc: B, qty: 1, lotNo: 'E3', expiresOn: '2027-04-30' }],
    expect: { code: 'conflict', path: '/lines/1/expiresOn' },
  },
]);

test('lots: a new lot on inbound is created once even when two lines name it', () => {
  const r = decide({ lines: [{ item: EXP, loc: A, qty: 1, lotNo: 'NEW', expiresOn: '2027-05-31' }, { item: EXP, loc: B, qty: 2, lotNo: 'NEW' }] });
  if (!r.ok) return assert.unreachable(`${r.code}: ${r.message}`);
  const e = r.value;
  assert.is(e.newLots.length, 1);
  const created = e.newLots[0]!;
  assert.equal({ itemId: created.itemId, lotNo: created.lotNo, expiresOn: created.expiresOn }, { itemId: EXP, lotNo: 'NEW', expiresOn: '2027-05-31' });
  assert.ok(created.id && !LOTS.some((l) => l.id === created.id), 'a fresh lot id');
  assert.equal(e.lines.map((l) => l.lotId), [created.id, created.id]);
  assert.equal(deltasOf(e), { [k(EXP, A, AV, created.id)]: 1, [k(EXP, B, AV, created.id)]: 2 });
});

test('lots: a lot created on an earlier line can be issued on a later one', () => {
  const r = decide({ type: 'move', lines: [{ item: LOT, loc: A, qty: 3, lotNo: 'FRESH' }, { item: LOT, loc: A, qty: -3, lotNo: 'FRESH' }] });
  if (!r.ok) return assert.unreachable(`${r.code}: ${r.message}`);
  assert.is(r.value.newLots.length, 1);
  assert.equal(r.value.balanceDeltas, [], 'nets to zero on one key');
});

// ---- balances --------------------------------------------------------------------------

runRows('balances', [
  {
    name: 'two lines of -6 against 10 on the same key → insufficient_stock (summed before the check)',
    lines: [{ item: PLAIN, loc: A, qty: -6 }, { item: PLAIN, loc: A, qty: -6 }],
    expect: { code: 'insufficient_stock', path: '/lines/0/qty' },
  },
  {
    name: '-6 and -4 against 10 pass, leaving zero',
    lines: [{ item: PLAIN, loc: A, qty: -6 }, { item: PLAIN, loc: A, qty: -4 }],
    expect: { deltas: { [k(PLAIN, A)]: -10 } },
  },
  {
    name: 'issuing from an empty key → insufficient_stock naming that line',
    lines: [{ item: PLAIN, loc: A, qty: -1 }, { item: PLAIN, loc: B, qty: -1 }],
    expect: { code: 'insufficient_stock', path: '/lines/1/qty' },
  },
  {
    name: 'stock in another status does not cover an issue',
    lines: [{ item: PLAIN, loc: A, qty: -1, status: QU }],
    expect: { code: 'insufficient_stock', path: '/lines/0/qty' },
  },
  {
    name: 'stock in another lot does not cover an issue',
    lines: [{ item: LOT, loc: A, qty: -1, lotId: L2.id }],
    expect: { code: 'insufficient_stock', path: '/lines/0/qty' },
  },
  {
    name: 'an inbound line on the same key covers an outbound one',
    balances: [],
    lines: [{ item: PLAIN, loc: A, qty: 5 }, { item: PLAIN, loc: A, qty: -5 }],
    expect: { deltas: {} },
  },
  {
    name: 'deltas are summed per key and zero-net keys are omitted',
    lines: [
      { item: PLAIN, loc: A, qty: 3 },
      { item: PLAIN, loc: B, qty: 2 },
      { item: PLAIN, loc: A, qty: 4 },
      { item: PLAIN, loc: B, qty: -2 },
      { item: PLAIN, loc: A, qty: 1, status: QU },
    ],
    expect: { deltas: { [k(PLAIN, A)]: 7, [k(PLAIN, A, QU)]: 1 } },
    check: (e) => {
      assert.equal(e.lines.map((l) => l.lineNo), [1, 2, 3, 4, 5]);
      assert.equal(e.lines.map((l) => fromMicro(l.qtyDelta)), [3, 2, 4, -2, 1], 'every line is kept as sent');
      const a = e.balanceDeltas.find((d) => d.locationId === A && d.statusId === AV)!;
      assert.is(a.facilityId, F1);
    },
  },
  {
    name: 'fractional sums stay exact',
    lines: [{ item: KG, loc: A, qty: -0.1 }, { item: KG, loc: A, qty: -0.2 }, { item: KG, loc: A, qty: 0.3 }],
    expect: { deltas: {} },
  },
]);

test('balances: insufficient_stock details name every short line', () => {
  const r = decide({ lines: [{ item: PLAIN, loc: B, qty: -1 }, { item: PLAIN, loc: A, qty: -12 }, { item: PLAIN, loc: A, qty: 1 }] });
  if (r.ok) return assert.unreachable('expected insufficient_stock');
  assert.is(r.code, 'insufficient_stock');
  assert.equal(r.details!.map((d) => d.path).sort(), ['/lines/0/qty', '/lines/1/qty']);
});

// ---- serials ---------------------------------------------------------------------------

runRows('serials', [
  {
    name: 'fractional qty of a serial-tracked item → bad_request (its UOM allows decimals)',
    balances: [],
    lines: [{ item: SER_M, loc: A, qty: 1.5, serialNos: ['M1', 'M2'] }],
    expect: { code: 'bad_request', path: '/lines/0/qty' },
  },
  {
    name: 'a whole qty of that item with one serial per unit is fine',
    balances: [],
    lines: [{ item: SER_M, loc: A, qty: 2, serialNos: ['M1', 'M2'] }],
    expect: { deltas: { [k(SER_M, A)]: 2 } },
  },
  { name: 'fewer serials than units → bad_request', lines: [{ item: SER, loc: A, qty: 2, serialNos: ['N1'] }], expect: { code: 'bad_request', path: '/lines/0/serialNos' } },
  { name: 'no serials → bad_request', lines: [{ item: SER, loc: A, qty: 1 }], expect: { code: 'bad_request', path: '/lines/0/serialNos' } },
  { name: 'more serials than units on an issue → bad_request', lines: [{ item: SER, loc: A, qty: -1, serialNos: ['S1', 'S2'] }], expect: { code: 'bad_request', path: '/lines/0/serialNos' } },
  { name: 'a serial listed twice → bad_request', lines: [{ item: SER, loc: A, qty: 2, serialNos: ['N1', 'N1'] }], expect: { code: 'bad_request', path: '/lines/0/serialNos' } },
  { name: 'serials on a non-serial item → bad_request', lines: [{ item: PLAIN, loc: A, qty: 1, serialNos: ['X'] }], expect: { code: 'bad_request', path: '/lines/0/serialNos' } },
  { name: 'receiving a serial that is on hand → conflict', lines: [{ item: SER, loc: B, qty: 2, serialNos: ['N1', 'S1'] }], expect: { code: 'conflict', path: '/lines/0/serialNos/1' } },
  {
    name: 'receiving one serial twice in one posting → conflict',
    lines: [{ item: SER, loc: A, qty: 1, serialNos: ['N1'] }, { item: SER, loc: B, qty: 1, serialNos: ['N1'] }],
    expect: { code: 'conflict', path: '/lines/1/serialNos/0' },
  },
  {
    name: 'receiving a serial that was issued before is fine',
    lines: [{ item: SER, loc: B, qty: 1, serialNos: ['S0'] }],
    expect: { deltas: { [k(SER, B)]: 1 } },
    check: (e) => assert.equal(e.serialMoves, [{ itemId: SER, serialNo: 'S0', facilityId: F1, locationId: B, lotId: null, statusId: AV }]),
  },
  { name: 'issuing a serial never seen → conflict', lines: [{ item: SER, loc: A, qty: -1, serialNos: ['S9'] }], expect: { code: 'conflict', path: '/lines/0/serialNos/0' } },
  { name: 'issuing a serial already issued → conflict', lines: [{ item: SER, loc: A, qty: -1, serialNos: ['S0'] }], expect: { code: 'conflict', path: '/lines/0/serialNos/0' } },
  { name: 'issuing a serial from the wrong location → conflict', lines: [{ item: SER, loc: A, qty: -1, serialNos: ['S4'] }], expect: { code: 'conflict', path: '/lines/0/serialNos/0' } },
  { name: 'issuing a serial in the wrong status → conflict', lines: [{ item: SER, loc: A, qty: -1, serialNos: ['S3'] }], expect: { code: 'conflict', path: '/lines/0/serialNos/0' } },
  {
    name: 'issuing a serial from the wrong lot → conflict',
    lines: [{ item: SER_LOT, loc: A, qty: -1, lotId: SLB.id, serialNos: ['SL1'] }],
    expect: { code: 'conflict', path: '/lines/0/serialNos/0' },
  },
  {
    name: 'issuing one serial twice in one posting → conflict',
    lines: [{ item: SER, loc: A, qty: -1, serialNos: ['S1'] }, { item: SER, loc: A, qty: -1, serialNos: ['S1'] }],
    expect: { code: 'conflict', path: '/lines/1/serialNos/0' },
  },
  {
    name: 'issuing a serial where it is',
    lines: [{ item: SER, loc: A, qty: -1, serialNos: ['S2'] }],
    expect: { deltas: { [k(SER, A)]: -1 } },
    check: (e) => assert.equal(e.serialMoves, [{ itemId: SER, serialNo: 'S2', facilityId: null, locationId: null, lotId: null, statusId: null }]),
  },
  {
    name: 'a serial moved within one posting (out of A, into B) → one serialMove to B',
    type: 'move',
    lines: [{ item: SER, loc: A, qty: -1, serialNos: ['S1'] }, { item: SER, loc: B, qty: 1, serialNos: ['S1'] }],
    expect: { deltas: { [k(SER, A)]: -1, [k(SER, B)]: 1 } },
    check: (e) => assert.equal(e.serialMoves, [{ itemId: SER, serialNo: 'S1', facilityId: F1, locationId: B, lotId: null, statusId: AV }]),
  },
  {
    name: 'the inbound line first in the request still moves the serial (out before in)',
    type: 'move',
    lines: [{ item: SER, loc: A, qty: 1, serialNos: ['S3'], status: AV }, { item: SER, loc: A, qty: -1, serialNos: ['S3'], status: QU }],
    expect: { deltas: { [k(SER, A)]: 1, [k(SER, A, QU)]: -1 } },
    check: (e) => assert.equal(e.serialMoves, [{ itemId: SER, serialNo: 'S3', facilityId: F1, locationId: A, lotId: null, statusId: AV }]),
  },
  {
    name: 'a serial-and-lot item moved between lots keeps the new lot',
    type: 'move',
    lines: [{ item: SER_LOT, loc: A, qty: -1, lotId: SLA.id, serialNos: ['SL1'] }, { item: SER_LOT, loc: B, qty: 1, lotId: SLA.id, serialNos: ['SL1'] }],
    expect: { deltas: { [k(SER_LOT, A, AV, SLA.id)]: -1, [k(SER_LOT, B, AV, SLA.id)]: 1 } },
    check: (e) => assert.equal(e.serialMoves, [{ itemId: SER_LOT, serialNo: 'SL1', facilityId: F1, locationId: B, lotId: SLA.id, statusId: AV }]),
  },
]);

// ---- inactive items ----------------------------------------------------------------------

runRows('inactive', [
  { name: 'positive adjustment → invalid_state', lines: [{ item: INACTIVE, loc: A, qty: 1 }], expect: { code: 'invalid_state', path: '/lines/0/itemId' } },
  { name: 'receipt → invalid_state', type: 'receipt', lines: [{ item: INACTIVE, loc: A, qty: 1 }], expect: { code: 'invalid_state', path: '/lines/0/itemId' } },
  { name: 'negative adjustment is allowed', lines: [{ item: INACTIVE, loc: A, qty: -2 }], expect: { deltas: { [k(INACTIVE, A)]: -2 } } },
  {
    name: 'a move is allowed', type: 'move',
    lines: [{ item: INACTIVE, loc: A, qty: -2 }, { item: INACTIVE, loc: B, qty: 2 }],
    expect: { deltas: { [k(INACTIVE, A)]: -2, [k(INACTIVE, B)]: 2 } },
  },
]);

// ---- the transaction record -------------------------------------------------------------

test('each line carries its key\'s running balance, counted from the snapshot through earlier lines', () => {
  const r = decide({ type: 'move', lines: [
    { item: PLAIN, loc: A, qty: -4 }, { item: PLAIN, loc: B, qty: 4 },
    { item: PLAIN, loc: A, qty: -1 }, { item: PLAIN, loc: B, qty: 1 },
  ] });
  if (!r.ok) return assert.unreachable(r.message);
  assert.equal(r.value.lines.map((l) => fromMicro(l.onHandAfter)), [6, 4, 5, 5]);
});

test('UOM conversion happens in the decision: 2 BOX of 12 posts 24 EA, a fraction of a BOX is refused', () => {
  const boxed = item('boxed', { baseUomId: 'ea', uomConversions: [{ uomId: 'box', factor: 12 }] });
  const s = snapshot();
  const withBox: PostingSnapshot = {
    ...s,
    items: new Map([...s.items, [boxed.id, boxed]]),
    uoms: new Map([...s.uoms, ['box', uom('box', 0)]]),
  };
  const line = (qty: number, uomId: string | null): PostingLine => ({ itemId: boxed.id, locationId: A, statusId: AV, qty: micro(qty), uomId, at: '' });
  const ok = decidePosting(withBox, { type: 'adjustment', lines: [line(2, 'box')] }, NOW);
  if (!ok.ok) return assert.unreachable(ok.message);
  assert.is(fromMicro(ok.value.lines[0]!.qtyDelta), 24);
  const half = decidePosting(withBox, { type: 'adjustment', lines: [line(0.5, 'box')] }, NOW);
  assert.is(!half.ok && half.code, 'bad_request');
  const unknown = decidePosting(withBox, { type: 'adjustment', lines: [line(1, 'kg')] }, NOW);
  assert.is(!unknown.ok && unknown.details?.[0]?.path, '/uomId');
});

test('a move between facilities is refused by the decision, naming the far side', () => {
  const r = decide({ type: 'move', lines: [{ item: PLAIN, loc: A, qty: -1 }, { item: PLAIN, loc: C, qty: 1 }] });
  assert.is(!r.ok && r.code, 'bad_request');
  assert.is(!r.ok && r.details?.[0]?.path, '/lines/1/locationId');
});

test('postedAt never goes backwards: lastPostedAt later than now wins', () => {
  const later = '2026-05-15T10:00:05.123Z';
  const r = decide({ lines: [{ item: PLAIN, loc: A, qty: 1 }] }, { lastPostedAt: later, now: NOW });
  if (!r.ok) return assert.unreachable(r.message);
  assert.is(r.value.transaction.postedAt, later);
  assert.is(r.value.transaction.occurredAt, later);
});

test('postedAt is now when the last posting is earlier, equal or absent', () => {
  for (const last of ['2026-05-15T09:59:59.999Z', NOW, null]) {
    const r = decide({ lines: [{ item: PLAIN, loc: A, qty: 1 }] }, { lastPostedAt: last, now: NOW });
    if (!r.ok) return assert.unreachable(r.message);
    assert.is(r.value.transaction.postedAt, NOW, `lastPostedAt ${last}`);
  }
});

test('the transaction record carries type, reason, reference and reversal link', () => {
  const r = decidePosting(snapshot(), {
    type: 'reversal', reason: 'oops', reference: { type: 'transaction', id: 'tx-1' }, reversesTransactionId: 'tx-1',
    lines: lines([{ item: PLAIN, loc: A, qty: -1 }]),
  }, NOW);
  if (!r.ok) return assert.unreachable(r.message);
  const t = r.value.transaction;
  assert.is(t.type, 'reversal');
  assert.is(t.reason, 'oops');
  assert.equal(t.reference, { type: 'transaction', id: 'tx-1' });
  assert.is(t.reversesTransactionId, 'tx-1');
  assert.ok(/^[0-9a-f-]{36}$/.test(t.id));
  const line = r.value.lines[0]!;
  assert.equal(
    { itemId: line.itemId, facilityId: line.facilityId, locationId: line.locationId, lotId: line.lotId, statusId: line.statusId, qty: fromMicro(line.qtyDelta) },
    { itemId: PLAIN, facilityId: F1, locationId: A, lotId: null, statusId: AV, qty: -1 },
  );
});

test('defaults: no reason, empty reference, no reversal link', () => {
  const r = decide({ lines: [{ item: PLAIN, loc: A, qty: 1 }] });
  if (!r.ok) return assert.unreachable(r.message);
  assert.is(r.value.transaction.reason, null);
  assert.equal(r.value.transaction.reference, { type: null, id: null });
  assert.is(r.value.transaction.reversesTransactionId, null);
});

test('a refused decision returns no effects, whatever the failure', () => {
  const refused: Array<Pick<Row, 'type' | 'lines' | 'balances'>> = [
    { lines: [{ item: PLAIN, loc: A, qty: 1 }, { item: 'nope', loc: A, qty: 1 }] },
    { lines: [{ item: LOT, loc: A, qty: 1, lotNo: 'BRAND-NEW' }, { item: PLAIN, loc: A, qty: -11 }] },
    { lines: [{ item: SER, loc: B, qty: 1, serialNos: ['NEW-1'] }, { item: SER, loc: A, qty: -1, serialNos: ['S9'] }] },
  ];
  for (const row of refused) {
    const r = decide(row);
    assert.is(r.ok, false);
    assert.equal(Object.keys(r).sort().filter((key) => key !== 'details'), ['code', 'message', 'ok']);
  }
});

test('the snapshot is not modified by a decision', () => {
  const s = snapshot();
  const before = JSON.stringify([[...s.balances], [...s.serials], [...s.lots], [...s.lotsByNo]]);
  const r = decidePosting(s, {
    type: 'move',
    lines: lines([
      { item: SER, loc: A, qty: -1, serialNos: ['S1'] }, { item: SER, loc: B, qty: 1, serialNos: ['S1'] },
      { item: LOT, loc: A, qty: 1, lotNo: 'NEW' }, { item: LOT, loc: A, qty: -1, lotNo: 'NEW' },
    ]),
  }, NOW);
  assert.ok(r.ok);
  assert.is(JSON.stringify([[...s.balances], [...s.serials], [...s.lots], [...s.lotsByNo]]), before);
});

test('a posting of 0 lines or over 1000 lines is a programmer error', () => {
  assert.throws(() => decidePosting(snapshot(), { type: 'adjustment', lines: [] }, NOW));
  const many = lines(Array.from({ length: 1001 }, () => ({ item: PLAIN, loc: A, qty: 1 })));
  assert.throws(() => decidePosting(snapshot(), { type: 'adjustment', lines: many }, NOW));
});

test('a move that does not net to zero is a programmer error', () => {
  assert.throws(() => decide({ type: 'move', lines: [{ item: PLAIN, loc: A, qty: -2 }, { item: PLAIN, loc: B, qty: 1 }] }));
});

test.run();
