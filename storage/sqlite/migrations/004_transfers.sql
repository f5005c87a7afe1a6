-- Document numbers and transfers between facilities.
-- Quantities are integers in micro-units (six decimals); timestamps are ISO text.

-- One counter per document type ('transfer', and later documents under types of their
-- own): the last number handed out. A unit that rolls back gives its number back.
CREATE TABLE document_counters (
  type    TEXT PRIMARY KEY,
  last_no INTEGER NOT NULL CHECK (last_no > 0)
) STRICT, WITHOUT ROWID;

-- status_history is JSON: [{ "status": ..., "at": ... }], oldest first.
CREATE TABLE transfers (
  id               TEXT PRIMARY KEY,
  transfer_no      TEXT NOT NULL UNIQUE,
  from_facility_id TEXT NOT NULL REFERENCES facilities (id),
  to_facility_id   TEXT NOT NULL REFERENCES facilities (id),
  status           TEXT NOT NULL,
  notes            TEXT,
  status_history   TEXT NOT NULL,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  version          INTEGER NOT NULL,
  CHECK (from_facility_id <> to_facility_id)
) STRICT;
CREATE INDEX transfers_created ON transfers (created_at, id);
CREATE INDEX transfers_status ON transfers (status, created_at);
CREATE INDEX transfers_from ON transfers (from_facility_id, created_at);
CREATE INDEX transfers_to ON transfers (to_facility_id, created_at);
-- Inbound quantities read only transfers still on their way.
CREATE INDEX transfers_inbound ON transfers (to_facility_id)
  WHERE status IN ('released', 'partially_shipped', 'shipped', 'partially_received');

CREATE TABLE transfer_lines (
  id             TEXT PRIMARY KEY,
  transfer_id    TEXT NOT NULL REFERENCES transfers (id),
  line_no        INTEGER NOT NULL,
  item_id        TEXT NOT NULL REFERENCES items (id),
  lot_id         TEXT REFERENCES lots (id),
  qty            INTEGER NOT NULL CHECK (qty > 0),
  qty_shipped    INTEGER NOT NULL CHECK (qty_shipped >= 0),
  qty_received   INTEGER NOT NULL CHECK (qty_received >= 0),
  reservation_id TEXT REFERENCES reservations (id),
  UNIQUE (transfer_id, line_no),
  CHECK (qty_shipped <= qty),
  CHECK (qty_received <= qty_shipped)
) STRICT;
CREATE INDEX transfer_lines_item ON transfer_lines (item_id, transfer_id);

-- What each ship line sent (one lot, its serials as a JSON array or NULL) and how much of it
-- has been received; receipts take a line's shipments in ship_no order.
CREATE TABLE transfer_shipments (
  id             TEXT PRIMARY KEY,
  transfer_id    TEXT NOT NULL REFERENCES transfers (id),
  line_id        TEXT NOT NULL REFERENCES transfer_lines (id),
  ship_no        INTEGER NOT NULL,
  transaction_id TEXT NOT NULL REFERENCES inventory_transactions (id),
  lot_id         TEXT REFERENCES lots (id),
  serial_nos     TEXT,
  qty            INTEGER NOT NULL CHECK (qty > 0),
  qty_received   INTEGER NOT NULL CHECK (qty_received >= 0),
  created_at     TEXT NOT NULL,
  UNIQUE (transfer_id, ship_no),
  CHECK (qty_received <= qty)
) STRICT;
