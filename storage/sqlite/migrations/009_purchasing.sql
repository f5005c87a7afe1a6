-- Purchasing: purchase orders, requisitions and goods receipts.
-- Quantities and prices are integers in micro-units (six decimals); a line's qty is in its
-- uom_id, qty_base in the item's base UOM (converted when the line was written). Timestamps
-- and dates are ISO text; status_history is JSON: [{ "from", "to", "at", "by" }], oldest first.

CREATE TABLE purchase_orders (
  id             TEXT PRIMARY KEY,
  po_no          TEXT NOT NULL UNIQUE,
  supplier_id    TEXT NOT NULL REFERENCES parties (id),
  facility_id    TEXT NOT NULL REFERENCES facilities (id),
  status         TEXT NOT NULL,
  currency       TEXT,
  expected_on    TEXT,
  notes          TEXT,
  status_history TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  version        INTEGER NOT NULL
) STRICT;
CREATE INDEX purchase_orders_created ON purchase_orders (created_at, id);
CREATE INDEX purchase_orders_status ON purchase_orders (status, created_at);
CREATE INDEX purchase_orders_supplier ON purchase_orders (supplier_id, created_at);
CREATE INDEX purchase_orders_facility ON purchase_orders (facility_id, created_at);

CREATE TABLE requisitions (
  id             TEXT PRIMARY KEY,
  requisition_no TEXT NOT NULL UNIQUE,
  facility_id    TEXT NOT NULL REFERENCES facilities (id),
  status         TEXT NOT NULL,
  notes          TEXT,
  status_history TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  version        INTEGER NOT NULL
) STRICT;
CREATE INDEX requisitions_created ON requisitions (created_at, id);
CREATE INDEX requisitions_status ON requisitions (status, created_at);
CREATE INDEX requisitions_facility ON requisitions (facility_id, created_at);

-- purchase_order_id: the order the line went to when the requisition was converted.
CREATE TABLE requisition_lines (
  id                TEXT PRIMARY KEY,
  requisition_id    TEXT NOT NULL REFERENCES requisitions (id),
  line_no           INTEGER NOT NULL,
  item_id           TEXT NOT NULL REFERENCES items (id),
  qty               INTEGER NOT NULL CHECK (qty > 0),
  uom_id            TEXT NOT NULL REFERENCES uoms (id),
  qty_base          INTEGER NOT NULL CHECK (qty_base > 0),
  needed_by         TEXT,
  supplier_id       TEXT REFERENCES parties (id),
  purchase_order_id TEXT REFERENCES purchase_orders (id),
  UNIQUE (requisition_id, line_no)
) STRICT;
CREATE INDEX requisition_lines_item ON requisition_lines (item_id, requisition_id);

CREATE TABLE purchase_order_lines (
  id                  TEXT PRIMARY KEY,
  purchase_order_id   TEXT NOT NULL REFERENCES purchase_orders (id),
  line_no             INTEGER NOT NULL,
  item_id             TEXT NOT NULL REFERENCES items (id),
  qty                 INTEGER NOT NULL CHECK (qty > 0),
  uom_id              TEXT NOT NULL REFERENCES uoms (id),
  qty_base            INTEGER NOT NULL CHECK (qty_base > 0),
  unit_price          INTEGER NOT NULL CHECK (unit_price >= 0),
  qty_received        INTEGER NOT NULL CHECK (qty_received >= 0),
  qty_received_base   INTEGER NOT NULL CHECK (qty_received_base >= 0),
  requisition_line_id TEXT REFERENCES requisition_lines (id),
  UNIQUE (purchase_order_id, line_no),
  CHECK (qty_received <= qty),
  CHECK (qty_received_base <= qty_base)
) STRICT;
CREATE INDEX purchase_order_lines_item ON purchase_order_lines (item_id, purchase_order_id);

-- received_by is the actor as JSON ({ "tokenId", "name" }), or NULL.
CREATE TABLE purchase_receipts (
  id                TEXT PRIMARY KEY,
  purchase_order_id TEXT NOT NULL REFERENCES purchase_orders (id),
  transaction_id    TEXT NOT NULL UNIQUE REFERENCES inventory_transactions (id),
  reason            TEXT,
  received_at       TEXT NOT NULL,
  received_by       TEXT
) STRICT;
CREATE INDEX purchase_receipts_order ON purchase_receipts (purchase_order_id, received_at, id);

-- serial_nos is a JSON array, or NULL.
CREATE TABLE purchase_receipt_lines (
  receipt_id             TEXT NOT NULL REFERENCES purchase_receipts (id),
  line_no                INTEGER NOT NULL,
  purchase_order_line_id TEXT NOT NULL REFERENCES purchase_order_lines (id),
  item_id                TEXT NOT NULL REFERENCES items (id),
  qty                    INTEGER NOT NULL CHECK (qty > 0),
  uom_id                 TEXT NOT NULL REFERENCES uoms (id),
  qty_base               INTEGER NOT NULL CHECK (qty_base > 0),
  location_id            TEXT NOT NULL REFERENCES locations (id),
  status_id              TEXT NOT NULL REFERENCES stock_statuses (id),
  lot_id                 TEXT REFERENCES lots (id),
  serial_nos             TEXT,
  PRIMARY KEY (receipt_id, line_no)
) STRICT, WITHOUT ROWID;
