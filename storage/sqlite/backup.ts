// Backups of a SQLite database, and restoring one. A backup is SQLite's online backup (the
// server keeps running and writing meanwhile; the copy is one consistent snapshot), written
// beside its destination and only renamed into place once it has passed SQLite's integrity
// check and our ledger verification. A restore checks the file the same way first, and refuses
// to replace a database that any other process (a running server) has open.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { verifyBalances } from '../../core/verify.js';
import { sqliteCode, type Connection } from './driver.js';
import { chooseDriver } from './drivers.js';
import { SqliteStore } from './store.js';

/** A connection to a file that exists (opening a missing one would create it). */
const openExisting = (file: string): Connection => {
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  return chooseDriver().open(file);
};

/** Why a database file cannot be trusted, or null when it passes every check. */
export async function checkDatabaseFile(file: string): Promise<string | null> {
  let db: Connection;
  try {
    db = openExisting(file);
  } catch (e) {
    return `${file} cannot be opened: ${(e as Error).message}`;
  }
  try {
    const integrity = db.prepare('PRAGMA integrity_check').values() as string[];
    if (integrity.length !== 1 || integrity[0] !== 'ok') {
      return `${file} fails SQLite's integrity check: ${integrity.slice(0, 5).join('; ')}`;
    }
    const migrations = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").value();
    if (migrations !== 1) return `${file} is not an ims database (it has no schema_migrations table)`;
  } catch (e) {
    return `${file} is not a readable SQLite database: ${(e as Error).message}`;
  } finally {
    db.close();
  }
  const store = SqliteStore.open(file);
  try {
    const drift = await verifyBalances(store.read);
    return drift.length === 0 ? null : `${file} fails verify: ${drift.length} balance(s) differ from the ledger`;
  } finally {
    await store.close();
  }
}

/**
 * True when another connection has the file open (a running server, `ims verify`): a
 * connection asking for the exclusive lock, without waiting, is refused then.
 */
export function databaseInUse(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = openExisting(file);
  try {
    db.exec('PRAGMA busy_timeout = 0');
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return false;
  } catch (e) {
    if (/^SQLITE_BUSY|^SQLITE_LOCKED/.test(sqliteCode(e) ?? '')) return true;
    throw e;
  } finally {
    db.close();
  }
}

const removeWithSidecars = (file: string) => {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
};

/** A verified copy of `source` at `destination` (which must not exist yet); else the reason. */
export async function backupDatabase(source: string, destination: string): Promise<string | null> {
  if (!existsSync(source)) return `${source} does not exist`;
  if (existsSync(destination)) return `${destination} exists already; choose a new file name`;
  const partial = `${destination}.partial`;
  removeWithSidecars(partial);
  const db = openExisting(source);
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    await db.backup(partial);
  } catch (e) {
    removeWithSidecars(partial);
    return `the copy could not be written to ${destination}: ${(e as Error).message}`;
  } finally {
    db.close();
  }
  const problem = await checkDatabaseFile(partial);
  if (problem) {
    removeWithSidecars(partial);
    return `the copy failed verification, so no backup was written: ${problem}`;
  }
  renameSync(partial, destination);
  return null;
}

/**
 * Replaces `target` with a verified copy of `backup`. Refused, with `target` untouched, when
 * the backup fails verification or another process has `target` open.
 */
export async function restoreDatabase(backup: string, target: string): Promise<string | null> {
  if (!existsSync(backup)) return `${backup} does not exist`;
  if (databaseInUse(target)) return `${target} is open in another process (a running ims serve?); stop it, then restore`;
  // The checks run on a copy beside the target, so the backup file itself is never changed
  // (opening it would apply newer migrations to it) and the final step is one rename.
  const incoming = `${target}.restoring`;
  removeWithSidecars(incoming);
  const source = openExisting(backup);
  try {
    await source.backup(incoming);
  } catch (e) {
    removeWithSidecars(incoming);
    return `${backup} cannot be read as a SQLite database: ${(e as Error).message}`;
  } finally {
    source.close();
  }
  const problem = await checkDatabaseFile(incoming);
  if (problem) {
    removeWithSidecars(incoming);
    return `refused: ${problem.replace(incoming, backup)}`;
  }
  // Checked again at the last moment: a server may have started while the copy was checked.
  if (databaseInUse(target)) {
    removeWithSidecars(incoming);
    return `${target} is open in another process (a running ims serve?); stop it, then restore`;
  }
  rmSync(`${target}-wal`, { force: true });
  rmSync(`${target}-shm`, { force: true });
  renameSync(incoming, target);
  return null;
}
