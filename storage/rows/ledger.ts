// Ledger transaction and line rows as both adapters select them (camelCase aliases), and the
// views they make.
import type { LineView, TransactionView } from '../../core/ledger.js';
import { fromMoney } from '../../core/money.js';
import { fromMicro } from '../../core/quantity.js';
import { byParent, lotOut } from './columns.js';

export interface TransactionRow extends Omit<TransactionView, 'reference' | 'lines'> {
  referenceType: string | null;
  referenceId: string | null;
}

export interface LineRow extends Omit<LineView, 'serialNos' | 'qtyDelta' | 'onHandAfter' | 'unitCost' | 'valueDelta'> {
  seq: number;
  serialNos: string | null;
  qtyDelta: number;
  onHandAfter: number;
  unitCost: number;
  valueDelta: number;
}

/**
 * Transactions with their lines (ordered by seq and line number). Views are built field by
 * field: spreading or rest-destructuring the drivers' row objects is several times slower.
 */
export function transactionViews(rows: readonly TransactionRow[], lines: readonly LineRow[]): TransactionView[] {
  const bySeq = byParent(lines, (l) => l.seq, (l): LineView => ({
    lineNo: l.lineNo,
    itemId: l.itemId,
    facilityId: l.facilityId,
    locationId: l.locationId,
    lotId: lotOut(l.lotId!),
    lotNo: l.lotNo,
    serialNos: l.serialNos ? JSON.parse(l.serialNos) : [],
    statusId: l.statusId,
    qtyDelta: fromMicro(l.qtyDelta),
    onHandAfter: fromMicro(l.onHandAfter),
    unitCost: fromMoney(l.unitCost),
    valueDelta: fromMoney(l.valueDelta),
  }));
  return rows.map((t) => ({
    seq: t.seq,
    id: t.id,
    type: t.type,
    occurredAt: t.occurredAt,
    postedAt: t.postedAt,
    reason: t.reason,
    reversesTransactionId: t.reversesTransactionId,
    reversedByTransactionId: t.reversedByTransactionId,
    reference: { type: t.referenceType, id: t.referenceId },
    lines: bySeq.get(t.seq) ?? [],
  }));
}
