// Moves: stock changes location and/or status inside one facility, as one `move`
// transaction of two lines that net to zero. Between facilities, stock travels by transfer
// (the posting rule refuses a move whose locations are in two facilities).
import { quantityAt } from './conversion.js';
import type { TransactionView } from './ledger.js';
import { post, type PostingLine } from './posting.js';
import type { Writer } from './ports.js';
import { fail, type Result } from './result.js';
import { id, nullable, object, positiveQuantity, string, type Schema } from './schema.js';
import { lotNo, serialNos } from './adjustment.js';
import { neg, type Micro } from './quantity.js';
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
  // Each line written out rather than spread from a common part: cheaper to build and to read.
  const line = (locationId: string, statusId: string, lineQty: Micro, fields: PostingLine['fields']): PostingLine => ({
    itemId: input.itemId, locationId, statusId, lotId: input.lotId ?? null, lotNo: input.lotNo ?? null, qty: lineQty,
    uomId: input.uomId ?? null, serialNos: input.serialNos ?? [], at: '', fields,
  });
  return post(tx, {
    type: 'move',
    reason: input.reason ?? null,
    lines: [
      line(input.fromLocationId, fromStatusId, neg(qty.value), { locationId: 'fromLocationId', statusId: 'fromStatusId' }),
      line(input.toLocationId, toStatusId, qty.value, { locationId: 'toLocationId', statusId: 'toStatusId' }),
    ],
  }, now);
}
