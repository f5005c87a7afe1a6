// Moves: stock changes location and/or status inside one facility, as one `move`
// transaction of two lines that net to zero. Between facilities, stock travels by transfer
// (the posting rule refuses a move whose locations are in two facilities).
import { quantityAt } from './conversion.js';
import type { TransactionView } from './ledger.js';
import { post } from './posting.js';
import type { Writer } from './ports.js';
import { fail, type Result } from './result.js';
import { id, nullable, object, positiveQuantity, string, type Schema } from './schema.js';
import { lotNo, serialNos } from './adjustment.js';
import { neg } from './quantity.js';
import { AVAILABLE } from './status.js';

export interface MoveInput {
  itemId: string;
  fromLocationId: string;
  toLocationId: string;
  qty: number;
  lotId?: string;
  lotNo?: string;
  serialNos?: string[];
  fromStatusId?: string;
  toStatusId?: string;
  uomId?: string;
  reason?: string | null;
}

export const moveInputSchema: Schema = object(
  {
    itemId: id,
    fromLocationId: id,
    toLocationId: id,
    qty: positiveQuantity,
    lotId: id,
    lotNo,
    serialNos,
    fromStatusId: string(1, 64),
    toStatusId: string(1, 64),
    uomId: id,
    reason: nullable(string(0, 500)),
  },
  ['itemId', 'fromLocationId', 'toLocationId', 'qty'],
);

export async function postMove(tx: Writer, input: MoveInput, now: string): Promise<Result<TransactionView>> {
  const fromStatusId = input.fromStatusId ?? AVAILABLE;
  const toStatusId = input.toStatusId ?? fromStatusId;
  if (input.fromLocationId === input.toLocationId && fromStatusId === toStatusId) {
    return fail('bad_request', 'a move changes the location, the status, or both', [
      { path: '/toLocationId', message: 'is the same as fromLocationId' },
    ]);
  }
  const qty = quantityAt(input.qty, '/qty');
  if (!qty.ok) return qty;
  const common = {
    itemId: input.itemId, lotId: input.lotId ?? null, lotNo: input.lotNo ?? null, uomId: input.uomId ?? null,
    serialNos: input.serialNos ?? [], at: '',
  };
  return post(tx, {
    type: 'move',
    reason: input.reason ?? null,
    lines: [
      { ...common, locationId: input.fromLocationId, statusId: fromStatusId, qty: neg(qty.value), fields: { locationId: 'fromLocationId', statusId: 'fromStatusId' } },
      { ...common, locationId: input.toLocationId, statusId: toStatusId, qty: qty.value, fields: { locationId: 'toLocationId', statusId: 'toStatusId' } },
    ],
  }, now);
}
