// Exact quantities. Inside the core every quantity is an integer count of micro-units
// (six decimal places), so sums never pick up binary floating-point error: 0.1 posted 30
// times is exactly 3. Numbers arrive from JSON as doubles and leave as doubles; the
// conversion happens only at the core's public edge, and it refuses any number that is not
// exactly a multiple of 0.000001 instead of rounding it.

/** A quantity in micro-units (1 = 0.000001 of the unit). Always a safe integer. */
export type Micro = number & { readonly __micro: unique symbol };

export const SCALE = 1_000_000;
export const DECIMALS = 6;

/**
 * The largest quantity a single line or balance may hold, in units. Kept well inside
 * Number.MAX_SAFE_INTEGER micro-units so that summing a thousand lines cannot overflow.
 */
export const MAX_UNITS = 1_000_000_000;
const MAX_MICRO = MAX_UNITS * SCALE;

export const ZERO = 0 as Micro;

/** Converts a JSON number to micro-units, or returns null when it is not exact. */
export function toMicro(value: number): Micro | null {
  if (!Number.isFinite(value)) return null;
  const micro = Math.round(value * SCALE);
  if (!Number.isSafeInteger(micro) || Math.abs(micro) > MAX_MICRO) return null;
  // The division is correctly rounded, so it gives back the very same double exactly when
  // the decimal the client wrote had at most six decimals.
  if (micro / SCALE !== value) return null;
  return micro as Micro;
}

/** Whether a JSON number is an exact quantity within limits (used by request schemas). */
export function isExactQuantity(value: unknown): boolean {
  return typeof value === 'number' && toMicro(value) !== null;
}

/** Converts micro-units back to the JSON number a client reads. */
export function fromMicro(micro: number): number {
  return micro / SCALE;
}

export function add(a: Micro, b: Micro): Micro {
  const sum = a + b;
  assertSafe(sum);
  return sum as Micro;
}

export function neg(a: Micro): Micro {
  return (a === 0 ? 0 : -a) as Micro;
}

export function isWithinLimit(a: Micro): boolean {
  return Math.abs(a) <= MAX_MICRO;
}

/** Whether the quantity has at most `decimals` decimal places. */
export function fitsDecimals(a: Micro, decimals: number): boolean {
  const step = 10 ** (DECIMALS - decimals);
  return a % step === 0;
}

export function isWhole(a: Micro): boolean {
  return a % SCALE === 0;
}

/**
 * Multiplies a quantity by a conversion factor (both micro-units). Returns null when the
 * exact product does not fit in six decimals, so a UOM conversion never rounds silently.
 */
export function multiply(qty: Micro, factor: Micro): Micro | null {
  const product = BigInt(qty) * BigInt(factor);
  const scale = BigInt(SCALE);
  if (product % scale !== 0n) return null;
  const micro = Number(product / scale);
  if (!Number.isSafeInteger(micro) || Math.abs(micro) > MAX_MICRO) return null;
  return micro as Micro;
}

function assertSafe(n: number): void {
  if (!Number.isSafeInteger(n)) throw new Error(`quantity overflow: ${n}`);
}
