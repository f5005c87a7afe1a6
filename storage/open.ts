// Choosing a store from a DATABASE_URL: `sqlite:./data/ims.db` (the default),
// `sqlite::memory:` for a throwaway store, `postgres://user:pass@host:5432/db` (or
// `postgresql://`) for PostgreSQL, where several hosts may share one database.
import type { Store } from '../core/ports.js';
import { PostgresStore, type PostgresOptions } from './postgres/store.js';
import { MEMORY } from './sqlite/database.js';
import { SqliteStore, type SqliteOptions } from './sqlite/store.js';

export const DEFAULT_DATABASE_URL = 'sqlite:./data/ims.db';

export interface StoreOptions {
  sqlite?: SqliteOptions;
  /** Pool size (`max`, default IMS_PG_POOL or 10), connect timeout, attempts per unit. */
  postgres?: PostgresOptions;
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url);

export function sqliteFile(url: string): string | null {
  if (!url.startsWith('sqlite:')) return null;
  const rest = url.slice('sqlite:'.length);
  if (rest === MEMORY || rest === '//:memory:') return MEMORY;
  // sqlite:///abs/path and sqlite://./rel are accepted as well as sqlite:path.
  return rest.startsWith('//') ? rest.slice(2) : rest;
}

export async function openStore(url: string = DEFAULT_DATABASE_URL, options: StoreOptions = {}): Promise<Store> {
  const file = sqliteFile(url);
  if (file !== null) {
    if (file === '') throw new Error('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/ims.db');
    return SqliteStore.open(file, options.sqlite);
  }
  if (isPostgresUrl(url)) return PostgresStore.open(url, options.postgres);
  throw new Error(`unsupported DATABASE_URL ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}: use sqlite:<file>, sqlite::memory: or postgres://...`);
}
