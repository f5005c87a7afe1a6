-- The stock ledger: append-only transactions and lines, and the balances they project.
-- A balance's lot_id is '' for items without lot tracking, so the key is never NULL.

CREATE TABLE lots (
  id         TEXT PRIMARY KEY,
  item_id    TEXT NOT NULL REFERENCES items (id),
  lot_no     TEXT NOT NULL,
  expires_on TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (item_id, lot_no)
) STRICT;

CREATE TABLE inventory_transactions (
  seq                      INTEGER PRIMARY KEY,
  id                       TEXT NOT NULL UNIQUE,
  type                     TEXT NOT NULL,
  occurred_at              TEXT NOT NULL,
  posted_at                TEXT NOT NULL,
  reason                   TEXT,
  reference_type           TEXT,
  reference_id             TEXT,
  reverses_transaction_id  TEXT
) STRICT;
CREATE INDEX inventory_transactions_posted ON inventory_transactions (posted_at);
-- Partial indexes: most postings have no reference and reverse nothing, and an index entry
-- for every NULL would cost each posting two more index writes for nothing.
CREATE INDEX inventory_transactions_reference ON inventory_transactions (reference_id, reference_type)
  WHERE reference_id IS NOT NULL;
-- At most one reversal per transaction.
CREATE UNIQUE INDEX inventory_transactions_reverses ON inventory_transactions (reverses_transaction_id)
  WHERE reverses_transaction_id IS NOT NULL;
CREATE INDEX inventory_transactions_type ON inventory_transactions (type, seq);

CREATE TABLE inventory_lines (
  seq         INTEGER NOT NULL REFERENCES inventory_transactions (seq),
  line_no     INTEGER NOT NULL,
  item_id     TEXT NOT NULL,
  facility_id TEXT NOT NULL,
  location_id TEXT NOT NULL,
  lot_id      TEXT NOT NULL,
  status_id   TEXT NOT NULL,
  qty_delta   INTEGER NOT NULL,
  -- The key's balance right after this line: the on-hand as of any seq is one index lookup.
  on_hand_after INTEGER NOT NULL CHECK (on_hand_after >= 0),
  serial_nos  TEXT,
  PRIMARY KEY (seq, line_no)
) STRICT, WITHOUT ROWID;
-- A balance key's history in order; also serves "lines of an item".
CREATE INDEX inventory_lines_key ON inventory_lines (item_id, location_id, lot_id, status_id, seq, line_no);
CREATE INDEX inventory_lines_facility ON inventory_lines (facility_id, seq);
CREATE INDEX inventory_lines_location ON inventory_lines (location_id, seq);

CREATE TABLE balances (
  item_id     TEXT NOT NULL,
  location_id TEXT NOT NULL,
  lot_id      TEXT NOT NULL,
  status_id   TEXT NOT NULL,
  facility_id TEXT NOT NULL,
  on_hand     INTEGER NOT NULL CHECK (on_hand >= 0),
  PRIMARY KEY (item_id, location_id, lot_id, status_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX balances_facility ON balances (facility_id, item_id);
CREATE INDEX balances_location ON balances (location_id);

-- Where each serial number is now; location_id NULL once it has left.
CREATE TABLE serials (
  item_id     TEXT NOT NULL,
  serial_no   TEXT NOT NULL,
  facility_id TEXT,
  location_id TEXT,
  lot_id      TEXT,
  status_id   TEXT,
  PRIMARY KEY (item_id, serial_no)
) STRICT, WITHOUT ROWID;
