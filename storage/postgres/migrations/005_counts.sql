-- Cycle counts: the same tables and meaning as storage/sqlite/migrations/005_counts.sql.
-- Quantities are bigint micro-units; a line's lot_id is '' when the item has no lots.

-- Session numbers (CC-000001, ...) come from document_counters (004), type 'count_session'.

CREATE TABLE count_sessions (
  id                    text COLLATE "C" PRIMARY KEY,
  session_no            text COLLATE "C" NOT NULL UNIQUE,
  facility_id           text COLLATE "C" NOT NULL REFERENCES facilities (id),
  -- JSON arrays of ids; NULL: the whole facility, every item.
  location_ids          text,
  item_ids              text,
  blind                 boolean NOT NULL,
  notes                 text,
  status                text COLLATE "C" NOT NULL,
  snapshot_seq          bigint NOT NULL,
  posted_transaction_id text COLLATE "C",
  -- JSON array of { status, at }.
  status_history        text NOT NULL,
  created_at            text COLLATE "C" NOT NULL,
  updated_at            text COLLATE "C" NOT NULL,
  version               integer NOT NULL
);
CREATE INDEX count_sessions_facility ON count_sessions (facility_id, status);
CREATE INDEX count_sessions_status ON count_sessions (status);
CREATE INDEX count_sessions_created ON count_sessions (created_at DESC, id DESC);

CREATE TABLE count_session_lines (
  id                  text COLLATE "C" PRIMARY KEY,
  session_id          text COLLATE "C" NOT NULL REFERENCES count_sessions (id),
  line_no             integer NOT NULL,
  item_id             text COLLATE "C" NOT NULL REFERENCES items (id),
  location_id         text COLLATE "C" NOT NULL REFERENCES locations (id),
  lot_id              text COLLATE "C" NOT NULL,
  snapshot_qty        bigint NOT NULL CHECK (snapshot_qty >= 0),
  expected_qty        bigint NOT NULL CHECK (expected_qty >= 0),
  counted_qty         bigint CHECK (counted_qty >= 0),
  moved               boolean,
  counted_at          text COLLATE "C",
  -- Serial-tracked items: JSON arrays of the serials counted and of those on hand at the count.
  serial_nos          text,
  expected_serial_nos text,
  UNIQUE (session_id, line_no),
  UNIQUE (session_id, item_id, location_id, lot_id)
);
