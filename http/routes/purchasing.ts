import { actionSchema } from '../../core/document.js';
import {
  approvePurchaseOrder, cancelPurchaseOrder, createPurchaseOrder, getPurchaseOrder, listPurchaseOrders, patchPurchaseOrder,
  purchaseOrderInputSchema, purchaseOrderPatchSchema, sendPurchaseOrder, submitPurchaseOrder,
} from '../../core/purchase-order.js';
import { PURCHASE_ORDER_STATUSES, REQUISITION_STATUSES } from '../../core/purchasing.js';
import { listReceipts, receiptInputSchema, receivePurchaseOrder } from '../../core/receipt.js';
import {
  approveRequisition, cancelRequisition, convertRequisition, createRequisition, getRequisition, listRequisitions, patchRequisition,
  rejectRequisition, replenishmentRequisitionSchema, requisitionInputSchema, requisitionPatchSchema,
  requisitionsFromReplenishment, submitRequisition,
} from '../../core/requisition.js';
import { id, listQuery, oneOf, string } from '../../core/schema.js';
import type { Route } from '../route.js';

const PO = '/v1/procurement/purchase-orders/{id}';
const RQ = '/v1/procurement/requisitions/{id}';
const tag = 'Procurement';

export const purchasingRoutes: Route[] = [
  // --- purchase orders
  {
    kind: 'list', method: 'GET', path: '/v1/procurement/purchase-orders', permission: 'procurement:read', tag,
    summary: 'List purchase orders with their lines, newest first; q matches the PO number or the supplier\'s code or name',
    query: listQuery({ status: oneOf(PURCHASE_ORDER_STATUSES), supplierId: id, facilityId: id, itemId: id, q: string(1, 200) }),
    run: (r, { query: { limit, offset, ...filter } }) => listPurchaseOrders(r, filter, { limit, offset }),
  },
  {
    kind: 'write', method: 'POST', path: '/v1/procurement/purchase-orders', permission: 'procurement:write', tag, status: 201,
    summary: 'Create a draft purchase order (PO-000001, ...) of 1 to 1000 lines { itemId, qty, uomId? (default the item\'s base UOM), unitPrice } '
      + 'from an active supplier for a facility; currency defaults to the supplier\'s; each line\'s amount (qty × unitPrice) must be exact to 6 decimals',
    body: purchaseOrderInputSchema,
    run: (tx, { body }, ctx) => createPurchaseOrder(tx, body, ctx.now, ctx.actor),
  },
  {
    kind: 'read', method: 'GET', path: PO, permission: 'procurement:read', tag,
    summary: 'Get a purchase order with its lines (qty, qtyReceived and amount per line), total and status history',
    run: (r, { params }) => getPurchaseOrder(r, params.id!),
  },
  {
    kind: 'write', method: 'PATCH', path: PO, permission: 'procurement:write', tag,
    summary: 'Update a draft purchase order (409 invalid_state otherwise; If-Match: <version>); lines, when given, replace the order\'s lines, '
      + 'and a line naming the id of an existing line keeps it (and its requisition link)',
    body: purchaseOrderPatchSchema,
    run: (tx, { params, body }, ctx) => patchPurchaseOrder(tx, params.id!, body, ctx.now, ctx.ifMatch),
  },
  {
    kind: 'write', method: 'POST', path: `${PO}/submit`, permission: 'procurement:write', tag,
    summary: 'Submit a draft for approval (409 invalid_state when the supplier or an item is inactive)', body: actionSchema,
    run: (tx, { params }, ctx) => submitPurchaseOrder(tx, params.id!, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: `${PO}/approve`, permission: 'procurement:write', tag,
    summary: 'Approve a submitted purchase order: goods may be received from now on', body: actionSchema,
    run: (tx, { params }, ctx) => approvePurchaseOrder(tx, params.id!, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: `${PO}/send`, permission: 'procurement:write', tag,
    summary: 'Mark an approved purchase order sent to the supplier', body: actionSchema,
    run: (tx, { params }, ctx) => sendPurchaseOrder(tx, params.id!, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: `${PO}/cancel`, permission: 'procurement:write', tag,
    summary: 'Cancel a purchase order in any state before its first receipt (409 invalid_state after)', body: actionSchema,
    run: (tx, { params }, ctx) => cancelPurchaseOrder(tx, params.id!, ctx.now, ctx.actor),
  },
  {
    kind: 'list', method: 'GET', path: `${PO}/receipts`, permission: 'procurement:read', tag,
    summary: 'List the goods receipts of a purchase order, oldest first',
    query: listQuery({}),
    run: (r, { params, query: { limit, offset } }) => listReceipts(r, params.id!, { limit, offset }),
  },
  {
    kind: 'write', method: 'POST', path: `${PO}/receipts`, permission: 'procurement:write', tag, status: 201,
    summary: 'Record a goods receipt on an approved, sent or partially received order: lines { lineId, qty (in the line\'s UOM), locationId, '
      + 'statusId?, lotNo?, expiresOn?, serialNos? } post one receipt transaction referencing the order; the order becomes partially_received '
      + 'or received; receiving more than a line has left is a 409 conflict',
    body: receiptInputSchema,
    run: (tx, { params, body }, ctx) => receivePurchaseOrder(tx, params.id!, body, ctx.now, ctx.actor),
  },
  // --- requisitions
  {
    kind: 'list', method: 'GET', path: '/v1/procurement/requisitions', permission: 'procurement:read', tag,
    summary: 'List requisitions with their lines, newest first; q matches the requisition number',
    query: listQuery({ status: oneOf(REQUISITION_STATUSES), facilityId: id, itemId: id, q: string(1, 64) }),
    run: (r, { query: { limit, offset, ...filter } }) => listRequisitions(r, filter, { limit, offset }),
  },
  {
    kind: 'write', method: 'POST', path: '/v1/procurement/requisitions', permission: 'procurement:write', tag, status: 201,
    summary: 'Create a draft requisition (RQ-000001, ...) of 1 to 1000 lines { itemId, qty, uomId?, neededBy?, supplierId? } for a facility',
    body: requisitionInputSchema,
    run: (tx, { body }, ctx) => createRequisition(tx, body, ctx.now, ctx.actor),
  },
  {
    kind: 'read', method: 'GET', path: RQ, permission: 'procurement:read', tag,
    summary: 'Get a requisition with its lines (each with the purchase order it went to) and status history',
    run: (r, { params }) => getRequisition(r, params.id!),
  },
  {
    kind: 'write', method: 'PATCH', path: RQ, permission: 'procurement:write', tag,
    summary: 'Update a draft requisition (409 invalid_state otherwise; If-Match: <version>); lines, when given, replace its lines',
    body: requisitionPatchSchema,
    run: (tx, { params, body }, ctx) => patchRequisition(tx, params.id!, body, ctx.now, ctx.ifMatch),
  },
  {
    kind: 'write', method: 'POST', path: `${RQ}/submit`, permission: 'procurement:write', tag,
    summary: 'Submit a draft requisition for approval', body: actionSchema,
    run: (tx, { params }, ctx) => submitRequisition(tx, params.id!, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: `${RQ}/approve`, permission: 'procurement:write', tag,
    summary: 'Approve a submitted requisition', body: actionSchema,
    run: (tx, { params }, ctx) => approveRequisition(tx, params.id!, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: `${RQ}/reject`, permission: 'procurement:write', tag,
    summary: 'Reject a submitted requisition (terminal)', body: actionSchema,
    run: (tx, { params }, ctx) => rejectRequisition(tx, params.id!, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: `${RQ}/cancel`, permission: 'procurement:write', tag,
    summary: 'Cancel a draft, submitted or approved requisition', body: actionSchema,
    run: (tx, { params }, ctx) => cancelRequisition(tx, params.id!, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: `${RQ}/convert`, permission: 'procurement:write', tag,
    summary: 'Convert an approved requisition into draft purchase orders, one per supplier (a line\'s own supplier, else the preferred supplier '
      + 'of its item\'s reorder policy; 400 naming /lines/<i>/supplierId when neither); the requisition becomes ordered and each line shows its '
      + 'purchaseOrderId; prices start at the supplier\'s last price for the item (else 0), to be confirmed on the draft',
    body: actionSchema,
    run: (tx, { params }, ctx) => convertRequisition(tx, params.id!, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: '/v1/inventory/replenishment/requisitions', permission: 'procurement:write', tag, status: 201,
    summary: 'Turn the current replenishment suggestions (of facilityId, of policyIds; all by default) into draft requisitions, one per facility, '
      + 'with each policy\'s preferred supplier; what open requisitions already ask for is not asked again; answers the requisitions made '
      + '(an empty list when nothing is suggested)',
    body: replenishmentRequisitionSchema,
    run: (tx, { body }, ctx) => requisitionsFromReplenishment(tx, body, ctx.now, ctx.actor),
  },
];
