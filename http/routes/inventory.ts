import { adjustmentInputSchema, postAdjustment } from '../../core/adjustment.js';
import { listAvailability, listBalances } from '../../core/balance.js';
import { TRANSACTION_TYPES } from '../../core/ledger.js';
import { moveInputSchema, postMove } from '../../core/move.js';

import { reversalInputSchema, reverseTransaction } from '../../core/reversal.js';
import { id, listQuery, oneOf, string, timestamp } from '../../core/schema.js';
import { getTransaction, listTransactions } from '../../core/transaction.js';
import { listStockValue, VALUE_GROUPINGS } from '../../core/stock-value.js';
import type { Route } from '../route.js';

const statusId = string(1, 64);

export const inventoryRoutes: Route[] = [
  {
    kind: 'list', method: 'GET', path: '/v1/inventory/statuses', permission: 'inventory:read', tag: 'Inventory',
    summary: 'List stock statuses', query: listQuery({}),
    run: async (r, { query: { limit, offset } }) => {
      const all = await r.facilities.listStatuses();
      return { items: all.slice(offset, offset + limit), total: all.length };
    },
  },
  {
    kind: 'list', method: 'GET', path: '/v1/inventory/balances', permission: 'inventory:read', tag: 'Inventory',
    summary: 'On hand by item, location, lot and status; asOf recomputes from the ledger',
    query: listQuery({ itemId: id, facilityId: id, locationId: id, lotId: id, statusId, asOf: timestamp }),
    run: (r, { query: { limit, offset, ...filter } }) => listBalances(r, filter, { limit, offset }),
  },
  {
    kind: 'list', method: 'GET', path: '/v1/inventory/availability', permission: 'inventory:read', tag: 'Inventory',
    summary: 'Available quantity per item and location (or facility), available statuses only, transit excluded',
    query: listQuery({ itemId: id, facilityId: id, locationId: id, groupBy: { ...oneOf(['location', 'facility']), default: 'location' } }),
    run: (r, { query: { limit, offset, groupBy, ...filter } }, ctx) => listAvailability(r, filter, groupBy, { limit, offset }, ctx.now),
  },
  {
    kind: 'list', method: 'GET', path: '/v1/inventory/valuation', permission: 'inventory:read', tag: 'Inventory',
    summary: 'Stock value per item and facility (or per item, or per facility): onHand, value and unitCost in the installation '
      + 'currency (IMS_CURRENCY, default USD; each row names it); asOf recomputes from the ledger',
    query: listQuery({ itemId: id, facilityId: id, asOf: timestamp, groupBy: oneOf(VALUE_GROUPINGS) }),
    run: (r, { query: { limit, offset, ...filter } }, ctx) => listStockValue(r, filter, { limit, offset }, ctx.currency),
  },
  {
    kind: 'list', method: 'GET', path: '/v1/inventory/transactions', permission: 'inventory:read', tag: 'Inventory',
    summary: 'The ledger, newest first; afterSeq gives an oldest-first change feed',
    query: listQuery({
      itemId: id, facilityId: id, locationId: id, type: oneOf(TRANSACTION_TYPES),
      referenceType: string(1, 64), referenceId: string(1, 200), from: timestamp, to: timestamp,
      afterSeq: { type: 'integer', minimum: 0 },
    }),
    run: (r, { query: { limit, offset, ...filter } }) => listTransactions(r, filter, { limit, offset }),
  },
  {
    kind: 'read', method: 'GET', path: '/v1/inventory/transactions/{transactionId}', permission: 'inventory:read', tag: 'Inventory',
    summary: 'Get a ledger transaction with all its lines',
    run: (r, { params }) => getTransaction(r, params.transactionId!),
  },
  {
    kind: 'write', method: 'POST', path: '/v1/inventory/transactions/{transactionId}/reverse', permission: 'inventory:write',
    tag: 'Inventory', status: 201, summary: 'Post a reversal of a transaction (at most once)', body: reversalInputSchema,
    run: (tx, { params, body }, ctx) => reverseTransaction(tx, params.transactionId!, body, ctx.now),
  },
  {
    kind: 'write', method: 'POST', path: '/v1/inventory/adjustments', permission: 'inventory:write', tag: 'Inventory', status: 201,
    summary: 'Post a stock adjustment', body: adjustmentInputSchema,
    run: (tx, { body }, ctx) => postAdjustment(tx, body, ctx.now),
  },
  {
    kind: 'write', method: 'POST', path: '/v1/inventory/moves', permission: 'inventory:write', tag: 'Inventory', status: 201,
    summary: 'Move stock between locations and/or statuses in one facility', body: moveInputSchema,
    run: (tx, { body }, ctx) => postMove(tx, body, ctx.now),
  },
];

