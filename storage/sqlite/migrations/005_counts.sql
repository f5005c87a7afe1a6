-- Cycle counts: sessions and their lines. A session snapshots, when it is created, the on-hand
-- of every non-zero balance of available stock in its scope, with the ledger seq it was taken
-- at; counts are recorded on its lines, and posting it writes one `count` transaction. The
-- same tables and meaning as storage/postgres/migrations/005_counts.sql. Quantities are
-- integer micro-units; a line's lot_id is '' when the item has no lots.

-- Session numbers (CC-000001, ...) come from document_counters (004), type 'count_session'.

CREATE TABLE count_sessions (
  id                    TEXT PRIMARY KEY,
  session_no            TEXT NOT NULL UNIQUE,
  facility_id           TEXT NOT NULL REFERENCES facilities (id),
  -- JSON arrays of ids; NULL: the whole facility, every item.
  location_ids          TEXT,
  item_ids              TEXT,
  blind                 INTEGER NOT NULL,
  notes                 TEXT,
  status                TEXT NOT NULL,
  snapshot_seq          INTEGER NOT NULL,
  posted_transaction_id TEXT,
  -- JSON array of { status, at }.
  status_history        TEXT NOT NULL,
  created_at            TEXT NOT NULL,
  updated_at            TEXT NOT NULL,
  version               INTEGER NOT NULL
) STRICT;
CREATE INDEX count_sessions_facility ON count_sessions (facility_id, status);
CREATE INDEX count_sessions_status ON count_sessions (status);
CREATE INDEX count_sessions_created ON count_sessions (created_at DESC, id DESC);

CREATE TABLE count_session_lines (
  id                  TEXT PRIMARY KEY,
  session_id          TEXT NOT NULL REFERENCES count_sessions (id),
  line_no             INTEGER NOT NULL,
  item_id             TEXT NOT NULL REFERENCES items (id),
  location_id         TEXT NOT NULL REFERENCES locations (id),
  lot_id              TEXT NOT NULL,
  snapshot_qty        INTEGER NOT NULL CHECK (snapshot_qty >= 0),
  expected_qty        INTEGER NOT NULL CHECK (expected_qty >= 0),
  counted_qty         INTEGER CHECK (counted_qty >= 0),
  moved               INTEGER,
  counted_at          TEXT,
  -- Serial-tracked items: JSON arrays of the serials counted and of those on hand at the count.
  serial_nos          TEXT,
  expected_serial_nos TEXT,
  UNIQUE (session_id, line_no),
  UNIQUE (session_id, item_id, location_id, lot_id)
) STRICT;
