// The stock ledger's vocabulary. A transaction is a set of lines, each a signed quantity of
// one item at one location, lot and status; balances are the running sum of those lines per
// key, kept in the same database transaction and recomputable from the ledger at any time.
import type { Money } from './money.js';
import type { Micro } from './quantity.js';
import type { CostLayer, Valuation } from './valuation.js';

export const TRANSACTION_TYPES = [
  'adjustment', 'move', 'receipt', 'shipment', 'transfer_out', 'transfer_in',
  'count', 'production_issue', 'production_output', 'reversal',
] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export interface Lot {
  id: string;
  itemId: string;
  lotNo: string;
  expiresOn: string | null;
  createdAt: string;
}

/** The identity of a balance row. `lotId` is null for items without lot tracking. */
export interface BalanceKey {
  itemId: string;
  locationId: string;
  lotId: string | null;
  statusId: string;
}

export function balanceKey(k: BalanceKey): string {
  return `${k.itemId}|${k.locationId}|${k.lotId ?? ''}|${k.statusId}`;
}

/** Where a serial number is on hand now; `locationId` null means it is not on hand. */
export interface SerialState {
  itemId: string;
  serialNo: string;
  facilityId: string | null;
  locationId: string | null;
  lotId: string | null;
  statusId: string | null;
}

export interface Reference {
  type: string | null;
  id: string | null;
}

export interface TransactionRecord {
  id: string;
  type: TransactionType;
  occurredAt: string;
  postedAt: string;
  reason: string | null;
  reference: Reference;
  reversesTransactionId: string | null;
}

export interface LineRecord extends BalanceKey {
  lineNo: number;
  facilityId: string;
  qtyDelta: Micro;
  /**
   * The balance of the line's key right after the line: a running balance, so the on-hand
   * of any key at any past point is one lookup instead of a sum over its history.
   */
  onHandAfter: Micro;
  serialNos: string[];
  /** Money per base unit the line moved at (|valueDelta| / |qtyDelta|, rounded). */
  unitCost: Money;
  /** The value the line adds to (or takes from) its item's stock at its facility: exact. */
  valueDelta: Money;
}

export interface BalanceDelta extends BalanceKey {
  facilityId: string;
  delta: Micro;
}

/** Everything a decided posting writes; applied atomically by the storage adapter. */
export interface PostingEffects {
  transaction: TransactionRecord;
  lines: LineRecord[];
  newLots: Lot[];
  balanceDeltas: BalanceDelta[];
  serialMoves: SerialState[];
  /** The new state of every item and facility the posting valued. */
  valuations: Valuation[];
  newLayers: CostLayer[];
  changedLayers: CostLayer[];
}

export interface LineView {
  lineNo: number;
  itemId: string;
  facilityId: string;
  locationId: string;
  lotId: string | null;
  lotNo: string | null;
  serialNos: string[];
  statusId: string;
  qtyDelta: number;
  onHandAfter: number;
  unitCost: number;
  valueDelta: number;
}

export interface TransactionView extends TransactionRecord {
  seq: number;
  reversedByTransactionId: string | null;
  lines: LineView[];
}

export interface TransactionFilter {
  itemId?: string;
  facilityId?: string;
  locationId?: string;
  type?: TransactionType;
  referenceType?: string;
  referenceId?: string;
  from?: string;
  to?: string;
  /** When set, the feed runs oldest first from just after this sequence number. */
  afterSeq?: number;
}

export interface Balance {
  itemId: string;
  itemNo: string;
  facilityId: string;
  locationId: string;
  lotId: string | null;
  lotNo: string | null;
  expiresOn: string | null;
  statusId: string;
  onHand: number;
}

export interface BalanceFilter {
  itemId?: string;
  facilityId?: string;
  locationId?: string;
  lotId?: string;
  statusId?: string;
  /** Recompute from ledger lines posted at or before this instant. */
  asOf?: string;
}

export interface AvailabilityFilter {
  itemId?: string;
  facilityId?: string;
  locationId?: string;
}

export interface AvailabilityRow {
  itemId: string;
  facilityId: string;
  locationId: string;
  onHand: number;
  allocated: number;
  available: number;
}

export interface FacilityAvailabilityRow {
  itemId: string;
  facilityId: string;
  onHand: number;
  reserved: number;
  allocated: number;
  available: number;
}

/** A balance key with a quantity in micro-units, for verification. */
export interface LedgerSum extends BalanceKey {
  qty: Micro;
}

/** A ledger line whose running balance does not follow from the line before it. */
export interface RunningBreak extends BalanceKey {
  seq: number;
  lineNo: number;
  /** The previous line's running balance (0 for a key's first line) plus this line's delta. */
  expected: Micro;
  onHandAfter: Micro;
}
