// Manual adjustments: one line that brings stock in (positive) or writes it off (negative).
import { quantityAt } from './conversion.js';
import type { TransactionView } from './ledger.js';
import { post, type PostingLine } from './posting.js';
import type { Writer } from './ports.js';
import type { Result } from './result.js';
import { array, date, id, nonZeroQuantity, nullable, object, string, type Schema } from './schema.js';
import { AVAILABLE } from './status.js';
import { moneySchema, toMoney } from './money.js';
import { failAt } from './result.js';

export interface AdjustmentInput {
  itemId: string;
  locationId: string;
  statusId?: string;
  qtyDelta: number;
  reason?: string | null;
  uomId?: string;
  lotId?: string;
  lotNo?: string;
  expiresOn?: string;
  serialNos?: string[];
  /** Cost per unit (of uomId, else the base UOM) of stock coming in; else the current cost. */
  unitCost?: number;
}

export const lotNo: Schema = string(1, 64);
export const serialNos: Schema = { ...array(string(1, 128), 10000, 1), uniqueItems: true };

export const adjustmentInputSchema: Schema = object(
  {
    itemId: id,
    locationId: id,
    statusId: string(1, 64),
    qtyDelta: nonZeroQuantity,
    reason: nullable(string(0, 500)),
    uomId: id,
    lotId: id,
    lotNo,
    expiresOn: date,
    serialNos,
    unitCost: moneySchema('Cost per unit (of uomId, else the base UOM) of the stock brought in; the current cost when omitted'),
  },
  ['itemId', 'locationId', 'qtyDelta'],
);

export async function postAdjustment(tx: Writer, input: AdjustmentInput, now: string): Promise<Result<TransactionView>> {
  const qty = quantityAt(input.qtyDelta, '/qtyDelta');
  if (!qty.ok) return qty;
  if (input.unitCost !== undefined && qty.value < 0) {
    // Stock going out is valued by the item's cost method, never by the request.
    return failAt('bad_request', '/unitCost', 'applies only to stock coming in (a positive qtyDelta)');
  }
  const unitCost = input.unitCost === undefined ? null : toMoney(input.unitCost);
  const line: PostingLine = {
    itemId: input.itemId,
    locationId: input.locationId,
    statusId: input.statusId ?? AVAILABLE,
    lotId: input.lotId ?? null,
    lotNo: input.lotNo ?? null,
    expiresOn: input.expiresOn ?? null,
    qty: qty.value,
    uomId: input.uomId ?? null,
    serialNos: input.serialNos ?? [],
    at: '',
    fields: { qty: 'qtyDelta' },
  };
  if (unitCost !== null) line.cost = { kind: 'unit', unitCost };
  return post(tx, { type: 'adjustment', reason: input.reason ?? null, lines: [line] }, now);
}
