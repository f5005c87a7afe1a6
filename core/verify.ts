// Verification recomputes every balance from the ledger and compares it with the balance
// table the postings maintain. Any difference is a bug; `ims verify` exits non-zero on one.
import { balanceKey, type BalanceKey } from './ledger.js';
import type { Reader } from './ports.js';
import { fromMicro } from './quantity.js';

export interface Drift extends BalanceKey {
  ledger: number;
  balance: number;
}

export async function verifyBalances(reader: Reader): Promise<Drift[]> {
  const { ledger: sums, balances } = await reader.ledger.ledgerAndBalances();
  const byKey = new Map<string, Drift>();
  for (const s of sums) byKey.set(balanceKey(s), { ...key(s), ledger: s.qty, balance: 0 });
  for (const b of balances) {
    const k = balanceKey(b);
    const d = byKey.get(k) ?? { ...key(b), ledger: 0, balance: 0 };
    d.balance = b.qty;
    byKey.set(k, d);
  }
  return [...byKey.values()]
    .filter((d) => d.ledger !== d.balance || d.balance < 0)
    .map((d) => ({ ...d, ledger: fromMicro(d.ledger), balance: fromMicro(d.balance) }));
}

function key(k: BalanceKey): BalanceKey {
  return { itemId: k.itemId, locationId: k.locationId, lotId: k.lotId, statusId: k.statusId };
}
