// The location tree of a facility: zones hold aisles, aisles racks, racks bins. Each row
// stores its depth and its path of codes ("A/01/03"), fixed at creation because a location
// never changes parent, so a list sorted by path comes out parents first.
import { newId } from './id.js';
import type { Writer } from './ports.js';
import { failAt, notFound, ok, type Result } from './result.js';
import { boolean, code, id, nullable, object, oneOf, string, type Schema } from './schema.js';

export const LOCATION_TYPES = ['zone', 'aisle', 'rack', 'bin', 'staging', 'transit'] as const;
export type LocationType = (typeof LOCATION_TYPES)[number];

export const TRANSIT_CODE = 'TRANSIT';
export const MAX_DEPTH = 16;

export interface Location {
  id: string;
  facilityId: string;
  code: string;
  name: string;
  parentId: string | null;
  type: LocationType;
  isPickable: boolean;
  depth: number;
  path: string;
  createdAt: string;
}

export interface LocationInput {
  code: string;
  name: string;
  type: LocationType;
  parentId?: string | null;
  isPickable?: boolean;
}

export interface LocationFilter {
  q?: string;
  type?: LocationType;
  parentId?: string;
}

export const locationInputSchema: Schema = object(
  { code, name: string(1, 200), type: oneOf(LOCATION_TYPES), parentId: nullable(id), isPickable: boolean },
  ['code', 'name', 'type'],
);

export function systemTransitLocation(facilityId: string, now: string): Location {
  return {
    id: newId(),
    facilityId,
    code: TRANSIT_CODE,
    name: 'In transit',
    parentId: null,
    type: 'transit',
    isPickable: false,
    depth: 0,
    path: TRANSIT_CODE,
    createdAt: now,
  };
}

export async function createLocation(
  tx: Writer, facilityId: string, input: LocationInput, now: string,
): Promise<Result<Location>> {
  if (!(await tx.facilities.getFacility(facilityId))) return notFound('facility');
  if (input.type === 'transit') {
    return failAt('conflict', '/type', 'every facility has exactly one transit location, created with it');
  }
  const parent = input.parentId ? await tx.facilities.getLocation(input.parentId) : null;
  if (input.parentId && (!parent || parent.facilityId !== facilityId)) {
    return notFound('parent location in this facility', '/parentId');
  }
  if (parent?.type === 'transit') return failAt('conflict', '/parentId', 'the transit location has no children');
  if (parent && parent.depth + 1 >= MAX_DEPTH) return failAt('bad_request', '/parentId', `locations nest at most ${MAX_DEPTH} deep`);
  if (await tx.facilities.findLocationByCode(facilityId, input.code)) {
    return failAt('conflict', '/code', `location code ${input.code} is taken in this facility`);
  }
  const location: Location = {
    id: newId(),
    facilityId,
    code: input.code,
    name: input.name,
    parentId: parent?.id ?? null,
    type: input.type,
    isPickable: input.isPickable ?? true,
    depth: parent ? parent.depth + 1 : 0,
    path: parent ? `${parent.path}/${input.code}` : input.code,
    createdAt: now,
  };
  await tx.facilities.insertLocation(location);
  return ok(location);
}
