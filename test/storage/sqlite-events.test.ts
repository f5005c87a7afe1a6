// The events table on SQLite after migration 013: no index on the id, and a type index that
// holds every event but postings. Existing events survive the migration, and listings by
// document type still find their events through the index.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrationsOf } from '../../storage/embedded.js';
import { MEMORY, migrate, openDatabase, type Db } from '../../storage/sqlite/database.js';
import { eventWhere } from '../../storage/sqlite/events.js';

const folder = () => join(dirname(fileURLToPath(import.meta.url)), '../../storage/sqlite/migrations');

/** A database as migration `last` left it. */
function migratedTo(last: string): Db {
  const db = openDatabase(MEMORY);
  db.exec('CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT');
  for (const m of migrationsOf('sqlite', folder)) {
    if (m.version > last) break;
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, 'then');
  }
  return db;
}

const plan = (db: Db, { where, args }: { where: string; args: unknown[] }) => (db
  .prepare(`EXPLAIN QUERY PLAN SELECT seq FROM events WHERE ${where} ORDER BY seq`).all(...args) as Array<{ detail: string }>)
  .map((r) => r.detail).join('; ');

test('migration 013 keeps every event, its seq and its data, and the next seq follows the last', () => {
  const db = migratedTo('012_events');
  const insert = db.prepare('INSERT INTO events (id, type, occurred_at, data) VALUES (?, ?, ?, ?)');
  insert.run('e1', 'transaction.posted', 'then', '{"n":1}');
  insert.run('e2', 'sales_order.status_changed', 'then', '{"n":2}');
  const before = db.prepare('SELECT * FROM events ORDER BY seq').all();
  assert.equal(migrate(db), migrationsOf('sqlite', folder).map((m) => m.version).filter((v) => v > '012_events'));
  assert.equal(db.prepare('SELECT * FROM events ORDER BY seq').all(), before);
  insert.run('e3', 'transaction.posted', 'then', '{}');
  assert.is(db.prepare("SELECT seq FROM events WHERE id = 'e3'").value(), 3);
  const indexes = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events'").all() as Array<{ name: string; sql: string }>;
  assert.equal(indexes.map((i) => i.name), ['events_type'], 'no index on the id');
  assert.match(indexes[0]!.sql, /WHERE type <> 'transaction.posted'/);
  db.close();
});

test('a listing of document events reads the type index; one that asks for postings reads in seq order', () => {
  const db = openDatabase(MEMORY);
  migrate(db);
  const documents = eventWhere({ after: 0, types: ['sales_order.status_changed', 'transfer.status_changed'] });
  assert.match(plan(db, documents), /USING (COVERING )?INDEX events_type/);
  const postings = eventWhere({ after: 0, types: ['transaction.posted', 'transfer.status_changed'] });
  assert.not.match(plan(db, postings), /events_type/);
  assert.equal(eventWhere({ after: 7 }), { where: 'seq > ?', args: [7] });
  db.close();
});

test.run();
