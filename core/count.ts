// Cycle counts. A count session snapshots, when it is created, the on-hand of every non-zero
// balance of available stock in its scope (a facility, narrowed to location subtrees and/or
// items; the transit location never), with the ledger seq the snapshot was taken at. Counts
// are recorded against it, line by line and repeatably; posting turns the differences into one
// `count` transaction through the one posting rule. This file holds the vocabulary, the ports
// and every decision, all pure; count-session.ts loads, decides and applies.
//
// Decisions where the API is silent:
// - Only the `available` status is counted: stock in quarantine or damaged is not on the
//   shelf to be counted with the rest; it is counted by moving it (POST /v1/inventory/moves,
//   to or from another status), which keeps the reason for the status change on the ledger.
// - A `locationIds` scope includes each location's descendants in the location tree (a zone
//   counts its aisles, racks and bins), also ones created after the snapshot.
// - A count records the on-hand at the moment it is recorded. When any ledger line of its
//   balance has a seq after the snapshot, the line shows `movedSinceSnapshot` and its
//   `expectedQty` is that on-hand (the snapshot's value stays as `snapshotQty`), so the
//   variance is measured against what was there when it was counted.
// - Posting posts the variance (`countedQty - expectedQty`), not "set to counted": stock that
//   moves after the count (a pick, a receipt) stays accounted for. Uncounted lines are left
//   as they are; to zero a balance, count it as 0.
// - Serial-tracked items are counted by their serial numbers (`serialNos`, one per unit): the
//   serials expected but not counted are issued, and the ones counted but not expected are
//   received (a serial on hand elsewhere is a 409 conflict: move it instead), so posting keeps
//   every serial in one place, and corrects a swapped serial even when the quantity matches.
// - A session holds at most 1000 lines (a scope with more non-zero balances is a 400: narrow
//   it), so its posting is one transaction within the posting limit.
import { assert } from './assert.js';
import { documentNo, transition, withChange, type Actor, type StatusChange } from './document.js';
import type { Facility } from './facility.js';
import { newId } from './id.js';
import type { Item } from './item.js';
import type { Lot } from './ledger.js';
import type { Location } from './location.js';
import type { Page, PageRequest } from './page.js';
import type { PostingLine, PostingRequest } from './posting.js';
import { fitsDecimals, fromMicro, isWhole, SCALE, toMicro, type Micro } from './quantity.js';
import { fail, failAt, notFound, ok, type Result } from './result.js';
import { array, boolean, id, MAX_LINES, nonNegativeQuantity, nullable, object, oneOf, string, type Schema } from './schema.js';
import { AVAILABLE } from './status.js';
import type { Uom } from './uom.js';

export const COUNT_STATUSES = ['open', 'posted', 'cancelled'] as const;
export type CountStatus = (typeof COUNT_STATUSES)[number];
export type CountAction = 'count' | 'post' | 'cancel';

/** The state machine: for each state, the actions it allows and where they lead. Terminal states allow nothing. */
export const COUNT_TRANSITIONS: Readonly<Record<CountStatus, Partial<Record<CountAction, CountStatus>>>> = {
  open: { count: 'open', post: 'posted', cancel: 'cancelled' },
  posted: {},
  cancelled: {},
};

/** A session holds at most this many lines, expected and counted: its posting stays one transaction. */
export const MAX_COUNT_LINES = MAX_LINES;

export const COUNT_REFERENCE_TYPE = 'count_session';

export interface CountLineRecord {
  id: string;
  /** The line's place in the session: snapshot lines first (by location path, item number, lot number), then counted ones as they came. */
  lineNo: number;
  itemId: string;
  locationId: string;
  lotId: string | null;
  /** Read with the line (joined from the lot), not stored with it. */
  lotNo: string | null;
  /** On hand at the snapshot; 0 for a line that was not expected. */
  snapshotQty: Micro;
  /** What the count is measured against: the snapshot's quantity, or the on-hand at the count when the stock moved since. */
  expectedQty: Micro;
  countedQty: Micro | null;
  /** Whether the balance had ledger lines after the snapshot when it was (last) counted; null until counted. */
  movedSinceSnapshot: boolean | null;
  countedAt: string | null;
  /** Serial-tracked items: the serials counted, and the serials on hand there at the count. Null for other items and until counted. */
  serialNos: string[] | null;
  expectedSerialNos: string[] | null;
}

export interface CountSessionRecord {
  id: string;
  sessionNo: string;
  facilityId: string;
  /** Null: the whole facility. */
  locationIds: string[] | null;
  /** Null: every item. */
  itemIds: string[] | null;
  blind: boolean;
  notes: string | null;
  status: CountStatus;
  snapshotSeq: number;
  lines: CountLineRecord[];
  postedTransactionId: string | null;
  statusHistory: Array<StatusChange<CountStatus>>;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface CountLine {
  id: string;
  itemId: string;
  locationId: string;
  lotId: string | null;
  lotNo: string | null;
  snapshotQty: number | null;
  expectedQty: number | null;
  countedQty: number | null;
  variance: number | null;
  movedSinceSnapshot: boolean | null;
  countedAt: string | null;
  serialNos: string[];
}

export interface CountSession extends Omit<CountSessionRecord, 'lines'> {
  lines: CountLine[];
}

export interface CountSessionFilter {
  facilityId?: string;
  status?: CountStatus;
}

/** What a session counts: a facility, narrowed to location subtrees (by path) and/or items. */
export interface CountScope {
  facilityId: string;
  /** Paths of the scope's locations; each includes its descendants. Null: every location. */
  locationPaths: string[] | null;
  itemIds: string[] | null;
}

/** A balance of available stock, in micro-units. */
export interface ScopeBalance {
  itemId: string;
  locationId: string;
  lotId: string | null;
  lotNo: string | null;
  onHand: Micro;
}

/** Where a counted line's stock is: an item at a location and lot, in the available status. */
export interface Place {
  itemId: string;
  locationId: string;
  lotId: string | null;
}

/** A place as it is when a count is recorded. */
export interface PlaceNow extends Place {
  onHand: Micro;
  /** Whether any ledger line of this balance has a seq after the session's snapshot. */
  moved: boolean;
  /** Serial numbers on hand there, in order. */
  serialNos: string[];
}

export const placeKeyOf = (p: Place) => `${p.itemId}|${p.locationId}|${p.lotId ?? ''}`;

export interface CountReader {
  /**
   * A session with its lines in line order. In a write unit on PostgreSQL the session row
   * is locked FOR UPDATE first: counts, posting and cancelling of one session run one at a time.
   */
  getSession(id: string): Promise<CountSessionRecord | null>;
  /** Newest first, each with its lines. */
  listSessions(filter: CountSessionFilter, page: PageRequest): Promise<Page<CountSessionRecord>>;
  /**
   * In one consistent read: the seq of the last posting, and the non-zero balances of
   * available stock in the scope (never a transit location) that the ledger held at it,
   * ordered by location path, item number and lot number; at most `limit` of them.
   */
  snapshotScope(scope: CountScope, limit: number): Promise<{ seq: number; balances: ScopeBalance[] }>;
  /**
   * In one consistent read, for each place: the available on-hand now, whether any ledger
   * line of that balance has a seq after `afterSeq`, and the serial numbers on hand there.
   */
  countPlaces(places: readonly Place[], afterSeq: number): Promise<PlaceNow[]>;
}

export interface CountWriter extends CountReader {
  /** Inserts the session and all its lines. */
  insertSession(session: CountSessionRecord): Promise<void>;
  /** Updates the session's own fields and inserts or replaces these of its lines (by id). */
  updateSession(session: CountSessionRecord, lines: readonly CountLineRecord[]): Promise<void>;
}

// --- inputs ------------------------------------------------------------------------------

export interface CountSessionInput {
  facilityId: string;
  locationIds?: string[];
  itemIds?: string[];
  blind?: boolean;
  notes?: string | null;
}

export interface CountLineInput {
  itemId: string;
  locationId: string;
  lotId?: string | null;
  countedQty: number;
  serialNos?: string[];
}

export interface CountInput {
  lines: CountLineInput[];
}

const ids: Schema = { ...array(id, MAX_LINES, 1), uniqueItems: true };

export const countSessionInputSchema: Schema = object(
  { facilityId: id, locationIds: ids, itemIds: ids, blind: boolean, notes: nullable(string(1, 2000)) },
  ['facilityId'],
);

export const countInputSchema: Schema = object({
  lines: array(object({
    itemId: id,
    locationId: id,
    lotId: nullable(id),
    countedQty: nonNegativeQuantity,
    serialNos: { ...array(string(1, 128), 10000), uniqueItems: true },
  }, ['itemId', 'locationId', 'countedQty']), MAX_LINES, 1),
});

export const countActionInputSchema: Schema = object({});

export const countListQuery = { facilityId: id, status: oneOf(COUNT_STATUSES) };

// --- decisions ---------------------------------------------------------------------------

const ACTION_WORDS: Record<CountAction, string> = { count: 'take counts', post: 'be posted', cancel: 'be cancelled' };

export function countTransition(status: CountStatus, action: CountAction): Result<CountStatus> {
  return transition(COUNT_TRANSITIONS, 'count session', ACTION_WORDS, status, action);
}

const NON_STOCK_KINDS = new Set(['service', 'phantom']);

/** Whether a location is inside the scope's location subtrees (null: the whole facility). */
export function inScope(location: Location, scopePaths: readonly string[] | null): boolean {
  if (location.type === 'transit') return false;
  return scopePaths === null || scopePaths.some((p) => location.path === p || location.path.startsWith(`${p}/`));
}

export interface ScopeContext {
  facility: Facility | null;
  /** The requested locations that exist. */
  locations: ReadonlyMap<string, Location>;
  /** The requested items that exist. */
  items: ReadonlyMap<string, Item>;
}

/** The scope a new session counts: the facility, its named locations and items, checked. */
export function decideScope(input: CountSessionInput, c: ScopeContext): Result<CountScope> {
  if (!c.facility) return notFound('facility', '/facilityId');
  const paths: string[] = [];
  for (const [i, locationId] of (input.locationIds ?? []).entries()) {
    const location = c.locations.get(locationId);
    if (!location || location.facilityId !== c.facility.id) return notFound('location in this facility', `/locationIds/${i}`);
    if (location.type === 'transit') return failAt('bad_request', `/locationIds/${i}`, 'stock in transit is not counted');
    paths.push(location.path);
  }
  for (const [i, itemId] of (input.itemIds ?? []).entries()) {
    const item = c.items.get(itemId);
    if (!item) return notFound('item', `/itemIds/${i}`);
    if (NON_STOCK_KINDS.has(item.itemKind)) {
      return failAt('bad_request', `/itemIds/${i}`, `item ${item.itemNo} is a ${item.itemKind} item and holds no stock`);
    }
  }
  return ok({
    facilityId: c.facility.id,
    locationPaths: input.locationIds?.length ? paths : null,
    itemIds: input.itemIds?.length ? [...input.itemIds] : null,
  });
}

/** A new open session with one line per balance of the snapshot, expecting its on-hand. */
export function openSession(
  input: CountSessionInput, snapshot: { seq: number; balances: readonly ScopeBalance[] }, number: number, now: string,
  by: Actor | null = null,
): Result<CountSessionRecord> {
  if (snapshot.balances.length > MAX_COUNT_LINES) {
    return fail('bad_request', `the scope holds more than ${MAX_COUNT_LINES} balances: narrow it with locationIds or itemIds`);
  }
  const lines = snapshot.balances.map((b, i): CountLineRecord => {
    assert(b.onHand > 0, 'a snapshot holds non-zero balances');
    return {
      id: newId(), lineNo: i + 1, itemId: b.itemId, locationId: b.locationId, lotId: b.lotId, lotNo: b.lotNo,
      snapshotQty: b.onHand, expectedQty: b.onHand, countedQty: null, movedSinceSnapshot: null, countedAt: null,
      serialNos: null, expectedSerialNos: null,
    };
  });
  return ok({
    id: newId(),
    sessionNo: documentNo('CC', number),
    facilityId: input.facilityId,
    locationIds: input.locationIds?.length ? [...input.locationIds] : null,
    itemIds: input.itemIds?.length ? [...input.itemIds] : null,
    blind: input.blind ?? false,
    notes: input.notes ?? null,
    status: 'open',
    snapshotSeq: snapshot.seq,
    lines,
    postedTransactionId: null,
    statusHistory: withChange([], null, 'open', now, by),
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
}

/** The places a count input names, to load before deciding (lines without a lot name no lot). */
export function placesOf(input: CountInput): Place[] {
  return input.lines.map((l) => ({ itemId: l.itemId, locationId: l.locationId, lotId: l.lotId ?? null }));
}

export interface CountContext {
  items: ReadonlyMap<string, Item>;
  /** Base UOMs of the items. */
  uoms: ReadonlyMap<string, Uom>;
  locations: ReadonlyMap<string, Location>;
  /** Paths of the session's scope locations; null when the whole facility is in scope. */
  scopePaths: readonly string[] | null;
  lots: ReadonlyMap<string, Lot>;
  /** Every place the input names as it is now, by placeKeyOf. */
  places: ReadonlyMap<string, PlaceNow>;
}

/**
 * Records counts: each line is checked (item, scope, lot, quantity, serials), then replaces
 * the count of its place or adds a line for a place that was not expected. Returns the
 * session as it becomes and the lines that changed.
 */
export function decideCounts(
  session: CountSessionRecord, input: CountInput, c: CountContext, now: string,
): Result<{ session: CountSessionRecord; changed: CountLineRecord[] }> {
  const state = countTransition(session.status, 'count');
  if (!state.ok) return state;
  const lines = session.lines.map((l) => ({ ...l }));
  const byPlace = new Map(lines.map((l) => [placeKeyOf(l), l]));
  const seen = new Set<string>();
  const changed = new Map<string, CountLineRecord>();
  for (const [i, l] of input.lines.entries()) {
    const at = `/lines/${i}`;
    const item = c.items.get(l.itemId);
    if (!item) return notFound('item', `${at}/itemId`);
    if (NON_STOCK_KINDS.has(item.itemKind)) {
      return failAt('bad_request', `${at}/itemId`, `item ${item.itemNo} is a ${item.itemKind} item and holds no stock`);
    }
    if (session.itemIds && !session.itemIds.includes(item.id)) {
      return failAt('bad_request', `${at}/itemId`, `item ${item.itemNo} is not among the session's items`);
    }
    const location = c.locations.get(l.locationId);
    if (!location) return notFound('location', `${at}/locationId`);
    if (location.facilityId !== session.facilityId || !inScope(location, c.scopePaths)) {
      return failAt('bad_request', `${at}/locationId`, `location ${location.path} is outside the session's scope`);
    }
    const lotId = l.lotId ?? null;
    let lot: Lot | null = null;
    if (item.lotTracking === 'tracked') {
      if (lotId === null) return failAt('bad_request', `${at}/lotId`, `item ${item.itemNo} is lot tracked: a lot is required`);
      lot = c.lots.get(lotId) ?? null;
      if (!lot || lot.itemId !== item.id) return notFound('lot of this item', `${at}/lotId`);
    } else if (lotId !== null) {
      return failAt('bad_request', `${at}/lotId`, `item ${item.itemNo} is not lot tracked`);
    }
    const qty = toMicro(l.countedQty);
    assert(qty !== null && qty >= 0, 'the schema admits exact non-negative quantities only');
    const uom = c.uoms.get(item.baseUomId);
    assert(uom, `base UOM of item ${item.id} is loaded`);
    if (!fitsDecimals(qty, uom.decimals)) return failAt('bad_request', `${at}/countedQty`, `${uom.code} takes at most ${uom.decimals} decimal places`);
    const serialTracked = item.serialTracking === 'tracked';
    if (serialTracked) {
      if (!isWhole(qty)) return failAt('bad_request', `${at}/countedQty`, 'a serial-tracked count must be whole');
      if (l.serialNos === undefined) return failAt('bad_request', `${at}/serialNos`, `item ${item.itemNo} is serial tracked: list the serial numbers counted`);
      if (l.serialNos.length !== qty / SCALE) {
        return failAt('bad_request', `${at}/serialNos`, `needs one serial number per unit counted: ${qty / SCALE}`);
      }
    } else if (l.serialNos !== undefined) {
      return failAt('bad_request', `${at}/serialNos`, `item ${item.itemNo} is not serial tracked`);
    }
    const place = { itemId: item.id, locationId: location.id, lotId };
    const key = placeKeyOf(place);
    if (seen.has(key)) return failAt('bad_request', at, 'counts the same item, location and lot as an earlier line');
    seen.add(key);
    const now_ = c.places.get(key);
    assert(now_, `place ${key} is loaded`);
    const existing = byPlace.get(key);
    const snapshotQty = existing?.snapshotQty ?? (0 as Micro);
    // Without a ledger line since the snapshot, the balance is what the snapshot saw.
    assert(now_.moved || now_.onHand === snapshotQty, `place ${key} holds its snapshot quantity when nothing moved`);
    const expectedQty = now_.moved ? now_.onHand : snapshotQty;
    if (serialTracked) assert(now_.serialNos.length * SCALE === expectedQty, `serials on hand at ${key} match its balance`);
    const line: CountLineRecord = {
      ...(existing ?? {
        id: newId(), lineNo: lines.length + 1, itemId: item.id, locationId: location.id, lotId, lotNo: lot?.lotNo ?? null,
        snapshotQty, serialNos: null, expectedSerialNos: null,
      }),
      expectedQty,
      countedQty: qty,
      movedSinceSnapshot: now_.moved,
      countedAt: now,
      serialNos: serialTracked ? [...l.serialNos!] : null,
      expectedSerialNos: serialTracked ? [...now_.serialNos] : null,
    };
    if (existing) lines[lines.indexOf(existing)] = line;
    else {
      if (lines.length >= MAX_COUNT_LINES) return failAt('bad_request', at, `a count session holds at most ${MAX_COUNT_LINES} lines`);
      lines.push(line);
    }
    byPlace.set(key, line);
    changed.set(line.id, line);
  }
  return ok({ session: { ...session, lines, updatedAt: now, version: session.version + 1 }, changed: [...changed.values()] });
}

/** The variance of a counted line; null while it is not counted. */
export function varianceOf(l: CountLineRecord): Micro | null {
  return l.countedQty === null ? null : ((l.countedQty - l.expectedQty) as Micro);
}

/**
 * The posting a session makes: one `count` transaction of each counted line's variance, in
 * the available status; null when no counted line differs. A serial-tracked line issues the
 * serials expected and not counted and receives the ones counted and not expected, even when
 * their numbers match (a swapped serial). Errors of the posting point at the session's line
 * (`/lines/<i>/countedQty`, `/lines/<i>/serialNos`).
 */
export function decideCountPosting(session: CountSessionRecord): Result<PostingRequest | null> {
  const state = countTransition(session.status, 'post');
  if (!state.ok) return state;
  const lines: PostingLine[] = [];
  for (const [i, l] of session.lines.entries()) {
    const variance = varianceOf(l);
    if (variance === null || (variance === 0 && l.serialNos === null)) continue;
    const base = {
      itemId: l.itemId, locationId: l.locationId, statusId: AVAILABLE, lotId: l.lotId, at: `/lines/${i}`,
      fields: { qty: 'countedQty', serialNos: 'serialNos' },
    } as const;
    if (l.serialNos === null) {
      lines.push({ ...base, qty: variance });
      continue;
    }
    assert(l.expectedSerialNos !== null, 'a serial count keeps the serials expected');
    const counted = new Set(l.serialNos);
    const expected = new Set(l.expectedSerialNos);
    const lost = l.expectedSerialNos.filter((s) => !counted.has(s));
    const found = l.serialNos.filter((s) => !expected.has(s));
    assert((found.length - lost.length) * SCALE === variance, 'serials found less serials lost is the variance');
    if (lost.length) lines.push({ ...base, qty: (-lost.length * SCALE) as Micro, serialNos: lost });
    if (found.length) lines.push({ ...base, qty: (found.length * SCALE) as Micro, serialNos: found });
  }
  if (lines.length === 0) return ok(null);
  if (lines.length > MAX_LINES) return fail('bad_request', `the count's posting would have ${lines.length} lines, more than ${MAX_LINES}`);
  return ok({ type: 'count', reason: `count ${session.sessionNo}`, reference: { type: COUNT_REFERENCE_TYPE, id: session.id }, lines });
}

/** The session after an action that changes its status. */
export function withStatus(
  session: CountSessionRecord, status: CountStatus, now: string, by: Actor | null = null, extra: Partial<CountSessionRecord> = {},
): CountSessionRecord {
  return {
    ...session, ...extra, status, statusHistory: withChange(session.statusHistory, session.status, status, now, by),
    updatedAt: now, version: session.version + 1,
  };
}

/** What a client reads. A blind session hides every expected quantity and variance until it is posted. */
export function countSessionView(s: CountSessionRecord): CountSession {
  const hide = s.blind && s.status !== 'posted';
  return {
    id: s.id,
    sessionNo: s.sessionNo,
    facilityId: s.facilityId,
    locationIds: s.locationIds,
    itemIds: s.itemIds,
    blind: s.blind,
    notes: s.notes,
    status: s.status,
    snapshotSeq: s.snapshotSeq,
    lines: s.lines.map((l) => {
      const variance = varianceOf(l);
      return {
        id: l.id,
        itemId: l.itemId,
        locationId: l.locationId,
        lotId: l.lotId,
        lotNo: l.lotNo,
        snapshotQty: hide ? null : fromMicro(l.snapshotQty),
        expectedQty: hide ? null : fromMicro(l.expectedQty),
        countedQty: l.countedQty === null ? null : fromMicro(l.countedQty),
        variance: hide || variance === null ? null : fromMicro(variance),
        movedSinceSnapshot: l.movedSinceSnapshot,
        countedAt: l.countedAt,
        serialNos: l.serialNos ?? [],
      };
    }),
    postedTransactionId: s.postedTransactionId,
    statusHistory: s.statusHistory.map((h) => ({ ...h })),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version: s.version,
  };
}
