// The `ims` command line: serve the API, manage tokens, verify the ledger, move data in and
// out (CSV import and export, SQLite backup and restore), seed a demo company.
import { nowIso } from '../core/clock.js';
import { runCommand } from '../core/command.js';
import { purgeCutoff } from '../core/idempotency.js';
import { PERMISSIONS, type Permission } from '../core/permission.js';
import { StoreUnavailable, type Store } from '../core/ports.js';
import { bootstrapToken, createToken, publicToken, revokeToken } from '../core/token.js';
import { verifyBalances } from '../core/verify.js';
import { openStore, type StoreOptions } from '../storage/open.js';
import { NoSqliteDriver } from '../storage/sqlite/drivers.js';
import { SqliteStore } from '../storage/sqlite/store.js';
import { loadConfig, parseArgs, type Config } from './config.js';
import { backupCommand, exportCommand, importCommand, restoreCommand, seedCommand } from './data-commands.js';
import { createLogger, type Logger } from './log.js';
import { startServer } from './server.js';
import { startWebhookWorker } from './webhook-worker.js';
import { VERSION } from './version.js';

const USAGE = `ims ${VERSION}: inventory management

Usage:
  ims serve [--port 8080] [--host 127.0.0.1] [--database-url sqlite:./data/ims.db] [--log-level info]
  ims token create --name NAME --permissions inventory:read,inventory:write [--expires-at 2027-01-01T00:00:00Z]
  ims token list
  ims token revoke TOKEN_ID
  ims verify          recompute every balance from the ledger; exit 1 on any difference
  ims import KIND FILE.csv    KIND: uoms, facilities, locations, items, suppliers, customers, balances;
                              all rows or none: a bad row is reported with its line, exit 1
  ims export KIND [FILE.csv]  the same columns; standard output without FILE
  ims seed --demo     a demo company (warehouses, a plant, 50 items, orders, history) in an empty database
  ims backup FILE     SQLite: an online copy, checked (integrity and verify) before it is kept
  ims restore FILE    SQLite: replace the database with a checked copy of FILE (stop the server first)
  ims --version

Environment: PORT, HOST, DATABASE_URL (sqlite:<file>, sqlite::memory:, postgres://user:pass@host:5432/db),
IMS_ADMIN_TOKEN, LOG_LEVEL, IMS_SQLITE_SYNC (FULL|NORMAL), IMS_SQLITE_DRIVER (node|better-sqlite3; default
node:sqlite where Node has it, else better-sqlite3), IMS_PG_POOL (connections per host, default 10),
IMS_WEBHOOK_POLL_MS (default 1000), IMS_WEBHOOK_RETRY_MS (first retry wait, default 1000), IMS_WEBHOOK_TIMEOUT_MS (default 10000).
`;

const sqliteOptions = (config: Config): StoreOptions => ({ sqlite: { synchronous: config.sqliteSync, driver: config.sqliteDriver } });

export async function main(argv: readonly string[]): Promise<number> {
  const { words, flags } = parseArgs(argv);
  if (flags.version || words[0] === 'version') {
    console.log(VERSION);
    return 0;
  }
  if (flags.help || words.length === 0 || words[0] === 'help') {
    console.log(USAGE);
    return words.length === 0 && !flags.help ? 1 : 0;
  }
  const config = loadConfig(process.env, flags);
  try {
    switch (words[0]) {
      case 'serve':
        return await serve(config);
      case 'token':
        return await withStore(config, (store) => token(store, words.slice(1), flags));
      case 'verify':
        return await withStore(config, verify);
      case 'import':
        return await withStore(config, (store) => importCommand(store, words.slice(1)));
      case 'export':
        return await withStore(config, (store) => exportCommand(store, words.slice(1)));
      case 'seed':
        return await withStore(config, (store) => seedCommand(store, flags));
      case 'backup':
        return await backupCommand(config.databaseUrl, words.slice(1));
      case 'restore':
        return await restoreCommand(config.databaseUrl, words.slice(1));
      default:
        console.error(`unknown command ${words[0]}\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    // Not a bug: this Node cannot open SQLite as installed. Say what to do, without a stack.
    if (!(e instanceof NoSqliteDriver)) throw e;
    console.error(`ims: ${e.message}`);
    return 1;
  }
}

async function withStore(config: Config, work: (store: Store) => Promise<number>): Promise<number> {
  const store = await openStore(config.databaseUrl, sqliteOptions(config));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * What the server asks of a SQLite store beyond what every command does: reads on a second
 * thread (storage/sqlite/reader-thread.ts), and stock answers kept until they change
 * (storage/sqlite/answers.ts).
 */
export const SERVER_SQLITE = { readerThread: true, answerCache: true } as const;

/**
 * Opens the store, waiting for a database server that does not answer yet (hosts are often
 * started beside or before their database): each try is logged, the wait grows to 5 s.
 */
async function openWhenReachable(config: Config, logger: Logger): Promise<Store> {
  for (let attempt = 1; ; attempt++) {
    try {
      const options = sqliteOptions(config);
      return await openStore(config.databaseUrl, { ...options, sqlite: { ...options.sqlite, ...SERVER_SQLITE } });
    } catch (e) {
      if (!(e instanceof StoreUnavailable)) throw e;
      const wait = Math.min(5000, 250 * 2 ** attempt);
      logger.log('warn', 'database unreachable; trying again', { attempt, waitMs: wait, error: e.message });
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

async function serve(config: Config): Promise<number> {
  const logger = createLogger(config.logLevel);
  const store = await openWhenReachable(config, logger);
  const boot = await runCommand(store, (tx) => bootstrapToken(tx, config.adminToken, nowIso()));
  if (!boot.ok) {
    console.error(boot.message);
    await store.close();
    return 1;
  }
  if (boot.value.generated) {
    // Shown once: only its hash is stored.
    console.log(`No API tokens existed, so one with every permission was created. Keep it now; it is not shown again:\n  ${boot.value.token}`);
  }
  const purge = () => runCommand(store, async (tx) => ({ ok: true as const, value: await tx.idempotency.purgeKeys(purgeCutoff(nowIso())) }))
    .catch((e) => logger.log('warn', 'idempotency purge failed', { error: String(e) }));
  await purge();
  const purgeTimer = setInterval(purge, 60 * 60 * 1000);
  purgeTimer.unref();
  const running = await startServer({ store, logger, port: config.port, host: config.host, currency: config.currency });
  const { pollMs, retryMs, timeoutMs } = config.webhooks;
  const webhooks = startWebhookWorker({ store, logger, pollMs, timeoutMs, backoff: { baseMs: retryMs, maxMs: 60 * 60 * 1000 } });
  const driver = store instanceof SqliteStore ? { sqliteDriver: store.driver } : {};
  logger.log('info', 'listening', { url: running.url, database: config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@'), ...driver, version: VERSION });
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.log('info', 'stopping', { signal });
      clearInterval(purgeTimer);
      await webhooks.stop();
      await running.close();
      await store.close();
      logger.log('info', 'stopped');
      resolve(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}

async function token(store: Store, words: string[], flags: Record<string, string>): Promise<number> {
  const now = nowIso();
  switch (words[0]) {
    case 'create': {
      const permissions = (flags.permissions ?? '').split(',').map((p) => p.trim()).filter(Boolean);
      const unknown = permissions.filter((p) => !PERMISSIONS.includes(p as Permission));
      if (!flags.name || permissions.length === 0 || unknown.length) {
        console.error(`token create needs --name and --permissions from: ${PERMISSIONS.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
        return 2;
      }
      const r = await runCommand(store, (tx) => createToken(tx, { name: flags.name!, permissions: permissions as Permission[], expiresAt: flags['expires-at'] ?? null }, now));
      if (!r.ok) return report(r.message);
      console.log(JSON.stringify(r.value, null, 2));
      return 0;
    }
    case 'list': {
      const page = await store.read.tokens.listTokens({ limit: 1000, offset: 0 });
      for (const t of page.items.map(publicToken)) console.log(JSON.stringify(t));
      return 0;
    }
    case 'revoke': {
      if (!words[1]) return report('token revoke needs the token id');
      const r = await runCommand(store, (tx) => revokeToken(tx, words[1]!, now));
      if (!r.ok) return report(r.message);
      console.log(JSON.stringify(r.value, null, 2));
      return 0;
    }
    default:
      return report('usage: ims token create|list|revoke');
  }
}

async function verify(store: Store): Promise<number> {
  const drift = await verifyBalances(store.read);
  for (const d of drift) console.log(JSON.stringify(d));
  console.log(drift.length === 0 ? 'verify: every balance, running balance and stock value matches the ledger' : `verify: ${drift.length} difference(s) from the ledger`);
  return drift.length === 0 ? 0 : 1;
}

function report(message: string): number {
  console.error(message);
  return 1;
}
