-- Inventory valuation: the same tables and meaning as storage/sqlite/migrations/011_valuation.sql.
-- Money is bigint micro-units of the one currency. Stock on hand before this migration had no
-- cost: it is valued at 0, and its lines carry 0.

ALTER TABLE items ADD COLUMN cost_method text COLLATE "C" NOT NULL DEFAULT 'moving_average';

ALTER TABLE inventory_lines ADD COLUMN unit_cost bigint NOT NULL DEFAULT 0;
ALTER TABLE inventory_lines ADD COLUMN value_delta bigint NOT NULL DEFAULT 0;

CREATE TABLE valuations (
  item_id     text COLLATE "C" NOT NULL,
  facility_id text COLLATE "C" NOT NULL,
  qty         bigint NOT NULL CHECK (qty >= 0),
  value       bigint NOT NULL CHECK (value >= 0),
  unit_cost   bigint,
  cost_method text COLLATE "C" NOT NULL,
  PRIMARY KEY (item_id, facility_id)
);
INSERT INTO valuations (item_id, facility_id, qty, value, unit_cost, cost_method)
  SELECT item_id, facility_id, sum(on_hand), 0, NULL, 'moving_average' FROM balances GROUP BY item_id, facility_id HAVING sum(on_hand) > 0;

CREATE TABLE cost_layers (
  id             text COLLATE "C" PRIMARY KEY,
  item_id        text COLLATE "C" NOT NULL,
  facility_id    text COLLATE "C" NOT NULL,
  transaction_id text COLLATE "C" NOT NULL,
  line_no        integer NOT NULL,
  qty_in         bigint NOT NULL CHECK (qty_in > 0),
  value_in       bigint NOT NULL CHECK (value_in >= 0),
  qty_left       bigint NOT NULL CHECK (qty_left >= 0 AND qty_left <= qty_in),
  value_left     bigint NOT NULL CHECK (value_left >= 0)
);
CREATE INDEX cost_layers_open ON cost_layers (item_id, facility_id) WHERE qty_left > 0;
