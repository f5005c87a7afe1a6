-- Production: the same tables and meaning as storage/sqlite/migrations/007_production.sql.
-- Quantities are bigint micro-units; scrap_pct is micro-units of a percent (12.5 % is
-- 12500000); timestamps are ISO text; status_history is JSON text.

-- A BOM's `version` is its version number, unique per item; `revision` counts its changes
-- (If-Match on PATCH). At most one version of an item is active.
CREATE TABLE boms (
  id             text COLLATE "C" PRIMARY KEY,
  item_id        text COLLATE "C" NOT NULL REFERENCES items (id),
  version        integer NOT NULL CHECK (version > 0),
  status         text COLLATE "C" NOT NULL CHECK (status IN ('draft', 'active', 'obsolete')),
  output_qty     bigint NOT NULL CHECK (output_qty > 0),
  notes          text COLLATE "C",
  status_history text COLLATE "C" NOT NULL,
  created_at     text COLLATE "C" NOT NULL,
  updated_at     text COLLATE "C" NOT NULL,
  revision       integer NOT NULL,
  UNIQUE (item_id, version)
);
CREATE UNIQUE INDEX boms_active ON boms (item_id) WHERE status = 'active';
CREATE INDEX boms_created ON boms (created_at, id);
CREATE INDEX boms_status ON boms (status, created_at);

-- qty as written (in uom_id, or the base UOM when NULL); qty_base in the component's base UOM.
CREATE TABLE bom_components (
  id        text COLLATE "C" PRIMARY KEY,
  bom_id    text COLLATE "C" NOT NULL REFERENCES boms (id),
  line_no   integer NOT NULL,
  item_id   text COLLATE "C" NOT NULL REFERENCES items (id),
  qty       bigint NOT NULL CHECK (qty > 0),
  uom_id    text COLLATE "C" REFERENCES uoms (id),
  qty_base  bigint NOT NULL CHECK (qty_base > 0),
  scrap_pct bigint NOT NULL CHECK (scrap_pct >= 0),
  UNIQUE (bom_id, line_no)
);
CREATE INDEX bom_components_item ON bom_components (item_id);

-- The BOM version is pinned at creation (bom_id, and its number in bom_version).
CREATE TABLE work_orders (
  id                    text COLLATE "C" PRIMARY KEY,
  work_order_no         text COLLATE "C" NOT NULL UNIQUE,
  item_id               text COLLATE "C" NOT NULL REFERENCES items (id),
  bom_id                text COLLATE "C" NOT NULL REFERENCES boms (id),
  bom_version           integer NOT NULL,
  facility_id           text COLLATE "C" NOT NULL REFERENCES facilities (id),
  output_location_id    text COLLATE "C" NOT NULL REFERENCES locations (id),
  component_location_id text COLLATE "C" REFERENCES locations (id),
  qty                   bigint NOT NULL CHECK (qty > 0),
  qty_completed         bigint NOT NULL CHECK (qty_completed >= 0),
  status                text COLLATE "C" NOT NULL,
  notes                 text COLLATE "C",
  status_history        text COLLATE "C" NOT NULL,
  created_at            text COLLATE "C" NOT NULL,
  updated_at            text COLLATE "C" NOT NULL,
  version               integer NOT NULL,
  CHECK (qty_completed <= qty)
);
CREATE INDEX work_orders_created ON work_orders (created_at, id);
CREATE INDEX work_orders_status ON work_orders (status, created_at);
CREATE INDEX work_orders_item ON work_orders (item_id, created_at);
CREATE INDEX work_orders_facility ON work_orders (facility_id, created_at);

CREATE TABLE work_order_components (
  id             text COLLATE "C" PRIMARY KEY,
  work_order_id  text COLLATE "C" NOT NULL REFERENCES work_orders (id),
  line_no        integer NOT NULL,
  item_id        text COLLATE "C" NOT NULL REFERENCES items (id),
  qty_required   bigint NOT NULL CHECK (qty_required > 0),
  qty_issued     bigint NOT NULL CHECK (qty_issued >= 0),
  reservation_id text COLLATE "C" REFERENCES reservations (id),
  UNIQUE (work_order_id, line_no),
  CHECK (qty_issued <= qty_required)
);

-- One row per completion: what it made and the transactions it posted (no issue when there
-- was nothing to issue).
CREATE TABLE work_order_completions (
  id                    text COLLATE "C" PRIMARY KEY,
  work_order_id         text COLLATE "C" NOT NULL REFERENCES work_orders (id),
  completion_no         integer NOT NULL,
  qty                   bigint NOT NULL CHECK (qty > 0),
  issue_transaction_id  text COLLATE "C" REFERENCES inventory_transactions (id),
  output_transaction_id text COLLATE "C" NOT NULL REFERENCES inventory_transactions (id),
  lot_id                text COLLATE "C" REFERENCES lots (id),
  lot_no                text COLLATE "C",
  created_at            text COLLATE "C" NOT NULL,
  UNIQUE (work_order_id, completion_no)
);

-- The work order and BOM version that made a lot (its first completion into the lot).
CREATE TABLE lot_origins (
  lot_id        text COLLATE "C" PRIMARY KEY REFERENCES lots (id),
  item_id       text COLLATE "C" NOT NULL REFERENCES items (id),
  work_order_id text COLLATE "C" NOT NULL REFERENCES work_orders (id),
  bom_id        text COLLATE "C" NOT NULL REFERENCES boms (id),
  bom_version   integer NOT NULL,
  created_at    text COLLATE "C" NOT NULL
);
