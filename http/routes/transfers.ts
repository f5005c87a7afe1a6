import { actionSchema } from '../../core/document.js';
import { id, listQuery, oneOf, string } from '../../core/schema.js';
import {
  cancelTransfer, createTransfer, getTransfer, listTransfers, receiveInputSchema, receiveTransfer, releaseTransfer, shipInputSchema,
  shipTransfer, TRANSFER_STATUSES, transferInputSchema,
} from '../../core/transfer.js';
import type { Route } from '../route.js';

const TRANSFER = '/v1/inventory/transfers/{transferId}';
const action = (name: string) => `${TRANSFER}/${name}`;

export const transferRoutes: Route[] = [
  {
    kind: 'list', method: 'GET', path: '/v1/inventory/transfers', permission: 'inventory:read', tag: 'Transfers',
    summary: 'List transfer orders between facilities, newest first; q searches the transfer number',
    query: listQuery({
      status: oneOf(TRANSFER_STATUSES), fromFacilityId: id, toFacilityId: id, itemId: id, q: string(1, 64),
    }),
    run: (r, { query: { limit, offset, ...filter } }) => listTransfers(r, filter, { limit, offset }),
  },
  {
    kind: 'write', method: 'POST', path: '/v1/inventory/transfers', permission: 'inventory:write', tag: 'Transfers', status: 201,
    summary: 'Create a draft transfer order of 1 to 1000 lines from one facility to another', body: transferInputSchema,
    run: (tx, { body }, ctx) => createTransfer(tx, body, ctx.now, ctx.actor),
  },
  {
    kind: 'read', method: 'GET', path: TRANSFER, permission: 'inventory:read', tag: 'Transfers',
    summary: 'Get a transfer order with all its lines and its status history',
    run: (r, { params }) => getTransfer(r, params.transferId!),
  },
  {
    kind: 'write', method: 'POST', path: action('release'), permission: 'inventory:write', tag: 'Transfers',
    summary: 'Release a draft: reserve every line at the source, all or none (409 insufficient_stock names the short lines)',
    body: actionSchema,
    run: (tx, { params }, ctx) => releaseTransfer(tx, params.transferId!, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: action('ship'), permission: 'inventory:write', tag: 'Transfers',
    summary: 'Ship (part of) lines: one transfer_out from source locations into the destination\'s transit location, consuming the lines\' reservations',
    body: shipInputSchema,
    run: (tx, { params, body }, ctx) => shipTransfer(tx, params.transferId!, body, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: action('receive'), permission: 'inventory:write', tag: 'Transfers',
    summary: 'Receive (part of) what is in transit: one transfer_in into destination locations, lots and serials as shipped, oldest first',
    body: receiveInputSchema,
    run: (tx, { params, body }, ctx) => receiveTransfer(tx, params.transferId!, body, ctx.now, ctx.actor),
  },
  {
    kind: 'write', method: 'POST', path: action('cancel'), permission: 'inventory:write', tag: 'Transfers',
    summary: 'Cancel a draft or released transfer, releasing its reservations (409 invalid_state once anything shipped)',
    body: actionSchema,
    run: (tx, { params }, ctx) => cancelTransfer(tx, params.transferId!, ctx.now, ctx.actor),
  },
];
