// Verification recomputes every balance from the ledger and compares it with the balance
// table the postings maintain, and checks every line's running balance against the line
// before it. Any difference is a bug; `ims verify` exits non-zero on one.
import { balanceKey, type BalanceKey } from './ledger.js';
import type { Reader } from './ports.js';
import { fromMicro } from './quantity.js';

export type Drift =
  | (BalanceKey & { kind: 'balance'; ledger: number; balance: number })
  | (BalanceKey & { kind: 'running'; seq: number; lineNo: number; expected: number; onHandAfter: number });

export async function verifyBalances(reader: Reader): Promise<Drift[]> {
  const { ledger, balances, breaks } = await reader.ledger.verification();
  const byKey = new Map<string, { key: BalanceKey; ledger: number; balance: number }>();
  const entry = (k: BalanceKey) => {
    const id = balanceKey(k);
    const e = byKey.get(id) ?? { key: key(k), ledger: 0, balance: 0 };
    byKey.set(id, e);
    return e;
  };
  for (const s of ledger) entry(s).ledger = s.qty;
  for (const b of balances) entry(b).balance = b.qty;
  const drift: Drift[] = [...byKey.values()]
    .filter((d) => d.ledger !== d.balance || d.balance < 0)
    .map((d) => ({ kind: 'balance', ...d.key, ledger: fromMicro(d.ledger), balance: fromMicro(d.balance) }));
  for (const b of breaks) {
    drift.push({ kind: 'running', ...key(b), seq: b.seq, lineNo: b.lineNo, expected: fromMicro(b.expected), onHandAfter: fromMicro(b.onHandAfter) });
  }
  return drift;
}

function key(k: BalanceKey): BalanceKey {
  return { itemId: k.itemId, locationId: k.locationId, lotId: k.lotId, statusId: k.statusId };
}
