// Cycle-count commands: each loads what its decision needs (core/count.ts), decides, and
// applies the outcome in its write unit. A refused command writes nothing.
import { recordHistory, type DocumentRef } from './event.js';
import {
  countSessionView, countTransition, decideCountPosting, decideCounts, decideScope, openSession, placeKeyOf, placesOf,
  withStatus, COUNT_REFERENCE_TYPE, MAX_COUNT_LINES, type CountInput, type CountSession, type CountSessionFilter, type CountSessionInput,
  type CountSessionRecord,
} from './count.js';
import type { Page, PageRequest } from './page.js';
import { post } from './posting.js';
import type { Reader, Writer } from './ports.js';
import type { Actor } from './document.js';
import { notFound, ok, type Result } from './result.js';

const sessionRef = (s: CountSessionRecord): DocumentRef => ({ type: 'count_session', id: s.id, number: s.sessionNo });

const distinct = (xs: ReadonlyArray<string | null | undefined>) => [...new Set(xs.filter((x): x is string => x != null))];

/** Opens a session: checks the scope, snapshots its balances and the ledger seq, numbers it. */
export async function createCountSession(
  tx: Writer, input: CountSessionInput, now: string, by: Actor | null = null,
): Promise<Result<CountSession>> {
  const [facility, locations, items] = await Promise.all([
    tx.facilities.getFacility(input.facilityId),
    tx.facilities.getLocations(input.locationIds ?? []),
    tx.catalog.getItems(input.itemIds ?? []),
  ]);
  const scope = decideScope(input, {
    facility, locations: new Map(locations.map((l) => [l.id, l])), items: new Map(items.map((i) => [i.id, i])),
  });
  if (!scope.ok) return scope;
  // One more than a session may hold tells a scope that is too large.
  const snapshot = await tx.counts.snapshotScope(scope.value, MAX_COUNT_LINES + 1);
  const session = openSession(input, snapshot, await tx.documents.nextNumber(COUNT_REFERENCE_TYPE), now, by);
  if (!session.ok) return session;
  await tx.counts.insertSession(session.value);
  await recordHistory(tx, sessionRef(session.value), [], session.value.statusHistory);
  return ok(countSessionView(session.value));
}

/** Records counts on an open session: a later count of the same line replaces the earlier one. */
export async function recordCounts(tx: Writer, id: string, input: CountInput, now: string): Promise<Result<CountSession>> {
  const session = await tx.counts.getSession(id);
  if (!session) return notFound('count session');
  const state = countTransition(session.status, 'count');
  if (!state.ok) return state;
  const places = placesOf(input);
  const [items, locations, lots, now_] = await Promise.all([
    tx.catalog.getItems(distinct(input.lines.map((l) => l.itemId))),
    tx.facilities.getLocations(distinct([...input.lines.map((l) => l.locationId), ...(session.locationIds ?? [])])),
    tx.ledger.getLots(distinct(input.lines.map((l) => l.lotId))),
    tx.counts.countPlaces(places, session.snapshotSeq),
  ]);
  const uoms = await tx.catalog.getUoms(distinct(items.map((i) => i.baseUomId)));
  const byId = new Map(locations.map((l) => [l.id, l]));
  const scopePaths = session.locationIds ? session.locationIds.flatMap((l) => (byId.has(l) ? [byId.get(l)!.path] : [])) : null;
  const decided = decideCounts(session, input, {
    items: new Map(items.map((i) => [i.id, i])),
    uoms: new Map(uoms.map((u) => [u.id, u])),
    locations: byId,
    scopePaths,
    lots: new Map(lots.map((l) => [l.id, l])),
    places: new Map(now_.map((p) => [placeKeyOf(p), p])),
  }, now);
  if (!decided.ok) return decided;
  await tx.counts.updateSession(decided.value.session, decided.value.changed);
  await recordHistory(tx, sessionRef(decided.value.session), session.statusHistory, decided.value.session.statusHistory);
  return ok(countSessionView(decided.value.session));
}

/**
 * Posts a session: one `count` transaction of every counted line's variance, through the one
 * posting rule (non-negative balances, reservations and allocations kept covered); then the
 * session is posted. A session without a variance posts no transaction and is posted all
 * the same. A refused posting leaves the session open and changes nothing.
 */
export async function postCountSession(tx: Writer, id: string, now: string, by: Actor | null = null): Promise<Result<CountSession>> {
  const session = await tx.counts.getSession(id);
  if (!session) return notFound('count session');
  const request = decideCountPosting(session);
  if (!request.ok) return request;
  let postedTransactionId: string | null = null;
  if (request.value) {
    const posted = await post(tx, request.value, now);
    if (!posted.ok) return posted;
    postedTransactionId = posted.value.id;
  }
  const next = withStatus(session, 'posted', now, by, { postedTransactionId });
  await tx.counts.updateSession(next, []);
  await recordHistory(tx, sessionRef(next), session.statusHistory, next.statusHistory);
  return ok(countSessionView(next));
}

export async function cancelCountSession(tx: Writer, id: string, now: string, by: Actor | null = null): Promise<Result<CountSession>> {
  const session = await tx.counts.getSession(id);
  if (!session) return notFound('count session');
  const state = countTransition(session.status, 'cancel');
  if (!state.ok) return state;
  const next = withStatus(session, state.value, now, by);
  await tx.counts.updateSession(next, []);
  await recordHistory(tx, sessionRef(next), session.statusHistory, next.statusHistory);
  return ok(countSessionView(next));
}

export async function getCountSession(r: Reader, id: string): Promise<Result<CountSession>> {
  const session = await r.counts.getSession(id);
  return session ? ok(countSessionView(session)) : notFound('count session');
}

export async function listCountSessions(r: Reader, filter: CountSessionFilter, page: PageRequest): Promise<Page<CountSession>> {
  const found = await r.counts.listSessions(filter, page);
  return { items: found.items.map(countSessionView), total: found.total };
}
