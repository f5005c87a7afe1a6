// Choosing a store from a DATABASE_URL: `sqlite:./data/ims.db` (the default),
// `sqlite::memory:` for a throwaway store.
import type { Store } from '../core/ports.js';
import { MEMORY } from './sqlite/database.js';
import { SqliteStore, type SqliteOptions } from './sqlite/store.js';

export const DEFAULT_DATABASE_URL = 'sqlite:./data/ims.db';

export interface StoreOptions {
  sqlite?: SqliteOptions;
}

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
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new Error('PostgreSQL storage is not available in this build yet; use a sqlite: DATABASE_URL');
  }
  throw new Error(`unsupported DATABASE_URL ${JSON.stringify(url)}: use sqlite:<file> or sqlite::memory:`);
}
