-- Every posting writes an event, and every index on events is one more B-tree each posting
-- changes and one more page in each commit's WAL (a single posting's commit wrote 17.8 pages,
-- 2.3 of them for these two indexes: `node --import tsx bench/pages.ts`).
--
-- The id's UNIQUE index goes: ids are UUIDv7 made by the unit that records the event, and
-- nothing looks an event up by its id (the feed is read by seq). The type index keeps only
-- the events that are not postings: asking for document events finds them without reading
-- past the postings, and asking for postings, the events nearly every seq holds, reads in
-- seq order (listEvents adds the index's condition to the query when it can use it).
-- SQLite cannot drop a UNIQUE constraint, so the table is built again.
CREATE TABLE events_lean (
  seq         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL,
  type        TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  data        TEXT NOT NULL
) STRICT;
INSERT INTO events_lean (seq, id, type, occurred_at, data) SELECT seq, id, type, occurred_at, data FROM events;
DROP TABLE events;
ALTER TABLE events_lean RENAME TO events;
CREATE INDEX events_type ON events (type, seq) WHERE type <> 'transaction.posted';
