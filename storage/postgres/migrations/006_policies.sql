-- Reorder policies: the same table and meaning as storage/sqlite/migrations/006_policies.sql.
-- Quantities are bigint micro-units. preferred_supplier_id refers to nothing yet: suppliers
-- arrive with procurement, which will add the reference.

CREATE TABLE reorder_policies (
  id                    text COLLATE "C" PRIMARY KEY,
  item_id               text COLLATE "C" NOT NULL REFERENCES items (id),
  facility_id           text COLLATE "C" NOT NULL REFERENCES facilities (id),
  min_qty               bigint NOT NULL CHECK (min_qty >= 0),
  max_qty               bigint NOT NULL,
  safety_stock_qty      bigint NOT NULL CHECK (safety_stock_qty >= 0),
  reorder_qty           bigint CHECK (reorder_qty > 0),
  lead_time_days        integer CHECK (lead_time_days >= 0),
  preferred_supplier_id text COLLATE "C",
  created_at            text COLLATE "C" NOT NULL,
  updated_at            text COLLATE "C" NOT NULL,
  version               integer NOT NULL,
  UNIQUE (item_id, facility_id),
  CHECK (min_qty <= max_qty)
);
CREATE INDEX reorder_policies_facility ON reorder_policies (facility_id, item_id);
