// The CLI's data commands: `ims import`, `ims export`, `ims backup`, `ims restore`, `ims seed
// --demo`. Exit
// codes: 0 done, 1 refused (a bad row, a copy that fails verification, a database in use),
// 2 a usage mistake. A refusal changes nothing.
import { readFileSync, writeFileSync } from 'node:fs';
import { nowIso } from '../core/clock.js';
import { seedDemo } from '../core/demo.js';
import { Ims } from '../core/ims.js';
import { EXCHANGE_KINDS, exportCsv, importCsv, type ExchangeKind } from '../core/exchange.js';
import type { Store } from '../core/ports.js';
import { isPostgresUrl, sqliteFile } from '../storage/open.js';
import { backupDatabase, restoreDatabase } from '../storage/sqlite/backup.js';
import { MEMORY } from '../storage/sqlite/database.js';

const isKind = (k: string | undefined): k is ExchangeKind => EXCHANGE_KINDS.includes(k as ExchangeKind);

function usage(message: string): number {
  console.error(message);
  return 2;
}

export async function importCommand(store: Store, words: string[]): Promise<number> {
  const [kind, file] = words;
  if (!isKind(kind) || !file) return usage(`usage: ims import ${EXCHANGE_KINDS.join('|')} FILE.csv`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return usage(`cannot read ${file}: ${(e as Error).message}`);
  }
  const result = await importCsv(store, kind, text, nowIso());
  if (!result.ok) {
    console.error(`import refused, nothing was written: ${file} ${result.message}`);
    return 1;
  }
  console.log(`imported ${result.value.rows} ${kind} from ${file}`);
  return 0;
}

export async function exportCommand(store: Store, words: string[]): Promise<number> {
  const [kind, file] = words;
  if (!isKind(kind)) return usage(`usage: ims export ${EXCHANGE_KINDS.join('|')} [FILE.csv]  (standard output without FILE)`);
  const text = await exportCsv(store.read, kind);
  if (file) writeFileSync(file, text);
  else process.stdout.write(text);
  return 0;
}

/** The SQLite file DATABASE_URL names, or the reason there is none to copy. */
function databaseFile(databaseUrl: string): { file: string } | { problem: string } {
  const file = sqliteFile(databaseUrl);
  if (file === null || file === MEMORY || file === '') {
    return {
      problem: isPostgresUrl(databaseUrl)
        ? 'backup and restore are for SQLite databases; on PostgreSQL use pg_dump and pg_restore'
        : 'DATABASE_URL must name a SQLite file (sqlite:./data/ims.db)',
    };
  }
  return { file };
}

export async function backupCommand(databaseUrl: string, words: string[]): Promise<number> {
  if (!words[0]) return usage('usage: ims backup FILE');
  const db = databaseFile(databaseUrl);
  if ('problem' in db) return usage(db.problem);
  const problem = await backupDatabase(db.file, words[0]);
  if (problem) {
    console.error(`backup failed: ${problem}`);
    return 1;
  }
  console.log(`backup of ${db.file} written to ${words[0]}: integrity check and verify passed`);
  return 0;
}

export async function restoreCommand(databaseUrl: string, words: string[]): Promise<number> {
  if (!words[0]) return usage('usage: ims restore FILE');
  const db = databaseFile(databaseUrl);
  if ('problem' in db) return usage(db.problem);
  const problem = await restoreDatabase(words[0], db.file);
  if (problem) {
    console.error(`restore refused, ${db.file} is unchanged: ${problem}`);
    return 1;
  }
  console.log(`restored ${words[0]} to ${db.file}: integrity check and verify passed`);
  return 0;
}

export async function seedCommand(store: Store, flags: Record<string, string>): Promise<number> {
  if (flags.demo !== 'true') return usage('usage: ims seed --demo   (a demo company, into an empty database)');
  const result = await seedDemo(new Ims(store, { actor: 'ims seed --demo' }));
  if (!result.ok) {
    console.error(`seed refused: ${result.message}`);
    return 1;
  }
  const s = result.value;
  console.log(`demo company seeded: ${s.items} items, ${s.facilities} facilities, ${s.suppliers} suppliers, ${s.customers} customers, `
    + `${s.purchaseOrders} purchase orders, ${s.salesOrders} sales orders, ${s.workOrders} work orders, ${s.transfers} transfers, `
    + `${s.transactions} ledger transactions`);
  return 0;
}
