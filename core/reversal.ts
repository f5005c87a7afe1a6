// Reversals: the ledger is never edited; a mistake is undone by a new `reversal` transaction
// whose lines negate the original's. A transaction is reversed at most once. Postings made
// by documents (receipts, shipments, transfers, counts, production) are undone through
// their documents, which keep their own quantities in step, so only manual postings reverse.
import type { TransactionType, TransactionView } from './ledger.js';
import { post, type PostingLine } from './posting.js';
import type { Writer } from './ports.js';
import { fail, notFound, type Result } from './result.js';
import { nullable, object, string, type Schema } from './schema.js';
import { neg, toMicro } from './quantity.js';
import { negMoney, toMoney } from './money.js';

export interface ReversalInput {
  reason?: string | null;
}

export const reversalInputSchema: Schema = object({ reason: nullable(string(0, 500)) });

const REVERSIBLE: ReadonlySet<TransactionType> = new Set(['adjustment', 'move']);

export async function reverseTransaction(
  tx: Writer, transactionId: string, input: ReversalInput, now: string,
): Promise<Result<TransactionView>> {
  const original = await tx.ledger.getTransaction(transactionId);
  if (!original) return notFound('transaction');
  if (!REVERSIBLE.has(original.type)) {
    return fail('invalid_state', `a ${original.type} transaction is undone through its document, not reversed`);
  }
  const reversal = await tx.ledger.findReversal(transactionId);
  if (reversal) return fail('conflict', `transaction was already reversed by ${reversal}`);
  const lines: PostingLine[] = original.lines.map((l, i) => ({
    itemId: l.itemId,
    locationId: l.locationId,
    statusId: l.statusId,
    lotId: l.lotId,
    qty: neg(toMicro(l.qtyDelta)!),
    serialNos: l.serialNos,
    at: `/lines/${i}`,
    fields: { qty: 'qtyDelta' },
    // Exactly the negation of what the original posted, value included.
    cost: { kind: 'reverse', valueDelta: negMoney(toMoney(l.valueDelta)!), transactionId: original.id, lineNo: l.lineNo },
  }));
  return post(tx, {
    type: 'reversal',
    reason: input.reason ?? `reversal of transaction ${original.seq}`,
    reference: { type: 'transaction', id: original.id },
    reversesTransactionId: original.id,
    lines,
  }, now);
}
