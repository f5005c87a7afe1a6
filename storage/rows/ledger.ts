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

/** Transactions with their lines (ordered by seq and line number). */
export function transactionViews(rows: readonly TransactionRow[], lines: readonly LineRow[]): TransactionView[] {
  const bySeq = byParent(lines, (l) => l.seq, ({ seq: _seq, ...l }): LineView => ({
    ...l,
    lotId: lotOut(l.lotId!),
    serialNos: l.serialNos ? JSON.parse(l.serialNos) : [],
    qtyDelta: fromMicro(l.qtyDelta),
    onHandAfter: fromMicro(l.onHandAfter),
    unitCost: fromMoney(l.unitCost),
    valueDelta: fromMoney(l.valueDelta),
  }));
  return rows.map(({ referenceType, referenceId, ...t }) => ({
    ...t,
    reference: { type: referenceType, id: referenceId },
    lines: bySeq.get(t.seq) ?? [],
  }));
}
