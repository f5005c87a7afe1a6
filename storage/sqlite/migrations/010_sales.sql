-- Sales orders and their lines. Quantities and money are integers in micro-units (six
-- decimals); timestamps are ISO text, dates YYYY-MM-DD.

-- status_history is JSON: [{ "from", "to", "at", "by" }], oldest first. total is the sum
-- of the lines' amounts.
CREATE TABLE sales_orders (
  id             TEXT PRIMARY KEY,
  order_no       TEXT NOT NULL UNIQUE,
  customer_id    TEXT NOT NULL REFERENCES parties (id),
  facility_id    TEXT NOT NULL REFERENCES facilities (id),
  status         TEXT NOT NULL,
  requested_on   TEXT,
  notes          TEXT,
  currency       TEXT,
  total          INTEGER NOT NULL CHECK (total >= 0),
  status_history TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  version        INTEGER NOT NULL
) STRICT;
CREATE INDEX sales_orders_created ON sales_orders (created_at, id);
CREATE INDEX sales_orders_status ON sales_orders (status, created_at);
CREATE INDEX sales_orders_customer ON sales_orders (customer_id, created_at);
CREATE INDEX sales_orders_facility ON sales_orders (facility_id, created_at);

-- qty and qty_shipped are in the line's UOM; uom_factor is the base units in one of it (in
-- micro-units), as the item converted when the line was written; unit_price is per one of it.
CREATE TABLE sales_order_lines (
  id             TEXT PRIMARY KEY,
  order_id       TEXT NOT NULL REFERENCES sales_orders (id),
  line_no        INTEGER NOT NULL,
  item_id        TEXT NOT NULL REFERENCES items (id),
  uom_id         TEXT NOT NULL REFERENCES uoms (id),
  uom_factor     INTEGER NOT NULL CHECK (uom_factor > 0),
  qty            INTEGER NOT NULL CHECK (qty > 0),
  unit_price     INTEGER NOT NULL CHECK (unit_price >= 0),
  amount         INTEGER NOT NULL CHECK (amount >= 0),
  qty_shipped    INTEGER NOT NULL CHECK (qty_shipped >= 0),
  reservation_id TEXT REFERENCES reservations (id),
  UNIQUE (order_id, line_no),
  CHECK (qty_shipped <= qty)
) STRICT;
CREATE INDEX sales_order_lines_item ON sales_order_lines (item_id, order_id);
