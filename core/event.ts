// The events outbox. Every ledger posting and every document status change is written as an
// event by the same write unit that makes it, so an event exists exactly when its change
// committed. Each event has a `seq` that grows in commit order (on PostgreSQL it is taken
// under a lock held until COMMIT), so a reader that pages with `after=<last seq seen>` never
// misses an event that commits later. The feed and the webhook deliveries both read it.
import type { Actor, StatusChange } from './document.js';
import { newId } from './id.js';
import type { LineView, TransactionView } from './ledger.js';
import type { Page, PageRequest } from './page.js';
import type { Writer } from './ports.js';

/** The documents whose status changes are events, as their event types name them. */
export const DOCUMENT_TYPES = [
  'reservation', 'transfer', 'count_session', 'requisition', 'purchase_order', 'sales_order', 'bom', 'work_order',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** `transaction.posted`, and `<document type>.status_changed` per document type. */
export const EVENT_TYPES = ['transaction.posted', ...DOCUMENT_TYPES.map((d) => `${d}.status_changed` as const)] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An event as a unit records it; the store gives it its seq. */
export interface NewEvent {
  id: string;
  type: EventType;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** An event as it is read: `seq` is the feed's cursor. */
export interface StoredEvent extends NewEvent {
  seq: number;
}

export interface EventFilter {
  /** Events after this seq (0: from the first). */
  after: number;
  types?: readonly string[];
}

export interface EventReader {
  /** Events after the cursor, oldest first; `total` counts every one after it. */
  listEvents(filter: EventFilter, page: PageRequest): Promise<Page<StoredEvent>>;
  /** The seq of the last committed event, 0 when there is none. */
  lastEventSeq(): Promise<number>;
}

export interface EventWriter extends EventReader {
  /**
   * Writes the event in this unit: it commits, or rolls back, with the change it describes.
   * A `transaction.posted` event naming a `transactionSeq` holds `postedEventData` of that
   * transaction, so an adapter may keep only the seq and build the data again when it is read.
   */
  recordEvent(event: NewEvent): Promise<void>;
}

/**
 * A posting as an event: the transaction and a summary of every line (which balance moved
 * by how much), small enough to act on without another call.
 */
export function postedEvent(t: TransactionView): NewEvent {
  return { id: newId(), type: 'transaction.posted', occurredAt: t.postedAt, data: postedEventData(t) };
}

/** What a posting's event tells of it: the transaction, and each line's place and change. */
export type PostedTransaction = Pick<TransactionView, 'id' | 'seq' | 'type' | 'reference' | 'reversesTransactionId'> & {
  lines: ReadonlyArray<Pick<LineView, 'itemId' | 'facilityId' | 'locationId' | 'lotId' | 'statusId' | 'qtyDelta'>>;
};

/** The data of a posting's event: a function of the transaction alone, which never changes once posted. */
export function postedEventData(t: PostedTransaction): Record<string, unknown> {
  return {
    transactionId: t.id,
    transactionSeq: t.seq,
    transactionType: t.type,
    reference: t.reference,
    reversesTransactionId: t.reversesTransactionId,
    lines: t.lines.map((l) => ({
      itemId: l.itemId, facilityId: l.facilityId, locationId: l.locationId, lotId: l.lotId, statusId: l.statusId, qtyDelta: l.qtyDelta,
    })),
  };
}

/** The document a status change belongs to. `number` is its document number (`TR-000001`), when it has one. */
export interface DocumentRef {
  type: DocumentType;
  id: string;
  number: string | null;
}

export function statusEvent(doc: DocumentRef, from: string | null, to: string, at: string, by: Actor | null): NewEvent {
  return {
    id: newId(),
    type: `${doc.type}.status_changed`,
    occurredAt: at,
    data: { documentType: doc.type, documentId: doc.id, documentNo: doc.number, from, to, by },
  };
}

/** Records a status change; a step that keeps the status is no change and records nothing. */
export async function recordStatusChange(
  tx: Writer, doc: DocumentRef, from: string | null, to: string, at: string, by: Actor | null,
): Promise<void> {
  if (from !== to) await tx.events.recordEvent(statusEvent(doc, from, to, at, by));
}

/**
 * Records the entries a document's status history gained: `before` is the history as it was
 * loaded (empty for a new document), `after` as it is saved. Deriving the events from the
 * history keeps them identical to what the document itself says about when and who.
 */
export async function recordHistory(
  tx: Writer, doc: DocumentRef, before: ReadonlyArray<StatusChange<string>>, after: ReadonlyArray<StatusChange<string>>,
): Promise<void> {
  for (const c of after.slice(before.length)) await tx.events.recordEvent(statusEvent(doc, c.from, c.to, c.at, c.by));
}
