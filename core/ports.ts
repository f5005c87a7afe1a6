// The storage ports: the only way the core reaches a database. Each area is a small
// interface of what the core needs, with no driver types. A Reader sees committed state; a
// Writer is one atomic unit of work, and its reads see its own uncommitted writes.
import type { Facility, FacilityFilter } from './facility.js';
import type { IdempotencyRecord } from './idempotency.js';
import type { Identifier, Item, ItemFilter } from './item.js';
import type {
  AvailabilityFilter, AvailabilityRow, Balance, BalanceFilter, BalanceKey, FacilityAvailabilityRow,
  LedgerSum, LineRecord, Lot, PostingEffects, RunningBreak, SerialState, TransactionFilter, TransactionView,
} from './ledger.js';
import type { Location, LocationFilter } from './location.js';
import type { Allocation, AllocationFilter, AllocationRecord, ReservationFilter, ReservationRecord } from './reservation.js';
import type { ItemFacility, StockPosition } from './stock.js';
import type { CountReader, CountWriter } from './count.js';
import type { DocumentCounter } from './document.js';
import type { PartyReader, PartyWriter } from './party.js';
import type { PolicyReader, PolicyWriter } from './policy.js';
import type { ProductionReader, ProductionWriter } from './production.js';
import type { PurchasingReader, PurchasingWriter } from './purchasing.js';
import type { SalesReader, SalesWriter } from './sales.js';
import type { TransferReader, TransferWriter } from './transfer.js';
import type { Page, PageRequest } from './page.js';
import type { Micro } from './quantity.js';
import type { StockStatus } from './status.js';
import type { StoredToken } from './token.js';
import type { Uom } from './uom.js';
import type { EventReader, EventWriter } from './event.js';
import type { WebhookReader, WebhookWriter } from './webhook.js';
import type { Money } from './money.js';
import type { StockValueFilter, StockValueSum } from './stock-value.js';
import type { CostLayer, Valuation } from './valuation.js';

export interface CatalogReader {
  getUom(id: string): Promise<Uom | null>;
  getUoms(ids: readonly string[]): Promise<Uom[]>;
  findUomByCode(code: string): Promise<Uom | null>;
  listUoms(page: PageRequest): Promise<Page<Uom>>;
  getItem(id: string): Promise<Item | null>;
  getItems(ids: readonly string[]): Promise<Item[]>;
  findItemByNo(itemNo: string): Promise<Item | null>;
  /** Which items hold any of these identifiers (type and value both match). */
  findIdentifierOwners(identifiers: readonly Identifier[]): Promise<Array<Identifier & { itemId: string }>>;
  listItems(filter: ItemFilter, page: PageRequest): Promise<Page<Item>>;
}

export interface CatalogWriter extends CatalogReader {
  insertUom(uom: Uom): Promise<void>;
  insertItem(item: Item): Promise<void>;
  updateItem(item: Item): Promise<void>;
}

export interface FacilityReader {
  getFacility(id: string): Promise<Facility | null>;
  findFacilityByCode(code: string): Promise<Facility | null>;
  listFacilities(filter: FacilityFilter, page: PageRequest): Promise<Page<Facility>>;
  getLocation(id: string): Promise<Location | null>;
  getLocations(ids: readonly string[]): Promise<Location[]>;
  findLocationByCode(facilityId: string, code: string): Promise<Location | null>;
  /** The tree flat, parents before children. */
  listLocations(facilityId: string, filter: LocationFilter, page: PageRequest): Promise<Page<Location>>;
  listStatuses(): Promise<StockStatus[]>;
}

export interface FacilityWriter extends FacilityReader {
  insertFacility(facility: Facility): Promise<void>;
  insertLocation(location: Location): Promise<void>;
}

export interface TokenReader {
  getToken(id: string): Promise<StoredToken | null>;
  findTokenByHash(hash: string): Promise<StoredToken | null>;
  countTokens(): Promise<number>;
  listTokens(page: PageRequest): Promise<Page<StoredToken>>;
}

export interface TokenWriter extends TokenReader {
  insertToken(token: StoredToken): Promise<void>;
  updateToken(token: StoredToken): Promise<void>;
}

export interface LedgerReader {
  getLots(ids: readonly string[]): Promise<Lot[]>;
  findLots(keys: ReadonlyArray<{ itemId: string; lotNo: string }>): Promise<Lot[]>;
  /** On-hand of each key that has a balance row; keys without one hold zero. */
  getBalances(keys: readonly BalanceKey[]): Promise<Array<BalanceKey & { onHand: Micro }>>;
  getSerials(itemId: string, serialNos: readonly string[]): Promise<SerialState[]>;
  /** The item's serials on hand somewhere, by serial number (for exports). */
  listSerialsOnHand(itemId: string): Promise<SerialState[]>;
  /**
   * The stock positions of these items at these facilities: available on hand, holding
   * reservations and allocations, per facility and per location and lot. In a write unit on
   * PostgreSQL, each item and facility is locked first (in one fixed order), so no other unit
   * can change what is on hand or promised there until this one ends. With `committedOnly`,
   * only the positions that have holding reservations are returned (all are still locked).
   */
  getStockPositions(pairs: readonly ItemFacility[], now: string, options?: { committedOnly?: boolean }): Promise<StockPosition[]>;
  lastPostedAt(): Promise<string | null>;
  itemHasHistory(itemId: string): Promise<boolean>;
  /** Whether the item has stock anywhere (any facility, location, status, or in transit). */
  itemHasStock(itemId: string): Promise<boolean>;
  /**
   * The valuations of these items at these facilities (missing: never had stock there). In a
   * write unit on PostgreSQL each item and facility is locked first (the same lock as
   * getStockPositions), so valuations and layers stay exact under concurrent postings.
   */
  getValuations(pairs: readonly ItemFacility[]): Promise<Valuation[]>;
  /** Open FIFO cost layers (something left) of these items at these facilities, oldest first. */
  getCostLayers(pairs: readonly ItemFacility[]): Promise<CostLayer[]>;
  /** Stock value sums per item and facility, item, or facility; now or as of an instant. */
  listStockValue(filter: StockValueFilter, page: PageRequest): Promise<Page<StockValueSum>>;
  /**
   * For verification, in one snapshot: per item and facility, the valuation kept, the sums of
   * its ledger lines, and (FIFO items) the sums of its open layers.
   */
  valueVerification(): Promise<ValueCheck[]>;
  getTransaction(id: string): Promise<TransactionView | null>;
  findReversal(transactionId: string): Promise<string | null>;
  listTransactions(filter: TransactionFilter, page: PageRequest): Promise<Page<TransactionView>>;
  listBalances(filter: BalanceFilter, page: PageRequest): Promise<Page<Balance>>;
  /** Reservations and allocations count when they hold stock at `now`. */
  listAvailability(filter: AvailabilityFilter, page: PageRequest, now: string): Promise<Page<AvailabilityRow>>;
  listFacilityAvailability(filter: AvailabilityFilter, page: PageRequest, now: string): Promise<Page<FacilityAvailabilityRow>>;
  /**
   * For verification, read in one snapshot: every balance key's sum of ledger lines, every
   * non-zero balance row, and the first lines (at most 100) whose running balance is not the
   * previous line's of the same key plus its delta.
   */
  verification(): Promise<{ ledger: LedgerSum[]; balances: LedgerSum[]; breaks: RunningBreak[] }>;
}

export interface Appended {
  seq: number;
  postedAt: string;
  lines: LineRecord[];
}

export interface LedgerWriter extends LedgerReader {
  /**
   * Appends the transaction, its lines and new lots, applies balance deltas and serial moves.
   * Returns the seq it got, the time it was posted at (the decided time, or later when
   * another host already posted later: posting times never go backwards in seq order), and
   * the lines as written (their running balances count from the balances as they were
   * written, which on PostgreSQL another host may have added to since the decision).
   */
  appendPosting(effects: PostingEffects): Promise<Appended>;
}

export interface ReservationReader {
  /** In a write unit on PostgreSQL, locks the reservation's item and facility, then the row. */
  getReservation(id: string): Promise<ReservationRecord | null>;
  listReservations(filter: ReservationFilter, page: PageRequest, now: string): Promise<Page<ReservationRecord>>;
  getAllocations(reservationId: string): Promise<AllocationRecord[]>;
  listAllocations(filter: AllocationFilter, page: PageRequest, now: string): Promise<Page<Allocation>>;
  /** For verification: every item and facility with a reservation holding stock at `now`. */
  committedPairs(now: string): Promise<ItemFacility[]>;
  /** For verification: reservations whose qtyAllocated is not the sum of their allocations. */
  allocationMismatches(): Promise<Array<{ reservationId: string; qtyAllocated: Micro; allocations: Micro }>>;
}

export interface ReservationWriter extends ReservationReader {
  insertReservation(reservation: ReservationRecord): Promise<void>;
  updateReservation(reservation: ReservationRecord): Promise<void>;
  /** Replaces the reservation's allocations with these (none: all gone). */
  putAllocations(reservationId: string, allocations: readonly AllocationRecord[]): Promise<void>;
}

export interface IdempotencyReader {
  getKey(tokenId: string, key: string): Promise<IdempotencyRecord | null>;
}

export interface IdempotencyWriter extends IdempotencyReader {
  putKey(record: IdempotencyRecord): Promise<void>;
  /** Forgets keys created before the cutoff. */
  purgeKeys(before: string): Promise<number>;
}

export interface Reader {
  catalog: CatalogReader;
  facilities: FacilityReader;
  tokens: TokenReader;
  ledger: LedgerReader;
  reservations: ReservationReader;
  transfers: TransferReader;
  counts: CountReader;
  policies: PolicyReader;
  production: ProductionReader;
  parties: PartyReader;
  purchasing: PurchasingReader;
  sales: SalesReader;
  idempotency: IdempotencyReader;
  events: EventReader;
  webhooks: WebhookReader;
}

export interface Writer extends Reader {
  catalog: CatalogWriter;
  facilities: FacilityWriter;
  tokens: TokenWriter;
  ledger: LedgerWriter;
  reservations: ReservationWriter;
  transfers: TransferWriter;
  counts: CountWriter;
  policies: PolicyWriter;
  production: ProductionWriter;
  parties: PartyWriter;
  purchasing: PurchasingWriter;
  sales: SalesWriter;
  /** Numbers of documents per type (`TR-000001`). */
  documents: DocumentCounter;
  idempotency: IdempotencyWriter;
  /** The events outbox: what a unit records commits with it. */
  events: EventWriter;
  webhooks: WebhookWriter;
}

/**
 * A unique constraint refused a write that the command's checks let through: another
 * writer (another host, on PostgreSQL) got there first. The core answers `conflict`.
 */
export class UniqueViolation extends Error {
  override name = 'UniqueViolation';
}

/** The database did not answer (down, unreachable, locked past the timeout). The host answers 503. */
export class StoreUnavailable extends Error {
  override name = 'StoreUnavailable';
}

/**
 * Told what the store did, for metrics. Observers only watch: they never change what the
 * store does, and an observer that throws is the observer's bug, not the write's.
 */
export interface StoreObserver {
  /**
   * A commit carried this many write units (SQLite's group commit; 1 a unit elsewhere), and
   * among them these ledger postings (appendPosting calls) with this many lines in all.
   */
  committed(units: number, postings: PostingCount): void;
}

export interface PostingCount {
  transactions: number;
  lines: number;
}

export interface Store {
  readonly kind: string;
  /** Adds an observer of the store's commits; stores with nothing to tell may leave it out. */
  observe?(observer: StoreObserver): void;
  /** Committed state. */
  readonly read: Reader;
  /**
   * Runs `work` as one atomic unit: everything it wrote commits when it resolves and rolls
   * back when it throws. A unit sees its own writes and committed state, and what it loaded
   * to decide from (the balances, serials and records it changes) cannot be changed by
   * another unit until it ends: on SQLite because units run one at a time, on PostgreSQL
   * because those rows are locked. A store may roll a unit back and run `work` again before
   * it settles (PostgreSQL after a serialization failure; SQLite when another unit of its
   * batch fails after writing), so `work` must act through `tx` alone.
   */
  write<T>(work: (tx: Writer) => Promise<T>): Promise<T>;
  /** Resolves when the database answers; rejects when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** One item and facility as verification sees it; layers null for moving-average items. */
export interface ValueCheck extends ItemFacility {
  kept: { qty: Micro; value: Money };
  ledger: { qty: Micro; value: Money };
  layers: { qty: Micro; value: Money } | null;
}
