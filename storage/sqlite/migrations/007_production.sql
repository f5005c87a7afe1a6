-- Production: versioned BOMs, work orders, their completions and the origin of produced lots.
-- Quantities are integers in micro-units (six decimals); scrap_pct is micro-units of a
-- percent (12.5 % is 12500000); timestamps are ISO text; status_history is JSON.

-- A BOM's `version` is its version number, unique per item; `revision` counts its changes
-- (If-Match on PATCH). At most one version of an item is active.
CREATE TABLE boms (
  id             TEXT PRIMARY KEY,
  item_id        TEXT NOT NULL REFERENCES items (id),
  version        INTEGER NOT NULL CHECK (version > 0),
  status         TEXT NOT NULL CHECK (status IN ('draft', 'active', 'obsolete')),
  output_qty     INTEGER NOT NULL CHECK (output_qty > 0),
  notes          TEXT,
  status_history TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  revision       INTEGER NOT NULL,
  UNIQUE (item_id, version)
) STRICT;
CREATE UNIQUE INDEX boms_active ON boms (item_id) WHERE status = 'active';
CREATE INDEX boms_created ON boms (created_at, id);
CREATE INDEX boms_status ON boms (status, created_at);

-- qty as written (in uom_id, or the base UOM when NULL); qty_base in the component's base UOM.
CREATE TABLE bom_components (
  id        TEXT PRIMARY KEY,
  bom_id    TEXT NOT NULL REFERENCES boms (id),
  line_no   INTEGER NOT NULL,
  item_id   TEXT NOT NULL REFERENCES items (id),
  qty       INTEGER NOT NULL CHECK (qty > 0),
  uom_id    TEXT REFERENCES uoms (id),
  qty_base  INTEGER NOT NULL CHECK (qty_base > 0),
  scrap_pct INTEGER NOT NULL CHECK (scrap_pct >= 0),
  UNIQUE (bom_id, line_no)
) STRICT;
CREATE INDEX bom_components_item ON bom_components (item_id);

-- The BOM version is pinned at creation (bom_id, and its number in bom_version).
CREATE TABLE work_orders (
  id                    TEXT PRIMARY KEY,
  work_order_no         TEXT NOT NULL UNIQUE,
  item_id               TEXT NOT NULL REFERENCES items (id),
  bom_id                TEXT NOT NULL REFERENCES boms (id),
  bom_version           INTEGER NOT NULL,
  facility_id           TEXT NOT NULL REFERENCES facilities (id),
  output_location_id    TEXT NOT NULL REFERENCES locations (id),
  component_location_id TEXT REFERENCES locations (id),
  qty                   INTEGER NOT NULL CHECK (qty > 0),
  qty_completed         INTEGER NOT NULL CHECK (qty_completed >= 0),
  status                TEXT NOT NULL,
  notes                 TEXT,
  status_history        TEXT NOT NULL,
  created_at            TEXT NOT NULL,
  updated_at            TEXT NOT NULL,
  version               INTEGER NOT NULL,
  CHECK (qty_completed <= qty)
) STRICT;
CREATE INDEX work_orders_created ON work_orders (created_at, id);
CREATE INDEX work_orders_status ON work_orders (status, created_at);
CREATE INDEX work_orders_item ON work_orders (item_id, created_at);
CREATE INDEX work_orders_facility ON work_orders (facility_id, created_at);

CREATE TABLE work_order_components (
  id             TEXT PRIMARY KEY,
  work_order_id  TEXT NOT NULL REFERENCES work_orders (id),
  line_no        INTEGER NOT NULL,
  item_id        TEXT NOT NULL REFERENCES items (id),
  qty_required   INTEGER NOT NULL CHECK (qty_required > 0),
  qty_issued     INTEGER NOT NULL CHECK (qty_issued >= 0),
  reservation_id TEXT REFERENCES reservations (id),
  UNIQUE (work_order_id, line_no),
  CHECK (qty_issued <= qty_required)
) STRICT;

-- One row per completion: what it made and the transactions it posted (no issue when there
-- was nothing to issue).
CREATE TABLE work_order_completions (
  id                    TEXT PRIMARY KEY,
  work_order_id         TEXT NOT NULL REFERENCES work_orders (id),
  completion_no         INTEGER NOT NULL,
  qty                   INTEGER NOT NULL CHECK (qty > 0),
  issue_transaction_id  TEXT REFERENCES inventory_transactions (id),
  output_transaction_id TEXT NOT NULL REFERENCES inventory_transactions (id),
  lot_id                TEXT REFERENCES lots (id),
  lot_no                TEXT,
  created_at            TEXT NOT NULL,
  UNIQUE (work_order_id, completion_no)
) STRICT;

-- The work order and BOM version that made a lot (its first completion into the lot).
CREATE TABLE lot_origins (
  lot_id        TEXT PRIMARY KEY REFERENCES lots (id),
  item_id       TEXT NOT NULL REFERENCES items (id),
  work_order_id TEXT NOT NULL REFERENCES work_orders (id),
  bom_id        TEXT NOT NULL REFERENCES boms (id),
  bom_version   INTEGER NOT NULL,
  created_at    TEXT NOT NULL
) STRICT;
