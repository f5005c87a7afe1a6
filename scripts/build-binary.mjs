// `npm run build:binary`: one executable file, `build/ims`, that runs `ims` with no Node.js,
// node_modules or checkout beside it. Steps: bundle http/binary.ts and everything it imports
// into one CommonJS file with esbuild (the SQL migrations and the version go into its first
// lines); make a single-executable-application blob of it with better-sqlite3's native addon
// as an asset (node --experimental-sea-config); copy this node binary and inject the blob
// into the copy with postject. `node scripts/build-binary.mjs <dir>` builds into another
// directory than build/.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'build');
const require = createRequire(import.meta.url);

function migrations(adapter) {
  const dir = join(root, 'storage', adapter, 'migrations');
  return readdirSync(dir).filter((f) => /^\d+_.*\.sql$/.test(f)).sort()
    .map((f) => ({ version: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

const started = Date.now();
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/**
 * Whether the Node building the binary has a node:sqlite the adapter can use (22.16+, 24: the
 * same test as storage/sqlite/node-sqlite.ts). The binary runs on that same Node, so it then
 * carries no native addon at all: the driver choice at start takes node:sqlite.
 */
function hasNodeSqlite() {
  try {
    const m = process.getBuiltinModule?.('node:sqlite');
    return !!m && 'setReturnArrays' in m.StatementSync.prototype && typeof m.backup === 'function';
  } catch {
    return false;
  }
}

const sqliteAddonAsset = !hasNodeSqlite();
const betterSqlite3Version = sqliteAddonAsset
  ? JSON.parse(readFileSync(require.resolve('better-sqlite3/package.json'), 'utf8')).version : undefined;
const carried = { version, betterSqlite3Version, sqliteAddonAsset, migrations: { sqlite: migrations('sqlite'), postgres: migrations('postgres') } };

const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: [join(root, 'http/binary.ts')],
  outfile: join(out, 'ims.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // pg loads pg-native only when asked for (pg.native), which ims never does.
  external: ['pg-native'],
  banner: { js: `globalThis.ims = ${JSON.stringify(carried)};` },
  // import.meta.url only finds files beside the code, which the binary takes from globalThis.ims instead.
  logOverride: { 'empty-import-meta': 'silent' },
  logLevel: 'warning',
});

const config = join(out, 'sea-config.json');
writeFileSync(config, JSON.stringify({
  main: join(out, 'ims.cjs'),
  output: join(out, 'ims.blob'),
  disableExperimentalSEAWarning: true,
  assets: sqliteAddonAsset ? { 'better_sqlite3.node': require.resolve('better-sqlite3/build/Release/better_sqlite3.node') } : {},
}));
execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'inherit' });

const binary = join(out, process.platform === 'win32' ? 'ims.exe' : 'ims');
copyFileSync(process.execPath, binary);
chmodSync(binary, 0o755);
const { inject } = require('postject');
await inject(binary, 'NODE_SEA_BLOB', readFileSync(join(out, 'ims.blob')), {
  sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  machoSegmentName: process.platform === 'darwin' ? 'NODE_SEA' : undefined,
});
const driver = sqliteAddonAsset ? `better-sqlite3 ${betterSqlite3Version}, its addon inside` : 'node:sqlite, no native addon';
console.log(`built ${binary} (ims ${version}, node ${process.version}, SQLite through ${driver}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
