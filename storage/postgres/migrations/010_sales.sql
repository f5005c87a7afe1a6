-- Sales orders and their lines: the same tables and meaning as
-- storage/sqlite/migrations/010_sales.sql. Quantities and money are bigint micro-units.

CREATE TABLE sales_orders (
  id             text COLLATE "C" PRIMARY KEY,
  order_no       text COLLATE "C" NOT NULL UNIQUE,
  customer_id    text COLLATE "C" NOT NULL REFERENCES parties (id),
  facility_id    text COLLATE "C" NOT NULL REFERENCES facilities (id),
  status         text COLLATE "C" NOT NULL,
  requested_on   text COLLATE "C",
  notes          text COLLATE "C",
  currency       text COLLATE "C",
  total          bigint NOT NULL CHECK (total >= 0),
  status_history text COLLATE "C" NOT NULL,
  created_at     text COLLATE "C" NOT NULL,
  updated_at     text COLLATE "C" NOT NULL,
  version        integer NOT NULL
);
CREATE INDEX sales_orders_created ON sales_orders (created_at, id);
CREATE INDEX sales_orders_status ON sales_orders (status, created_at);
CREATE INDEX sales_orders_customer ON sales_orders (customer_id, created_at);
CREATE INDEX sales_orders_facility ON sales_orders (facility_id, created_at);

CREATE TABLE sales_order_lines (
  id             text COLLATE "C" PRIMARY KEY,
  order_id       text COLLATE "C" NOT NULL REFERENCES sales_orders (id),
  line_no        integer NOT NULL,
  item_id        text COLLATE "C" NOT NULL REFERENCES items (id),
  uom_id         text COLLATE "C" NOT NULL REFERENCES uoms (id),
  uom_factor     bigint NOT NULL CHECK (uom_factor > 0),
  qty            bigint NOT NULL CHECK (qty > 0),
  unit_price     bigint NOT NULL CHECK (unit_price >= 0),
  amount         bigint NOT NULL CHECK (amount >= 0),
  qty_shipped    bigint NOT NULL CHECK (qty_shipped >= 0),
  reservation_id text COLLATE "C" REFERENCES reservations (id),
  UNIQUE (order_id, line_no),
  CHECK (qty_shipped <= qty)
);
CREATE INDEX sales_order_lines_item ON sales_order_lines (item_id, order_id);
