-- The events outbox and webhook subscriptions: the same tables and meaning as
-- storage/sqlite/migrations/012_events.sql, plus event_head. Events are buffered by their
-- unit and written just before its COMMIT with seqs from event_head, whose row stays locked
-- until the COMMIT: seqs are handed out in commit order, so a reader paging with after=<seq>
-- never misses an event that commits later with a smaller seq.
CREATE TABLE event_head (
  id  boolean PRIMARY KEY DEFAULT true CHECK (id),
  seq bigint NOT NULL
);
INSERT INTO event_head (seq) VALUES (0);

CREATE TABLE events (
  seq         bigint PRIMARY KEY,
  id          text COLLATE "C" NOT NULL UNIQUE,
  type        text COLLATE "C" NOT NULL,
  occurred_at text COLLATE "C" NOT NULL,
  data        text NOT NULL
);

CREATE INDEX events_type ON events (type, seq);

CREATE TABLE webhooks (
  id                text COLLATE "C" PRIMARY KEY,
  url               text NOT NULL,
  description       text,
  event_types       text,
  is_active         boolean NOT NULL,
  secret            text NOT NULL,
  cursor            bigint NOT NULL,
  failures          integer NOT NULL DEFAULT 0,
  next_attempt_at   text COLLATE "C",
  last_attempt_at   text COLLATE "C",
  last_status       integer,
  last_error        text,
  last_delivered_at text COLLATE "C",
  lease_owner       text COLLATE "C",
  lease_until       text COLLATE "C",
  created_at        text COLLATE "C" NOT NULL,
  updated_at        text COLLATE "C" NOT NULL,
  version           integer NOT NULL
);
