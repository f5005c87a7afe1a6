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
//               group commit writes as one transaction with a savepoint each; a sample is
//               one batch, ops/s counts postings;
//   single-api  one `ims.inventory.move` (schema validation + lookups + post) at a time.
// and a raw better-sqlite3 baseline writing the same rows with prepared statements and no
// decision (one transaction per posting; 100 per transaction with a savepoint each), on its
// own database with the same pragmas. After each store: `ims.inventory.verify()` must find
// no drift, and the ledger must hold exactly the postings made. --json prints a JSON report
// instead of the table; --quick shortens every task (a smoke check). Temp files are removed.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench, type Fn } from 'tinybench';
import { createIms } from '../index.js';
import { nowIso } from '../core/clock.js';
import { runCommand } from '../core/command.js';
import type { Ims } from '../core/ims.js';
import { post } from '../core/posting.js';
import type { Result } from '../core/result.js';
import type { Synchronous } from '../storage/sqlite/database.js';
import { RawLedger } from './raw.js';
import { machineInfo, table, withRatios, type Check, type Row, type StoreName, type Workload } from './report.js';
import { adjustmentRequest, DEFAULT_WORLD, keysOf, seedWorld, type World } from './world.js';

const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (!['--json', '--quick'].includes(a)) {
    console.error(`unknown argument ${a}; usage: node --import tsx bench/posting.ts [--quick] [--json]`);
    process.exit(2);
  }
}
const asJson = args.has('--json');
const quick = args.has('--quick');

const BATCH = 100;
const TIMING = quick
  ? { time: 150, iterations: 5, warmupTime: 30, warmupIterations: 2 }
  : { time: 2000, iterations: 32, warmupTime: 250, warmupIterations: 16 };

interface StoreSpec {
  name: StoreName;
  synchronous: Synchronous | '-';
  /** A file name in the temp dir, or null for sqlite::memory:. */
  file: string | null;
}

const STORES: StoreSpec[] = [
  { name: 'file', synchronous: 'FULL', file: 'core-full.db' },
  { name: 'file-normal', synchronous: 'NORMAL', file: 'core-normal.db' },
  { name: 'memory', synchronous: '-', file: null },
];

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
    impl, workload, store: spec.name, synchronous: spec.synchronous, postingsPerIteration: perIteration,
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

async function runCore(spec: StoreSpec, dir: string, rows: Row[], checks: Check[]): Promise<void> {
  const databaseUrl = spec.file === null ? 'sqlite::memory:' : `sqlite:${join(dir, spec.file)}`;
  const ims: Ims = await createIms(spec.synchronous === '-' ? { databaseUrl } : { databaseUrl, sqlite: { synchronous: spec.synchronous } });
  try {
    const world: World = await seedWorld(ims, DEFAULT_WORLD);
    let k = 0;
    let posted = 0;
    const postOne = async () => {
      const request = adjustmentRequest(world, k++);
      must(await runCommand(ims.store, (tx) => post(tx, request, nowIso())));
      posted++;
    };

    log(`core ${spec.name}: single`);
    rows.push(row(spec, 'core', 'single', await measure('single', postOne, true, 1), 1));

    log(`core ${spec.name}: batched`);
    const batch = async () => {
      await Promise.all(Array.from({ length: BATCH }, postOne));
    };
    rows.push(row(spec, 'core', 'batched', await measure('batched', batch, true, BATCH), BATCH));

    const batchCommits = await observeCommits(ims, batch);

    log(`core ${spec.name}: single-api`);
    let m = 0;
    const moveOne = async () => {
      const { item, a, b } = keysOf(m++, world.itemIds.length, world.binIds.length);
      must(await ims.inventory.move({ itemId: world.itemIds[item]!, fromLocationId: world.binIds[a]!, toLocationId: world.binIds[b]!, qty: 1 }));
      posted++;
    };
    rows.push(row(spec, 'core', 'single-api', await measure('single-api', moveOne, true, 1), 1));

    const drift = await ims.inventory.verify();
    const transactions = (await ims.inventory.transactions({}, { limit: 1 })).total;
    checks.push({ store: spec.name, impl: 'core', drift, transactions, expectedTransactions: world.setupPostings + posted, batchCommits });
  } finally {
    await ims.close();
  }
}

async function runRaw(spec: StoreSpec, dir: string, rows: Row[], checks: Check[]): Promise<void> {
  const file = spec.file === null ? ':memory:' : join(dir, `raw-${spec.file}`);
  const raw = new RawLedger(file, spec.synchronous === '-' ? 'FULL' : spec.synchronous, DEFAULT_WORLD);
  try {
    log(`raw ${spec.name}: single`);
    rows.push(row(spec, 'raw', 'single', await measure('raw single', () => raw.single(), false, 1), 1));
    log(`raw ${spec.name}: batched`);
    rows.push(row(spec, 'raw', 'batched', await measure('raw batched', () => raw.batch(BATCH), false, BATCH), BATCH));
    const drift = raw.drift();
    const transactions = raw.db.prepare('SELECT count(*) FROM inventory_transactions').pluck().get() as number;
    checks.push({
      store: spec.name, impl: 'raw', drift: drift ? [`${drift} balance keys differ from the ledger`] : [],
      transactions, expectedTransactions: DEFAULT_WORLD.items + raw.posted, batchCommits: null,
    });
  } finally {
    raw.close();
  }
}

function checkLine(c: Check): string {
  const count = c.transactions === c.expectedTransactions
    ? `${c.transactions} transactions, as posted`
    : `${c.transactions} transactions, expected ${c.expectedTransactions}`;
  const what = c.impl === 'core' ? 'ims.inventory.verify()' : 'raw ledger sums vs balances';
  const group = c.batchCommits ? `; a batch of ${BATCH} took ${c.batchCommits.commits} COMMIT, ${c.batchCommits.savepoints} SAVEPOINTs` : '';
  return `${c.impl} ${c.store}: ${what}: ${c.drift.length === 0 ? 'no drift' : `${c.drift.length} drift rows ${JSON.stringify(c.drift.slice(0, 3))}`}; ${count}${group}`;
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
  try {
    for (const spec of STORES) {
      await runCore(spec, dir, rows, checks);
      await runRaw(spec, dir, rows, checks);
    }
  } finally {
    cleanup();
  }
  const order = (r: Row) => ['single', 'batched', 'single-api'].indexOf(r.workload) * 100
    + STORES.findIndex((s) => s.name === r.store) * 10 + (r.impl === 'core' ? 0 : 1);
  const report = {
    machine: machineInfo(loadAtStart),
    options: { quick, ...TIMING, batch: BATCH, world: DEFAULT_WORLD },
    rows: withRatios(rows).sort((a, b) => order(a) - order(b)),
    checks,
    seconds: (Date.now() - started) / 1000,
  };
  const ok = checks.every((c) => c.drift.length === 0 && c.transactions === c.expectedTransactions
    && (c.batchCommits === null || (c.batchCommits.commits === 1 && c.batchCommits.savepoints === BATCH)));
  if (asJson) {
    process.stdout.write(`${JSON.stringify({ ...report, ok }, null, 2)}\n`);
  } else {
    const m = report.machine;
    console.log(`ims posting benchmark: node ${m.node}, ${m.cpu}, ${m.cores} cores, ${m.platform}, SQLite ${m.sqlite} (better-sqlite3 ${m.betterSqlite3})`);
    console.log(`load average (1 min): ${m.loadAverage.start.toFixed(2)} at start, ${m.loadAverage.end.toFixed(2)} at end; temp dir ${m.tmpdir}`);
    console.log(`world: ${DEFAULT_WORLD.items} items × ${DEFAULT_WORLD.bins} bins; each posting has 2 lines; batch = ${BATCH} postings in one event-loop turn; ~${TIMING.time} ms per task${quick ? ' (--quick)' : ''}`);
    console.log('');
    console.log(table(report.rows));
    console.log('');
    console.log('ops/s = postings per second. Latency is per posting for single rows and per batch of 100 for batched rows.');
    console.log('core/raw = core ops/s ÷ raw ops/s on the same store (single-api is compared with raw single).');
    console.log('');
    for (const c of checks) console.log(checkLine(c));
    console.log(`\n${ok ? 'all checks passed' : 'CHECKS FAILED'} in ${report.seconds.toFixed(1)} s`);
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (e) => { console.error(e); process.exitCode = 1; },
);
