-- The events outbox and webhook subscriptions. An event is written by the unit that makes
-- the change it describes; seq is its place in commit order (one writer: insertion order is
-- commit order), the cursor of GET /v1/events and of every subscription. data is JSON.
CREATE TABLE events (
  seq         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  type        TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  data        TEXT NOT NULL
) STRICT;

CREATE INDEX events_type ON events (type, seq);

-- event_types is a JSON array, or NULL for every type. cursor is the seq of the last event
-- delivered (or passed over); lease_owner and lease_until mark the worker delivering it now.
CREATE TABLE webhooks (
  id                TEXT PRIMARY KEY,
  url               TEXT NOT NULL,
  description       TEXT,
  event_types       TEXT,
  is_active         INTEGER NOT NULL,
  secret            TEXT NOT NULL,
  cursor            INTEGER NOT NULL,
  failures          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   TEXT,
  last_attempt_at   TEXT,
  last_status       INTEGER,
  last_error        TEXT,
  last_delivered_at TEXT,
  lease_owner       TEXT,
  lease_until       TEXT,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  version           INTEGER NOT NULL
) STRICT;
