// Verification recomputes every balance from the ledger and compares it with the balance
// table the postings maintain, checks every line's running balance against the line before
// it, and checks that every promise is covered: per item and facility, reserved + allocated
// ≤ available on hand; per location and lot, allocated ≤ on hand; each reservation's
// allocated quantity is the sum of its allocations; and every item's value per facility is
// the sum of its ledger lines' values (FIFO: and of its open cost layers). Any difference is a bug; `ims verify`
// exits non-zero on one.
import { balanceKey, type BalanceKey } from './ledger.js';
import { fromMoney } from './money.js';
import type { Reader, ValueCheck } from './ports.js';
import { fromMicro } from './quantity.js';

export type Drift =
  | (BalanceKey & { kind: 'balance'; ledger: number; balance: number })
  | (BalanceKey & { kind: 'running'; seq: number; lineNo: number; expected: number; onHandAfter: number })
  | { kind: 'promised'; itemId: string; facilityId: string; locationId: string | null; lotId: string | null; onHand: number; promised: number }
  | { kind: 'allocation'; reservationId: string; qtyAllocated: number; allocations: number }
  | { kind: 'value'; itemId: string; facilityId: string; qty: number; value: number; ledgerQty: number; ledgerValue: number }
  | { kind: 'layers'; itemId: string; facilityId: string; qty: number; value: number; layerQty: number; layerValue: number };

export async function verifyBalances(reader: Reader, now: string = new Date().toISOString()): Promise<Drift[]> {
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
  drift.push(...await promises(reader, now));
  for (const m of await reader.reservations.allocationMismatches()) {
    drift.push({ kind: 'allocation', reservationId: m.reservationId, qtyAllocated: fromMicro(m.qtyAllocated), allocations: fromMicro(m.allocations) });
  }
  drift.push(...valueDrift(await reader.ledger.valueVerification()));
  return drift;
}

/**
 * Per item and facility: the value kept equals the sum of its lines' valueDelta (and its
 * quantity theirs), it is never negative and 0 when the stock is gone; a FIFO item's open
 * layers add up to exactly that quantity and value.
 */
export function valueDrift(checks: readonly ValueCheck[]): Drift[] {
  const out: Drift[] = [];
  for (const c of checks) {
    const base = { itemId: c.itemId, facilityId: c.facilityId, qty: fromMicro(c.kept.qty), value: fromMoney(c.kept.value) };
    const empty = c.kept.qty === 0 && c.kept.value !== 0;
    if (c.kept.qty !== c.ledger.qty || c.kept.value !== c.ledger.value || c.kept.value < 0 || empty) {
      out.push({ kind: 'value', ...base, ledgerQty: fromMicro(c.ledger.qty), ledgerValue: fromMoney(c.ledger.value) });
    }
    if (c.layers && (c.layers.qty !== c.kept.qty || c.layers.value !== c.kept.value)) {
      out.push({ kind: 'layers', ...base, layerQty: fromMicro(c.layers.qty), layerValue: fromMoney(c.layers.value) });
    }
  }
  return out;
}

/** Positions where what is promised exceeds what is there. */
async function promises(reader: Reader, now: string): Promise<Drift[]> {
  const out: Drift[] = [];
  for (const p of await reader.ledger.getStockPositions(await reader.reservations.committedPairs(now), now)) {
    const base = { kind: 'promised' as const, itemId: p.itemId, facilityId: p.facilityId };
    if (p.reserved + p.allocated > p.onHand) {
      out.push({ ...base, locationId: null, lotId: null, onHand: fromMicro(p.onHand), promised: fromMicro(p.reserved + p.allocated) });
    }
    for (const l of p.locations) {
      if (l.allocated > l.onHand) {
        out.push({ ...base, locationId: l.locationId, lotId: l.lotId, onHand: fromMicro(l.onHand), promised: fromMicro(l.allocated) });
      }
    }
  }
  return out;
}

function key(k: BalanceKey): BalanceKey {
  return { itemId: k.itemId, locationId: k.locationId, lotId: k.lotId, statusId: k.statusId };
}
