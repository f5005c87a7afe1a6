// The entry point of the single executable (`npm run build:binary`). Node's single executable
// applications can require built-in modules only, so everything else is bundled into one
// file, except better-sqlite3's native addon: a binary cannot load a shared library from
// inside itself. It travels as an asset, is written once to a cache directory (named by the
// addon's hash, so a new build never loads an old addon) and loaded with process.dlopen
// before the CLI runs.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { embedded } from '../storage/embedded.js';
import { main } from './cli.js';

const ADDON = 'better_sqlite3.node';

/** `$IMS_CACHE_DIR`, else `$XDG_CACHE_HOME/ims`, else `~/.cache/ims` (the temporary directory when there is no home). */
function cacheDir(): string {
  if (process.env.IMS_CACHE_DIR) return process.env.IMS_CACHE_DIR;
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, 'ims');
  const home = homedir();
  return home ? join(home, '.cache', 'ims') : join(tmpdir(), 'ims-cache');
}

/** Writes the addon to the cache (once per content) and loads it. */
function loadSqliteAddon(bytes: Buffer): object {
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const dir = join(cacheDir(), `addon-${hash}`);
  const file = join(dir, ADDON);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Written beside and renamed into place: a binary starting at the same moment never loads half a file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, bytes, { mode: 0o755 });
    renameSync(partial, file);
  }
  const module = { exports: {} as object };
  process.dlopen(module, file);
  return module.exports;
}

async function start(): Promise<number> {
  // Loaded here, not imported: node:sea exists only in Node 20.12 and later, and only matters inside the binary.
  const sea = (await import('node:sea')) as { isSea(): boolean; getRawAsset(key: string): ArrayBuffer };
  const ims = ((globalThis as { ims?: object }).ims ??= {}) as ReturnType<typeof embedded>;
  // Built with a Node that has node:sqlite, the binary carries no addon, and uses that driver.
  if (sea.isSea() && ims.sqliteAddonAsset) {
    ims.sqliteAddon = loadSqliteAddon(Buffer.from(sea.getRawAsset(ADDON)));
    ims.betterSqlite3 = { Database, version: ims.betterSqlite3Version ?? 'bundled' };
  }
  return main(process.argv.slice(2));
}

start().then((code) => (process.exitCode = code), (e) => {
  console.error(e);
  process.exitCode = 1;
});
