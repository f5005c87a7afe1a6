-- Suppliers and customers: parties documents are made with, told apart by kind.

CREATE TABLE parties (
  id             TEXT PRIMARY KEY,
  kind           TEXT NOT NULL,
  code           TEXT NOT NULL,
  name           TEXT NOT NULL,
  email          TEXT,
  phone          TEXT,
  currency       TEXT,
  lead_time_days INTEGER,
  is_active      INTEGER NOT NULL,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  version        INTEGER NOT NULL,
  UNIQUE (kind, code)
) STRICT;
