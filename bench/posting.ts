// In-process benchmark of the posting path.
//
//   node --import tsx bench/posting.ts [--quick] [--json]
//
// For each store (a SQLite file with synchronous FULL, the same with NORMAL, and
// sqlite::memory:) it seeds a world (1 UOM, 200 items, 1 facility with 20 bins, opening
// stock at every item × bin) and times, with tinybench:
//   single      one 2-line adjustment posting per write unit (core `post` inside
//               `runCommand`), awaited one at a time: a commit per posting;
//   batched     100 such postings submitted in one event-loop turn (Promise.all), which
//               group commit writes as one transaction (no unit fails, so no savepoint is
//               needed: see storage/sqlite/store.ts, runUnits); a sample is
//               one batch, ops/s counts postings;
//   single-api  one `ims.inventory.move` (schema validation + lookups + post) at a time.
// and a raw baseline on the same SQLite driver writing the same rows with prepared statements and no
// decision (one transaction per posting; 100 per transaction with a savepoint each, or none
// with IMS_BENCH_SAVEPOINTS=0), on its
// own database with the same pragmas. Before the first row, the same postings run untimed on
// scratch in-memory stores for 2 s, so that no row pays for V8 compiling the posting path (see
// warmUp). After each store: `ims.inventory.verify()` must find
// no drift, and the ledger must hold exactly the postings made. --json prints a JSON report
// instead of the table; --quick shortens every task (a smoke check). Temp files are removed.
//
// SQLite runs on every driver that works in this process (node:sqlite, better-sqlite3), one
// after the other, so their figures stand side by side; IMS_SQLITE_DRIVER=node|better-sqlite3
// measures one.
//
// PostgreSQL is a store too (core single and batched; batched there means 100 units in
// flight at once over the pool, each its own transaction): on a scratch database created in
// the server IMS_BENCH_PG_URL names (an admin URL; the database is dropped afterwards), or
// else on a throwaway cluster started for the run (test/support/postgres.mjs) with PostgreSQL's
// durable defaults, fsync and synchronous_commit on: every acknowledged posting is on disk.
// Without either (or with IMS_BENCH_PG=0) the PostgreSQL rows are left out, and the report
// says why.
import { BASELINE_SAVEPOINTS, benchArgs, emitReport } from './args.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Bench, type Fn } from 'tinybench';
import { createIms } from '../index.js';
import { nowIso } from '../core/clock.js';
import { runCommand } from '../core/command.js';
import type { Ims } from '../core/ims.js';
import { post } from '../core/posting.js';
import type { Result } from '../core/result.js';
import { findPgBin, startCluster } from '../test/support/postgres.mjs';
import type { Driver } from '../storage/sqlite/driver.js';
import { availableDrivers, chooseDriver } from '../storage/sqlite/drivers.js';
import { RawLedger } from './raw.js';
import { machineInfo, postingTargets, table, targetLine, withRatios, type Check, type Row, type StoreName, type Workload } from './report.js';
import { adjustmentRequest, DEFAULT_WORLD, keysOf, seedWorld, type World } from './world.js';
import { measureValuation, type ValuationCost } from './valuation.js';

const args = benchArgs('posting.ts');
const quick = args.quick;

const BATCH = 100;
const TIMING = quick
  ? { time: 150, iterations: 5, warmupTime: 30, warmupIterations: 2 }
  : { time: 2000, iterations: 32, warmupTime: 250, warmupIterations: 16 };
/** How long warmUp runs each side's postings before the first row. */
const WARM_UP_MS = quick ? 100 : 2000;

interface StoreSpec {
  name: StoreName;
  synchronous: Row['synchronous'];
  /** A file name in the temp dir, or null for sqlite::memory:. */
  file: string | null;
  /** The SQLite driver; null for PostgreSQL. */
  driver: Driver | null;
}

const POSTGRES: StoreSpec = { name: 'postgres', synchronous: 'on', file: null, driver: null };
const durable = (t: PostgresTarget) => (t.settings.fsync === 'on' && t.settings.synchronousCommit === 'on' ? 'on' : 'off');

const DRIVERS: Driver[] = process.env.IMS_SQLITE_DRIVER ? [chooseDriver()] : availableDrivers();

const STORES: StoreSpec[] = DRIVERS.flatMap((driver) => [
  { name: 'file', synchronous: 'FULL', file: `core-full-${driver.name}.db`, driver },
  { name: 'file-normal', synchronous: 'NORMAL', file: `core-normal-${driver.name}.db`, driver },
  { name: 'memory', synchronous: '-', file: null, driver },
]);

const log = (msg: string) => process.stderr.write(`${msg}\n`);

interface Measured {
  opsPerSec: number;
  meanMs: number;
  p99Ms: number;
  samples: number;
}

/** Times one task with tinybench; ops/s counts postings, from the mean sample latency. */
async function measure(name: string, fn: Fn, async: boolean, postingsPerIteration: number): Promise<Measured> {
  const bench = new Bench({ name, throws: true, ...TIMING });
  bench.add(name, fn, { async });
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') throw new Error(`${name}: ${r.state}${'error' in r ? `: ${r.error.message}` : ''}`);
  return {
    opsPerSec: (postingsPerIteration * 1000) / r.latency.mean,
    meanMs: r.latency.mean,
    p99Ms: r.latency.p99,
    samples: r.latency.samplesCount,
  };
}

function row(spec: StoreSpec, impl: Row['impl'], workload: Workload, m: Measured, perIteration: number): Row {
  return {
    impl, workload, store: spec.name, driver: spec.driver?.name ?? null, synchronous: spec.synchronous, postingsPerIteration: perIteration,
    opsPerSec: m.opsPerSec, latencyOf: perIteration === 1 ? 'posting' : 'batch',
    meanMs: m.meanMs, p99Ms: m.p99Ms, samples: m.samples, coreOverRaw: null,
  };
}

const must = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`posting refused: ${r.code}: ${r.message}`);
  return r.value;
};

/**
 * Runs one more batch, untimed, counting the COMMITs and SAVEPOINTs the store's writer
 * connection executes, to confirm group commit put the batch in one transaction. Peeks at
 * the SQLite store's private `db`; returns null if the store does not have one.
 */
async function observeCommits(ims: Ims, batch: () => Promise<void>): Promise<Check['batchCommits']> {
  const db = (ims.store as unknown as { db?: { exec(sql: string): unknown } }).db;
  if (!db || typeof db.exec !== 'function') return null;
  const exec = db.exec;
  const seen = { commits: 0, savepoints: 0 };
  db.exec = function (this: unknown, sql: string) {
    if (/^\s*COMMIT\b/i.test(sql)) seen.commits++;
    if (/^\s*SAVEPOINT\b/i.test(sql)) seen.savepoints++;
    return exec.call(this, sql);
  };
  try {
    await batch();
  } finally {
    db.exec = exec;
  }
  return seen;
}

/** Valuation's cost per SQLite store, measured in runCore. */
const valuationCosts: Array<ValuationCost & { store: StoreName }> = [];
const VALUATION_ROUNDS = quick ? 1 : 5;

async function runCore(spec: StoreSpec, dir: string, rows: Row[], checks: Check[], postgresUrl?: string): Promise<void> {
  let ims: Ims;
  if (postgresUrl !== undefined) {
    ims = await createIms({ databaseUrl: postgresUrl });
  } else {
    const databaseUrl = spec.file === null ? 'sqlite::memory:' : `sqlite:${join(dir, spec.file)}`;
    const driver = spec.driver ?? undefined;
    ims = await createIms(spec.synchronous === 'FULL' || spec.synchronous === 'NORMAL'
      ? { databaseUrl, sqlite: { synchronous: spec.synchronous, driver } }
      : { databaseUrl, sqlite: { driver } });
  }
  try {
    const world: World = await seedWorld(ims, DEFAULT_WORLD);
    let k = 0;
    let posted = 0;
    const postOne = async () => {
      const request = adjustmentRequest(world, k++);
      must(await runCommand(ims.store, (tx) => post(tx, request, nowIso())));
      posted++;
    };

    const label = `core ${spec.name}${spec.driver ? ` ${spec.driver.name}` : ''}`;
    log(`${label}: single`);
    rows.push(row(spec, 'core', 'single', await measure('single', postOne, true, 1), 1));

    log(`${label}: batched`);
    const batch = async () => {
      await Promise.all(Array.from({ length: BATCH }, postOne));
    };
    rows.push(row(spec, 'core', 'batched', await measure('batched', batch, true, BATCH), BATCH));

    const batchCommits = await observeCommits(ims, batch);

    if (postgresUrl === undefined) {
      log(`${label}: single-api`);
      let m = 0;
      const moveOne = async () => {
        const { item, a, b } = keysOf(m++, world.itemIds.length, world.binIds.length);
        must(await ims.inventory.move({ itemId: world.itemIds[item]!, fromLocationId: world.binIds[a]!, toLocationId: world.binIds[b]!, qty: 1 }));
        posted++;
      };
      rows.push(row(spec, 'core', 'single-api', await measure('single-api', moveOne, true, 1), 1));

      log(`core ${spec.name}: valuation on and off`);
      const { posted: moved, ...cost } = await measureValuation(ims, world, TIMING, VALUATION_ROUNDS);
      valuationCosts.push({ store: spec.name, ...cost });
      posted += moved;
    }

    const drift = await ims.inventory.verify();
    const transactions = (await ims.inventory.transactions({}, { limit: 1 })).total;
    checks.push({ store: spec.name, driver: spec.driver?.name ?? null, impl: 'core', drift, transactions, expectedTransactions: world.setupPostings + posted, batchCommits });
  } finally {
    await ims.close();
  }
}

/** What warmUp posted before the first row, per driver. */
interface WarmUp {
  driver: string;
  ms: number;
  corePostings: number;
  rawPostings: number;
}

/**
 * Runs the rows' postings untimed on scratch in-memory stores, core and raw, before any row is
 * measured. V8 compiles the core's posting path while it runs, which takes a few seconds of
 * postings; without this the first row measured (core single on the FULL file) paid for that
 * compilation and the rows after it did not, so a row's figure depended on where it stood in
 * the run. The stores measured stay fresh: each row still includes its file's first seconds.
 */
async function warmUp(driver: Driver): Promise<WarmUp> {
  const ims = await createIms({ databaseUrl: 'sqlite::memory:', sqlite: { driver } });
  let started = 0;
  const until = (share: number) => started + WARM_UP_MS * share;
  let corePostings = 0;
  try {
    const world = await seedWorld(ims, DEFAULT_WORLD);
    started = performance.now();
    const postOne = async () => {
      must(await runCommand(ims.store, (tx) => post(tx, adjustmentRequest(world, corePostings++), nowIso())));
    };
    do await postOne(); while (performance.now() < until(0.6));
    do await Promise.all(Array.from({ length: BATCH }, postOne)); while (performance.now() < until(0.8));
  } finally {
    await ims.close();
  }
  const raw = new RawLedger(':memory:', 'FULL', DEFAULT_WORLD, driver);
  try {
    do raw.single(); while (performance.now() < until(1));
  } finally {
    raw.close();
  }
  return { driver: driver.name, ms: Math.round(performance.now() - started), corePostings, rawPostings: raw.posted };
}

async function runRaw(spec: StoreSpec, dir: string, rows: Row[], checks: Check[]): Promise<void> {
  const file = spec.file === null ? ':memory:' : join(dir, `raw-${spec.file}`);
  const raw = new RawLedger(file, spec.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL', DEFAULT_WORLD, spec.driver!);
  try {
    log(`raw ${spec.name} ${spec.driver!.name}: single`);
    rows.push(row(spec, 'raw', 'single', await measure('raw single', () => raw.single(), false, 1), 1));
    log(`raw ${spec.name} ${spec.driver!.name}: batched`);
    rows.push(row(spec, 'raw', 'batched', await measure('raw batched', () => raw.batch(BATCH), false, BATCH), BATCH));
    const drift = raw.drift();
    const transactions = raw.db.prepare('SELECT count(*) FROM inventory_transactions').value() as number;
    checks.push({
      store: spec.name, driver: spec.driver!.name, impl: 'raw', drift: drift ? [`${drift} balance keys differ from the ledger`] : [],
      transactions, expectedTransactions: DEFAULT_WORLD.items + raw.posted, batchCommits: null,
    });
  } finally {
    raw.close();
  }
}

interface PostgresTarget {
  /** Where the server came from, for the report. */
  source: string;
  version: string;
  settings: { fsync: string; synchronousCommit: string };
  url: string;
  cleanup(): Promise<void>;
}

/**
 * A scratch database for the PostgreSQL rows: in IMS_BENCH_PG_URL's server, or in a
 * throwaway cluster with the durable defaults; or the reason there is none.
 */
async function postgresTarget(): Promise<PostgresTarget | { skipped: string }> {
  if (process.env.IMS_BENCH_PG === '0') return { skipped: 'IMS_BENCH_PG=0' };
  let adminUrl = process.env.IMS_BENCH_PG_URL;
  let source = 'IMS_BENCH_PG_URL';
  let stopCluster = async () => {};
  if (!adminUrl) {
    if (!findPgBin()) return { skipped: 'IMS_BENCH_PG_URL is not set and the PostgreSQL server binaries are not installed' };
    log('postgres: starting a throwaway cluster (fsync on)');
    const cluster = await startCluster({ fsync: true });
    process.once('exit', () => cluster.destroySync());
    adminUrl = cluster.url;
    source = 'a throwaway cluster on this machine (initdb defaults, fsync on)';
    stopCluster = () => cluster.destroy();
  }
  const name = `ims_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const show = async (setting: string) => ((await admin.query(`SHOW ${setting}`)).rows[0] as Record<string, string>)[setting]!;
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return {
      source,
      version: await show('server_version'),
      settings: { fsync: await show('fsync'), synchronousCommit: await show('synchronous_commit') },
      url: url.toString(),
      async cleanup() {
        const c = new pg.Client({ connectionString: adminUrl });
        await c.connect();
        try {
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await c.end();
        }
        await stopCluster();
      },
    };
  } catch (e) {
    await stopCluster();
    throw e;
  } finally {
    await admin.end();
  }
}

function checkLine(c: Check): string {
  const count = c.transactions === c.expectedTransactions
    ? `${c.transactions} transactions, as posted`
    : `${c.transactions} transactions, expected ${c.expectedTransactions}`;
  const what = c.impl === 'core' ? 'ims.inventory.verify()' : 'raw ledger sums vs balances';
  const group = c.batchCommits ? `; a batch of ${BATCH} took ${c.batchCommits.commits} COMMIT, ${c.batchCommits.savepoints} SAVEPOINTs` : '';
  return `${c.impl} ${c.store}${c.driver ? ` ${c.driver}` : ''}: ${what}: ${c.drift.length === 0 ? 'no drift' : `${c.drift.length} drift rows ${JSON.stringify(c.drift.slice(0, 3))}`}; ${count}${group}`;
}

async function main(): Promise<number> {
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'ims-bench-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanup();
      process.exit(130);
    });
  }
  const rows: Row[] = [];
  const checks: Check[] = [];
  const warmUps: WarmUp[] = [];
  let postgres: Omit<PostgresTarget, 'url' | 'cleanup'> | { skipped: string };
  try {
    for (const driver of DRIVERS) {
      log(`warm-up ${driver.name}: ${WARM_UP_MS} ms of postings in memory, untimed`);
      warmUps.push(await warmUp(driver));
    }
    for (const spec of STORES) {
      await runCore(spec, dir, rows, checks);
      await runRaw(spec, dir, rows, checks);
    }
    const target = await postgresTarget();
    if ('skipped' in target) {
      log(`postgres: skipped: ${target.skipped}`);
      postgres = target;
    } else {
      postgres = { source: target.source, version: target.version, settings: target.settings };
      try {
        await runCore({ ...POSTGRES, synchronous: durable(target) }, dir, rows, checks, target.url);
      } finally {
        await target.cleanup();
      }
    }
  } finally {
    cleanup();
  }
  const stores = [...STORES, POSTGRES];
  // Rows of one workload and store stand together, driver beside driver, core above raw.
  const order = (r: Row) => ['single', 'batched', 'single-api'].indexOf(r.workload) * 10_000
    + stores.findIndex((s) => s.name === r.store) * 100 + (r.impl === 'core' ? 0 : 10)
    + DRIVERS.findIndex((d) => d.name === r.driver);
  const report = {
    machine: machineInfo(loadAtStart),
    postgres,
    options: { quick, ...TIMING, batch: BATCH, world: DEFAULT_WORLD, rawSavepoints: BASELINE_SAVEPOINTS },
    warmUp: warmUps,
    rows: withRatios(rows).sort((a, b) => order(a) - order(b)),
    checks,
    valuation: valuationCosts,
    seconds: (Date.now() - started) / 1000,
  };
  const targets = [...postingTargets(report.rows), ...valuationCosts.flatMap((v) => [{
    name: `valuation costs ≤ 10 % of the posting rate on ${v.store}`,
    value: v.overheadPct, limit: 10, unit: '%', pass: v.overheadPct <= 10, binding: v.store === 'file',
  }, {
    name: `valuation costs ≤ 10 % of the CPU time per posting on ${v.store}`,
    value: v.cpuMicrosPerPosting.overheadPct, limit: 10, unit: '%', pass: v.cpuMicrosPerPosting.overheadPct <= 10, binding: false,
  }])];
  const ok = checks.every((c) => c.drift.length === 0 && c.transactions === c.expectedTransactions
    && (c.batchCommits === null || (c.batchCommits.commits === 1 && c.batchCommits.savepoints === 0)));
  if (emitReport(args, { ...report, targets, ok })) {
    const m = report.machine;
    console.log(`ims posting benchmark: node ${m.node}, ${m.cpu}, ${m.cores} cores, ${m.platform}`);
    console.log(`SQLite drivers measured: ${DRIVERS.map((d) => d.description).join('; ')}`);
    console.log(`load average (1 min): ${m.loadAverage.start.toFixed(2)} at start, ${m.loadAverage.end.toFixed(2)} at end; temp dir ${m.tmpdir}`);
    console.log('skipped' in postgres
      ? `PostgreSQL: skipped (${postgres.skipped})`
      : `PostgreSQL ${postgres.version} (pg ${pgVersion()}): ${postgres.source}; fsync ${postgres.settings.fsync}, synchronous_commit ${postgres.settings.synchronousCommit}; pool of ${process.env.IMS_PG_POOL ?? 10}`);
    console.log(`world: ${DEFAULT_WORLD.items} items × ${DEFAULT_WORLD.bins} bins; each posting has 2 lines; batch = ${BATCH} postings in one event-loop turn; ~${TIMING.time} ms per task${quick ? ' (--quick)' : ''}`);
    console.log(`warm-up before the first row, untimed, in memory: ${warmUps.map((w) => `${w.driver} ${w.corePostings} core and ${w.rawPostings} raw postings in ${w.ms} ms`).join('; ')}`);
    console.log(`raw batches: ${BASELINE_SAVEPOINTS ? 'a savepoint per posting' : 'no savepoints (IMS_BENCH_SAVEPOINTS=0)'}`);
    console.log('');
    console.log(table(report.rows));
    console.log('');
    console.log('ops/s = postings per second. Latency is per posting for single rows and per batch of 100 for batched rows.');
    console.log('core/raw = core ops/s ÷ raw ops/s on the same store (single-api is compared with raw single).');
    console.log('postgres batched = 100 postings submitted at once, each its own transaction, over the connection pool.');
    console.log('');
    console.log('valuation (single adjustments of a moving-average item, valuation on vs its storage work skipped; see bench/valuation.ts):');
    for (const v of valuationCosts) {
      console.log(`  ${v.store}: ${Math.round(v.valuedOpsPerSec)} vs ${Math.round(v.unvaluedOpsPerSec)} postings/s, overhead ${v.overheadPct.toFixed(1)} % (median of ${v.rounds} rounds); `
        + `CPU ${v.cpuMicrosPerPosting.valued.toFixed(0)} vs ${v.cpuMicrosPerPosting.unvalued.toFixed(0)} µs per posting, overhead ${v.cpuMicrosPerPosting.overheadPct.toFixed(1)} %`);
    }
    console.log('');
    console.log('targets:');
    for (const t of targets) console.log(targetLine(t));
    console.log('');
    for (const c of checks) console.log(checkLine(c));
    console.log(`\n${ok ? 'all checks passed' : 'CHECKS FAILED'} in ${report.seconds.toFixed(1)} s`);
  }
  return ok ? 0 : 1;
}

function pgVersion(): string {
  return (createRequire(import.meta.url)('pg/package.json') as { version: string }).version;
}

main().then(
  (code) => { process.exitCode = code; },
  (e) => { console.error(e); process.exitCode = 1; },
);
