-- Reorder policies: one per item and facility. Quantities are integers in micro-units.
-- preferred_supplier_id refers to nothing yet: suppliers arrive with procurement, which will
-- add the reference.

CREATE TABLE reorder_policies (
  id                    TEXT PRIMARY KEY,
  item_id               TEXT NOT NULL REFERENCES items (id),
  facility_id           TEXT NOT NULL REFERENCES facilities (id),
  min_qty               INTEGER NOT NULL CHECK (min_qty >= 0),
  max_qty               INTEGER NOT NULL,
  safety_stock_qty      INTEGER NOT NULL CHECK (safety_stock_qty >= 0),
  reorder_qty           INTEGER CHECK (reorder_qty > 0),
  lead_time_days        INTEGER CHECK (lead_time_days >= 0),
  preferred_supplier_id TEXT,
  created_at            TEXT NOT NULL,
  updated_at            TEXT NOT NULL,
  version               INTEGER NOT NULL,
  UNIQUE (item_id, facility_id),
  CHECK (min_qty <= max_qty)
) STRICT;
CREATE INDEX reorder_policies_facility ON reorder_policies (facility_id, item_id);
