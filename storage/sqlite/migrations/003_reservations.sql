-- Reservations (soft holds of an item at a facility) and allocations (hard assignments of
-- part of one to a location and lot). Records, never counters: what is reserved is always
-- the sum of what is held. An allocation's lot_id is '' when the item has no lots.

CREATE TABLE reservations (
  id             TEXT PRIMARY KEY,
  item_id        TEXT NOT NULL REFERENCES items (id),
  facility_id    TEXT NOT NULL REFERENCES facilities (id),
  qty            INTEGER NOT NULL CHECK (qty > 0),
  qty_allocated  INTEGER NOT NULL CHECK (qty_allocated >= 0),
  qty_fulfilled  INTEGER NOT NULL CHECK (qty_fulfilled >= 0),
  status         TEXT NOT NULL,
  demand_type    TEXT NOT NULL,
  demand_id      TEXT,
  demand_line_id TEXT,
  expires_at     TEXT,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  version        INTEGER NOT NULL,
  CHECK (qty_allocated + qty_fulfilled <= qty)
) STRICT;
-- Only open and allocated reservations hold stock; the index holds just those.
CREATE INDEX reservations_holding ON reservations (item_id, facility_id) WHERE status IN ('open', 'allocated');
CREATE INDEX reservations_demand ON reservations (demand_type, demand_id);
CREATE INDEX reservations_facility ON reservations (facility_id, status);

CREATE TABLE allocations (
  id             TEXT PRIMARY KEY,
  reservation_id TEXT NOT NULL REFERENCES reservations (id),
  item_id        TEXT NOT NULL,
  facility_id    TEXT NOT NULL,
  location_id    TEXT NOT NULL,
  lot_id         TEXT NOT NULL,
  qty            INTEGER NOT NULL CHECK (qty > 0),
  created_at     TEXT NOT NULL
) STRICT;
CREATE INDEX allocations_reservation ON allocations (reservation_id);
CREATE INDEX allocations_place ON allocations (item_id, facility_id, location_id, lot_id);
CREATE INDEX allocations_location ON allocations (location_id);
