// The events outbox on SQLite. One writer runs every unit, so the order of insertion is the
// order of commit, and the integer primary key is the seq: an event is written at once, in
// the unit's transaction, and goes away with it when the unit rolls back.
import type { EventFilter, EventType, EventWriter, NewEvent, StoredEvent } from '../../core/event.js';
import type { Page, PageRequest } from '../../core/page.js';
import type { Statements } from './database.js';
import { idList, page } from './sql.js';

interface EventRow {
  seq: number;
  id: string;
  type: NewEvent['type'];
  occurredAt: string;
  data: string;
}

const EVENT = 'SELECT seq, id, type, occurred_at AS occurredAt, data';
const POSTED: EventType = 'transaction.posted';

const toEvent = (r: EventRow): StoredEvent => ({ seq: r.seq, id: r.id, type: r.type, occurredAt: r.occurredAt, data: JSON.parse(r.data) });

export class SqliteEvents implements EventWriter {
  constructor(private readonly sql: Statements) {}

  async listEvents(filter: EventFilter, p: PageRequest): Promise<Page<StoredEvent>> {
    const { where, args } = eventWhere(filter);
    const r = await page<EventRow>(this.sql, EVENT, 'FROM events', where, args, 'seq', p);
    return { items: r.items.map(toEvent), total: r.total };
  }

  async lastEventSeq(): Promise<number> {
    return this.sql.get('SELECT coalesce(max(seq), 0) FROM events').value() as number;
  }

  async recordEvent(e: NewEvent): Promise<void> {
    this.sql.get('INSERT INTO events (id, type, occurred_at, data) VALUES (?, ?, ?, ?)')
      .run(e.id, e.type, e.occurredAt, JSON.stringify(e.data));
  }
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
