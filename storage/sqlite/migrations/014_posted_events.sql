-- A posting's event keeps the posting's seq instead of a copy of it: its data is a function
-- of the transaction and its lines (postedEventData in core/event.ts), which never change
-- once posted, so the events listing builds it from the ledger when it is read. Every posting
-- writes an event, and its JSON copy was about 400 bytes a posting: some 6 of the 108 WAL
-- pages a commit of 40 one-line postings wrote, and a JSON.stringify on the posting path.
-- Other events keep their data; existing postings' events are turned into references too.
CREATE TABLE events_by_ref (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL,
  type            TEXT NOT NULL,
  occurred_at     TEXT NOT NULL,
  -- JSON; NULL for a posting's event, whose data is built from transaction_seq's posting.
  data            TEXT,
  transaction_seq INTEGER,
  CHECK ((data IS NULL) = (transaction_seq IS NOT NULL))
) STRICT;
INSERT INTO events_by_ref (seq, id, type, occurred_at, data, transaction_seq)
  SELECT e.seq, e.id, e.type, e.occurred_at, CASE WHEN t.seq IS NULL THEN e.data END, t.seq
  FROM events e LEFT JOIN inventory_transactions t
    ON e.type = 'transaction.posted' AND t.seq = json_extract(e.data, '$.transactionSeq')
      AND t.id = json_extract(e.data, '$.transactionId');
DROP TABLE events;
ALTER TABLE events_by_ref RENAME TO events;
CREATE INDEX events_type ON events (type, seq) WHERE type <> 'transaction.posted';
