import { actionSchema } from '../../core/document.js';
import {
  cancelSalesOrder, createSalesOrder, getSalesOrder, listSalesOrders, openSalesOrder, patchSalesOrder,
  salesOrderInputSchema, salesOrderPatchSchema, salesShipInputSchema, shipSalesOrder,
} from '../../core/sales-order.js';
import { SALES_ORDER_STATUSES } from '../../core/sales.js';
import { id, listQuery, oneOf, string } from '../../core/schema.js';
import type { Route } from '../route.js';

const ORDER = '/v1/sales/orders/{id}';
const action = (name: string) => `${ORDER}/${name}`;

export const salesRoutes: Route[] = [
  {
    kind: 'list', method: 'GET', path: '/v1/sales/orders', permission: 'sales:read', tag: 'Sales',
    summary: 'List sales orders with their lines, newest first; q matches the order number or the customer\'s code',
    query: listQuery({ status: oneOf(SALES_ORDER_STATUSES), customerId: id, facilityId: id, itemId: id, q: string(1, 64) }),
    run: (r, { query: { limit, offset, ...filter } }) => listSalesOrders(r, filter, { limit, offset }),
  },
  {
    kind: 'write', method: 'POST', path: '/v1/sales/orders', permission: 'sales:write', tag: 'Sales', status: 201,
    summary: 'Create a draft sales order (SO-000001, ...) of 1 to 1000 lines: qty in the line\'s uomId (default the item\'s base UOM), '
      + 'unitPrice per that UOM; amount = qty × unitPrice and total are exact (a product that needs more than 6 decimals is a 400). '
      + 'An inactive customer or item is a 409 invalid_state',
    body: salesOrderInputSchema,
    run: (tx, { body }, ctx) => createSalesOrder(tx, body, ctx.now, ctx.actor),
  },
  {
    kind: 'read', method: 'GET', path: ORDER, permission: 'sales:read', tag: 'Sales',
    summary: 'Get a sales order with all its lines (qtyShipped, reservationId) and its status history',
    run: (r, { params }) => getSalesOrder(r, params.id!),
  },
  {
    kind: 'write', method: 'PATCH', path: ORDER, permission: 'sales:write', tag: 'Sales',
    summary: 'Update a draft order (409 invalid_state otherwise): the fields given replace theirs, lines are replaced wholesale '
      + '(new line ids). If-Match: <version> guards against lost updates',
    body: salesOrderPatchSchema,
    run: (tx, { params, body }, ctx) => patchSalesOrder(tx, params.id!, body, ctx.now, ctx.ifMatch),
  },
  {
    kind: 'write', method: 'POST', path: action('open'), permission: 'sales:write', tag: 'Sales',
    summary: 'Open a draft for fulfilment: reserve every line at the facility (demand sales_order), all or none; '
      + '409 insufficient_stock names the short lines (/lines/<i>/qty) and the order stays draft',
    body: actionSchema,
    run: (tx, { params }, ctx) => openSalesOrder(tx, params.id!, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: action('ship'), permission: 'sales:write', tag: 'Sales',
    summary: 'Record a shipment of (part of) lines: qty in the line\'s UOM; from locationId (and lotId for lot-tracked items), '
      + 'from the serialNos named (serial-tracked items), or picked: the line\'s allocations first, then unallocated stock at '
      + 'pickable locations, first-expired then first-received. One shipment transaction (reference sales_order); each line\'s '
      + 'reservation is fulfilled by what ships. More than a line has left is a 409 conflict',
    body: salesShipInputSchema,
    run: (tx, { params, body }, ctx) => shipSalesOrder(tx, params.id!, body, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: action('cancel'), permission: 'sales:write', tag: 'Sales',
    summary: 'Cancel a draft or open order, releasing its reservations (409 invalid_state once anything shipped)',
    body: actionSchema,
    run: (tx, { params }, ctx) => cancelSalesOrder(tx, params.id!, ctx.now, ctx.actor),
  },
];
