// The cycle-count decisions, without any database: the state machine, the scope, the
// snapshot, counts (recount, places not expected, moved detection, every refusal), the
// posting of variances (serials included) and what a blind session shows.
import { documentNo } from '../../core/document.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  COUNT_STATUSES, COUNT_TRANSITIONS, countSessionView, countTransition, decideCountPosting, decideCounts, decideScope, inScope,
  openSession, placeKeyOf, withStatus, type CountAction, type CountContext, type CountInput, type CountSessionRecord,
  type PlaceNow, type ScopeBalance,
} from '../../core/count.js';
import type { Facility } from '../../core/facility.js';
import type { Item } from '../../core/item.js';
import type { Lot } from '../../core/ledger.js';
import type { Location } from '../../core/location.js';
import { toMicro, type Micro } from '../../core/quantity.js';
import type { Failure, Result } from '../../core/result.js';
import type { Uom } from '../../core/uom.js';

const NOW = '2026-05-15T10:00:00.000Z';
const LATER = '2026-05-15T11:00:00.000Z';
const T0 = '2026-01-01T00:00:00.000Z';
const m = (n: number) => toMicro(n)! as Micro;

const uom = (id: string, decimals: number): Uom => ({ id, code: id.toUpperCase(), name: id, decimals, createdAt: T0 });
const item = (id: string, o: Partial<Item> = {}): Item => ({
  id, itemNo: id.toUpperCase(), name: id, description: null, itemKind: 'purchased', baseUomId: 'ea',
  lotTracking: 'none', serialTracking: 'none', expiryTracking: 'none', isActive: true, costMethod: 'moving_average',
  identifiers: [], attributes: {}, uomConversions: [], createdAt: T0, updatedAt: T0, version: 1, ...o,
});
const location = (id: string, path: string, o: Partial<Location> = {}): Location => ({
  id, facilityId: 'f1', code: path.split('/').pop()!, name: id, parentId: null, type: 'bin', isPickable: true,
  depth: path.split('/').length - 1, path, createdAt: T0, ...o,
});
const FACILITY: Facility = { id: 'f1', code: 'F1', name: 'F1', type: 'warehouse', isActive: true, createdAt: T0, updatedAt: T0, version: 1 } as Facility;

const ITEMS = new Map([
  item('plain'), item('kg', { baseUomId: 'kg' }), item('lot', { lotTracking: 'tracked' }), item('serial', { serialTracking: 'tracked' }),
  item('service', { itemKind: 'service' }),
].map((i) => [i.id, i]));
const UOMS = new Map([uom('ea', 0), uom('kg', 3)].map((u) => [u.id, u]));
const LOCATIONS = new Map([
  location('a', 'A'), location('b', 'B'), location('z', 'Z', { type: 'zone' }), location('z1', 'Z/01'), location('z11', 'Z/01/01'),
  location('zz', 'ZZ'), location('transit', 'TRANSIT', { type: 'transit' }), location('far', 'A', { facilityId: 'f2' }),
].map((l) => [l.id, l]));
const LOTS = new Map<string, Lot>([
  ['L1', { id: 'L1', itemId: 'lot', lotNo: 'L-1', expiresOn: null, createdAt: T0 }],
  ['LX', { id: 'LX', itemId: 'plain', lotNo: 'L-X', expiresOn: null, createdAt: T0 }],
]);

const balance = (itemId: string, locationId: string, onHand: number, lotId: string | null = null): ScopeBalance =>
  ({ itemId, locationId, lotId, lotNo: lotId ? LOTS.get(lotId)!.lotNo : null, onHand: m(onHand) });

function session(balances: ScopeBalance[], o: Partial<CountSessionRecord> = {}): CountSessionRecord {
  const r = openSession({ facilityId: 'f1' }, { seq: 40, balances }, 7, NOW);
  assert.ok(r.ok);
  return { ...r.value, ...o };
}

/** What each counted place holds now; by default what the snapshot saw, unmoved. */
function context(s: CountSessionRecord, input: CountInput, now: Partial<Record<string, Partial<PlaceNow>>> = {}, scopePaths: string[] | null = null): CountContext {
  const places = new Map<string, PlaceNow>();
  for (const l of input.lines) {
    const p = { itemId: l.itemId, locationId: l.locationId, lotId: l.lotId ?? null };
    const key = placeKeyOf(p);
    const snap = s.lines.find((x) => placeKeyOf(x) === key);
    places.set(key, { ...p, onHand: snap?.snapshotQty ?? m(0), moved: false, serialNos: [], ...now[key] });
  }
  return { items: ITEMS, uoms: UOMS, locations: LOCATIONS, scopePaths, lots: LOTS, places };
}

function counted(s: CountSessionRecord, input: CountInput, now: Partial<Record<string, Partial<PlaceNow>>> = {}, scopePaths: string[] | null = null) {
  const r = decideCounts(s, input, context(s, input, now, scopePaths), LATER);
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
}

function refused(r: Result<unknown>, code: string, path?: string): void {
  assert.is(r.ok, false, 'refused');
  const f = r as Failure;
  assert.is(f.code, code, f.message);
  if (path !== undefined) assert.equal(f.details?.map((d) => d.path), [path]);
}

// ---- the state machine ------------------------------------------------------------------

test('transitions: open counts, posts and cancels; posted and cancelled are terminal', () => {
  const expected: Record<string, Record<CountAction, string | null>> = {
    open: { count: 'open', post: 'posted', cancel: 'cancelled' },
    posted: { count: null, post: null, cancel: null },
    cancelled: { count: null, post: null, cancel: null },
  };
  for (const from of COUNT_STATUSES) {
    for (const action of ['count', 'post', 'cancel'] as const) {
      const r = countTransition(from, action);
      const to = expected[from]![action];
      if (to === null) refused(r, 'invalid_state');
      else assert.equal(r, { ok: true, value: to }, `${from} ${action}`);
    }
  }
  assert.equal(Object.keys(COUNT_TRANSITIONS).sort(), [...COUNT_STATUSES].sort());
});

test('a closed session refuses counts and posting with invalid_state', () => {
  const s = session([balance('plain', 'a', 5)]);
  const input = { lines: [{ itemId: 'plain', locationId: 'a', countedQty: 4 }] };
  for (const status of ['posted', 'cancelled'] as const) {
    refused(decideCounts({ ...s, status }, input, context(s, input), LATER), 'invalid_state');
    refused(decideCountPosting({ ...s, status }), 'invalid_state');
  }
});

// ---- scope and snapshot -----------------------------------------------------------------

test('scope: the facility, location subtrees by path (never transit), stock items only', () => {
  const ctx = (o: Partial<Parameters<typeof decideScope>[1]> = {}) => ({ facility: FACILITY, locations: LOCATIONS, items: ITEMS, ...o });
  assert.equal(decideScope({ facilityId: 'f1' }, ctx()), { ok: true, value: { facilityId: 'f1', locationPaths: null, itemIds: null } });
  assert.equal(decideScope({ facilityId: 'f1', locationIds: ['z', 'a'], itemIds: ['plain'] }, ctx()),
    { ok: true, value: { facilityId: 'f1', locationPaths: ['Z', 'A'], itemIds: ['plain'] } });
  refused(decideScope({ facilityId: 'f9' }, ctx({ facility: null })), 'not_found', '/facilityId');
  refused(decideScope({ facilityId: 'f1', locationIds: ['a', 'nowhere'] }, ctx()), 'not_found', '/locationIds/1');
  refused(decideScope({ facilityId: 'f1', locationIds: ['far'] }, ctx()), 'not_found', '/locationIds/0');
  refused(decideScope({ facilityId: 'f1', locationIds: ['transit'] }, ctx()), 'bad_request', '/locationIds/0');
  refused(decideScope({ facilityId: 'f1', itemIds: ['nothing'] }, ctx()), 'not_found', '/itemIds/0');
  refused(decideScope({ facilityId: 'f1', itemIds: ['plain', 'service'] }, ctx()), 'bad_request', '/itemIds/1');
  // A subtree by whole path segments: Z holds Z/01 and Z/01/01, not ZZ.
  const inZ = [...LOCATIONS.values()].filter((l) => inScope(l, ['Z'])).map((l) => l.id);
  assert.equal(inZ, ['z', 'z1', 'z11']);
  assert.is(inScope(LOCATIONS.get('transit')!, null), false);
  assert.is(inScope(LOCATIONS.get('zz')!, null), true);
});

test('a new session expects every snapshot balance, numbered per type, remembering the seq', () => {
  const s = session([balance('plain', 'a', 5), balance('lot', 'a', 2, 'L1')]);
  assert.equal([s.sessionNo, s.status, s.snapshotSeq, s.version, s.blind, s.locationIds, s.itemIds], ['CC-000007', 'open', 40, 1, false, null, null]);
  assert.equal(s.statusHistory, [{ from: null, to: 'open', at: NOW, by: null }]);
  assert.equal(s.lines.map((l) => [l.lineNo, l.itemId, l.lotId, l.lotNo, l.snapshotQty, l.expectedQty, l.countedQty, l.movedSinceSnapshot]), [
    [1, 'plain', null, null, m(5), m(5), null, null],
    [2, 'lot', 'L1', 'L-1', m(2), m(2), null, null],
  ]);
  assert.is(documentNo('CC', 123456), 'CC-123456');
  const tooMany = Array.from({ length: 1001 }, (_, i) => balance('plain', `x${i}`, 1));
  refused(openSession({ facilityId: 'f1' }, { seq: 1, balances: tooMany }, 1, NOW), 'bad_request');
  assert.ok(openSession({ facilityId: 'f1' }, { seq: 1, balances: tooMany.slice(0, 1000) }, 1, NOW).ok);
});

// ---- counts -----------------------------------------------------------------------------

test('variances: counted less expected; a recount replaces the line; a place not expected is added at 0', () => {
  const s = session([balance('plain', 'a', 10), balance('kg', 'b', 2.5)]);
  const first = counted(s, { lines: [{ itemId: 'plain', locationId: 'a', countedQty: 7 }, { itemId: 'kg', locationId: 'b', countedQty: 2.125 }] });
  assert.equal(first.session.lines.map((l) => [l.countedQty, l.countedQty! - l.expectedQty]), [[m(7), m(-3)], [m(2.125), m(-0.375)]]);
  assert.equal(first.changed.map((l) => l.id), s.lines.map((l) => l.id));
  assert.equal([first.session.version, first.session.updatedAt, first.session.status], [2, LATER, 'open']);
  const second = counted(first.session, { lines: [{ itemId: 'plain', locationId: 'a', countedQty: 9 }, { itemId: 'plain', locationId: 'b', countedQty: 4 }] });
  const lines = second.session.lines;
  assert.is(lines.length, 3);
  assert.equal([lines[0]!.id, lines[0]!.countedQty], [s.lines[0]!.id, m(9)]);
  assert.equal([lines[2]!.lineNo, lines[2]!.itemId, lines[2]!.locationId, lines[2]!.snapshotQty, lines[2]!.expectedQty, lines[2]!.countedQty],
    [3, 'plain', 'b', m(0), m(0), m(4)]);
  assert.equal(second.changed.map((l) => l.lineNo), [1, 3], 'only the lines counted change');
  assert.equal(lines[1], first.session.lines[1], 'the other line keeps its count');
  // The session passed in is left as it was: decisions do not mutate.
  assert.equal(s.lines.map((l) => l.countedQty), [null, null]);
});

test('moved since the snapshot: flagged, and expected becomes the on-hand at the count', () => {
  const s = session([balance('plain', 'a', 10), balance('plain', 'b', 5)]);
  const input = { lines: [
    { itemId: 'plain', locationId: 'a', countedQty: 12 },
    { itemId: 'plain', locationId: 'b', countedQty: 5 },
    { itemId: 'plain', locationId: 'z1', countedQty: 1 },
  ] };
  const r = counted(s, input, {
    'plain|a|': { onHand: m(13), moved: true },
    'plain|z1|': { onHand: m(2), moved: true },
  });
  assert.equal(r.session.lines.map((l) => [l.locationId, l.snapshotQty, l.expectedQty, l.countedQty, l.movedSinceSnapshot]), [
    ['a', m(10), m(13), m(12), true],
    ['b', m(5), m(5), m(5), false],
    ['z1', m(0), m(2), m(1), true],
  ]);
  // Moved in and out to the same quantity is still moved.
  const same = counted(s, { lines: [{ itemId: 'plain', locationId: 'b', countedQty: 5 }] }, { 'plain|b|': { onHand: m(5), moved: true } });
  assert.is(same.session.lines[1]!.movedSinceSnapshot, true);
  // Nothing moved but the balance differs from the snapshot: a broken invariant, not a result.
  assert.throws(() => decideCounts(s, { lines: [{ itemId: 'plain', locationId: 'a', countedQty: 1 }] },
    context(s, { lines: [{ itemId: 'plain', locationId: 'a', countedQty: 1 }] }, { 'plain|a|': { onHand: m(9) } }), LATER));
});

test('counts the rules refuse, each naming its field', () => {
  const s = session([balance('plain', 'a', 1)], { itemIds: ['plain', 'lot', 'serial', 'kg', 'service'] });
  const cases: Array<[Record<string, unknown>, string, string, string[] | null]> = [
    [{ itemId: 'ghost', locationId: 'a', countedQty: 1 }, 'not_found', '/lines/0/itemId', null],
    [{ itemId: 'service', locationId: 'a', countedQty: 1 }, 'bad_request', '/lines/0/itemId', null],
    [{ itemId: 'plain', locationId: 'nowhere', countedQty: 1 }, 'not_found', '/lines/0/locationId', null],
    [{ itemId: 'plain', locationId: 'far', countedQty: 1 }, 'bad_request', '/lines/0/locationId', null],
    [{ itemId: 'plain', locationId: 'transit', countedQty: 1 }, 'bad_request', '/lines/0/locationId', null],
    [{ itemId: 'plain', locationId: 'b', countedQty: 1 }, 'bad_request', '/lines/0/locationId', ['Z']],
    [{ itemId: 'lot', locationId: 'a', countedQty: 1 }, 'bad_request', '/lines/0/lotId', null],
    [{ itemId: 'lot', locationId: 'a', lotId: 'LX', countedQty: 1 }, 'not_found', '/lines/0/lotId', null],
    [{ itemId: 'lot', locationId: 'a', lotId: 'L9', countedQty: 1 }, 'not_found', '/lines/0/lotId', null],
    [{ itemId: 'plain', locationId: 'a', lotId: 'LX', countedQty: 1 }, 'bad_request', '/lines/0/lotId', null],
    [{ itemId: 'plain', locationId: 'a', countedQty: 1.5 }, 'bad_request', '/lines/0/countedQty', null],
    [{ itemId: 'kg', locationId: 'a', countedQty: 1.0005 }, 'bad_request', '/lines/0/countedQty', null],
    [{ itemId: 'plain', locationId: 'a', countedQty: 1, serialNos: ['S'] }, 'bad_request', '/lines/0/serialNos', null],
    [{ itemId: 'serial', locationId: 'a', countedQty: 1 }, 'bad_request', '/lines/0/serialNos', null],
    [{ itemId: 'serial', locationId: 'a', countedQty: 2, serialNos: ['S'] }, 'bad_request', '/lines/0/serialNos', null],
  ];
  for (const [line, code, path, scope] of cases) {
    const input = { lines: [line as never] };
    refused(decideCounts(s, input, context(s, input, {}, scope), LATER), code, path);
  }
  const narrow = session([balance('plain', 'a', 1)], { itemIds: ['kg'] });
  const input = { lines: [{ itemId: 'plain', locationId: 'a', countedQty: 1 }] };
  refused(decideCounts(narrow, input, context(narrow, input), LATER), 'bad_request', '/lines/0/itemId');
  const twice = { lines: [{ itemId: 'plain', locationId: 'a', countedQty: 1 }, { itemId: 'plain', locationId: 'a', countedQty: 2 }] };
  refused(decideCounts(s, twice, context(s, twice), LATER), 'bad_request', '/lines/1');
  // Inside a location subtree is in scope.
  const deep = { lines: [{ itemId: 'plain', locationId: 'z11', countedQty: 1 }] };
  assert.ok(decideCounts(s, deep, context(s, deep, {}, ['Z']), LATER).ok);
});

test('a session holds at most 1000 lines', () => {
  const s = session(Array.from({ length: 999 }, (_, i) => balance('plain', `x${i}`, 1)));
  const locations = new Map(LOCATIONS);
  for (const id of ['n1', 'n2']) locations.set(id, location(id, id.toUpperCase()));
  const one = { lines: [{ itemId: 'plain', locationId: 'n1', countedQty: 1 }] };
  const grown = decideCounts(s, one, { ...context(s, one), locations }, LATER);
  assert.ok(grown.ok);
  const two = { lines: [{ itemId: 'plain', locationId: 'n2', countedQty: 1 }] };
  const full = (grown as { value: { session: CountSessionRecord } }).value.session;
  refused(decideCounts(full, two, { ...context(full, two), locations }, LATER), 'bad_request', '/lines/0');
});

// ---- posting ----------------------------------------------------------------------------

test('posting: one count line per counted variance, uncounted and equal lines left out', () => {
  const s = session([balance('plain', 'a', 10), balance('plain', 'b', 5), balance('lot', 'a', 2, 'L1'), balance('kg', 'a', 1)]);
  const r = counted(s, { lines: [
    { itemId: 'plain', locationId: 'a', countedQty: 8 },
    { itemId: 'plain', locationId: 'b', countedQty: 5 },
    { itemId: 'lot', locationId: 'a', lotId: 'L1', countedQty: 3 },
    { itemId: 'plain', locationId: 'z1', countedQty: 2 },
  ] });
  const p = decideCountPosting(r.session);
  assert.ok(p.ok && p.value);
  const request = p.value!;
  assert.equal([request.type, request.reference], ['count', { type: 'count_session', id: s.id }]);
  assert.equal(request.lines.map((l) => [l.itemId, l.locationId, l.lotId, l.statusId, l.qty, l.at]), [
    ['plain', 'a', null, 'available', m(-2), '/lines/0'],
    ['lot', 'a', 'L1', 'available', m(1), '/lines/2'],
    ['plain', 'z1', null, 'available', m(2), '/lines/4'],
  ]);
  assert.is(request.lines[0]!.fields?.qty, 'countedQty');
  // Nothing differs: no posting at all.
  const none = counted(s, { lines: [{ itemId: 'plain', locationId: 'a', countedQty: 10 }] });
  assert.equal(decideCountPosting(none.session), { ok: true, value: null });
  assert.equal(decideCountPosting(s), { ok: true, value: null });
});

test('posting serials: the expected ones not counted are issued, the counted ones not expected received', () => {
  const s = session([balance('serial', 'a', 3)]);
  const here = { 'serial|a|': { serialNos: ['S1', 'S2', 'S3'] } };
  const r = counted(s, { lines: [{ itemId: 'serial', locationId: 'a', countedQty: 4, serialNos: ['S1', 'S4', 'S2', 'S5'] }] }, here);
  assert.equal([r.session.lines[0]!.serialNos, r.session.lines[0]!.expectedSerialNos], [['S1', 'S4', 'S2', 'S5'], ['S1', 'S2', 'S3']]);
  const p = decideCountPosting(r.session);
  assert.ok(p.ok && p.value);
  assert.equal(p.value!.lines.map((l) => [l.qty, l.serialNos]), [[m(-1), ['S3']], [m(2), ['S4', 'S5']]]);
  // Same quantity, one serial swapped: still corrected.
  const swap = counted(s, { lines: [{ itemId: 'serial', locationId: 'a', countedQty: 3, serialNos: ['S1', 'S2', 'S9'] }] }, here);
  const q = decideCountPosting(swap.session);
  assert.ok(q.ok && q.value);
  assert.equal(q.value!.lines.map((l) => [l.qty, l.serialNos]), [[m(-1), ['S3']], [m(1), ['S9']]]);
  const same = counted(s, { lines: [{ itemId: 'serial', locationId: 'a', countedQty: 3, serialNos: ['S3', 'S2', 'S1'] }] }, here);
  assert.equal(decideCountPosting(same.session), { ok: true, value: null });
  // Serials on hand that disagree with the balance: a broken invariant.
  const bad = { lines: [{ itemId: 'serial', locationId: 'a', countedQty: 1, serialNos: ['S1'] }] };
  assert.throws(() => decideCounts(s, bad, context(s, bad, { 'serial|a|': { serialNos: ['S1'] } }), LATER));
});

test('status changes append to the history and bump the version', () => {
  const s = session([]);
  const posted = withStatus(s, 'posted', LATER, { tokenId: 't1', name: 'clerk' }, { postedTransactionId: 'tx1' });
  assert.equal([posted.status, posted.version, posted.updatedAt, posted.postedTransactionId], ['posted', 2, LATER, 'tx1']);
  assert.equal(posted.statusHistory, [
    { from: null, to: 'open', at: NOW, by: null },
    { from: 'open', to: 'posted', at: LATER, by: { tokenId: 't1', name: 'clerk' } },
  ]);
  assert.equal(s.statusHistory.length, 1);
});

// ---- the view ---------------------------------------------------------------------------

test('the view: numbers in units; a blind session hides expected, snapshot and variance until posted', () => {
  const s = session([balance('kg', 'a', 2.5)]);
  const r = counted(s, { lines: [{ itemId: 'kg', locationId: 'a', countedQty: 2.125 }] });
  const open = countSessionView(r.session);
  assert.equal(open.lines.map((l) => [l.snapshotQty, l.expectedQty, l.countedQty, l.variance, l.movedSinceSnapshot, l.serialNos]),
    [[2.5, 2.5, 2.125, -0.375, false, []]]);
  assert.not.ok('lineNo' in open.lines[0]!);
  assert.not.ok('expectedSerialNos' in open.lines[0]!);
  const blind = { ...r.session, blind: true };
  for (const status of ['open', 'cancelled'] as const) {
    const v = countSessionView({ ...blind, status });
    assert.equal(v.lines.map((l) => [l.snapshotQty, l.expectedQty, l.countedQty, l.variance]), [[null, null, 2.125, null]]);
  }
  const posted = countSessionView({ ...blind, status: 'posted' });
  assert.equal(posted.lines.map((l) => [l.snapshotQty, l.expectedQty, l.variance]), [[2.5, 2.5, -0.375]]);
  // An uncounted line has no count, no variance and no moved flag yet.
  assert.equal(countSessionView(s).lines.map((l) => [l.countedQty, l.variance, l.movedSinceSnapshot, l.countedAt]), [[null, null, null, null]]);
});

test.run();
