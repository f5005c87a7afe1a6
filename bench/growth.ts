// Growth benchmark: how posting and `asOf` hold up as the ledger grows.
//
//   node --import tsx bench/growth.ts [--quick] [--json]
//
// One SQLite file database (synchronous FULL, the default) in a temp dir, seeded with the
// posting benchmark's world (200 items, 1 facility with 20 bins, opening stock at every
// item × bin). Then, for each ledger size (10k, 100k, 1M lines; --quick: 10k, 50k):
//   1. fill: grow the ledger to that many lines through the core (`post` inside `runCommand`,
//      100 postings per event-loop turn so group commit carries them in one transaction):
//      moves, adjustments and multi-line receipts, skewed so one hot item holds ~10 % of the
//      lines and a typical item ~1/200 of the rest (growth-workload.ts). When the ledger holds
//      half the stage's lines, the instant is recorded with the fill's model of the typical
//      and hot items' balances: the past instant the stage's `asOf` queries ask for;
//   2. start the real server (`node bin/ims.mjs serve`) on the same file, sampling its RSS
//      from /proc every 50 ms for as long as it runs;
//   3. asOf: GET /v1/inventory/balances?itemId=…&asOf=<instant>, sequentially, for the
//      typical and the hot item (a few warm-up requests, then the timed ones); the first
//      answer must equal the fill's model at that instant;
//   4. posting rate: a separate load process (growth-load.ts) sends POST /v1/inventory/moves
//      on 32 keep-alive connections, with the bearer token, for a few seconds. A shared
//      machine drifts by tens of percent from one minute to the next, so the rate is paired:
//      a second server runs on a copy of the database as it was at 10k lines (the baseline),
//      and the load alternates between the two (stage, baseline, baseline, stage, ...), each
//      window as long as the other; rate/baseline compares numbers taken in the same minutes.
//      The rate against the first stage's (other minutes) is reported beside it;
//   5. stop both servers (SIGTERM) before the next fill.
// At the end `node bin/ims.mjs verify` must exit 0. The report has one row per size and the
// targets: posting rate at the largest size ≥ 0.8 × at 10k (paired); asOf p99 at the largest
// size < 50 ms for the typical item (the hot item reported beside it); the stage server's RSS
// < 200 MB at every size.
// Exit 1 when a correctness check fails, or (full run only) a binding target is missed;
// --quick targets are indicative only. Temp files and child processes are removed on exit,
// on failure and on SIGINT/SIGTERM.
import { benchArgs, emitReport } from './args.js';
import type { Db } from '../storage/sqlite/database.js';
import { chooseDriver } from '../storage/sqlite/drivers.js';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIms } from '../index.js';
import { nowIso } from '../core/clock.js';
import { runCommand } from '../core/command.js';
import type { Ims } from '../core/ims.js';
import { post } from '../core/posting.js';
import type { Result } from '../core/result.js';
import { FillWorkload, HOT_INDEX, TYPICAL_INDEX } from './growth-workload.js';
import type { LoadResult } from './growth-load.js';
import {
  asOfTable, checkLines, fillTable, latencyOf, postingTable, targetLines,
  type AsOfResult, type Check, type PostingResult, type ServerMemory, type StageRow, type Target,
} from './growth-report.js';
import { closeAgent, get, killChildren, runLoadProcess, runVerify, startServer, type ServerStats } from './growth-server.js';
import { machineInfo } from './report.js';
import { DEFAULT_WORLD, seedWorld, type World } from './world.js';

const args = benchArgs('growth.ts');
const quick = args.quick;

const OPTIONS = {
  stages: quick ? [10_000, 50_000] : [10_000, 100_000, 1_000_000],
  world: DEFAULT_WORLD,
  batch: 100,
  seed: 20261126,
  concurrency: 32,
  /** Posting windows per server and stage, alternating stage and baseline. */
  rounds: quick ? 1 : 3,
  /** Warm-up before a server's first window (a fresh process: JIT, page cache), and before later ones. */
  firstWarmupMs: quick ? 300 : 1000,
  warmupMs: quick ? 200 : 300,
  windowMs: quick ? 1200 : 2500,
  asOfWarmup: quick ? 3 : 5,
  asOfSamples: quick ? 20 : 50,
  rssSampleMs: 50,
  serverLogLevel: 'warn',
  synchronous: 'FULL',
};
const LIMITS = { postingRatio: 0.8, asOfP99Ms: 50, rssMb: 200 };
const TOKEN = 'bench-growth-admin-token-0123456789abcdef';

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const must = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`posting refused: ${r.code}: ${r.message}`);
  return r.value;
};

interface Mark {
  lines: number;
  instant: string;
  /** The fill's model of the typical and hot items' on-hand per bin at the instant. */
  typical: Record<string, number>;
  hot: Record<string, number>;
}

interface Fill {
  postings: number;
  lines: number;
  seconds: number;
  mark: Mark;
  maxRssMb: number;
}

/**
 * Grows the ledger from `lines` to at least `target` lines, 100 postings per event-loop turn.
 * Records the instant once the ledger holds `markAt` lines (or at the start, if it already does).
 */
async function fill(ims: Ims, w: FillWorkload, lines: number, target: number, markAt: number): Promise<Fill> {
  const t0 = performance.now();
  let postings = 0;
  let added = 0;
  let mark: Mark | null = null;
  let maxRssMb = 0;
  let nextLog = lines + 100_000;
  const markNow = async (): Promise<Mark> => {
    // Every posting so far is committed; the clock moves past the last posted_at before the
    // instant is taken, and past the instant before the next posting.
    await sleep(3);
    const instant = nowIso();
    await sleep(3);
    return { lines: lines + added, instant, typical: w.snapshot(TYPICAL_INDEX), hot: w.snapshot(HOT_INDEX) };
  };
  if (lines >= markAt) mark = await markNow();
  while (lines + added < target) {
    const requests = Array.from({ length: OPTIONS.batch }, () => w.next());
    await Promise.all(requests.map((r) => runCommand(ims.store, (tx) => post(tx, r, nowIso())).then(must)));
    postings += requests.length;
    added += requests.reduce((n, r) => n + r.lines.length, 0);
    if (!mark && lines + added >= markAt) mark = await markNow();
    if (lines + added >= nextLog) {
      maxRssMb = Math.max(maxRssMb, process.memoryUsage().rss / 2 ** 20);
      log(`  fill: ${(lines + added).toLocaleString('en-US')} lines, ${Math.round(postings / ((performance.now() - t0) / 1000))} postings/s`);
      nextLog += 100_000;
    }
  }
  maxRssMb = Math.max(maxRssMb, process.memoryUsage().rss / 2 ** 20);
  return { postings, lines: added, seconds: (performance.now() - t0) / 1000, mark: mark!, maxRssMb };
}

/** Every balance, through the core's query, to re-sync the fill's model after the server posted. */
async function allBalances(ims: Ims) {
  const rows = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await ims.inventory.balances({}, { limit: 1000, offset });
    rows.push(...page.items);
    if (offset + 1000 >= page.total) return rows;
  }
}

/** Direct read-only SQL, for counts the API does not offer (lines, not transactions). */
class Probe {
  private readonly db: Db;
  constructor(file: string) {
    this.db = chooseDriver().open(file);
    this.db.exec('PRAGMA query_only = ON');
  }
  static lines(file: string): number {
    const p = new Probe(file);
    try {
      return p.lines();
    } finally {
      p.close();
    }
  }
  /** A consistent copy of the database (SQLite's online backup), WAL content included. */
  backup(to: string): Promise<void> {
    return this.db.backup(to);
  }
  lines(): number {
    return this.db.prepare('SELECT count(*) FROM inventory_lines').value() as number;
  }
  itemLines(itemId: string, instant?: string): number {
    if (instant === undefined) return this.db.prepare('SELECT count(*) FROM inventory_lines WHERE item_id = ?').value(itemId) as number;
    return this.db.prepare(`SELECT count(*) FROM inventory_lines WHERE item_id = ? AND seq <= coalesce((SELECT seq
      FROM inventory_transactions WHERE posted_at <= ? ORDER BY posted_at DESC, seq DESC LIMIT 1), 0)`).value(itemId, instant) as number;
  }
  close(): void {
    this.db.close();
  }
}

function compare(rows: Array<{ locationId: string; statusId: string; onHand: number }>, expected: Record<string, number>): string | undefined {
  const got: Record<string, number> = {};
  for (const r of rows) {
    if (r.statusId !== 'available') return `unexpected status ${r.statusId}`;
    got[r.locationId] = r.onHand;
  }
  const keys = new Set([...Object.keys(got), ...Object.keys(expected)]);
  const diff = [...keys].filter((k) => got[k] !== expected[k]).map((k) => `${k}: got ${got[k]}, expected ${expected[k]}`);
  return diff.length ? diff.slice(0, 3).join('; ') : undefined;
}

async function measureAsOf(url: string, itemId: string, instant: string, expected: Record<string, number>, probe: Probe): Promise<AsOfResult> {
  // Each request asks with another limit (every answer has fewer rows than any of them), so
  // that none is answered from the server's answer cache (storage/sqlite/answers.ts): this
  // measures the ledger query.
  const path = (i: number) => `${url}/v1/inventory/balances?itemId=${itemId}&asOf=${encodeURIComponent(instant)}&limit=${1000 - i}`;
  const samples: number[] = [];
  let first: { data: Array<{ locationId: string; statusId: string; onHand: number }>; count: number } | null = null;
  for (let i = 0; i < OPTIONS.asOfWarmup + OPTIONS.asOfSamples; i++) {
    const t0 = performance.now();
    const r = await get(path(i), TOKEN);
    const t1 = performance.now();
    if (r.status !== 200) throw new Error(`asOf answered ${r.status}: ${r.text.slice(0, 300)}`);
    if (i === 0) first = JSON.parse(r.text);
    if (i >= OPTIONS.asOfWarmup) samples.push(t1 - t0);
  }
  const mismatch = compare(first!.data, expected);
  return {
    itemId,
    itemLinesAtInstant: probe.itemLines(itemId, instant),
    itemLines: probe.itemLines(itemId),
    rows: first!.data.length,
    matches: mismatch === undefined,
    ...(mismatch ? { mismatch } : {}),
    ...latencyOf(samples),
  };
}

/** The windows one server got, summed: rate over the windows' total length, latencies merged. */
function combine(runs: LoadResult[], linesAtStart: number, linesAtEnd: number): PostingResult {
  const completed = runs.reduce((n, r) => n + r.completed, 0);
  const windowMs = runs.reduce((n, r) => n + r.windowMs, 0);
  const errors: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  return {
    opsPerSec: (completed * 1000) / windowMs,
    completed,
    windowMs,
    rounds: runs.map((r) => r.opsPerSec),
    sent: runs.reduce((n, r) => n + r.sent, 0),
    created: runs.reduce((n, r) => n + r.created, 0),
    errors,
    errorSamples: runs.flatMap((r) => r.errorSamples).slice(0, 5),
    linesAtStart,
    linesAtEnd,
    ...latencyOf(runs.flatMap((r) => r.latencies)),
  };
}

const memory = (s: ServerStats): ServerMemory =>
  ({ maxRssMb: s.maxRssMb, hwmMb: s.hwmMb, samples: s.samples, startMs: s.startMs, exitCode: s.exitCode });

const removeDb = (f: string) => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(f + suffix, { force: true });
};

async function main(): Promise<number> {
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'ims-growth-'));
  const file = join(dir, 'growth.db');
  const baselineFile = join(dir, 'baseline-10k.db');
  const databaseUrl = `sqlite:${file}`;
  const cleanup = () => {
    killChildren();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanup();
      process.exit(130);
    });
  }

  const rows: StageRow[] = [];
  const fillRss: number[] = [];
  let world: World | null = null;
  let workload: FillWorkload | null = null;
  let probe: Probe | null = null;
  let verify: Awaited<ReturnType<typeof runVerify>>;
  let dbBytes = 0;
  const n = (x: number) => x.toLocaleString('en-US');
  try {
    for (const target of OPTIONS.stages) {
      log(`stage ${n(target)} lines: fill through the core`);
      const ims = await createIms({ databaseUrl });
      let f: Fill;
      try {
        if (!world) {
          world = await seedWorld(ims, OPTIONS.world);
          workload = new FillWorkload(world, OPTIONS.seed, OPTIONS.world.opening);
          probe = new Probe(file);
        } else {
          workload!.reset(await allBalances(ims));
        }
        f = await fill(ims, workload!, probe!.lines(), target, Math.floor(target / 2));
      } finally {
        await ims.close();
      }
      fillRss.push(f.maxRssMb);
      // The baseline: the database as it is after the first fill, before any server posted.
      if (rows.length === 0) await probe!.backup(baselineFile);
      const baseFile = join(dir, `baseline-at-${target}.db`);
      copyFileSync(baselineFile, baseFile);
      const baseLinesAtStart = Probe.lines(baseFile);

      log(`stage ${n(target)} lines: servers up; asOf ${f.mark.instant} (${n(f.mark.lines)} lines), then posting load, alternating with the baseline`);
      const serverOptions = { token: TOKEN, sampleMs: OPTIONS.rssSampleMs, logLevel: OPTIONS.serverLogLevel };
      const server = await startServer({ databaseFile: file, ...serverOptions });
      let baseServer: Awaited<ReturnType<typeof startServer>> | null = null;
      let asOf: StageRow['asOf'];
      const runs = { stage: [] as LoadResult[], base: [] as LoadResult[] };
      const loadAverage = { start: NaN, end: NaN };
      let linesAtStart = NaN;
      let stats: ServerStats;
      let baseStats: ServerStats | null = null;
      try {
        baseServer = await startServer({ databaseFile: baseFile, ...serverOptions });
        asOf = {
          typical: await measureAsOf(server.url, world.itemIds[TYPICAL_INDEX]!, f.mark.instant, f.mark.typical, probe!),
          hot: await measureAsOf(server.url, world.itemIds[HOT_INDEX]!, f.mark.instant, f.mark.hot, probe!),
        };
        linesAtStart = probe!.lines();
        loadAverage.start = loadavg()[0]!;
        for (let round = 0; round < OPTIONS.rounds; round++) {
          const order = round % 2 === 0 ? (['stage', 'base'] as const) : (['base', 'stage'] as const);
          for (const which of order) {
            const url = which === 'stage' ? server.url : baseServer.url;
            runs[which].push(await runLoadProcess({
              url, token: TOKEN, itemIds: world.itemIds, binIds: world.binIds, concurrency: OPTIONS.concurrency,
              warmupMs: runs[which].length === 0 ? OPTIONS.firstWarmupMs : OPTIONS.warmupMs,
              durationMs: OPTIONS.windowMs,
              // The same request sequence for both servers in a round.
              seed: OPTIONS.seed + target + round,
            }));
          }
        }
        loadAverage.end = loadavg()[0]!;
      } finally {
        closeAgent();
        stats = await server.stop();
        if (baseServer) baseStats = await baseServer.stop();
      }
      for (const [name, s] of [['server', stats], ['baseline server', baseStats!]] as const) {
        if (s.exitCode !== 0) log(`${name} output:\n${s.output}`);
      }
      const posting = combine(runs.stage, linesAtStart, probe!.lines());
      const baseline = combine(runs.base, baseLinesAtStart, Probe.lines(baseFile));
      removeDb(baseFile);
      rows.push({
        targetLines: target,
        fill: {
          postings: f.postings, lines: f.lines, seconds: f.seconds,
          postingsPerSec: f.postings / f.seconds, linesPerSec: f.lines / f.seconds,
        },
        asOfInstant: f.mark.instant,
        asOfInstantLines: f.mark.lines,
        posting,
        baseline,
        ratioToBaseline: posting.opsPerSec / baseline.opsPerSec,
        ratioToFirst: posting.opsPerSec / (rows[0]?.posting.opsPerSec ?? posting.opsPerSec),
        asOf,
        server: memory(stats),
        baselineServer: memory(baseStats!),
        loadAverage,
      });
      const r = rows.at(-1)!;
      log(`  ${Math.round(posting.opsPerSec)} postings/s over HTTP (p99 ${posting.p99Ms.toFixed(1)} ms), baseline ${Math.round(baseline.opsPerSec)}: ${r.ratioToBaseline.toFixed(2)}; `
        + `asOf p99 typical ${asOf.typical.p99Ms.toFixed(1)} ms, hot ${asOf.hot.p99Ms.toFixed(1)} ms; server RSS max ${Math.max(r.server.maxRssMb, r.server.hwmMb).toFixed(0)} MB`);
    }
    probe?.close();
    probe = null;
    const db = chooseDriver().open(file);
    try {
      dbBytes = (db.prepare('PRAGMA page_count').value() as number) * (db.prepare('PRAGMA page_size').value() as number);
    } finally {
      db.close();
    }
    log('verify: node bin/ims.mjs verify');
    verify = await runVerify(file);
  } catch (e) {
    probe?.close();
    throw e;
  } finally {
    closeAgent();
  }

  const first = rows[0]!;
  const last = rows.at(-1)!;
  const size = n(last.targetLines);
  const rssOf = (m: ServerMemory) => Math.max(m.maxRssMb, m.hwmMb);
  const maxRss = Math.max(...rows.map((r) => rssOf(r.server)));
  const asOfTarget = (k: 'typical' | 'hot', binding: boolean): Target => ({
    name: `asOf p99 at ${size} lines, ${k} item (${n(last.asOf[k].itemLinesAtInstant)} of its lines summed) < ${LIMITS.asOfP99Ms} ms`,
    value: last.asOf[k].p99Ms, limit: LIMITS.asOfP99Ms, unit: 'ms', ratioToLimit: last.asOf[k].p99Ms / LIMITS.asOfP99Ms,
    pass: last.asOf[k].p99Ms < LIMITS.asOfP99Ms, binding,
  });
  const targets: Target[] = [
    {
      name: `posting rate at ${size} lines ≥ ${LIMITS.postingRatio} × at 10k, paired (${Math.round(last.posting.opsPerSec)} vs ${Math.round(last.baseline.opsPerSec)} postings/s, alternating windows)`,
      value: last.ratioToBaseline, limit: LIMITS.postingRatio, unit: 'x', ratioToLimit: last.ratioToBaseline / LIMITS.postingRatio,
      pass: last.ratioToBaseline >= LIMITS.postingRatio, binding: true,
    },
    {
      name: `posting rate at ${size} lines ≥ ${LIMITS.postingRatio} × the first stage's, unpaired (${Math.round(last.posting.opsPerSec)} vs ${Math.round(first.posting.opsPerSec)} postings/s, minutes apart)`,
      value: last.ratioToFirst, limit: LIMITS.postingRatio, unit: 'x', ratioToLimit: last.ratioToFirst / LIMITS.postingRatio,
      pass: last.ratioToFirst >= LIMITS.postingRatio, binding: false,
    },
    asOfTarget('typical', true),
    asOfTarget('hot', false),
    {
      name: `server RSS < ${LIMITS.rssMb} MB at every size (max of VmRSS every ${OPTIONS.rssSampleMs} ms and VmHWM; ${rows.map((r) => rssOf(r.server).toFixed(0)).join(' / ')} MB)`,
      value: maxRss, limit: LIMITS.rssMb, unit: 'MB', ratioToLimit: maxRss / LIMITS.rssMb, pass: maxRss < LIMITS.rssMb, binding: true,
    },
  ];
  const at = (r: StageRow) => `at ${n(r.targetLines)}`;
  const checks: Check[] = [
    ...rows.flatMap((r) => (['typical', 'hot'] as const).map((k): Check => ({
      name: `asOf ${at(r)}: ${k} item equals the fill's balances at the instant`,
      pass: r.asOf[k].matches && r.asOf[k].rows > 0,
      detail: r.asOf[k].matches ? `${r.asOf[k].rows} balance rows match` : r.asOf[k].mismatch ?? 'no rows',
    }))),
    ...rows.flatMap((r) => (['posting', 'baseline'] as const).map((k): Check => ({
      name: `HTTP postings ${at(r)} (${k === 'posting' ? 'stage' : 'baseline'} server): every move answered 201`,
      pass: Object.keys(r[k].errors).length === 0 && r[k].completed > 0,
      detail: `${r[k].created} of ${r[k].sent} created${Object.keys(r[k].errors).length ? `; errors ${JSON.stringify(r[k].errors)} ${JSON.stringify(r[k].errorSamples)}` : ''}`,
    }))),
    ...rows.map((r): Check => ({
      name: `servers ${at(r)}: stopped cleanly on SIGTERM`,
      pass: r.server.exitCode === 0 && r.baselineServer.exitCode === 0,
      detail: `exit codes ${r.server.exitCode}, ${r.baselineServer.exitCode}`,
    })),
    { name: 'node bin/ims.mjs verify', pass: verify.exitCode === 0, detail: `exit ${verify.exitCode} in ${verify.seconds.toFixed(1)} s: ${verify.output.split('\n').at(-1)}` },
  ];
  const checksOk = checks.every((c) => c.pass);
  const targetsOk = targets.every((t) => t.pass || !t.binding);
  const ok = checksOk && (quick || targetsOk);
  const report = {
    machine: machineInfo(loadAtStart),
    options: { quick, ...OPTIONS, limits: LIMITS },
    rows,
    targets,
    targetsOk,
    checks,
    checksOk,
    verify: { passed: verify.exitCode === 0, ...verify },
    fillProcessMaxRssMb: Math.max(...fillRss),
    databaseMb: dbBytes / 2 ** 20,
    ok,
    seconds: (Date.now() - started) / 1000,
  };

  if (emitReport(args, report)) {
    const m = report.machine;
    const o = OPTIONS;
    console.log(`ims growth benchmark: node ${m.node}, ${m.cpu}, ${m.cores} cores, ${m.platform}, SQLite ${m.sqlite} (${m.driver})`);
    console.log(`load average (1 min): ${m.loadAverage.start.toFixed(2)} at start, ${m.loadAverage.end.toFixed(2)} at end; temp dir ${m.tmpdir}`);
    console.log(`world: ${o.world.items} items × ${o.world.bins} bins, one facility; hot item ~10 % of lines; synchronous FULL; servers: node bin/ims.mjs serve, LOG_LEVEL=${o.serverLogLevel}${quick ? '; --quick' : ''}`);
    console.log(`posting: POST /v1/inventory/moves (2 lines), ${o.concurrency} keep-alive connections from a separate process; per server ${o.rounds} × ${o.windowMs} ms windows `
      + `(warm-up ${o.firstWarmupMs} ms first, ${o.warmupMs} ms after), stage and baseline alternating`);
    console.log(`asOf: GET /v1/inventory/balances?itemId=…&asOf=<instant the ledger held half the stage's lines>, ${o.asOfWarmup} warm-up + ${o.asOfSamples} timed, sequential`);
    console.log('');
    console.log('Fill through the core (post in runCommand, 100 postings per event-loop turn):');
    console.log(fillTable(rows));
    console.log('');
    console.log('Posting through the server:');
    console.log(postingTable(rows, LIMITS.postingRatio));
    console.log('');
    console.log('asOf and memory through the server:');
    console.log(asOfTable(rows, LIMITS.asOfP99Ms, LIMITS.rssMb));
    console.log('');
    console.log('lines during load: the stage database\'s lines when its first window started and after its last (the load posts).');
    console.log(`baseline: a copy of the database at ${n(first.posting.linesAtStart)} lines on a second server, fresh at every stage; at the first stage`);
    console.log(`it is the same data, so its rate/baseline (${first.ratioToBaseline.toFixed(2)}) is this run's noise. typ/hot lines: lines of that item the`);
    console.log(`asOf query sums. Database ${report.databaseMb.toFixed(0)} MB at the end; the fill process peaked at ${report.fillProcessMaxRssMb.toFixed(0)} MB RSS.`);
    console.log('');
    console.log(`Targets${quick ? ' (--quick: indicative only, the limits are meant for 1M lines)' : ''}:`);
    console.log(targetLines(targets));
    console.log('');
    console.log('Checks:');
    console.log(checkLines(checks));
    console.log(`\n${ok ? (targetsOk ? 'all checks passed, all targets met' : 'all checks passed') : checksOk ? 'TARGETS MISSED' : 'CHECKS FAILED'} in ${report.seconds.toFixed(1)} s`);
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (e) => {
    console.error(e);
    killChildren();
    process.exitCode = 1;
  },
);
