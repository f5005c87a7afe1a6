// The events outbox on SQLite. One writer runs every unit, so the order of insertion is the
// order of commit, and the integer primary key is the seq: an event is written at once, in
// the unit's transaction, and goes away with it when the unit rolls back. A posting's event
// keeps only the posting's seq, and its data is built from the ledger when it is read
// (migration 014): every posting writes one, and a copy of the posting made each commit
// write more pages.
import { assert } from '../../core/assert.js';
import {
  postedEventData, type EventFilter, type EventType, type EventWriter, type NewEvent, type PostedTransaction, type StoredEvent,
} from '../../core/event.js';
import type { TransactionType } from '../../core/ledger.js';
import type { Page, PageRequest } from '../../core/page.js';
import { fromMicro } from '../../core/quantity.js';
import { byParent, lotOut } from '../rows/columns.js';
import type { Statements } from './database.js';
import { idList, page } from './sql.js';

interface EventRow {
  seq: number;
  id: string;
  type: NewEvent['type'];
  occurredAt: string;
  /** JSON, or null for a posting's event: then its data is built from the posting. */
  data: string | null;
  transactionSeq: number | null;
}

const EVENT = 'SELECT seq, id, type, occurred_at AS occurredAt, data, transaction_seq AS transactionSeq';
const POSTED: EventType = 'transaction.posted';

export class SqliteEvents implements EventWriter {
  constructor(private readonly sql: Statements) {}

  async listEvents(filter: EventFilter, p: PageRequest): Promise<Page<StoredEvent>> {
    const { where, args } = eventWhere(filter);
    const r = await page<EventRow>(this.sql, EVENT, 'FROM events', where, args, 'seq', p);
    const postings = this.postings(r.items.flatMap((e) => (e.data === null ? [e.transactionSeq!] : [])));
    return { items: r.items.map((e) => toEvent(e, postings)), total: r.total };
  }

  /** The postings with these seqs, as their events tell of them: two indexed reads for a page. */
  private postings(seqs: number[]): Map<number, PostedTransaction> {
    if (seqs.length === 0) return new Map();
    const list = JSON.stringify(seqs);
    const lineRows = this.sql.get(`SELECT seq, item_id AS itemId, facility_id AS facilityId, location_id AS locationId,
      lot_id AS lotId, status_id AS statusId, qty_delta AS qtyDelta FROM inventory_lines
      WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq, line_no`).all(list) as PostedLineRow[];
    const lines = byParent(lineRows, (l) => l.seq, (l) => ({
      itemId: l.itemId, facilityId: l.facilityId, locationId: l.locationId, lotId: lotOut(l.lotId), statusId: l.statusId,
      qtyDelta: fromMicro(l.qtyDelta),
    }));
    const rows = this.sql.get(`SELECT seq, id, type, reference_type AS referenceType, reference_id AS referenceId,
      reverses_transaction_id AS reversesTransactionId FROM inventory_transactions WHERE seq IN (SELECT value FROM json_each(?))`)
      .all(list) as PostedRow[];
    return new Map(rows.map((t) => [t.seq, {
      id: t.id, seq: t.seq, type: t.type, reference: { type: t.referenceType, id: t.referenceId },
      reversesTransactionId: t.reversesTransactionId, lines: lines.get(t.seq) ?? [],
    }]));
  }

  async lastEventSeq(): Promise<number> {
    return this.sql.get('SELECT coalesce(max(seq), 0) FROM events').value() as number;
  }

  async recordEvent(e: NewEvent): Promise<void> {
    const posting = e.type === POSTED && Number.isInteger(e.data.transactionSeq) ? e.data.transactionSeq as number : null;
    this.sql.get('INSERT INTO events (id, type, occurred_at, data, transaction_seq) VALUES (?, ?, ?, ?, ?)')
      .run(e.id, e.type, e.occurredAt, posting === null ? JSON.stringify(e.data) : null, posting);
  }
}

interface PostedRow {
  seq: number;
  id: string;
  type: TransactionType;
  referenceType: string | null;
  referenceId: string | null;
  reversesTransactionId: string | null;
}

interface PostedLineRow {
  seq: number;
  itemId: string;
  facilityId: string;
  locationId: string;
  lotId: string;
  statusId: string;
  qtyDelta: number;
}

function toEvent(r: EventRow, postings: ReadonlyMap<number, PostedTransaction>): StoredEvent {
  let data: Record<string, unknown>;
  if (r.data !== null) data = JSON.parse(r.data);
  else {
    const posting = postings.get(r.transactionSeq!);
    // The ledger is append-only: a committed posting's event always finds its posting.
    assert(posting, `event ${r.seq} finds posting ${r.transactionSeq}`);
    data = postedEventData(posting);
  }
  return { seq: r.seq, id: r.id, type: r.type, occurredAt: r.occurredAt, data };
}

/** The WHERE clause of a listing and its arguments. */
export function eventWhere(filter: EventFilter): { where: string; args: unknown[] } {
  const types = filter.types ?? [];
  if (types.length === 0) return { where: 'seq > ?', args: [filter.after] };
  // The type index holds every event but postings (migration 013), and SQLite uses it only
  // when the query carries its condition word for word.
  const index = types.includes(POSTED) ? '' : ` AND type <> '${POSTED}'`;
  return { where: `seq > ? AND type IN (SELECT value FROM json_each(?))${index}`, args: [filter.after, idList(types)] };
}
