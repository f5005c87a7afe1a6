-- Suppliers and customers: the same table and meaning as storage/sqlite/migrations/008_parties.sql.

CREATE TABLE parties (
  id             text COLLATE "C" PRIMARY KEY,
  kind           text COLLATE "C" NOT NULL,
  code           text COLLATE "C" NOT NULL,
  name           text COLLATE "C" NOT NULL,
  email          text COLLATE "C",
  phone          text COLLATE "C",
  currency       text COLLATE "C",
  lead_time_days integer,
  is_active      boolean NOT NULL,
  created_at     text COLLATE "C" NOT NULL,
  updated_at     text COLLATE "C" NOT NULL,
  version        integer NOT NULL,
  UNIQUE (kind, code)
);
