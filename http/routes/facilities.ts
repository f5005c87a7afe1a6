import { createFacility, FACILITY_TYPES, facilityInputSchema } from '../../core/facility.js';
import { createLocation, LOCATION_TYPES, locationInputSchema } from '../../core/location.js';
import { notFound, ok } from '../../core/result.js';
import { boolean, id, listQuery, oneOf, string } from '../../core/schema.js';
import type { Route } from '../route.js';

export const facilityRoutes: Route[] = [
  {
    kind: 'list', method: 'GET', path: '/v1/facilities', permission: 'facilities:read', tag: 'Facilities',
    summary: 'List facilities', query: listQuery({ q: string(1, 200), type: oneOf(FACILITY_TYPES), isActive: boolean }),
    run: (r, { query: { limit, offset, ...filter } }) => r.facilities.listFacilities(filter, { limit, offset }),
  },
  {
    kind: 'write', method: 'POST', path: '/v1/facilities', permission: 'facilities:write', tag: 'Facilities', status: 201,
    summary: 'Create a facility (with its system transit location)', body: facilityInputSchema,
    run: (tx, { body }, ctx) => createFacility(tx, body, ctx.now),
  },
  {
    kind: 'read', method: 'GET', path: '/v1/facilities/{facilityId}', permission: 'facilities:read', tag: 'Facilities',
    summary: 'Get a facility',
    run: async (r, { params }) => {
      const facility = await r.facilities.getFacility(params.facilityId!);
      return facility ? ok(facility) : notFound('facility');
    },
  },
  {
    kind: 'list', method: 'GET', path: '/v1/facilities/{facilityId}/locations', permission: 'facilities:read', tag: 'Facilities',
    summary: 'List the location tree of a facility, flat, parents before children',
    query: listQuery({ q: string(1, 200), type: oneOf(LOCATION_TYPES), parentId: id }),
    run: async (r, { params, query: { limit, offset, ...filter } }) => {
      if (!(await r.facilities.getFacility(params.facilityId!))) return notFound('facility');
      return ok(await r.facilities.listLocations(params.facilityId!, filter, { limit, offset }));
    },
  },
  {
    kind: 'write', method: 'POST', path: '/v1/facilities/{facilityId}/locations', permission: 'facilities:write', tag: 'Facilities',
    status: 201, summary: 'Create a location', body: locationInputSchema,
    run: (tx, { params, body }, ctx) => createLocation(tx, params.facilityId!, body, ctx.now),
  },
];
