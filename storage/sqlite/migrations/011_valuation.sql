-- Inventory valuation (core/valuation.ts). Money is INTEGER micro-units of the one currency.
-- Stock on hand before this migration had no cost: it is valued at 0, and its lines carry 0,
-- so every valuation is still exactly the sum of its lines.

ALTER TABLE items ADD COLUMN cost_method TEXT NOT NULL DEFAULT 'moving_average';

ALTER TABLE inventory_lines ADD COLUMN unit_cost INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inventory_lines ADD COLUMN value_delta INTEGER NOT NULL DEFAULT 0;

-- Per item and facility: what is there and what it is worth. unit_cost is the average while
-- there is stock and the last average after it is gone (NULL: never had a cost here);
-- cost_method the method the stock on hand is valued by (see core/valuation.ts).
CREATE TABLE valuations (
  item_id     TEXT NOT NULL,
  facility_id TEXT NOT NULL,
  qty         INTEGER NOT NULL CHECK (qty >= 0),
  value       INTEGER NOT NULL CHECK (value >= 0),
  unit_cost   INTEGER,
  cost_method TEXT NOT NULL,
  PRIMARY KEY (item_id, facility_id)
) STRICT, WITHOUT ROWID;
INSERT INTO valuations (item_id, facility_id, qty, value, unit_cost, cost_method)
  SELECT item_id, facility_id, sum(on_hand), 0, NULL, 'moving_average' FROM balances GROUP BY item_id, facility_id HAVING sum(on_hand) > 0;

-- FIFO receipts, oldest first by the seq of the transaction that opened them. Emptied
-- layers stay (history); the partial index keeps the open ones cheap to find.
CREATE TABLE cost_layers (
  id             TEXT PRIMARY KEY,
  item_id        TEXT NOT NULL,
  facility_id    TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  line_no        INTEGER NOT NULL,
  qty_in         INTEGER NOT NULL CHECK (qty_in > 0),
  value_in       INTEGER NOT NULL CHECK (value_in >= 0),
  qty_left       INTEGER NOT NULL CHECK (qty_left >= 0 AND qty_left <= qty_in),
  value_left     INTEGER NOT NULL CHECK (value_left >= 0)
) STRICT;
CREATE INDEX cost_layers_open ON cost_layers (item_id, facility_id) WHERE qty_left > 0;
