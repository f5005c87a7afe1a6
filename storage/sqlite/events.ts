// The events outbox on SQLite. One writer runs every unit, so the order of insertion is the
// order of commit, and the integer primary key is the seq: an event is written at once, in
// the unit's savepoint, and goes away with it when the unit rolls back.
import type { EventFilter, EventWriter, NewEvent, StoredEvent } from '../../core/event.js';
import type { Statements } from './database.js';

interface EventRow {
  seq: number;
  id: string;
  type: NewEvent['type'];
  occurredAt: string;
  data: string;
}

const EVENT = 'SELECT seq, id, type, occurred_at AS occurredAt, data FROM events';

const toEvent = (r: EventRow): StoredEvent => ({ seq: r.seq, id: r.id, type: r.type, occurredAt: r.occurredAt, data: JSON.parse(r.data) });

export class SqliteEvents implements EventWriter {
  constructor(private readonly sql: Statements) {}

  async listEvents(filter: EventFilter, limit: number): Promise<StoredEvent[]> {
    const rows = filter.types?.length
      ? this.sql.get(`${EVENT} WHERE seq > ? AND type IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?`)
        .all(filter.after, JSON.stringify(filter.types), limit)
      : this.sql.get(`${EVENT} WHERE seq > ? ORDER BY seq LIMIT ?`).all(filter.after, limit);
    return (rows as EventRow[]).map(toEvent);
  }

  async lastEventSeq(): Promise<number> {
    return this.sql.get('SELECT coalesce(max(seq), 0) FROM events').pluck().get() as number;
  }

  async recordEvent(e: NewEvent): Promise<void> {
    this.sql.get('INSERT INTO events (id, type, occurred_at, data) VALUES (?, ?, ?, ?)')
      .run(e.id, e.type, e.occurredAt, JSON.stringify(e.data));
  }
}
