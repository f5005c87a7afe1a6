// The events outbox on PostgreSQL. Units run side by side and commit in an order nobody
// knows in advance, so an event cannot take its seq when it is recorded: a reader that has
// seen seq 7 committed must never later find a seq 6. A unit's events are kept in memory
// and written by flushEvents just before its COMMIT, with seqs from event_head, whose row
// stays locked until that COMMIT: seqs are handed out in commit order. Only the flush and
// the COMMIT run one unit at a time; everything before them still runs in parallel.
import type { EventFilter, EventWriter, NewEvent, StoredEvent } from '../../core/event.js';
import { assert } from '../../core/assert.js';
import type { Page, PageRequest } from '../../core/page.js';
import { page, type Sql } from './sql.js';

interface EventRow {
  seq: number;
  id: string;
  type: NewEvent['type'];
  occurredAt: string;
  data: string;
}

const EVENT = 'SELECT seq, id, type, occurred_at AS "occurredAt", data';

const toEvent = (r: EventRow): StoredEvent => ({ seq: r.seq, id: r.id, type: r.type, occurredAt: r.occurredAt, data: JSON.parse(r.data) });

export class PgEvents implements EventWriter {
  constructor(private readonly sql: Sql) {}

  async listEvents(filter: EventFilter, p: PageRequest): Promise<Page<StoredEvent>> {
    const where = filter.types?.length ? 'seq > ? AND type = ANY(?::text[])' : 'seq > ?';
    const args = filter.types?.length ? [filter.after, filter.types] : [filter.after];
    const r = await page<EventRow>(this.sql, EVENT, 'FROM events', where, args, 'seq', p);
    return { items: r.items.map(toEvent), total: r.total };
  }

  async lastEventSeq(): Promise<number> {
    return (await this.sql.rows<{ seq: number }>('SELECT coalesce(max(seq), 0) AS seq FROM events'))[0]!.seq;
  }

  async recordEvent(e: NewEvent): Promise<void> {
    assert(this.sql.unit, 'recordEvent runs inside a write unit');
    this.sql.unit.events.push(e);
  }
}

/** Writes a unit's events, numbered from event_head; its caller COMMITs right after. */
export async function flushEvents(sql: Sql): Promise<void> {
  const events = sql.unit?.events ?? [];
  if (events.length === 0) return;
  await sql.rows(`WITH head AS (UPDATE event_head SET seq = seq + ? RETURNING seq)
    INSERT INTO events (seq, id, type, occurred_at, data)
    SELECT head.seq - ? + k.n, k.id, k.type, k.occurred_at, k.data
    FROM head, unnest(?::integer[], ?::text[], ?::text[], ?::text[], ?::text[]) AS k (n, id, type, occurred_at, data)`, [
    events.length, events.length,
    events.map((_, i) => i + 1), events.map((e) => e.id), events.map((e) => e.type), events.map((e) => e.occurredAt),
    events.map((e) => JSON.stringify(e.data)),
  ]);
}
