// The events table on SQLite after migrations 013 and 014: no index on the id, a type index
// that holds every event but postings, and a posting's event kept as its posting's seq.
// Existing events survive the migrations, listings by document type still find their events
// through the index, and postings' events read the same before and after 014.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ims } from '../../core/ims.js';
import { unwrap } from '../../core/result.js';
import { migrationsOf } from '../../storage/embedded.js';
import { openStore } from '../../storage/open.js';
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
  const columns = 'SELECT seq, id, type, occurred_at, data FROM events ORDER BY seq';
  const before = db.prepare(columns).all();
  assert.equal(migrate(db), migrationsOf('sqlite', folder).map((m) => m.version).filter((v) => v > '012_events'));
  // The posting event names no posting of this ledger, so 014 keeps its data as it was.
  assert.equal(db.prepare(columns).all(), before);
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

test('migration 014 keeps a posting\'s seq instead of its copy; the events read the same, and new postings write no copy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ims-events-'));
  const file = join(dir, 'ims.db');
  try {
    let ims = new Ims(await openStore(`sqlite:${file}`));
    const ea = unwrap(await ims.uoms.create({ code: 'EA', name: 'Each' })) as { id: string };
    const item = unwrap(await ims.items.create({ itemNo: 'E-1', name: 'E', itemKind: 'purchased', baseUomId: ea.id })) as { id: string };
    const wh = unwrap(await ims.facilities.create({ code: 'W', name: 'W', type: 'warehouse' })) as { id: string };
    const bin = unwrap(await ims.locations.create(wh.id, { code: 'A', name: 'A', type: 'bin' })) as { id: string };
    for (const qtyDelta of [5, -2]) unwrap(await ims.inventory.adjust({ itemId: item.id, locationId: bin.id, qtyDelta }));
    const listed = (await ims.events.list()).items;
    assert.equal(listed.map((e) => e.type), ['transaction.posted', 'transaction.posted']);
    await ims.close();

    // The file as migration 013 left it: every event with its data as JSON.
    const db = openDatabase(file);
    db.exec(`DROP TABLE events;
      CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL, occurred_at TEXT NOT NULL, data TEXT NOT NULL) STRICT;
      DELETE FROM schema_migrations WHERE version >= '014'`);
    const insert = db.prepare('INSERT INTO events (seq, id, type, occurred_at, data) VALUES (?, ?, ?, ?, ?)');
    for (const e of listed) insert.run(e.seq, e.id, e.type, e.occurredAt, JSON.stringify(e.data));
    insert.run(listed.length + 1, 'doc', 'transfer.status_changed', 'then', '{"n":1}');
    db.close();

    ims = new Ims(await openStore(`sqlite:${file}`));
    const after = (await ims.events.list()).items;
    assert.equal(after.slice(0, listed.length), listed);
    assert.equal(after[listed.length]!.data, { n: 1 });
    unwrap(await ims.inventory.adjust({ itemId: item.id, locationId: bin.id, qtyDelta: 1 }));
    await ims.close();
    const check = openDatabase(file);
    const rows = check.prepare('SELECT data, transaction_seq AS posting FROM events ORDER BY seq').all() as Array<{ data: string | null; posting: number | null }>;
    check.close();
    assert.equal(rows.map((r) => [r.data, r.posting]), [[null, listed[0]!.data.transactionSeq], [null, listed[1]!.data.transactionSeq], ['{"n":1}', null], [null, 3]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
