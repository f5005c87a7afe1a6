// Exact money. Like quantities, amounts are integer micro-units of the installation's one
// currency (six decimal places), so a stock value is a sum of integers and never drifts.
// A product quantity × unit cost has twelve decimals; it is computed exactly in BigInt and
// rounded once, half away from zero, to six. That is the only rounding rule there is: every
// value is the sum of its lines' rounded values, and the last unit out takes what is left.
import type { Micro } from './quantity.js';
import { SCALE } from './quantity.js';
import type { Schema } from './schema.js';

/** An amount of money in micro-units (1 = 0.000001 of the currency). Always a safe integer. */
export type Money = number & { readonly __money: unique symbol };

export const NO_MONEY = 0 as Money;

/** The largest unit cost or price a request may carry, in currency units. */
export const MAX_UNIT_COST = 1_000_000_000;

/** The currency when IMS_CURRENCY does not name one. */
export const DEFAULT_CURRENCY = 'USD';

/** An ISO 4217 alphabetic code: three capital letters. */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code);
}

/**
 * A money amount in a request: a JSON number with at most six decimals. The schema is the
 * one that validates, published as it is, so it names the currency by where to read it: the
 * OpenAPI document's info.x-currency, which the host fills in from IMS_CURRENCY.
 */
export function moneySchema(description: string): Schema {
  return {
    type: 'number', minimum: 0, maximum: MAX_UNIT_COST, 'x-quantity': true,
    description: `${description}, in the installation's one currency: info.x-currency of this document (IMS_CURRENCY, default USD)`,
  };
}

const BIG_SCALE = BigInt(SCALE);

/** Divides, rounding half away from zero. */
function divideRounded(n: bigint, d: bigint): bigint {
  if (d < 0n) return divideRounded(-n, -d);
  const q = n / d;
  const r = n % d;
  if (2n * (r < 0n ? -r : r) >= d) return n < 0n ? q - 1n : q + 1n;
  return q;
}

function toSafe(n: bigint, what: string): Money {
  const v = Number(n);
  if (!Number.isSafeInteger(v)) throw new Error(`money overflow: ${what} ${n}`);
  return v as Money;
}

/**
 * The largest value a line or an item's stock at a facility may hold, in micro-units: 2^50,
 * about 1.1 billion currency units. Below it a JSON number carries every amount exactly
 * (micro / 1e6 and back gives the same integer), so values read back from the API or the
 * ledger, as reversals and production outputs do, are the values written. Postings past it
 * are refused, never rounded.
 */
export const MAX_VALUE = 2 ** 50;

/** qty × unitCost (both micro-units), rounded once to micro-units of money; null past MAX_VALUE. */
export function valueOf(qty: Micro, unitCost: Money): Money | null {
  const v = divideRounded(BigInt(qty) * BigInt(unitCost), BIG_SCALE);
  return v > BigInt(MAX_VALUE) || v < -BigInt(MAX_VALUE) ? null : (Number(v) as Money);
}

/** The share `qty / of` of `value` (qty ≤ of), rounded once; all of it when qty is all. */
export function shareOf(value: Money, qty: Micro, of: Micro): Money {
  if (qty === of) return value;
  return toSafe(divideRounded(BigInt(value) * BigInt(qty), BigInt(of)), 'share');
}

/** value / qty as a unit cost (money per unit), rounded once; null for no quantity. */
export function unitCostOf(value: Money, qty: Micro): Money | null {
  if (qty === 0) return null;
  return toSafe(divideRounded(BigInt(value) * BIG_SCALE, BigInt(qty)), 'unit cost');
}

export function addMoney(a: Money, b: Money): Money {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new Error(`money overflow: ${sum}`);
  return sum as Money;
}

export function negMoney(a: Money): Money {
  return (a === 0 ? 0 : -a) as Money;
}

export function fromMoney(m: number): number {
  return m / SCALE;
}

/** A JSON number as money, or null when it needs more than six decimals. */
export function toMoney(value: number): Money | null {
  if (!Number.isFinite(value)) return null;
  const micro = Math.round(value * SCALE);
  if (!Number.isSafeInteger(micro) || micro / SCALE !== value) return null;
  return micro as Money;
}
