// Quantities named in another UOM are converted to the item's base UOM through the item's
// own exact factor. A quantity finer than its UOM allows, or a product that does not fit in
// six decimals, is refused: a conversion never rounds.
import type { Item } from './item.js';
import type { Reader } from './ports.js';
import { fitsDecimals, multiply, toMicro, type Micro } from './quantity.js';
import { failAt, notFound, ok, type Result } from './result.js';

/**
 * The base-UOM quantity of `qty` expressed in `uomId` (the base UOM when omitted). `at` is
 * the JSON Pointer of the request object holding `qtyField` and `uomId`.
 */
export async function toBaseQty(
  reader: Reader, item: Item, qty: number, uomId: string | null | undefined, at: string, qtyField = 'qty',
): Promise<Result<Micro>> {
  const micro = toMicro(qty);
  if (micro === null) return failAt('bad_request', `${at}/${qtyField}`, 'must have at most 6 decimal places');
  if (uomId == null || uomId === item.baseUomId) return ok(micro);
  const conversion = item.uomConversions.find((c) => c.uomId === uomId);
  if (!conversion) return failAt('bad_request', `${at}/uomId`, `item ${item.itemNo} has no conversion for this UOM`);
  const uom = await reader.catalog.getUom(uomId);
  if (!uom) return notFound('UOM', `${at}/uomId`);
  if (!fitsDecimals(micro, uom.decimals)) {
    return failAt('bad_request', `${at}/${qtyField}`, `${uom.code} takes at most ${uom.decimals} decimal places`);
  }
  const base = multiply(micro, toMicro(conversion.factor)!);
  if (base === null) return failAt('bad_request', `${at}/${qtyField}`, `${qty} ${uom.code} is not an exact base quantity`);
  return ok(base);
}
