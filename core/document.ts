// What documents that move or plan stock share: numbers per document type (`TR-000001`)
// from a counter per type, a status history, and quantities of an item checked against its
// base UOM.
import type { Item } from './item.js';
import { fitsDecimals, isWhole, toMicro, type Micro } from './quantity.js';
import { fail, failAt, ok, type Result } from './result.js';
import { object, type Schema } from './schema.js';
import type { Uom } from './uom.js';

/** The body of a status action (submit, approve, cancel, ...): an object with no fields. */
export const actionSchema: Schema = object({});

/** A document's transition table: per state, what each action allowed there leads to. */
export type Transitions<S extends string, A extends string, To> = Readonly<Record<S, Partial<Record<A, To>>>>;

/**
 * What `action` leads to from `status` in `table`, or invalid_state saying what a document in
 * that state cannot do: "a partially received purchase order cannot be changed".
 */
export function transition<S extends string, A extends string, To>(
  table: Transitions<S, A, To>, noun: string, phrases: Readonly<Record<A, string>>, status: S, action: A,
): Result<To> {
  const to = table[status][action];
  return to === undefined ? fail('invalid_state', `a ${status.replace('_', ' ')} ${noun} cannot ${phrases[action]}`) : ok(to);
}

/**
 * A document counter: the next number of a document type, counted from 1 with no gaps among
 * committed documents (a unit that rolls back gives its number back). The storage keeps one
 * row per type in `document_counters`; every later document type (purchase orders, sales
 * orders, ...) takes its numbers from the same table under a type of its own.
 */
export interface DocumentCounter {
  nextNumber(type: string): Promise<number>;
}

/** `TR` and 12 → `TR-000012`; past 999999 the number simply grows. */
export function documentNo(prefix: string, n: number): string {
  return `${prefix}-${String(n).padStart(6, '0')}`;
}

/** Who made a change: the API token that asked for it (null for an embedder without one). */
export interface Actor {
  tokenId: string | null;
  name: string;
}

/** One entry of a document's status history: from what, to what, when, and who. */
export interface StatusChange<S extends string> {
  from: S | null;
  to: S;
  at: string;
  by: Actor | null;
}

/** The history with one more change; a step that keeps the status adds nothing. */
export function withChange<S extends string>(
  history: ReadonlyArray<StatusChange<S>>, from: S | null, to: S, at: string, by: Actor | null,
): Array<StatusChange<S>> {
  return from === to ? [...history] : [...history, { from, to, at, by }];
}

/** Item kinds that never hold stock, so no document moves or plans them. */
export function holdsStock(item: Item): boolean {
  return item.itemKind !== 'service' && item.itemKind !== 'phantom';
}

/**
 * A request's quantity of an item, in its base UOM: exact, within the base UOM's decimals,
 * and whole for serial-tracked items. `uom` is the item's base UOM.
 */
export function itemQuantity(item: Item, uom: Uom | undefined, value: number, path: string): Result<Micro> {
  const micro = toMicro(value);
  const decimals = uom?.decimals ?? 6;
  if (micro === null || !fitsDecimals(micro, decimals)) return failAt('bad_request', path, `takes at most ${decimals} decimal places`);
  if (item.serialTracking === 'tracked' && !isWhole(micro)) return failAt('bad_request', path, 'a serial-tracked quantity must be whole');
  return ok(micro);
}
