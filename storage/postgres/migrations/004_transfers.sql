-- Document numbers and transfers between facilities: the same tables and meaning as
-- storage/sqlite/migrations/004_transfers.sql. Quantities are bigint micro-units.

-- One counter per document type: the last number handed out. The row lock an update takes
-- is held until COMMIT, so numbers are handed out without gaps among committed documents.
CREATE TABLE document_counters (
  type    text COLLATE "C" PRIMARY KEY,
  last_no bigint NOT NULL CHECK (last_no > 0)
);

-- status_history is JSON text: [{ "status": ..., "at": ... }], oldest first.
CREATE TABLE transfers (
  id               text COLLATE "C" PRIMARY KEY,
  transfer_no      text COLLATE "C" NOT NULL UNIQUE,
  from_facility_id text COLLATE "C" NOT NULL REFERENCES facilities (id),
  to_facility_id   text COLLATE "C" NOT NULL REFERENCES facilities (id),
  status           text COLLATE "C" NOT NULL,
  notes            text COLLATE "C",
  status_history   text COLLATE "C" NOT NULL,
  created_at       text COLLATE "C" NOT NULL,
  updated_at       text COLLATE "C" NOT NULL,
  version          integer NOT NULL,
  CHECK (from_facility_id <> to_facility_id)
);
CREATE INDEX transfers_created ON transfers (created_at, id);
CREATE INDEX transfers_status ON transfers (status, created_at);
CREATE INDEX transfers_from ON transfers (from_facility_id, created_at);
CREATE INDEX transfers_to ON transfers (to_facility_id, created_at);
CREATE INDEX transfers_inbound ON transfers (to_facility_id)
  WHERE status IN ('released', 'partially_shipped', 'shipped', 'partially_received');

CREATE TABLE transfer_lines (
  id             text COLLATE "C" PRIMARY KEY,
  transfer_id    text COLLATE "C" NOT NULL REFERENCES transfers (id),
  line_no        integer NOT NULL,
  item_id        text COLLATE "C" NOT NULL REFERENCES items (id),
  lot_id         text COLLATE "C" REFERENCES lots (id),
  qty            bigint NOT NULL CHECK (qty > 0),
  qty_shipped    bigint NOT NULL CHECK (qty_shipped >= 0),
  qty_received   bigint NOT NULL CHECK (qty_received >= 0),
  reservation_id text COLLATE "C" REFERENCES reservations (id),
  UNIQUE (transfer_id, line_no),
  CHECK (qty_shipped <= qty),
  CHECK (qty_received <= qty_shipped)
);
CREATE INDEX transfer_lines_item ON transfer_lines (item_id, transfer_id);

-- serial_nos is a JSON array as text, or NULL.
CREATE TABLE transfer_shipments (
  id             text COLLATE "C" PRIMARY KEY,
  transfer_id    text COLLATE "C" NOT NULL REFERENCES transfers (id),
  line_id        text COLLATE "C" NOT NULL REFERENCES transfer_lines (id),
  ship_no        integer NOT NULL,
  transaction_id text COLLATE "C" NOT NULL REFERENCES inventory_transactions (id),
  lot_id         text COLLATE "C" REFERENCES lots (id),
  serial_nos     text COLLATE "C",
  qty            bigint NOT NULL CHECK (qty > 0),
  qty_received   bigint NOT NULL CHECK (qty_received >= 0),
  created_at     text COLLATE "C" NOT NULL,
  UNIQUE (transfer_id, ship_no),
  CHECK (qty_received <= qty)
);
