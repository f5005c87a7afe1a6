-- The stock ledger: append-only transactions and lines, and the balances they project. The
-- same tables and meaning as storage/sqlite/migrations/002_ledger.sql, plus ledger_head.
-- A balance's lot_id is '' for items without lot tracking, so the key is never NULL.
-- Quantities are bigint micro-units.

CREATE TABLE lots (
  id         text COLLATE "C" PRIMARY KEY,
  item_id    text COLLATE "C" NOT NULL REFERENCES items (id),
  lot_no     text COLLATE "C" NOT NULL,
  expires_on text COLLATE "C",
  created_at text COLLATE "C" NOT NULL,
  UNIQUE (item_id, lot_no)
);

-- The one-row counter every posting takes its seq from, as the last write of its unit: the
-- row lock it takes there is held until COMMIT, so seq order is commit order across hosts
-- and a change-feed reader (afterSeq) never sees seq n+1 before seq n. posted_at is the
-- latest posting time, which the core never posts before.
CREATE TABLE ledger_head (
  id        boolean PRIMARY KEY DEFAULT true CHECK (id),
  seq       bigint NOT NULL,
  posted_at text COLLATE "C"
);
INSERT INTO ledger_head (id, seq, posted_at) VALUES (true, 0, NULL);

CREATE TABLE inventory_transactions (
  seq                      bigint PRIMARY KEY,
  id                       text COLLATE "C" NOT NULL UNIQUE,
  type                     text COLLATE "C" NOT NULL,
  occurred_at              text COLLATE "C" NOT NULL,
  posted_at                text COLLATE "C" NOT NULL,
  reason                   text COLLATE "C",
  reference_type           text COLLATE "C",
  reference_id             text COLLATE "C",
  reverses_transaction_id  text COLLATE "C"
);
CREATE INDEX inventory_transactions_posted ON inventory_transactions (posted_at);
CREATE INDEX inventory_transactions_reference ON inventory_transactions (reference_id, reference_type)
  WHERE reference_id IS NOT NULL;
-- At most one reversal per transaction.
CREATE UNIQUE INDEX inventory_transactions_reverses ON inventory_transactions (reverses_transaction_id)
  WHERE reverses_transaction_id IS NOT NULL;
CREATE INDEX inventory_transactions_type ON inventory_transactions (type, seq);

CREATE TABLE inventory_lines (
  seq         bigint NOT NULL REFERENCES inventory_transactions (seq),
  line_no     integer NOT NULL,
  item_id     text COLLATE "C" NOT NULL,
  facility_id text COLLATE "C" NOT NULL,
  location_id text COLLATE "C" NOT NULL,
  lot_id      text COLLATE "C" NOT NULL,
  status_id   text COLLATE "C" NOT NULL,
  qty_delta   bigint NOT NULL,
  -- The key's balance right after this line: the on-hand as of any seq is one index lookup.
  on_hand_after bigint NOT NULL CHECK (on_hand_after >= 0),
  serial_nos  text,
  PRIMARY KEY (seq, line_no)
);
-- A balance key's history in order; also serves "lines of an item".
CREATE INDEX inventory_lines_key ON inventory_lines (item_id, location_id, lot_id, status_id, seq, line_no);
CREATE INDEX inventory_lines_facility ON inventory_lines (facility_id, seq);
CREATE INDEX inventory_lines_location ON inventory_lines (location_id, seq);

CREATE TABLE balances (
  item_id     text COLLATE "C" NOT NULL,
  location_id text COLLATE "C" NOT NULL,
  lot_id      text COLLATE "C" NOT NULL,
  status_id   text COLLATE "C" NOT NULL,
  facility_id text COLLATE "C" NOT NULL,
  on_hand     bigint NOT NULL CHECK (on_hand >= 0),
  PRIMARY KEY (item_id, location_id, lot_id, status_id)
);
CREATE INDEX balances_facility ON balances (facility_id, item_id);
CREATE INDEX balances_location ON balances (location_id);

-- Where each serial number is now; location_id NULL once it has left.
CREATE TABLE serials (
  item_id     text COLLATE "C" NOT NULL,
  serial_no   text COLLATE "C" NOT NULL,
  facility_id text COLLATE "C",
  location_id text COLLATE "C",
  lot_id      text COLLATE "C",
  status_id   text COLLATE "C",
  PRIMARY KEY (item_id, serial_no)
);
