// Server configuration from the environment, overridden by command-line flags.
import { DEFAULT_DATABASE_URL } from '../storage/open.js';
import type { DriverName } from '../storage/sqlite/driver.js';
import { parseDriverName } from '../storage/sqlite/drivers.js';
import { parseLevel, type Level } from './log.js';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  adminToken: string | undefined;
  logLevel: Level;
  sqliteSync: 'FULL' | 'NORMAL';
  /** IMS_SQLITE_DRIVER; unset: node:sqlite where this Node has it, else better-sqlite3. */
  sqliteDriver: DriverName | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv, flags: Record<string, string> = {}): Config {
  const port = Number(flags.port ?? env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${flags.port ?? env.PORT}`);
  const sync = (env.IMS_SQLITE_SYNC ?? 'FULL').toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL') throw new Error('IMS_SQLITE_SYNC must be FULL or NORMAL');
  return {
    port,
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    databaseUrl: flags['database-url'] ?? env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    adminToken: env.IMS_ADMIN_TOKEN || undefined,
    logLevel: parseLevel(flags['log-level'] ?? env.LOG_LEVEL),
    sqliteSync: sync,
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
