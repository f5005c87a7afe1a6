// Quantities named in another UOM are converted to the item's base UOM through the item's
// own exact factor. A quantity finer than its UOM allows, or a product that does not fit in
// six decimals, is refused: a conversion never rounds.
import type { Item } from './item.js';
import { fitsDecimals, multiply, toMicro, type Micro } from './quantity.js';
import { failAt, ok, type Result } from './result.js';
import type { Uom } from './uom.js';

/** Where a conversion's errors point: the request's quantity and UOM fields. */
export interface ConversionPaths {
  qty: string;
  uomId: string;
}

/**
 * The base-UOM quantity of `qty` expressed in `uomId` (the base UOM when omitted).
 * `uoms` must hold the UOM named, when the item has a conversion for it.
 */
export function toBaseQty(
  item: Item, uoms: ReadonlyMap<string, Uom>, qty: Micro, uomId: string | null | undefined, paths: ConversionPaths,
): Result<Micro> {
  if (uomId == null || uomId === item.baseUomId) return ok(qty);
  const conversion = item.uomConversions.find((c) => c.uomId === uomId);
  const uom = uoms.get(uomId);
  if (!conversion || !uom) return failAt('bad_request', paths.uomId, `item ${item.itemNo} has no conversion for this UOM`);
  if (!fitsDecimals(qty, uom.decimals)) {
    return failAt('bad_request', paths.qty, `${uom.code} takes at most ${uom.decimals} decimal places`);
  }
  const base = multiply(qty, toMicro(conversion.factor)!);
  if (base === null) return failAt('bad_request', paths.qty, `the quantity in ${uom.code} is not an exact base quantity`);
  return ok(base);
}

/** A request's number as micro-units, or a 400 naming the field. */
export function quantityAt(value: number, path: string): Result<Micro> {
  const micro = toMicro(value);
  return micro === null ? failAt('bad_request', path, 'must have at most 6 decimal places and be at most 1e9') : ok(micro);
}
