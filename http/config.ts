// Server configuration from the environment, overridden by command-line flags.
import { DEFAULT_DATABASE_URL } from '../storage/open.js';
import type { DriverName } from '../storage/sqlite/driver.js';
import { parseDriverName } from '../storage/sqlite/drivers.js';
import { parseLevel, type Level } from './log.js';
import { DEFAULT_CURRENCY, isCurrencyCode } from '../core/money.js';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  adminToken: string | undefined;
  logLevel: Level;
  sqliteSync: 'FULL' | 'NORMAL';
  webhooks: { pollMs: number; retryMs: number; timeoutMs: number };
  /** IMS_CURRENCY: the ISO 4217 code every money amount is in. */
  currency: string;
  /** IMS_SQLITE_DRIVER; unset: node:sqlite where this Node has it, else better-sqlite3. */
  sqliteDriver: DriverName | undefined;
}

/** A positive whole number of milliseconds from the environment, else the default. */
function millis(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of milliseconds, not ${value}`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv, flags: Record<string, string> = {}): Config {
  const port = Number(flags.port ?? env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${flags.port ?? env.PORT}`);
  const sync = (env.IMS_SQLITE_SYNC ?? 'FULL').toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL') throw new Error('IMS_SQLITE_SYNC must be FULL or NORMAL');
  const currency = env.IMS_CURRENCY || DEFAULT_CURRENCY;
  if (!isCurrencyCode(currency)) throw new Error(`IMS_CURRENCY must be an ISO 4217 code such as USD, not ${currency}`);
  return {
    currency,
    port,
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    databaseUrl: flags['database-url'] ?? env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    adminToken: env.IMS_ADMIN_TOKEN || undefined,
    logLevel: parseLevel(flags['log-level'] ?? env.LOG_LEVEL),
    sqliteSync: sync,
    webhooks: {
      pollMs: millis(env, 'IMS_WEBHOOK_POLL_MS', 1000),
      retryMs: millis(env, 'IMS_WEBHOOK_RETRY_MS', 1000),
      timeoutMs: millis(env, 'IMS_WEBHOOK_TIMEOUT_MS', 10_000),
    },
    sqliteDriver: parseDriverName(env.IMS_SQLITE_DRIVER),
  };
}

/** `--port 8080`, `--port=8080` and bare words; returns the flags and the words. */
export function parseArgs(argv: readonly string[]): { words: string[]; flags: Record<string, string> } {
  const words: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      words.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) flags[a.slice(2)] = argv[++i]!;
    else flags[a.slice(2)] = 'true';
  }
  return { words, flags };
}
