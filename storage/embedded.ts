// What the single-file build (`npm run build:binary`) carries inside itself instead of as
// files beside the code: the SQL migrations of both adapters, the version, and
// better-sqlite3's native addon once the binary has loaded it. The bundle's first lines put
// them on globalThis before any module runs (scripts/build-binary.mjs); from a checkout or an
// installed package there is nothing here, and the files are read as usual.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Migration {
  version: string;
  sql: string;
}

export interface Embedded {
  version?: string;
  migrations?: Record<'sqlite' | 'postgres', Migration[]>;
  /** better-sqlite3's addon, loaded with process.dlopen (it cannot be required from inside a binary). */
  sqliteAddon?: object;
  /** better-sqlite3's JavaScript, bundled into the binary, and its version. */
  betterSqlite3?: { Database: unknown; version: string };
  /** The version of the better-sqlite3 bundled, written by the build. */
  betterSqlite3Version?: string;
  /** Whether the binary carries better-sqlite3's addon: not when built with a Node that has node:sqlite. */
  sqliteAddonAsset?: boolean;
}

export function embedded(): Embedded {
  return (globalThis as { ims?: Embedded }).ims ?? {};
}

/** The numbered migrations of an adapter, in order: embedded ones, else the `.sql` files of `dir()`. */
export function migrationsOf(adapter: 'sqlite' | 'postgres', dir: () => string): Migration[] {
  const carried = embedded().migrations?.[adapter];
  if (carried) return carried;
  const folder = dir();
  return readdirSync(folder).filter((f) => /^\d+_.*\.sql$/.test(f)).sort()
    .map((f) => ({ version: f.replace(/\.sql$/, ''), sql: readFileSync(join(folder, f), 'utf8') }));
}
