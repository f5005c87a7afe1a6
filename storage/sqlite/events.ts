// The events outbox on SQLite. One writer runs every unit, so the order of insertion is the
// order of commit, and the integer primary key is the seq: an event is written at once, in
// the unit's savepoint, and goes away with it when the unit rolls back.
import type { EventFilter, EventWriter, NewEvent, StoredEvent } from '../../core/event.js';
import type { Page, PageRequest } from '../../core/page.js';
import type { Statements } from './database.js';
import { page } from './sql.js';

interface EventRow {
  seq: number;
  id: string;
  type: NewEvent['type'];
  occurredAt: string;
  data: string;
}

const EVENT = 'SELECT seq, id, type, occurred_at AS occurredAt, data';

const toEvent = (r: EventRow): StoredEvent => ({ seq: r.seq, id: r.id, type: r.type, occurredAt: r.occurredAt, data: JSON.parse(r.data) });

export class SqliteEvents implements EventWriter {
  constructor(private readonly sql: Statements) {}

  async listEvents(filter: EventFilter, p: PageRequest): Promise<Page<StoredEvent>> {
    const where = filter.types?.length ? 'seq > ? AND type IN (SELECT value FROM json_each(?))' : 'seq > ?';
    const args = filter.types?.length ? [filter.after, JSON.stringify(filter.types)] : [filter.after];
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
