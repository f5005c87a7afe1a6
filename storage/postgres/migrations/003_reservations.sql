-- Reservations and allocations: the same tables and meaning as
-- storage/sqlite/migrations/003_reservations.sql. Quantities are bigint micro-units; an
-- allocation's lot_id is '' when the item has no lots.

CREATE TABLE reservations (
  id             text COLLATE "C" PRIMARY KEY,
  item_id        text COLLATE "C" NOT NULL REFERENCES items (id),
  facility_id    text COLLATE "C" NOT NULL REFERENCES facilities (id),
  qty            bigint NOT NULL CHECK (qty > 0),
  qty_allocated  bigint NOT NULL CHECK (qty_allocated >= 0),
  qty_fulfilled  bigint NOT NULL CHECK (qty_fulfilled >= 0),
  status         text COLLATE "C" NOT NULL,
  demand_type    text COLLATE "C" NOT NULL,
  demand_id      text COLLATE "C",
  demand_line_id text COLLATE "C",
  expires_at     text COLLATE "C",
  created_at     text COLLATE "C" NOT NULL,
  updated_at     text COLLATE "C" NOT NULL,
  version        integer NOT NULL,
  CHECK (qty_allocated + qty_fulfilled <= qty)
);
CREATE INDEX reservations_holding ON reservations (item_id, facility_id) WHERE status IN ('open', 'allocated');
CREATE INDEX reservations_demand ON reservations (demand_type, demand_id);
CREATE INDEX reservations_facility ON reservations (facility_id, status);

CREATE TABLE allocations (
  id             text COLLATE "C" PRIMARY KEY,
  reservation_id text COLLATE "C" NOT NULL REFERENCES reservations (id),
  item_id        text COLLATE "C" NOT NULL,
  facility_id    text COLLATE "C" NOT NULL,
  location_id    text COLLATE "C" NOT NULL,
  lot_id         text COLLATE "C" NOT NULL,
  qty            bigint NOT NULL CHECK (qty > 0),
  created_at     text COLLATE "C" NOT NULL
);
CREATE INDEX allocations_reservation ON allocations (reservation_id);
CREATE INDEX allocations_place ON allocations (item_id, facility_id, location_id, lot_id);
CREATE INDEX allocations_location ON allocations (location_id);
