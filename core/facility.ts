// Facilities (warehouses, stores, plants). Each is created with its system transit
// location, where stock shipped to it waits until it is received.
import { newId } from './id.js';
import { systemTransitLocation } from './location.js';
import type { Writer } from './ports.js';
import { failAt, ok, type Result } from './result.js';
import { boolean, code, object, oneOf, string, type Schema } from './schema.js';

export const FACILITY_TYPES = ['warehouse', 'store', 'plant'] as const;
export type FacilityType = (typeof FACILITY_TYPES)[number];

export interface Facility {
  id: string;
  code: string;
  name: string;
  type: FacilityType;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface FacilityInput {
  code: string;
  name: string;
  type: FacilityType;
  isActive?: boolean;
}

export interface FacilityFilter {
  q?: string;
  type?: FacilityType;
  isActive?: boolean;
}

export const facilityInputSchema: Schema = object(
  { code, name: string(1, 200), type: oneOf(FACILITY_TYPES), isActive: boolean },
  ['code', 'name', 'type'],
);

export async function createFacility(tx: Writer, input: FacilityInput, now: string): Promise<Result<Facility>> {
  if (await tx.facilities.findFacilityByCode(input.code)) {
    return failAt('conflict', '/code', `a facility with code ${input.code} already exists`);
  }
  const facility: Facility = {
    id: newId(),
    code: input.code,
    name: input.name,
    type: input.type,
    isActive: input.isActive ?? true,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await tx.facilities.insertFacility(facility);
  await tx.facilities.insertLocation(systemTransitLocation(facility.id, now));
  return ok(facility);
}
