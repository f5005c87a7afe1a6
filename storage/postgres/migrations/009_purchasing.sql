-- Purchasing: purchase orders, requisitions and goods receipts: the same tables and meaning as
-- storage/sqlite/migrations/009_purchasing.sql. Quantities and prices are bigint micro-units
-- (six decimals); a line's qty is in its uom_id, qty_base in the item's base UOM (converted
-- when the line was written). Timestamps and dates are ISO text; status_history is JSON text.

CREATE TABLE purchase_orders (
  id             text COLLATE "C" PRIMARY KEY,
  po_no          text COLLATE "C" NOT NULL UNIQUE,
  supplier_id    text COLLATE "C" NOT NULL REFERENCES parties (id),
  facility_id    text COLLATE "C" NOT NULL REFERENCES facilities (id),
  status         text COLLATE "C" NOT NULL,
  currency       text COLLATE "C",
  expected_on    text COLLATE "C",
  notes          text COLLATE "C",
  status_history text COLLATE "C" NOT NULL,
  created_at     text COLLATE "C" NOT NULL,
  updated_at     text COLLATE "C" NOT NULL,
  version        integer NOT NULL
);
CREATE INDEX purchase_orders_created ON purchase_orders (created_at, id);
CREATE INDEX purchase_orders_status ON purchase_orders (status, created_at);
CREATE INDEX purchase_orders_supplier ON purchase_orders (supplier_id, created_at);
CREATE INDEX purchase_orders_facility ON purchase_orders (facility_id, created_at);

CREATE TABLE requisitions (
  id             text COLLATE "C" PRIMARY KEY,
  requisition_no text COLLATE "C" NOT NULL UNIQUE,
  facility_id    text COLLATE "C" NOT NULL REFERENCES facilities (id),
  status         text COLLATE "C" NOT NULL,
  notes          text COLLATE "C",
  status_history text COLLATE "C" NOT NULL,
  created_at     text COLLATE "C" NOT NULL,
  updated_at     text COLLATE "C" NOT NULL,
  version        integer NOT NULL
);
CREATE INDEX requisitions_created ON requisitions (created_at, id);
CREATE INDEX requisitions_status ON requisitions (status, created_at);
CREATE INDEX requisitions_facility ON requisitions (facility_id, created_at);

-- purchase_order_id: the order the line went to when the requisition was converted.
CREATE TABLE requisition_lines (
  id                text COLLATE "C" PRIMARY KEY,
  requisition_id    text COLLATE "C" NOT NULL REFERENCES requisitions (id),
  line_no           integer NOT NULL,
  item_id           text COLLATE "C" NOT NULL REFERENCES items (id),
  qty               bigint NOT NULL CHECK (qty > 0),
  uom_id            text COLLATE "C" NOT NULL REFERENCES uoms (id),
  qty_base          bigint NOT NULL CHECK (qty_base > 0),
  needed_by         text COLLATE "C",
  supplier_id       text COLLATE "C" REFERENCES parties (id),
  purchase_order_id text COLLATE "C" REFERENCES purchase_orders (id),
  UNIQUE (requisition_id, line_no)
);
CREATE INDEX requisition_lines_item ON requisition_lines (item_id, requisition_id);

CREATE TABLE purchase_order_lines (
  id                  text COLLATE "C" PRIMARY KEY,
  purchase_order_id   text COLLATE "C" NOT NULL REFERENCES purchase_orders (id),
  line_no             integer NOT NULL,
  item_id             text COLLATE "C" NOT NULL REFERENCES items (id),
  qty                 bigint NOT NULL CHECK (qty > 0),
  uom_id              text COLLATE "C" NOT NULL REFERENCES uoms (id),
  qty_base            bigint NOT NULL CHECK (qty_base > 0),
  unit_price          bigint NOT NULL CHECK (unit_price >= 0),
  qty_received        bigint NOT NULL CHECK (qty_received >= 0),
  qty_received_base   bigint NOT NULL CHECK (qty_received_base >= 0),
  requisition_line_id text COLLATE "C" REFERENCES requisition_lines (id),
  UNIQUE (purchase_order_id, line_no),
  CHECK (qty_received <= qty),
  CHECK (qty_received_base <= qty_base)
);
CREATE INDEX purchase_order_lines_item ON purchase_order_lines (item_id, purchase_order_id);

-- received_by is the actor as JSON ({ "tokenId", "name" }), or NULL.
CREATE TABLE purchase_receipts (
  id                text COLLATE "C" PRIMARY KEY,
  purchase_order_id text COLLATE "C" NOT NULL REFERENCES purchase_orders (id),
  transaction_id    text COLLATE "C" NOT NULL UNIQUE REFERENCES inventory_transactions (id),
  reason            text COLLATE "C",
  received_at       text COLLATE "C" NOT NULL,
  received_by       text COLLATE "C"
);
CREATE INDEX purchase_receipts_order ON purchase_receipts (purchase_order_id, received_at, id);

-- serial_nos is a JSON array, or NULL.
CREATE TABLE purchase_receipt_lines (
  receipt_id             text COLLATE "C" NOT NULL REFERENCES purchase_receipts (id),
  line_no                integer NOT NULL,
  purchase_order_line_id text COLLATE "C" NOT NULL REFERENCES purchase_order_lines (id),
  item_id                text COLLATE "C" NOT NULL REFERENCES items (id),
  qty                    bigint NOT NULL CHECK (qty > 0),
  uom_id                 text COLLATE "C" NOT NULL REFERENCES uoms (id),
  qty_base               bigint NOT NULL CHECK (qty_base > 0),
  location_id            text COLLATE "C" NOT NULL REFERENCES locations (id),
  status_id              text COLLATE "C" NOT NULL REFERENCES stock_statuses (id),
  lot_id                 text COLLATE "C" REFERENCES lots (id),
  serial_nos             text COLLATE "C",
  PRIMARY KEY (receipt_id, line_no)
);
