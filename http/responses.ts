// What each route answers: the JSON Schema of the records the API returns, published as
// components of the OpenAPI document, and which record each route answers with. Every field
// listed is required (the server always sends it; null where the type allows), and records
// stay open to new fields, so adding a field is not a breaking change. The HTTP tests check
// every 2xx answer they receive against these schemas (test/http/harness.ts), so they cannot
// drift from what the server sends.
import { BOM_STATUSES } from '../core/bom.js';
import { COUNT_STATUSES } from '../core/count.js';
import { EVENT_TYPES } from '../core/event.js';
import { FACILITY_TYPES } from '../core/facility.js';
import { IDENTIFIER_TYPES, ITEM_KINDS } from '../core/item.js';
import { TRANSACTION_TYPES } from '../core/ledger.js';
import { LOCATION_TYPES } from '../core/location.js';
import { PURCHASE_ORDER_STATUSES, REQUISITION_STATUSES } from '../core/purchasing.js';
import { DEMAND_TYPES, RESERVATION_STATUSES } from '../core/reservation.js';
import { SALES_ORDER_STATUSES } from '../core/sales.js';
import type { Schema } from '../core/schema.js';
import { TRANSFER_STATUSES } from '../core/transfer.js';
import { COST_METHODS } from '../core/valuation.js';
import { WORK_ORDER_STATUSES } from '../core/work-order.js';
import type { Route } from './route.js';

/**
 * A field type in short: `uuid`, `string`, `date` (YYYY-MM-DD), `time` (ISO timestamp), `int`,
 * `qty` (an exact quantity), `bool`, `strings`; a `?` suffix allows null. Or a schema.
 */
type Field = string | Schema;

const SHORT: Record<string, Schema> = {
  uuid: { type: 'string', format: 'uuid' },
  string: { type: 'string' },
  date: { type: 'string', format: 'date' },
  time: { type: 'string', format: 'date-time' },
  int: { type: 'integer' },
  qty: { type: 'number' },
  bool: { type: 'boolean' },
  strings: { type: 'array', items: { type: 'string' } },
};

function field(f: Field): Schema {
  if (typeof f !== 'string') return f;
  const nullable = f.endsWith('?');
  const base = SHORT[nullable ? f.slice(0, -1) : f];
  if (!base) throw new Error(`unknown field type ${f}`);
  if (!nullable) return base;
  return { ...base, type: [base.type as string, 'null'] };
}

/** An open record whose listed fields are all present. */
export function record(fields: Record<string, Field>): Schema {
  const properties = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, field(v)]));
  return { type: 'object', required: Object.keys(fields), properties };
}

const list = (items: Schema): Schema => ({ type: 'array', items });
const oneOf = (values: readonly string[]): Schema => ({ type: 'string', enum: [...values] });
const TRACKING = oneOf(['none', 'tracked']);
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: 'null' }] });

const actor = record({ tokenId: 'uuid?', name: 'string' });
const history = list(record({ from: 'string?', to: 'string', at: 'time', by: nullable(actor) }));
const stamps = { createdAt: 'time', updatedAt: 'time', version: 'int' } as const;

/** A money amount in the installation's currency (IMS_CURRENCY), exact to six decimals. */
function money(what: string): Schema {
  return { type: 'number', description: `Money in the installation's currency (IMS_CURRENCY), ${what}`, examples: [12.5] };
}

const webhookFields = {
  id: 'uuid', url: { type: 'string', format: 'uri' }, description: 'string?',
  eventTypes: { type: ['array', 'null'], items: { type: 'string' } }, isActive: 'bool',
  delivery: record({
    cursor: 'int', failures: 'int', nextAttemptAt: 'time?', lastAttemptAt: 'time?', lastStatus: 'int?', lastError: 'string?', lastDeliveredAt: 'time?',
  }),
} as const;

const transactionLine = record({
  lineNo: 'int', itemId: 'uuid', facilityId: 'uuid', locationId: 'uuid', lotId: 'uuid?', lotNo: 'string?', serialNos: 'strings',
  statusId: 'string', qtyDelta: 'qty', onHandAfter: 'qty', unitCost: money('per base unit'), valueDelta: money('exact'),
});

const explosionNode: Schema = record({
  itemId: 'uuid', itemNo: 'string', itemKind: 'string', level: 'int', qtyPerBatch: 'qty', scrapPct: 'qty', qty: 'qty', roundedUp: 'bool',
  bomId: 'uuid?', bomVersion: 'int?', leafReason: 'string?', components: { type: 'array', items: { $ref: '#/components/schemas/ExplosionNode' } },
});

/** Every record the API answers with, by component name. */
export const RECORDS: Record<string, Schema> = {
  Health: record({ service: 'string', status: { type: 'string', enum: ['healthy', 'unhealthy'] }, version: 'string', timestamp: 'time' }),
  Uom: record({ id: 'uuid', code: 'string', name: 'string', decimals: 'int', createdAt: 'time' }),
  Item: record({
    id: 'uuid', itemNo: 'string', name: 'string', description: 'string?', itemKind: oneOf(ITEM_KINDS), baseUomId: 'uuid',
    lotTracking: TRACKING, serialTracking: TRACKING, expiryTracking: TRACKING, isActive: 'bool',
    identifiers: list(record({ type: oneOf(IDENTIFIER_TYPES), value: 'string' })),
    attributes: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    uomConversions: list(record({ uomId: 'uuid', factor: 'qty' })), costMethod: oneOf(COST_METHODS), ...stamps,
  }),
  Facility: record({ id: 'uuid', code: 'string', name: 'string', type: oneOf(FACILITY_TYPES), isActive: 'bool', ...stamps }),
  Location: record({
    id: 'uuid', facilityId: 'uuid', code: 'string', name: 'string', parentId: 'uuid?', type: oneOf(LOCATION_TYPES), isPickable: 'bool', depth: 'int',
    path: 'string', createdAt: 'time',
  }),
  StockStatus: record({ id: 'string', name: 'string', isAvailable: 'bool' }),
  Balance: record({
    itemId: 'uuid', itemNo: 'string', facilityId: 'uuid', locationId: 'uuid', lotId: 'uuid?', lotNo: 'string?', expiresOn: 'date?',
    statusId: 'string', onHand: 'qty',
  }),
  Availability: {
    anyOf: [
      record({ itemId: 'uuid', facilityId: 'uuid', locationId: 'uuid', onHand: 'qty', allocated: 'qty', available: 'qty' }),
      record({ itemId: 'uuid', facilityId: 'uuid', onHand: 'qty', reserved: 'qty', allocated: 'qty', available: 'qty' }),
    ],
  },
  Transaction: record({
    id: 'uuid', seq: 'int', type: oneOf(TRANSACTION_TYPES), occurredAt: 'time', postedAt: 'time', reason: 'string?',
    reference: record({ type: 'string?', id: 'string?' }), reversesTransactionId: 'uuid?', reversedByTransactionId: 'uuid?',
    lines: list(transactionLine),
  }),
  Reservation: record({
    id: 'uuid', itemId: 'uuid', facilityId: 'uuid', qty: 'qty', qtyAllocated: 'qty', qtyFulfilled: 'qty', status: oneOf(RESERVATION_STATUSES),
    demand: record({ type: oneOf(DEMAND_TYPES), id: 'string?', lineId: 'string?' }), expiresAt: 'time?', ...stamps,
  }),
  Allocation: record({
    id: 'uuid', reservationId: 'uuid', itemId: 'uuid', facilityId: 'uuid', locationId: 'uuid', lotId: 'uuid?', lotNo: 'string?', qty: 'qty',
    createdAt: 'time',
  }),
  Transfer: record({
    id: 'uuid', transferNo: 'string', fromFacilityId: 'uuid', toFacilityId: 'uuid', status: oneOf(TRANSFER_STATUSES), notes: 'string?',
    lines: list(record({ id: 'uuid', lineNo: 'int', itemId: 'uuid', qty: 'qty', lotId: 'uuid?', qtyShipped: 'qty', qtyReceived: 'qty' })),
    statusHistory: history, ...stamps,
  }),
  CountSession: record({
    id: 'uuid', sessionNo: 'string', facilityId: 'uuid', locationIds: { type: ['array', 'null'], items: { type: 'string' } },
    itemIds: { type: ['array', 'null'], items: { type: 'string' } }, blind: 'bool', notes: 'string?', status: oneOf(COUNT_STATUSES), snapshotSeq: 'int',
    lines: list(record({
      id: 'uuid', itemId: 'uuid', locationId: 'uuid', lotId: 'uuid?', lotNo: 'string?', snapshotQty: 'qty?', expectedQty: 'qty?',
      countedQty: 'qty?', variance: 'qty?', movedSinceSnapshot: 'bool?', countedAt: 'time?', serialNos: 'strings',
    })),
    postedTransactionId: 'uuid?', statusHistory: history, ...stamps,
  }),
  Policy: record({
    id: 'uuid', itemId: 'uuid', facilityId: 'uuid', minQty: 'qty', maxQty: 'qty', safetyStockQty: 'qty', reorderQty: 'qty?',
    leadTimeDays: 'int?', preferredSupplierId: 'uuid?', ...stamps,
  }),
  Replenishment: record({
    policyId: 'uuid', itemId: 'uuid', facilityId: 'uuid', available: 'qty', onOrder: 'qty', inbound: 'qty', projected: 'qty',
    suggestedQty: 'qty', preferredSupplierId: 'uuid?',
  }),
  Supplier: record({
    id: 'uuid', code: 'string', name: 'string', email: 'string?', phone: 'string?', currency: 'string?', leadTimeDays: 'int?',
    isActive: 'bool', ...stamps,
  }),
  Customer: record({ id: 'uuid', code: 'string', name: 'string', email: 'string?', phone: 'string?', isActive: 'bool', ...stamps }),
  Requisition: record({
    id: 'uuid', requisitionNo: 'string', facilityId: 'uuid', status: oneOf(REQUISITION_STATUSES), notes: 'string?',
    lines: list(record({
      id: 'uuid', lineNo: 'int', itemId: 'uuid', qty: 'qty', uomId: 'uuid', neededBy: 'date?', supplierId: 'uuid?', purchaseOrderId: 'uuid?',
    })),
    statusHistory: history, ...stamps,
  }),
  PurchaseOrder: record({
    id: 'uuid', poNo: 'string', supplierId: 'uuid', facilityId: 'uuid', status: oneOf(PURCHASE_ORDER_STATUSES), currency: 'string?', expectedOn: 'date?',
    notes: 'string?', total: 'qty',
    lines: list(record({
      id: 'uuid', lineNo: 'int', itemId: 'uuid', qty: 'qty', uomId: 'uuid', unitPrice: 'qty', qtyReceived: 'qty', amount: 'qty',
      requisitionLineId: 'uuid?',
    })),
    statusHistory: history, ...stamps,
  }),
  Receipt: record({
    id: 'uuid', purchaseOrderId: 'uuid', transactionId: 'uuid', reason: 'string?', receivedAt: 'time', by: nullable(actor),
    lines: list(record({
      lineNo: 'int', lineId: 'uuid', itemId: 'uuid', qty: 'qty', uomId: 'uuid', locationId: 'uuid', statusId: 'string', lotId: 'uuid?',
      lotNo: 'string?', expiresOn: 'date?', serialNos: 'strings',
    })),
  }),
  SalesOrder: record({
    id: 'uuid', orderNo: 'string', customerId: 'uuid', facilityId: 'uuid', status: oneOf(SALES_ORDER_STATUSES), requestedOn: 'date?', notes: 'string?',
    currency: 'string?', total: 'qty',
    lines: list(record({
      id: 'uuid', lineNo: 'int', itemId: 'uuid', qty: 'qty', uomId: 'uuid', unitPrice: 'qty', amount: 'qty', qtyShipped: 'qty',
      reservationId: 'uuid?',
    })),
    statusHistory: history, ...stamps,
  }),
  Bom: record({
    id: 'uuid', itemId: 'uuid', version: 'int', status: oneOf(BOM_STATUSES), outputQty: 'qty', notes: 'string?',
    components: list(record({ id: 'uuid', lineNo: 'int', itemId: 'uuid', qty: 'qty', uomId: 'uuid?', qtyBase: 'qty', scrapPct: 'qty' })),
    statusHistory: history, createdAt: 'time', updatedAt: 'time', revision: 'int',
  }),
  ExplosionNode: explosionNode,
  Explosion: {
    ...record({
      bomId: 'uuid', itemId: 'uuid', itemNo: 'string', bomVersion: 'int', bomStatus: oneOf(BOM_STATUSES), outputQty: 'qty', qty: 'qty', levels: 'int?',
      nodes: 'int', tree: list(ref('ExplosionNode')),
      flattened: list({
        ...record({ itemId: 'uuid', itemNo: 'string', itemKind: 'string', uomId: 'uuid', qty: 'qty', roundedUp: 'bool', holdsStock: 'bool' }),
        description: 'With facilityId, stocked items also have onHand, available and shortfall',
      }),
    }),
    description: 'With facilityId, also facilityId and maxBuildable (the most of the item its available stock can build)',
  },
  WorkOrder: record({
    id: 'uuid', workOrderNo: 'string', itemId: 'uuid', bomId: 'uuid', bomVersion: 'int', facilityId: 'uuid', outputLocationId: 'uuid',
    componentLocationId: 'uuid?', qty: 'qty', qtyCompleted: 'qty', status: oneOf(WORK_ORDER_STATUSES), notes: 'string?',
    components: list(record({ id: 'uuid', lineNo: 'int', itemId: 'uuid', qtyRequired: 'qty', qtyIssued: 'qty', reservationId: 'uuid?' })),
    completions: list(record({ id: 'uuid', completionNo: 'int', qty: 'qty', issueTransactionId: 'uuid?', outputTransactionId: 'uuid', lotId: 'uuid?', lotNo: 'string?' })),
    statusHistory: history, ...stamps,
  }),
  ProductionLot: record({
    id: 'uuid', itemId: 'uuid', lotNo: 'string', expiresOn: 'date?', createdAt: 'time',
    origin: nullable(record({ type: 'string', workOrderId: 'uuid', workOrderNo: 'string', bomId: 'uuid', bomVersion: 'int' })),
  }),
  StockValue: {
    type: 'object', required: ['value', 'currency'],
    description: 'One item at one facility, one item (groupBy=item: onHand and unitCost across facilities), or one facility (groupBy=facility: value only)',
    properties: {
      itemId: field('uuid'), itemNo: field('string'), facilityId: field('uuid'), onHand: field('qty'),
      value: money('exact'), unitCost: { ...money('value / onHand, to six decimals; null at no stock'), type: ['number', 'null'] }, currency: field('string'),
    },
  },
  Event: record({ seq: 'int', id: 'uuid', type: oneOf(EVENT_TYPES), occurredAt: 'time', data: { type: 'object' } }),
  Webhook: record({ ...webhookFields, ...stamps }),
  CreatedWebhook: record({
    ...webhookFields, ...stamps,
    secret: { type: ['string', 'null'], description: 'The signing secret: shown at creation only (null on an Idempotency-Key replay)' },
  }),
  Token: record({ id: 'uuid', name: 'string', permissions: 'strings', createdAt: 'time', expiresAt: 'time?', revokedAt: 'time?' }),
  CreatedToken: record({
    id: 'uuid', name: 'string', permissions: 'strings', token: { type: 'string', description: 'The clear token: shown this once, stored only as a hash' },
    createdAt: 'time', expiresAt: 'time?',
  }),
};

/** The answer of a route that answers with something other than a JSON record. */
export interface OtherAnswer {
  contentType: string;
  schema: Schema;
}

const OTHER: Record<string, OtherAnswer> = {
  'GET /v1/openapi.json': {
    contentType: 'application/json',
    schema: {
      type: 'object', required: ['openapi', 'info', 'paths'], description: 'This document',
      properties: { openapi: { type: 'string', examples: ['3.1.0'] }, info: { type: 'object' }, paths: { type: 'object' } },
    },
  },
  'GET /metrics': { contentType: 'text/plain; version=0.0.4', schema: { type: 'string', description: 'Prometheus text exposition' } },
  'GET /docs': { contentType: 'text/html', schema: { type: 'string' } },
  'GET /docs/docs.js': { contentType: 'text/javascript', schema: { type: 'string' } },
  'GET /docs/docs.css': { contentType: 'text/css', schema: { type: 'string' } },
};

/** Which record a route's `data` holds (a list's items), by method and path; routes not here have no JSON record. */
const ANSWERS: Array<[RegExp, string]> = [
  [/^GET \/health$/, 'Health'],
  [/^\w+ \/v1\/uoms/, 'Uom'],
  [/^\w+ \/v1\/items/, 'Item'],
  [/^\w+ \/v1\/facilities\/\{facilityId\}\/locations/, 'Location'],
  [/^\w+ \/v1\/facilities/, 'Facility'],
  [/^GET \/v1\/inventory\/statuses$/, 'StockStatus'],
  [/^GET \/v1\/inventory\/balances$/, 'Balance'],
  [/^GET \/v1\/inventory\/availability$/, 'Availability'],
  [/^\w+ \/v1\/inventory\/(transactions|adjustments|moves)/, 'Transaction'],
  [/^\w+ \/v1\/inventory\/reservations/, 'Reservation'],
  [/^GET \/v1\/inventory\/allocations$/, 'Allocation'],
  [/^\w+ \/v1\/inventory\/transfers/, 'Transfer'],
  [/^\w+ \/v1\/inventory\/count-sessions/, 'CountSession'],
  [/^\w+ \/v1\/inventory\/policies/, 'Policy'],
  [/^POST \/v1\/inventory\/replenishment\/requisitions$/, 'Requisition[]'],
  [/^GET \/v1\/inventory\/replenishment$/, 'Replenishment'],
  [/^\w+ \/v1\/procurement\/suppliers/, 'Supplier'],
  [/^\w+ \/v1\/sales\/customers/, 'Customer'],
  [/^\w+ \/v1\/procurement\/requisitions/, 'Requisition'],
  [/^\w+ \/v1\/procurement\/purchase-orders\/\{id\}\/receipts$/, 'Receipt'],
  [/^\w+ \/v1\/procurement\/purchase-orders/, 'PurchaseOrder'],
  [/^\w+ \/v1\/sales\/orders/, 'SalesOrder'],
  [/^GET \/v1\/production\/boms\/\{bomId\}\/explosion$/, 'Explosion'],
  [/^\w+ \/v1\/production\/boms/, 'Bom'],
  [/^\w+ \/v1\/production\/work-orders/, 'WorkOrder'],
  [/^GET \/v1\/production\/lots\/\{lotId\}$/, 'ProductionLot'],
  [/^GET \/v1\/inventory\/valuation$/, 'StockValue'],
  [/^GET \/v1\/events$/, 'Event'],
  [/^POST \/v1\/webhooks$/, 'CreatedWebhook'],
  [/^\w+ \/v1\/webhooks/, 'Webhook'],
  [/^POST \/v1\/auth\/tokens$/, 'CreatedToken'],
  [/^\w+ \/v1\/auth\/tokens/, 'Token'],
];

export type Answer =
  | { kind: 'record'; name: string; many: boolean }
  | { kind: 'other'; other: OtherAnswer }
  | { kind: 'unknown' };

/** What `route` answers with on success. */
export function answerOf(route: Pick<Route, 'method' | 'path'>): Answer {
  const key = `${route.method} ${route.path}`;
  const other = OTHER[key];
  if (other) return { kind: 'other', other };
  const hit = ANSWERS.find(([pattern]) => pattern.test(key));
  if (!hit) return { kind: 'unknown' };
  const many = hit[1].endsWith('[]');
  return { kind: 'record', name: many ? hit[1].slice(0, -2) : hit[1], many };
}

/** The schema of a successful answer's body: `{ data }`, a list envelope, or the record itself (health). */
export function answerSchema(route: Route): Schema | null {
  const answer = answerOf(route);
  if (answer.kind === 'other') return answer.other.schema;
  if (answer.kind === 'unknown') return null;
  const one = ref(answer.name);
  if (route.kind === 'raw') return one;
  if (route.kind === 'list') {
    return {
      type: 'object', required: ['data', 'count', 'limit', 'offset'],
      properties: { data: list(one), count: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } },
    };
  }
  return { type: 'object', required: ['data'], properties: { data: answer.many ? list(one) : one } };
}
