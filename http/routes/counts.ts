import {
  countActionInputSchema, countInputSchema, countListQuery, countSessionInputSchema,
} from '../../core/count.js';
import {
  cancelCountSession, createCountSession, getCountSession, listCountSessions, postCountSession, recordCounts,
} from '../../core/count-session.js';
import { listQuery } from '../../core/schema.js';
import type { Route } from '../route.js';

const SESSIONS = '/v1/inventory/count-sessions';
const SESSION = `${SESSIONS}/{sessionId}`;
const TAG = 'Cycle counts';

export const countRoutes: Route[] = [
  {
    kind: 'list', method: 'GET', path: SESSIONS, permission: 'inventory:read', tag: TAG,
    summary: 'List count sessions, newest first, each with its lines (a blind session hides expected quantities until posted)',
    query: listQuery(countListQuery),
    run: (r, { query: { limit, offset, ...filter } }) => listCountSessions(r, filter, { limit, offset }),
  },
  {
    kind: 'write', method: 'POST', path: SESSIONS, permission: 'inventory:write', tag: TAG, status: 201,
    summary: 'Open a count session: snapshots the on-hand of every non-zero balance in the scope, per item, location and lot, '
      + 'and the ledger seq it was taken at (snapshotSeq). The scope is the facility, transit excluded, narrowed to locationIds '
      + '(each with its descendants in the location tree) and/or itemIds; at most 1000 balances (else 400: narrow it). Only the '
      + 'available status is counted: quarantined and damaged stock is counted by moving it to or from available '
      + '(POST /v1/inventory/moves), which records why its status changed. A blind session hides snapshotQty, expectedQty and '
      + 'variance in every answer until it is posted',
    body: countSessionInputSchema,
    run: (tx, { body }, ctx) => createCountSession(tx, body, ctx.now, ctx.actor),
  },
  {
    kind: 'read', method: 'GET', path: SESSION, permission: 'inventory:read', tag: TAG,
    summary: 'Get a count session with its lines',
    run: (r, { params }) => getCountSession(r, params.sessionId!),
  },
  {
    kind: 'write', method: 'POST', path: `${SESSION}/counts`, permission: 'inventory:write', tag: TAG,
    summary: 'Record counts on an open session (200 with the session): a later count of a line replaces the earlier one; places '
      + 'not expected are added with expectedQty 0. lotId is required for lot-tracked items; countedQty is exact within the base '
      + 'UOM\'s decimals; serial-tracked items list their serialNos, one per unit. When any ledger line of the balance has a seq '
      + 'after the snapshot, the line shows movedSinceSnapshot and its expectedQty is the on-hand at the count (snapshotQty keeps '
      + 'the snapshot\'s), so the variance is measured against what was there when it was counted',
    body: countInputSchema,
    run: (tx, { params, body }, ctx) => recordCounts(tx, params.sessionId!, body, ctx.now),
  },
  {
    kind: 'write', method: 'POST', path: `${SESSION}/post`, permission: 'inventory:write', tag: TAG,
    summary: 'Post an open session: one count transaction (reference count_session) of countedQty - expectedQty for every '
      + 'counted line that differs, in the available status; serial-tracked lines issue the serials not counted and receive the '
      + 'ones not expected. Uncounted lines stay as they are (count them as 0 to zero them). The variance is posted, not the count, '
      + 'so stock that moved after the count stays accounted for. No variance: no transaction, and the session is posted all the '
      + 'same (postedTransactionId null). 409 insufficient_stock when it would take a balance below zero or below what is '
      + 'reserved or allocated; the session then stays open',
    body: countActionInputSchema,
    run: (tx, { params }, ctx) => postCountSession(tx, params.sessionId!, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: `${SESSION}/cancel`, permission: 'inventory:write', tag: TAG,
    summary: 'Cancel an open session without posting anything',
    body: countActionInputSchema,
    run: (tx, { params }, ctx) => cancelCountSession(tx, params.sessionId!, ctx.now, ctx.actor),
  },
];
