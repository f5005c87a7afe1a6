import { ok, type Result } from '../../core/result.js';
import {
  allocateInputSchema, allocateReservation, createReservation, DEMAND_TYPES, endReservation, fulfillInputSchema,
  fulfillReservation, patchReservation, releaseInputSchema, reservationInputSchema, reservationPatchSchema,
  RESERVATION_STATUSES, reservationView,
} from '../../core/reservation.js';
import { id, listQuery, oneOf, string } from '../../core/schema.js';
import { notFound } from '../../core/result.js';
import type { Route } from '../route.js';

const RESERVATION = '/v1/inventory/reservations/{reservationId}';
const action = (name: string) => `${RESERVATION}/${name}`;

export const reservationRoutes: Route[] = [
  {
    kind: 'list', method: 'GET', path: '/v1/inventory/reservations', permission: 'inventory:read', tag: 'Reservations',
    summary: 'List reservations (expired ones read as released)',
    query: listQuery({ itemId: id, facilityId: id, status: oneOf(RESERVATION_STATUSES), demandType: oneOf(DEMAND_TYPES), demandId: string(1, 200) }),
    run: async (r, { query: { limit, offset, ...filter } }, ctx) => {
      const page = await r.reservations.listReservations(filter, { limit, offset }, ctx.now);
      return { items: page.items.map((x) => reservationView(x, ctx.now)), total: page.total };
    },
  },
  {
    kind: 'write', method: 'POST', path: '/v1/inventory/reservations', permission: 'inventory:write', tag: 'Reservations', status: 201,
    summary: 'Reserve quantity of an item at a facility for a demand (409 insufficient_stock beyond what is available)',
    body: reservationInputSchema,
    run: (tx, { body }, ctx) => createReservation(tx, body, ctx.now),
  },
  {
    kind: 'read', method: 'GET', path: RESERVATION, permission: 'inventory:read', tag: 'Reservations', summary: 'Get a reservation',
    run: async (r, { params }, ctx): Promise<Result<unknown>> => {
      const found = await r.reservations.getReservation(params.reservationId!);
      return found ? ok(reservationView(found, ctx.now)) : notFound('reservation');
    },
  },
  {
    kind: 'write', method: 'PATCH', path: RESERVATION, permission: 'inventory:write', tag: 'Reservations',
    summary: 'Change the quantity or expiry of an open reservation', body: reservationPatchSchema,
    run: (tx, { params, body }, ctx) => patchReservation(tx, params.reservationId!, body, ctx.now, ctx.ifMatch),
  },
  {
    kind: 'write', method: 'POST', path: action('allocate'), permission: 'inventory:write', tag: 'Reservations',
    summary: 'Allocate to locations and lots: as given, or with {} automatically (FEFO, else FIFO by lot receipt)',
    body: allocateInputSchema,
    run: (tx, { params, body }, ctx) => allocateReservation(tx, params.reservationId!, body, ctx.now),
  },
  {
    kind: 'write', method: 'POST', path: action('release'), permission: 'inventory:write', tag: 'Reservations',
    summary: 'Release a reservation without fulfilling it', body: releaseInputSchema,
    run: (tx, { params }, ctx) => endReservation(tx, params.reservationId!, 'release', ctx.now),
  },
  {
    kind: 'write', method: 'POST', path: action('cancel'), permission: 'inventory:write', tag: 'Reservations',
    summary: 'Cancel a reservation', body: releaseInputSchema,
    run: (tx, { params }, ctx) => endReservation(tx, params.reservationId!, 'cancel', ctx.now),
  },
  {
    kind: 'write', method: 'POST', path: action('fulfill'), permission: 'inventory:write', tag: 'Reservations',
    summary: 'Fulfil (ship) the whole or part of a reservation: one shipment transaction from its allocations first',
    body: fulfillInputSchema,
    run: async (tx, { params, body }, ctx) => {
      const r = await fulfillReservation(tx, params.reservationId!, body, ctx.now);
      return r.ok ? ok(r.value.reservation) : r;
    },
  },
  {
    kind: 'list', method: 'GET', path: '/v1/inventory/allocations', permission: 'inventory:read', tag: 'Reservations',
    summary: 'List allocations of reservations that hold stock',
    query: listQuery({ itemId: id, locationId: id, reservationId: id }),
    run: (r, { query: { limit, offset, ...filter } }, ctx) => r.reservations.listAllocations(filter, { limit, offset }, ctx.now),
  },
];
