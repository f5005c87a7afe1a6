// Units of measure. `decimals` bounds the precision of any quantity expressed in the unit:
// an `EA` with 0 decimals refuses 1.5, a `KG` with 3 refuses 0.0001.
import { newId } from './id.js';
import type { Writer } from './ports.js';
import { fail, ok, type Result } from './result.js';
import { object, string, code, type Schema } from './schema.js';

export interface Uom {
  id: string;
  code: string;
  name: string;
  decimals: number;
  createdAt: string;
}

export interface UomInput {
  code: string;
  name: string;
  decimals?: number;
}

export const uomInputSchema: Schema = object(
  { code, name: string(1, 200), decimals: { type: 'integer', minimum: 0, maximum: 6, default: 0 } },
  ['code', 'name'],
);

export async function createUom(tx: Writer, input: UomInput, now: string): Promise<Result<Uom>> {
  if (await tx.catalog.findUomByCode(input.code)) {
    return fail('conflict', `a UOM with code ${input.code} already exists`, [{ path: '/code', message: 'is taken' }]);
  }
  const uom: Uom = { id: newId(), code: input.code, name: input.name, decimals: input.decimals ?? 0, createdAt: now };
  await tx.catalog.insertUom(uom);
  return ok(uom);
}
