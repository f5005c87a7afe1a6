// The SQLite driver interface, on every driver that works in this Node: the settings a
// database is opened with, how statements bind and answer, and how errors are named, must
// be the same on node:sqlite and better-sqlite3, since the adapter relies on each of them.
// Also: which driver is chosen, and what a start without any says.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StoreUnavailable } from '../../core/ports.js';
import { openStore } from '../../storage/open.js';
import { immediate, MEMORY, openDatabase } from '../../storage/sqlite/database.js';
import { DRIVER_NAMES, sqliteCode, type Driver } from '../../storage/sqlite/driver.js';
import { availableDrivers, chooseDriver, loadDriver, NoSqliteDriver, parseDriverName } from '../../storage/sqlite/drivers.js';
import { testDrivers } from '../support/stores.js';

const dir = mkdtempSync(join(tmpdir(), 'ims-driver-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = () => join(dir, `d-${++files}.db`);

function errorOf(work: () => unknown): unknown {
  try {
    work();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

for (const driver of testDrivers()) {
  const name = (what: string) => `${driver.name}: ${what}`;
  const pragma = (db: ReturnType<typeof openDatabase>, p: string) => db.prepare(`PRAGMA ${p}`).value();

  test(name('a file opens in WAL with the settings given, whatever the build defaults to'), () => {
    for (const synchronous of ['FULL', 'NORMAL'] as const) {
      const db = openDatabase(file(), { synchronous, driver });
      try {
        assert.is(db.driver, driver.name);
        assert.is(pragma(db, 'journal_mode'), 'wal');
        assert.is(pragma(db, 'synchronous'), synchronous === 'FULL' ? 2 : 1);
        assert.is(pragma(db, 'foreign_keys'), 1);
        assert.is(pragma(db, 'busy_timeout'), 5000);
        assert.is(pragma(db, 'cache_size'), -16384);
        assert.is(pragma(db, 'temp_store'), 2, 'savepoint journals in memory');
      } finally {
        db.close();
      }
    }
  });

  test(name('statements: rows as plain objects, first columns, changes and rowids'), () => {
    const db = openDatabase(MEMORY, { driver });
    try {
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER) STRICT');
      const insert = db.prepare('INSERT INTO t (name, qty) VALUES (?, ?)');
      assert.equal(insert.run('a', 1), { changes: 1, lastInsertRowid: 1 });
      assert.is(Number(insert.run('b', 2).lastInsertRowid), 2);
      const row = db.prepare('SELECT name, qty FROM t WHERE id = ?').get(1);
      assert.equal(row, { name: 'a', qty: 1 });
      assert.is(Object.getPrototypeOf(row), Object.prototype, 'a plain object, as records are compared and spread');
      assert.is(db.prepare('SELECT name FROM t WHERE id = ?').get(99), undefined);
      assert.equal(db.prepare('SELECT id, name FROM t ORDER BY id').all(), [{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
      const names = db.prepare('SELECT name FROM t ORDER BY id');
      assert.equal(names.values(), ['a', 'b']);
      assert.is(names.value(), 'a');
      assert.equal(names.all(), [{ name: 'a' }, { name: 'b' }], 'values() leaves the statement answering rows');
      assert.is(db.prepare('SELECT name FROM t WHERE id = ?').value(99), undefined);
      assert.is(db.prepare('UPDATE t SET qty = qty + 1').run().changes, 2);
      assert.is(db.prepare('UPDATE t SET qty = qty + ? WHERE id = ? RETURNING qty').value(5, 1), 7);
    } finally {
      db.close();
    }
  });

  test(name('undefined binds as NULL; named values the SQL does not use are ignored'), () => {
    const db = openDatabase(MEMORY, { driver });
    try {
      db.exec('CREATE TABLE t (a TEXT, b TEXT)');
      db.prepare('INSERT INTO t (a, b) VALUES (?, ?)').run('x', undefined);
      db.prepare('INSERT INTO t (a, b) VALUES (@a, @b)').run({ a: 'y', b: undefined, unused: 1 });
      assert.equal(db.prepare('SELECT a, b FROM t ORDER BY a').all(), [{ a: 'x', b: null }, { a: 'y', b: null }]);
      assert.is(db.prepare('SELECT ? IS NULL').value(undefined), 1);
    } finally {
      db.close();
    }
  });

  test(name('errors carry SQLite\'s code name'), () => {
    const db = openDatabase(MEMORY, { driver });
    try {
      db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, code TEXT UNIQUE, n INTEGER NOT NULL)');
      db.prepare('INSERT INTO t VALUES (?, ?, ?)').run('1', 'A', 1);
      const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
      assert.is(sqliteCode(errorOf(() => insert.run('1', 'B', 1))), 'SQLITE_CONSTRAINT_PRIMARYKEY');
      assert.is(sqliteCode(errorOf(() => insert.run('2', 'A', 1))), 'SQLITE_CONSTRAINT_UNIQUE');
      assert.is(sqliteCode(errorOf(() => insert.run('3', 'C', null))), 'SQLITE_CONSTRAINT_NOTNULL');
      assert.is(sqliteCode(errorOf(() => db.exec('SELEC 1'))), 'SQLITE_ERROR');
    } finally {
      db.close();
    }
  });

  test(name('a write lock held by another connection is SQLITE_BUSY, and the store answers StoreUnavailable'), async () => {
    const path = file();
    const store = await openStore(`sqlite:${path}`, { sqlite: { driver } });
    const other = openDatabase(path, { driver });
    try {
      other.exec('BEGIN IMMEDIATE');
      assert.ok(other.inTransaction);
      const probe = openDatabase(path, { driver });
      probe.exec('PRAGMA busy_timeout = 0');
      assert.is(sqliteCode(errorOf(() => probe.exec('BEGIN IMMEDIATE'))), 'SQLITE_BUSY');
      assert.not.ok(probe.inTransaction);
      probe.close();
      other.exec('PRAGMA busy_timeout = 0');
      // The store waits its own 5 s busy timeout, then gives up with a 503's error.
      const started = Date.now();
      const refused = await store.write(async () => 'written').catch((e) => e);
      assert.instance(refused, StoreUnavailable);
      assert.ok(Date.now() - started >= 4000, 'it waited for the lock first');
      other.exec('ROLLBACK');
      assert.not.ok(other.inTransaction);
      assert.is(await store.write(async () => 'written'), 'written', 'and works once the lock is gone');
    } finally {
      other.close();
      await store.close();
    }
  });

  test(name(`defensive mode ${driver.defensive ? 'on: the schema cannot be written' : 'off (this Node cannot turn it on)'}`), () => {
    const db = openDatabase(MEMORY, { driver });
    try {
      db.exec('CREATE TABLE t (a)');
      const write = () => db.exec("PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = sql WHERE name = 't'");
      if (driver.defensive) assert.throws(write, /may not be modified/);
      else write();
    } finally {
      db.close();
    }
  });

  test(name('an online backup copies the database while it stays open'), async () => {
    const db = openDatabase(file(), { driver });
    const copy = file();
    try {
      db.exec('CREATE TABLE t (a INTEGER)');
      db.prepare('INSERT INTO t VALUES (?)').run(7);
      await db.backup(copy);
      db.prepare('INSERT INTO t VALUES (?)').run(8);
      const copied = openDatabase(copy, { driver });
      assert.equal(copied.prepare('SELECT a FROM t').values(), [7], 'as it was when copied');
      copied.close();
    } finally {
      db.close();
    }
  });

  test(name('a transaction that throws is rolled back'), () => {
    const db = openDatabase(MEMORY, { driver });
    try {
      db.exec('CREATE TABLE t (a INTEGER)');
      assert.throws(() => immediate(db, () => {
        db.prepare('INSERT INTO t VALUES (1)').run();
        throw new Error('no');
      }));
      assert.not.ok(db.inTransaction);
      immediate(db, () => db.prepare('INSERT INTO t VALUES (2)').run());
      assert.equal(db.prepare('SELECT a FROM t').values(), [2]);
    } finally {
      db.close();
    }
  });
}

test('node:sqlite\'s numeric error codes name the same codes as better-sqlite3\'s', () => {
  assert.is(sqliteCode({ code: 'ERR_SQLITE_ERROR', errcode: 2067 }), 'SQLITE_CONSTRAINT_UNIQUE');
  assert.is(sqliteCode({ code: 'ERR_SQLITE_ERROR', errcode: 517 }), 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT, by its primary code');
  assert.is(sqliteCode({ code: 'ERR_SQLITE_ERROR', errcode: 3338 }), 'SQLITE_IOERR', 'SQLITE_IOERR_FSYNC');
  assert.is(sqliteCode({ code: 'SQLITE_READONLY' }), 'SQLITE_READONLY');
  assert.is(sqliteCode(new Error('not SQLite')), null);
  assert.is(sqliteCode(undefined), null);
});

test('node:sqlite is the first choice where it works; a forced driver that does not work says what to do', () => {
  const saved = process.env.IMS_SQLITE_DRIVER;
  delete process.env.IMS_SQLITE_DRIVER;
  try {
    const node = loadDriver('node');
    const expected = typeof node === 'string' ? 'better-sqlite3' : 'node';
    assert.is(chooseDriver().name, expected);
    const missing = DRIVER_NAMES.find((n) => typeof loadDriver(n) === 'string');
    if (missing) {
      const e = errorOf(() => chooseDriver(missing));
      assert.instance(e, NoSqliteDriver);
      assert.match((e as Error).message, /Node 22\.16 or later/);
      assert.match((e as Error).message, /IMS_SQLITE_DRIVER/);
    }
    for (const n of DRIVER_NAMES) {
      const d = loadDriver(n);
      if (typeof d !== 'string') assert.is((chooseDriver(n) as Driver).name, n);
    }
  } finally {
    if (saved !== undefined) process.env.IMS_SQLITE_DRIVER = saved;
  }
});

test('on Node 24 and later better-sqlite3 is used only when asked for by name', () => {
  const major = Number(process.versions.node.split('.')[0]);
  const loadable = DRIVER_NAMES.filter((n) => typeof loadDriver(n) !== 'string');
  const available = availableDrivers().map((d) => d.name);
  assert.equal(available, major >= 24 ? loadable.filter((n) => n !== 'better-sqlite3') : loadable);
  if (loadable.includes('better-sqlite3')) assert.is(chooseDriver('better-sqlite3').name, 'better-sqlite3');
});

test('IMS_SQLITE_DRIVER takes node or better-sqlite3 only', () => {
  assert.is(parseDriverName('node'), 'node');
  assert.is(parseDriverName('better-sqlite3'), 'better-sqlite3');
  assert.is(parseDriverName(undefined), undefined);
  assert.is(parseDriverName(''), undefined);
  assert.throws(() => parseDriverName('sqlite3'), /IMS_SQLITE_DRIVER must be node or better-sqlite3/);
});

test.run();
