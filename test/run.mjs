#!/usr/bin/env node
// Runs every test/**/*.test.ts file in its own process (uvu under tsx), two at a time, and
// prints one closing line: "<n> passed, <m> failed". A file that crashes before uvu's
// summary counts as one failure. Usage: npm test [-- <filter>...] (files whose path contains
// any of the filters).
//
// Node: the test files run on this Node, or on the binary IMS_TEST_NODE names (CI runs the
// SQLite suites a second time on a newer Node, where node:sqlite is the driver: see .ci/run).
// SQLite drivers: the storage suites test every driver that works on that Node; when both
// do, the HTTP test files that start the test server run again on the second one, labelled
// [better-sqlite3].
//
// PostgreSQL: unless IMS_TEST_PG_URL names a server, the run starts one throwaway cluster
// (test/support/postgres.mjs) when the server binaries are installed, hands its admin URL to
// every test file as IMS_TEST_PG_URL, and stops it by its pid at the end. The HTTP test files
// that start a test server then run a second time against PostgreSQL (IMS_TEST_DATABASE=
// postgres), labelled [postgres]. Without PostgreSQL those suites are skipped with the reason,
// unless IMS_REQUIRE_PG=1 (CI), where a missing PostgreSQL is a failure. IMS_TEST_PG=0 turns
// PostgreSQL off for a quick SQLite-only run.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism } from 'node:os';
import { findPgBin, startCluster } from './support/postgres.mjs';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const requirePg = process.env.IMS_REQUIRE_PG === '1';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = find(join(root, 'test')).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

// --- Node and SQLite drivers for this run ---------------------------------------------------

const nodeBin = process.env.IMS_TEST_NODE || process.execPath;

/** Asks the test Node which SQLite drivers work there, default first: ['node', 'better-sqlite3'] or fewer. */
function sqliteDrivers() {
  const probe = `const { availableDrivers } = await import('./storage/sqlite/drivers.ts');
    console.log(JSON.stringify({ node: process.version, drivers: availableDrivers().map((d) => d.name) }));`;
  const r = spawnSync(nodeBin, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot run ${nodeBin}: ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}
const probed = sqliteDrivers();
const drivers = process.env.IMS_SQLITE_DRIVER ? [process.env.IMS_SQLITE_DRIVER] : probed.drivers;
console.log(`node ${probed.node} (${nodeBin}); SQLite drivers: ${drivers.join(', ') || 'none'}`);

// --- PostgreSQL for this run ---------------------------------------------------------------

let cluster = null;
let pgProblem = null;
if (process.env.IMS_TEST_PG === '0') {
  delete process.env.IMS_TEST_PG_URL;
  pgProblem = 'IMS_TEST_PG=0 turns the PostgreSQL tests off';
} else if (!process.env.IMS_TEST_PG_URL) {
  if (!findPgBin()) {
    pgProblem = 'IMS_TEST_PG_URL is not set and the PostgreSQL server binaries (initdb, pg_ctl) are not installed';
  } else {
    try {
      cluster = await startCluster({ fsync: false });
      process.env.IMS_TEST_PG_URL = cluster.url;
      console.log(`postgres: a throwaway cluster on 127.0.0.1:${cluster.port} (pid ${cluster.pid}, ${cluster.dir})`);
    } catch (e) {
      pgProblem = `the throwaway cluster did not start: ${e.message}`;
    }
  }
}
const pgAvailable = Boolean(process.env.IMS_TEST_PG_URL);
if (!pgAvailable) console.log(`postgres: ${requirePg ? 'REQUIRED but unavailable' : 'skipped'}: ${pgProblem}`);
const stopCluster = () => {
  if (cluster) cluster.destroySync();
  cluster = null;
};
process.on('exit', stopCluster);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopCluster();
    process.exit(130);
  });
}

// --- jobs ------------------------------------------------------------------------------------

/**
 * HTTP test files that start the test server run again on PostgreSQL; files that choose
 * their database themselves (the CLI on a SQLite file, the scale-out test) run once.
 */
const onBothDatabases = (file) => file.includes('/test/http/') && readFileSync(file, 'utf8').includes('startTestServer(');
const jobs = files.map((file) => ({ file, label: '', env: {} }));
if (pgAvailable && process.env.IMS_TEST_DATABASE !== 'postgres') {
  for (const file of files.filter(onBothDatabases)) jobs.push({ file, label: ' [postgres]', env: { IMS_TEST_DATABASE: 'postgres' } });
}
if (drivers.length > 1 && process.env.IMS_TEST_DATABASE !== 'postgres') {
  for (const driver of drivers.slice(1)) {
    for (const file of files.filter(onBothDatabases)) jobs.push({ file, label: ` [${driver}]`, env: { IMS_SQLITE_DRIVER: driver } });
  }
}

function runFile({ file, label, env }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(nodeBin, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, NODE_DISABLE_COLORS: '1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      const text = strip(out);
      // uvu's Total counts the tests that ran; skipped ones are counted apart.
      const total = Number(/Total:\s+(\d+)/.exec(text)?.[1] ?? NaN);
      const passed = Number(/Passed:\s+(\d+)/.exec(text)?.[1] ?? NaN);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(text)?.[1] ?? 0);
      let failed = Number.isNaN(total) ? 1 : total - passed;
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ file, label, passed: Number.isNaN(passed) ? 0 : passed, failed, skipped, code, text, ms: Date.now() - started });
    });
  });
}

const results = [];
const queue = [...jobs];
const workers = Array.from({ length: Math.min(Number(process.env.TEST_JOBS ?? availableParallelism()), 4) }, async () => {
  while (queue.length) {
    const r = await runFile(queue.shift());
    results.push(r);
    const name = relative(root, r.file) + r.label;
    console.log(`${r.failed ? 'FAIL' : 'ok  '} ${name}: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''} (${(r.ms / 1000).toFixed(1)} s)`);
    if (r.failed) console.log(r.text.split('\n').map((l) => `    ${l}`).join('\n'));
    else if (r.skipped) {
      // Every skip states its reason; show them.
      const reasons = [...new Set(r.text.split('\n').filter((l) => /^\s*skip\b/.test(l)).map((l) => l.trim()))];
      for (const l of reasons.slice(0, 20)) console.log(`    ${l}`);
      if (reasons.length > 20) console.log(`    ... and ${reasons.length - 20} more`);
    }
  }
});
await Promise.all(workers);
stopCluster();

const passed = results.reduce((n, r) => n + r.passed, 0);
let failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
if (drivers.length === 0) {
  // The SQLite suites would have nothing to run on, and pass by testing nothing.
  console.log(`FAIL sqlite: no SQLite driver works on node ${probed.node}`);
  failed += 1;
}
if (requirePg && !pgAvailable) {
  console.log(`FAIL postgres: IMS_REQUIRE_PG=1 and ${pgProblem}`);
  failed += 1;
}
if (files.length === 0) console.log('no test files matched');
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed || files.length === 0 ? 1 : 0);
