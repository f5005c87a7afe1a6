-- Catalog, facilities, statuses, tokens and idempotency keys.
-- Quantities and factors are integers in micro-units (six decimals); timestamps are ISO text.

CREATE TABLE uoms (
  id         TEXT PRIMARY KEY,
  code       TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  decimals   INTEGER NOT NULL CHECK (decimals BETWEEN 0 AND 6),
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE items (
  id              TEXT PRIMARY KEY,
  item_no         TEXT NOT NULL UNIQUE,
  name            TEXT NOT NULL,
  description     TEXT,
  item_kind       TEXT NOT NULL,
  base_uom_id     TEXT NOT NULL REFERENCES uoms (id),
  lot_tracking    TEXT NOT NULL,
  serial_tracking TEXT NOT NULL,
  expiry_tracking TEXT NOT NULL,
  is_active       INTEGER NOT NULL,
  -- Kept with the row so one read loads the whole item; item_identifiers indexes them.
  identifiers     TEXT NOT NULL,
  attributes      TEXT NOT NULL,
  uom_conversions TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  version         INTEGER NOT NULL
) STRICT;

CREATE TABLE item_identifiers (
  item_id TEXT NOT NULL REFERENCES items (id),
  type    TEXT NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (type, value)
) STRICT, WITHOUT ROWID;
CREATE INDEX item_identifiers_value ON item_identifiers (value);
CREATE INDEX item_identifiers_item ON item_identifiers (item_id);

-- Substring search over item number, name and identifiers (trigram: finds "NOTE-08").
CREATE VIRTUAL TABLE items_fts USING fts5 (item_id UNINDEXED, text, tokenize = 'trigram');

CREATE TABLE facilities (
  id         TEXT PRIMARY KEY,
  code       TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  type       TEXT NOT NULL,
  is_active  INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version    INTEGER NOT NULL
) STRICT;

CREATE TABLE locations (
  id          TEXT PRIMARY KEY,
  facility_id TEXT NOT NULL REFERENCES facilities (id),
  code        TEXT NOT NULL,
  name        TEXT NOT NULL,
  parent_id   TEXT REFERENCES locations (id),
  type        TEXT NOT NULL,
  is_pickable INTEGER NOT NULL,
  depth       INTEGER NOT NULL,
  path        TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  UNIQUE (facility_id, code)
) STRICT;
CREATE INDEX locations_tree ON locations (facility_id, path);
-- One system transit location per facility.
CREATE UNIQUE INDEX locations_one_transit ON locations (facility_id) WHERE type = 'transit';

CREATE TABLE stock_statuses (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  is_available INTEGER NOT NULL
) STRICT;
INSERT INTO stock_statuses (id, name, is_available) VALUES
  ('available', 'Available', 1),
  ('quarantine', 'Quarantine', 0),
  ('damaged', 'Damaged', 0);

CREATE TABLE api_tokens (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  hash        TEXT NOT NULL UNIQUE,
  permissions TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  expires_at  TEXT,
  revoked_at  TEXT
) STRICT;

CREATE TABLE idempotency_keys (
  token_id    TEXT NOT NULL,
  key         TEXT NOT NULL,
  method      TEXT NOT NULL,
  path        TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status      INTEGER NOT NULL,
  body        TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  PRIMARY KEY (token_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
