-- Catalog, facilities, statuses, tokens and idempotency keys: the same tables, columns and
-- meaning as storage/sqlite/migrations/001_foundation.sql.
-- Quantities and factors are integers in micro-units (six decimals); timestamps are the exact
-- ISO 8601 text the core wrote, so they round-trip byte for byte. Text columns use the "C"
-- collation: lists sort in byte order, exactly like SQLite, whatever the database's locale,
-- and lower() folds ASCII only, as SQLite's does.

-- Substring search on items: a trigram index serves LIKE '%term%' (a trusted extension).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE uoms (
  id         text COLLATE "C" PRIMARY KEY,
  code       text COLLATE "C" NOT NULL UNIQUE,
  name       text COLLATE "C" NOT NULL,
  decimals   integer NOT NULL CHECK (decimals BETWEEN 0 AND 6),
  created_at text COLLATE "C" NOT NULL
);

CREATE TABLE items (
  id              text COLLATE "C" PRIMARY KEY,
  item_no         text COLLATE "C" NOT NULL UNIQUE,
  name            text COLLATE "C" NOT NULL,
  description     text COLLATE "C",
  item_kind       text COLLATE "C" NOT NULL,
  base_uom_id     text COLLATE "C" NOT NULL REFERENCES uoms (id),
  lot_tracking    text COLLATE "C" NOT NULL,
  serial_tracking text COLLATE "C" NOT NULL,
  expiry_tracking text COLLATE "C" NOT NULL,
  is_active       boolean NOT NULL,
  -- Kept with the row so one read loads the whole item; item_identifiers indexes them.
  identifiers     text NOT NULL,
  attributes      text NOT NULL,
  uom_conversions text NOT NULL,
  created_at      text COLLATE "C" NOT NULL,
  updated_at      text COLLATE "C" NOT NULL,
  version         integer NOT NULL,
  -- Item number, name and identifier values, lower-cased by the adapter (full Unicode case
  -- folding, as on SQLite): what `q` searches.
  search_text     text COLLATE "C" NOT NULL
);
CREATE INDEX items_search ON items USING gin (search_text gin_trgm_ops);

CREATE TABLE item_identifiers (
  item_id text COLLATE "C" NOT NULL REFERENCES items (id),
  type    text COLLATE "C" NOT NULL,
  value   text COLLATE "C" NOT NULL,
  PRIMARY KEY (type, value)
);
CREATE INDEX item_identifiers_value ON item_identifiers (value);
CREATE INDEX item_identifiers_item ON item_identifiers (item_id);

CREATE TABLE facilities (
  id         text COLLATE "C" PRIMARY KEY,
  code       text COLLATE "C" NOT NULL UNIQUE,
  name       text COLLATE "C" NOT NULL,
  type       text COLLATE "C" NOT NULL,
  is_active  boolean NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  updated_at text COLLATE "C" NOT NULL,
  version    integer NOT NULL
);

CREATE TABLE locations (
  id          text COLLATE "C" PRIMARY KEY,
  facility_id text COLLATE "C" NOT NULL REFERENCES facilities (id),
  code        text COLLATE "C" NOT NULL,
  name        text COLLATE "C" NOT NULL,
  parent_id   text COLLATE "C" REFERENCES locations (id),
  type        text COLLATE "C" NOT NULL,
  is_pickable boolean NOT NULL,
  depth       integer NOT NULL,
  path        text COLLATE "C" NOT NULL,
  created_at  text COLLATE "C" NOT NULL,
  UNIQUE (facility_id, code)
);
CREATE INDEX locations_tree ON locations (facility_id, path);
-- One system transit location per facility.
CREATE UNIQUE INDEX locations_one_transit ON locations (facility_id) WHERE type = 'transit';

CREATE TABLE stock_statuses (
  id           text COLLATE "C" PRIMARY KEY,
  name         text COLLATE "C" NOT NULL,
  is_available boolean NOT NULL,
  -- The order they were seeded in (SQLite lists them in rowid order).
  position     integer NOT NULL UNIQUE
);
INSERT INTO stock_statuses (id, name, is_available, position) VALUES
  ('available', 'Available', true, 1),
  ('quarantine', 'Quarantine', false, 2),
  ('damaged', 'Damaged', false, 3);

CREATE TABLE api_tokens (
  id          text COLLATE "C" PRIMARY KEY,
  name        text COLLATE "C" NOT NULL,
  hash        text COLLATE "C" NOT NULL UNIQUE,
  permissions text NOT NULL,
  created_at  text COLLATE "C" NOT NULL,
  expires_at  text COLLATE "C",
  revoked_at  text COLLATE "C"
);
CREATE INDEX api_tokens_created ON api_tokens (created_at, id);

CREATE TABLE idempotency_keys (
  token_id    text COLLATE "C" NOT NULL,
  key         text COLLATE "C" NOT NULL,
  method      text COLLATE "C" NOT NULL,
  path        text COLLATE "C" NOT NULL,
  fingerprint text COLLATE "C" NOT NULL,
  status      integer NOT NULL,
  body        text NOT NULL,
  created_at  text COLLATE "C" NOT NULL,
  PRIMARY KEY (token_id, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
