import { actionSchema } from '../../core/document.js';
import {
  activateBom, BOM_STATUSES, bomInputSchema, bomPatchSchema, createBom, explodeBom, explosionQuerySchema, getBom,
  listBoms, patchBom,
} from '../../core/bom.js';
import { id, listQuery, oneOf } from '../../core/schema.js';
import {
  cancelWorkOrder, completeInputSchema, completeWorkOrder, createWorkOrder, getProductionLot, getWorkOrder, listWorkOrders,
  releaseWorkOrder, workOrderInputSchema, workOrderListQuery,
} from '../../core/work-order.js';
import type { Route } from '../route.js';

const BOM = '/v1/production/boms/{bomId}';
const WORK_ORDER = '/v1/production/work-orders/{workOrderId}';

export const productionRoutes: Route[] = [
  {
    kind: 'list', method: 'GET', path: '/v1/production/boms', permission: 'production:read', tag: 'BOMs',
    summary: 'List BOMs, newest first, each with its components',
    query: listQuery({ itemId: id, status: oneOf(BOM_STATUSES) }),
    run: (r, { query: { limit, offset, ...filter } }) => listBoms(r, filter, { limit, offset }),
  },
  {
    kind: 'write', method: 'POST', path: '/v1/production/boms', permission: 'production:write', tag: 'BOMs', status: 201,
    summary: 'Create a draft BOM version of a manufactured or phantom item: 1 to 1000 components per batch of outputQty (default 1), '
      + 'each with an optional uomId (converted exactly) and scrapPct; version defaults to the item\'s next',
    body: bomInputSchema,
    run: (tx, { body }, ctx) => createBom(tx, body, ctx.now, ctx.actor),
  },
  {
    kind: 'read', method: 'GET', path: BOM, permission: 'production:read', tag: 'BOMs',
    summary: 'Get a BOM with its components and status history',
    run: (r, { params }) => getBom(r, params.bomId!),
  },
  {
    kind: 'write', method: 'PATCH', path: BOM, permission: 'production:write', tag: 'BOMs',
    summary: 'Change a draft BOM: outputQty, notes, or all its components (409 invalid_state once active: an active BOM is immutable). '
      + 'If-Match takes the BOM\'s revision (its `version` is the version number)',
    body: bomPatchSchema,
    run: (tx, { params, body }, ctx) => patchBom(tx, params.bomId!, body, ctx.now, ctx.ifMatch),
  },
  {
    kind: 'write', method: 'POST', path: `${BOM}/activate`, permission: 'production:write', tag: 'BOMs',
    summary: 'Activate a draft BOM version; the item\'s previous active version becomes obsolete. 409 conflict naming the cycle when its '
      + 'explosion would reach its own item at any depth',
    body: actionSchema,
    run: (tx, { params }, ctx) => activateBom(tx, params.bomId!, ctx.now, ctx.actor),
  },
  {
    kind: 'read', method: 'GET', path: `${BOM}/explosion`, permission: 'production:read', tag: 'BOMs',
    summary: 'Multi-level explosion for qty (default one batch): the tree through the active BOM of every manufactured or phantom component '
      + '(phantoms always; levels limits manufactured levels, default all), each node qty × (1 + scrapPct/100) / outputQty of its parent, '
      + 'exact, rounded up to the component\'s UOM (roundedUp says when); and the flattened requirement per leaf item. With facilityId: '
      + 'on hand, available and shortfall per item, and maxBuildable from available stock',
    query: explosionQuerySchema,
    run: (r, { params, query }, ctx) => explodeBom(r, params.bomId!, query, ctx.now),
  },
  {
    kind: 'list', method: 'GET', path: '/v1/production/work-orders', permission: 'production:read', tag: 'Work orders',
    summary: 'List work orders, newest first; q searches the work order number',
    query: listQuery(workOrderListQuery),
    run: (r, { query: { limit, offset, ...filter } }) => listWorkOrders(r, filter, { limit, offset }),
  },
  {
    kind: 'write', method: 'POST', path: '/v1/production/work-orders', permission: 'production:write', tag: 'Work orders', status: 201,
    summary: 'Create a draft work order (WO-000001): pins the BOM (default the item\'s active one) and lists the components it issues: '
      + 'one level, through phantoms, scrap included',
    body: workOrderInputSchema,
    run: (tx, { body }, ctx) => createWorkOrder(tx, body, ctx.now, ctx.actor),
  },
  {
    kind: 'read', method: 'GET', path: WORK_ORDER, permission: 'production:read', tag: 'Work orders',
    summary: 'Get a work order with its component lines, completions (transactions, output lot) and status history',
    run: (r, { params }) => getWorkOrder(r, params.workOrderId!),
  },
  {
    kind: 'write', method: 'POST', path: `${WORK_ORDER}/release`, permission: 'production:write', tag: 'Work orders',
    summary: 'Release to the floor: reserve every component at the facility, all or none (409 insufficient_stock names the short ones)',
    body: actionSchema,
    run: (tx, { params }, ctx) => releaseWorkOrder(tx, params.workOrderId!, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: `${WORK_ORDER}/complete`, permission: 'production:write', tag: 'Work orders',
    summary: 'Complete qty (default all that is left): one production_issue of each component\'s share (scrap included) from its '
      + 'reservation, and one production_output, both or neither. lotNo for a lot-tracked output (the lot records the work order and '
      + 'BOM version), expiresOn for an expiry-tracked one, serialNos for a serial-tracked one. Partial: stays released',
    body: completeInputSchema,
    run: (tx, { params, body }, ctx) => completeWorkOrder(tx, params.workOrderId!, body, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: `${WORK_ORDER}/cancel`, permission: 'production:write', tag: 'Work orders',
    summary: 'Cancel a draft or released work order, releasing its reservations (after a partial completion: closes it short)',
    body: actionSchema,
    run: (tx, { params }, ctx) => cancelWorkOrder(tx, params.workOrderId!, ctx.now, ctx.actor),
  },
  {
    kind: 'read', method: 'GET', path: '/v1/production/lots/{lotId}', permission: 'production:read', tag: 'Work orders',
    summary: 'A lot and its origin: the work order and BOM version that produced it (null for a lot that was not produced)',
    run: (r, { params }) => getProductionLot(r, params.lotId!),
  },
];
