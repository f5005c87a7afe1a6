// HTTP benchmark: the real server against its limits, measured in one run.
//
//   node --import tsx bench/http.ts [--quick] [--json]
//
// Each in its own child process, on a free loopback port:
//   bare        bench/servers/bare.mjs: node:http that parses the JSON body and answers a
//               small JSON object. The HTTP limit.
//   minimal-gc  bench/servers/minimal-gc.ts: node:http + better-sqlite3 (WAL, synchronous
//               FULL, the product's schema) writing a posting's rows with prepared statements
//               and no validation, one transaction per event-loop turn (a savepoint per
//               request, none with IMS_BENCH_SAVEPOINTS=0; replies after COMMIT). The
//               posting limit: 1 line for adjustments, 2 lines for moves.
//   ims         `node bin/ims.mjs serve` on a temp SQLite file, IMS_ADMIN_TOKEN, default
//               synchronous (FULL), LOG_LEVEL=info with stdout to a log file, as an operator
//               runs it; seeded through its API (items, one facility, bins, opening stock at
//               every item × bin).
// The load comes from a fourth process (bench/load.mjs, autocannon): keep-alive connections,
// one request in flight each, at 10 and 50 connections, warm-up then a fixed window; bodies
// and query strings rotate over items and bins. Every row reports ops/s, p50/p99 latency,
// non-2xx answers and socket errors, and its ratio to its limit: postings to minimal-gc with
// the same line count and to bare POST, reads to bare GET. The targets are evaluated from
// the same run. Then the checks: the ims server stops on SIGTERM with exit code 0,
// `ims verify` passes on its database, and its ledger holds exactly the seeded transactions
// plus the 2xx postings the load generator counted (the same for minimal-gc's ledger).
// Each row also shows the CPU the server, the load generator and everything else on the
// machine used over its window (Linux /proc): 'other cpu' well above a few % means another
// process skewed the row, and the targets that rest on such rows say so.
// --json prints a JSON report instead of the table; --quick is a short smoke run (0.2 s
// warm-up + 0.6 s per row, 50 items × 10 bins).
// For investigation: IMS_BENCH_CPU_PROF=<dir> runs the ims server under `node --cpu-prof`
// (the profile lands in <dir> when it stops), and IMS_BENCH_ROWS=<text> runs only the rows
// whose name contains <text> (their limits are then measured only if they match too). Exit code
// 0 when every check passes (targets are reported, not enforced: they vary with the
// machine). Every child process and the temp dir are removed, also on failure and SIGINT.
import { BASELINE_SAVEPOINTS, benchArgs, emitReport } from './args.js';
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseDriver } from '../storage/sqlite/drivers.js';
import { machineInfo } from './report.js';
import { DEFAULT_WORLD, keysOf, type WorldSize } from './world.js';

const root = fileURLToPath(new URL('..', import.meta.url));

const args = benchArgs('http.ts');
const quick = args.quick;

const CONNECTIONS = [10, 50] as const;
const TIMING = quick ? { warmupMs: 200, durationMs: 600 } : { warmupMs: 1000, durationMs: 5000 };
const WORLD: WorldSize = quick ? { items: 50, bins: 10, opening: DEFAULT_WORLD.opening } : DEFAULT_WORLD;

const log = (msg: string) => process.stderr.write(`${msg}\n`);

// ---------------------------------------------------------------- child processes

interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last few KiB of its stderr, for error messages. */
  stderr: () => string;
}

const children = new Set<Child>();
let dir = '';

/** Kills whatever is still running and removes the temp dir; safe to call more than once. */
function cleanupSync(): void {
  for (const c of children) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) {
      try {
        c.proc.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

function track(name: string, proc: ChildProcess): Child {
  let tail = '';
  proc.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const child: Child = { name, proc, exited, stderr: () => tail };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

function startServer(name: string, argv: string[], env: NodeJS.ProcessEnv, stdoutFd: number | 'ignore' = 'ignore'): Child {
  const proc = spawn(process.execPath, argv, { cwd: root, env, stdio: ['ignore', stdoutFd, 'pipe'] });
  return track(name, proc);
}

/** SIGTERM, then the exit status; SIGKILL after `ms`. */
async function stop(child: Child, ms = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) {
    return { code: child.proc.exitCode, signal: child.proc.signalCode, killed: false };
  }
  child.proc.kill('SIGTERM');
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.proc.kill('SIGKILL');
  }, ms);
  const status = await child.exited;
  clearTimeout(timer);
  return { ...status, killed };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) {
      throw new Error(`${child.name} exited (${child.proc.exitCode ?? child.proc.signalCode}) before answering: ${child.stderr()}`);
    }
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${child.name} did not answer ${url} within ${timeoutMs} ms: ${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ------------------------------------------------------------------- CPU sampling

const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** CPU seconds a process has used so far (Linux /proc), or null where unavailable. */
function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** CPU seconds the whole machine has been busy so far, over all cores (Linux /proc/stat), or null. */
function machineBusySeconds(): number | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const busy = cpu.slice(0, 8).reduce((a, b) => a + b, 0) - (cpu[3] ?? 0) - (cpu[4] ?? 0);
    return busy / CLK_TCK;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------- the load

interface Job {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  connections: number;
  warmupMs: number;
  durationMs: number;
  bodies?: string[];
  paths?: string[];
  /** Whole requests, each with its method (the mixed row). */
  requests?: MixedRequest[];
}

interface Counts {
  ok2xx: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

interface LoadResult {
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  measured: number;
  bytesPerResponse: number;
  counts: { warmup: Counts; measure: Counts; drain: Counts };
  total2xx: number;
  totalNon2xx: number;
  errors: number;
  timeouts: number;
  loadCpuPercent: number | null;
}

class LoadGenerator {
  private readonly child: Child;
  private next = 0;

  constructor() {
    const proc = fork(join(root, 'bench/load.mjs'), [], { cwd: root, execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child = track('load generator', proc);
  }

  /** Runs one job; `serverPid`'s CPU use is sampled over the measured window. */
  run(job: Job, serverPid: number | undefined): Promise<LoadResult & { serverCpuPercent: number | null; machineCpuPercent: number | null }> {
    const id = ++this.next;
    const proc = this.child.proc;
    return new Promise((resolve, reject) => {
      let cpuAt: { cpu: number | null; machine: number | null; t: number } | null = null;
      let serverCpuPercent: number | null = null;
      let machineCpuPercent: number | null = null;
      const onMessage = (msg: { type: string; id: number; phase?: string; result?: LoadResult; message?: string }) => {
        if (msg.id !== id) return;
        if (msg.type === 'phase' && msg.phase === 'measure') {
          cpuAt = { cpu: cpuSeconds(serverPid), machine: machineBusySeconds(), t: performance.now() };
        } else if (msg.type === 'phase' && msg.phase === 'drain') {
          const now = cpuSeconds(serverPid);
          const machine = machineBusySeconds();
          const seconds = (performance.now() - (cpuAt?.t ?? 0)) / 1000;
          if (cpuAt?.cpu != null && now !== null) serverCpuPercent = ((now - cpuAt.cpu) / seconds) * 100;
          if (cpuAt?.machine != null && machine !== null) machineCpuPercent = ((machine - cpuAt.machine) / seconds) * 100;
        } else if (msg.type === 'result') {
          done();
          resolve({ ...msg.result!, serverCpuPercent, machineCpuPercent });
        } else if (msg.type === 'error') {
          done();
          reject(new Error(`load generator: ${msg.message}`));
        }
      };
      const onExit = () => {
        done();
        reject(new Error(`the load generator exited: ${this.child.stderr()}`));
      };
      const done = () => {
        proc.off('message', onMessage);
        proc.off('exit', onExit);
      };
      proc.on('message', onMessage);
      proc.once('exit', onExit);
      proc.send({ type: 'run', id, job });
    });
  }

  async close(): Promise<void> {
    if (this.child.proc.connected) this.child.proc.disconnect();
    const timer = setTimeout(() => this.child.proc.kill('SIGKILL'), 5000);
    await this.child.exited;
    clearTimeout(timer);
  }
}

// --------------------------------------------------------------- seeding ims

interface World {
  facilityId: string;
  itemIds: string[];
  binIds: string[];
  /** Ledger transactions after seeding. */
  seededTransactions: number;
}

async function api(base: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`seeding: ${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** Runs `tasks` with at most `n` in flight. */
async function pool<T>(tasks: Array<() => Promise<T>>, n: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, async () => {
    while (i < tasks.length) {
      const k = i++;
      out[k] = await tasks[k]!();
    }
  }));
  return out;
}

async function seedIms(base: string, token: string, size: WorldSize): Promise<World> {
  const uom = (await api(base, token, 'POST', '/v1/uoms', { code: 'EA', name: 'Each', decimals: 0 })).data;
  const items = await pool(Array.from({ length: size.items }, (_, i) => () => api(base, token, 'POST', '/v1/items', {
    itemNo: `BENCH-${String(i).padStart(4, '0')}`, name: `Bench item ${i}`, itemKind: 'purchased', baseUomId: uom.id,
  })), 32);
  const facility = (await api(base, token, 'POST', '/v1/facilities', { code: 'WH1', name: 'Bench warehouse', type: 'warehouse' })).data;
  const bins = await pool(Array.from({ length: size.bins }, (_, i) => () => api(base, token, 'POST', `/v1/facilities/${facility.id}/locations`, {
    code: `B${String(i).padStart(2, '0')}`, name: `Bin ${i}`, type: 'bin',
  })), 32);
  const itemIds = items.map((r) => r.data.id as string);
  const binIds = bins.map((r) => r.data.id as string);
  const opening = itemIds.flatMap((itemId) => binIds.map((locationId) => () => api(base, token, 'POST', '/v1/inventory/adjustments', {
    itemId, locationId, qtyDelta: size.opening, reason: 'opening stock',
  })));
  await pool(opening, 32);
  const seededTransactions = (await api(base, token, 'GET', '/v1/inventory/transactions?limit=1')).count as number;
  return { facilityId: facility.id, itemIds, binIds, seededTransactions };
}

// -------------------------------------------------------------------- the rows

type Server = 'bare' | 'minimal-gc' | 'ims';
type Workload = 'adjustment' | 'move' | 'availability' | 'availability-computed' | 'balances' | 'mixed';

interface RowSpec {
  name: string;
  server: Server;
  method: 'GET' | 'POST';
  /** What the row's requests are (bare POST sends adjustment bodies; bare GET availability paths). */
  workload: Workload;
  /** Lines per posting; 0 for reads. */
  lines: number;
  kind: Kind;
}

/** What a row's requests do: post, read, or both (nine reads to a posting). */
type Kind = 'posting' | 'read' | 'mixed';

const SPECS: RowSpec[] = [
  { name: 'bare POST (HTTP limit)', server: 'bare', method: 'POST', workload: 'adjustment', lines: 0, kind: 'posting' },
  { name: 'minimal-gc adjustment, 1 line', server: 'minimal-gc', method: 'POST', workload: 'adjustment', lines: 1, kind: 'posting' },
  { name: 'minimal-gc move, 2 lines', server: 'minimal-gc', method: 'POST', workload: 'move', lines: 2, kind: 'posting' },
  { name: 'ims POST /v1/inventory/adjustments', server: 'ims', method: 'POST', workload: 'adjustment', lines: 1, kind: 'posting' },
  { name: 'ims POST /v1/inventory/moves', server: 'ims', method: 'POST', workload: 'move', lines: 2, kind: 'posting' },
  { name: 'bare GET (HTTP limit)', server: 'bare', method: 'GET', workload: 'availability', lines: 0, kind: 'read' },
  { name: 'ims GET /v1/inventory/availability?itemId=', server: 'ims', method: 'GET', workload: 'availability', lines: 0, kind: 'read' },
  { name: 'ims GET availability, each answer computed', server: 'ims', method: 'GET', workload: 'availability-computed', lines: 0, kind: 'read' },
  { name: 'ims GET /v1/inventory/balances?itemId=', server: 'ims', method: 'GET', workload: 'balances', lines: 0, kind: 'read' },
  { name: 'ims mixed: 9 availability reads to 1 adjustment', server: 'ims', method: 'GET', workload: 'mixed', lines: 1, kind: 'mixed' },
];

interface Ratio {
  /** The limit row's name. */
  of: string;
  ratio: number;
}

interface Row {
  name: string;
  server: Server;
  method: 'GET' | 'POST';
  path: string;
  workload: Workload;
  lines: number;
  kind: Kind;
  connections: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  seconds: number;
  /** Answers counted in the measured window. */
  measured: number;
  /** Mean size of an answer in the window, status line and headers included. */
  bytesPerResponse: number;
  /** 2xx answers over warm-up, window and drain (what the server committed, for postings). */
  total2xx: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  serverCpuPercent: number | null;
  loadCpuPercent: number | null;
  /**
   * CPU the rest of the machine used over the window: all cores busy minus the server and the
   * load generator (100 % = one core). Well above a few % means something else ran and the row
   * is skewed.
   */
  otherCpuPercent: number | null;
  /** Posting rows: to minimal-gc with the same line count. */
  vsPostingLimit: Ratio | null;
  /** To bare POST (postings) or bare GET (reads). */
  vsHttpLimit: Ratio | null;
}

const PATHS: Record<Workload, string> = {
  adjustment: '/v1/inventory/adjustments',
  move: '/v1/inventory/moves',
  availability: '/v1/inventory/availability',
  'availability-computed': '/v1/inventory/availability',
  mixed: '/v1/inventory/availability',
  balances: '/v1/inventory/balances',
};

interface MixedRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

/** Request bodies or paths, rotating over every item × bin (keysOf, as bench/posting.ts). */
function variants(world: World, workload: Workload): { bodies?: string[]; paths?: string[]; requests?: MixedRequest[] } {
  const n = world.itemIds.length * world.binIds.length;
  const keys = Array.from({ length: n }, (_, k) => keysOf(k, world.itemIds.length, world.binIds.length));
  switch (workload) {
    case 'adjustment':
      return { bodies: keys.map(({ item, a }) => JSON.stringify({ itemId: world.itemIds[item], locationId: world.binIds[a], qtyDelta: 1, reason: 'bench' })) };
    case 'move':
      return { bodies: keys.map(({ item, a, b }) => JSON.stringify({ itemId: world.itemIds[item], fromLocationId: world.binIds[a], toLocationId: world.binIds[b], qty: 1 })) };
    case 'availability':
    case 'balances':
      return { paths: world.itemIds.map((id) => `${PATHS[workload]}?itemId=${id}`) };
    case 'availability-computed':
      // The same answers asked 200 ways each (limit 50 to 249; an item has a row per bin, at
      // most 20), items turning fastest: a question comes round again only after more others
      // than the server's answer cache (storage/sqlite/answers.ts, 50,000 rows) can keep, so
      // this row measures reads that SQLite answers.
      return { paths: Array.from({ length: 200 }, (_, k) => world.itemIds.map((id) => `${PATHS[workload]}?itemId=${id}&limit=${50 + k}`)).flat() };
    case 'mixed': {
      // Reads of every item in turn, and after each nine of them a posting to one item × bin
      // (rotating as the adjustment rows do): the answer cache keeps the answers about the
      // items the postings do not touch.
      const adjustments = variants(world, 'adjustment').bodies!;
      const requests: MixedRequest[] = [];
      for (let k = 0; k < adjustments.length; k++) {
        for (let r = 0; r < 9; r++) requests.push({ method: 'GET', path: `${PATHS.availability}?itemId=${world.itemIds[(k * 9 + r) % world.itemIds.length]}` });
        requests.push({ method: 'POST', path: PATHS.adjustment, body: adjustments[k]! });
      }
      return { requests };
    }
  }
}

function withRatios(rows: Row[]): Row[] {
  const find = (server: Server, workload: Workload, connections: number) =>
    rows.find((r) => r.server === server && r.workload === workload && r.connections === connections);
  return rows.map((r) => {
    let vsPostingLimit: Ratio | null = null;
    let vsHttpLimit: Ratio | null = null;
    if (r.server !== 'bare' && r.kind !== 'mixed') {
      const http = find('bare', r.kind === 'posting' ? 'adjustment' : 'availability', r.connections);
      if (http && http.opsPerSec > 0) vsHttpLimit = { of: http.name, ratio: r.opsPerSec / http.opsPerSec };
    }
    if (r.server === 'ims' && r.kind === 'posting') {
      const gc = find('minimal-gc', r.workload, r.connections);
      if (gc && gc.opsPerSec > 0) vsPostingLimit = { of: gc.name, ratio: r.opsPerSec / gc.opsPerSec };
    }
    return { ...r, vsPostingLimit, vsHttpLimit };
  });
}

// -------------------------------------------------------------------- targets

/** A row whose window saw more than this much CPU used by other processes is flagged as skewed. */
const SKEW_CPU_PERCENT = 25;

interface Target {
  name: string;
  connections: number;
  /** Rows behind this target that other processes' CPU use may have skewed (see SKEW_CPU_PERCENT). */
  skewedBy: string[];
  /** The measured value: a ratio, or a p99 in ms. */
  value: number;
  goal: string;
  pass: boolean;
  detail: string;
}

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** a ÷ b, or 0 when the limit measured nothing (the target then fails). */
const over = (a: number, b: number) => (b > 0 ? a / b : 0);

const skewed = (...rows: Row[]) => rows.filter((r) => (r.otherCpuPercent ?? 0) > SKEW_CPU_PERCENT)
  .map((r) => `${r.name} at ${r.connections} (other processes ${Math.round(r.otherCpuPercent!)} % cpu)`);

function targetsOf(rows: Row[]): Target[] {
  const targets: Target[] = [];
  const find = (server: Server, workload: Workload, c: number) => rows.find((r) => r.server === server && r.workload === workload && r.connections === c);
  for (const c of CONNECTIONS) {
    for (const workload of ['adjustment', 'move'] as const) {
      const r = find('ims', workload, c);
      const gc = find('minimal-gc', workload, c);
      const bare = find('bare', 'adjustment', c);
      if (r && gc) {
        const value = over(r.opsPerSec, gc.opsPerSec);
        targets.push({
          name: `ims ${workload}s ≥ 0.8× minimal group-commit FULL server (${r.lines} line${r.lines > 1 ? 's' : ''})`, connections: c, skewedBy: skewed(r, gc),
          value, goal: '≥ 0.8', pass: value >= 0.8, detail: `${int(r.opsPerSec)} / ${int(gc.opsPerSec)} ops/s`,
        });
      }
      if (r && bare) {
        const value = over(r.opsPerSec, bare.opsPerSec);
        targets.push({
          name: `ims ${workload}s ≥ 0.3× bare node:http POST`, connections: c, skewedBy: skewed(r, bare),
          value, goal: '≥ 0.3', pass: value >= 0.3, detail: `${int(r.opsPerSec)} / ${int(bare.opsPerSec)} ops/s`,
        });
      }
    }
  }
  for (const workload of ['adjustment', 'move'] as const) {
    const r = find('ims', workload, 50);
    if (r) {
      targets.push({
        name: `ims ${workload}s p99 ≤ 15 ms`, connections: 50, skewedBy: skewed(r), value: r.p99Ms, goal: '≤ 15 ms', pass: r.p99Ms <= 15,
        detail: `p99 ${ms(r.p99Ms)} ms (p50 ${ms(r.p50Ms)} ms)`,
      });
    }
  }
  for (const c of CONNECTIONS) {
    const r = find('ims', 'availability', c);
    const bare = find('bare', 'availability', c);
    if (r && bare) {
      const value = over(r.opsPerSec, bare.opsPerSec);
      targets.push({
        name: 'ims availability reads ≥ 0.5× bare node:http GET', connections: c, skewedBy: skewed(r, bare),
        value, goal: '≥ 0.5', pass: value >= 0.5, detail: `${int(r.opsPerSec)} / ${int(bare.opsPerSec)} ops/s`,
      });
    }
  }
  return targets;
}

// ----------------------------------------------------------------------- checks

interface Checks {
  /** Every row: no non-2xx answer and no socket error or timeout. */
  noErrors: { pass: boolean; failing: string[] };
  imsStop: { pass: boolean; code: number | null; signal: string | null; killed: boolean };
  imsVerify: { pass: boolean; code: number | null; output: string };
  imsLedger: { pass: boolean; transactions: number; seeded: number; postings2xx: number; expected: number };
  minimalLedger: { pass: boolean; transactions: number; seeded: number; postings2xx: number; expected: number; commits: number; postingsPerCommit: number };
  imsLog: { file: string; lines: number; bytes: number };
}

// ------------------------------------------------------------------------ report

function table(rows: Row[]): string {
  const head = ['row', 'conns', 'ops/s', 'p50 ms', 'p99 ms', 'errors', '÷ posting limit', '÷ HTTP limit', 'answer B', 'server cpu', 'load cpu', 'other cpu'];
  const pct = (x: number | null) => (x === null ? '' : `${Math.round(x)} %`);
  const body = rows.map((r) => [
    r.name, String(r.connections), int(r.opsPerSec), ms(r.p50Ms), ms(r.p99Ms), String(r.non2xx + r.errors),
    r.vsPostingLimit ? r.vsPostingLimit.ratio.toFixed(2) : '', r.vsHttpLimit ? r.vsHttpLimit.ratio.toFixed(2) : '',
    int(r.bytesPerResponse), pct(r.serverCpuPercent), pct(r.loadCpuPercent), pct(r.otherCpuPercent),
  ]);
  const right = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** The product's commit, and whether the work tree had uncommitted changes (null without git). */
function productVersion(): { commit: string; dirty: boolean } | null {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (head.status !== 0) return null;
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' });
  return { commit: head.stdout.trim(), dirty: status.stdout.trim().length > 0 };
}

// -------------------------------------------------------------------------- main

async function main(): Promise<number> {
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  dir = mkdtempSync(join(tmpdir(), 'ims-bench-http-'));
  process.once('exit', cleanupSync);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the children and removing ${dir}`);
      cleanupSync();
      process.exit(130);
    });
  }

  const token = randomBytes(24).toString('hex');
  const [imsPort, barePort, gcPort] = [await freePort(), await freePort(), await freePort()];
  const imsDb = join(dir, 'ims.db');
  const imsLog = join(dir, 'ims.log');
  const baseEnv = { ...process.env };
  delete baseEnv.IMS_SQLITE_SYNC;
  delete baseEnv.IMS_BENCH_CPU_PROF;
  delete baseEnv.IMS_BENCH_ROWS;
  delete baseEnv.NODE_OPTIONS;

  // The product, as an operator runs it: default synchronous (FULL), info logs to a file.
  const logFd = openSync(imsLog, 'a');
  const profileDir = process.env.IMS_BENCH_CPU_PROF;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const ims = startServer('ims', [...profile, 'bin/ims.mjs', 'serve'], {
    ...baseEnv, PORT: String(imsPort), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${imsDb}`, IMS_ADMIN_TOKEN: token, LOG_LEVEL: 'info',
  }, logFd);
  closeSync(logFd);
  const bare = startServer('bare', ['bench/servers/bare.mjs'], { ...baseEnv, PORT: String(barePort) });
  const imsUrl = `http://127.0.0.1:${imsPort}`;
  const bareUrl = `http://127.0.0.1:${barePort}`;
  const gcUrl = `http://127.0.0.1:${gcPort}`;
  await Promise.all([waitHealthy(ims, `${imsUrl}/health`), waitHealthy(bare, `${bareUrl}/health`)]);

  log(`seeding ims: ${WORLD.items} items, 1 facility, ${WORLD.bins} bins, opening stock ${WORLD.opening} at every item × bin`);
  const seedStarted = Date.now();
  const world = await seedIms(imsUrl, token, WORLD);
  log(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s (${world.seededTransactions} transactions)`);

  const worldFile = join(dir, 'world.json');
  writeFileSync(worldFile, JSON.stringify({ facilityId: world.facilityId, itemIds: world.itemIds, binIds: world.binIds, opening: WORLD.opening }));
  const gc = startServer('minimal-gc', ['--import', 'tsx', 'bench/servers/minimal-gc.ts', join(dir, 'minimal-gc.db'), worldFile], { ...baseEnv, PORT: String(gcPort) });
  await waitHealthy(gc, `${gcUrl}/health`);

  const load = new LoadGenerator();
  const servers: Record<Server, { url: string; child: Child }> = {
    bare: { url: bareUrl, child: bare },
    'minimal-gc': { url: gcUrl, child: gc },
    ims: { url: imsUrl, child: ims },
  };
  const variantCache = new Map<Workload, ReturnType<typeof variants>>();
  const rows: Row[] = [];
  for (const connections of CONNECTIONS) {
    for (const spec of SPECS) {
      if (process.env.IMS_BENCH_ROWS && !spec.name.includes(process.env.IMS_BENCH_ROWS)) continue;
      const { url, child } = servers[spec.server];
      let v = variantCache.get(spec.workload);
      if (!v) variantCache.set(spec.workload, (v = variants(world, spec.workload)));
      const path = PATHS[spec.workload];
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (spec.method === 'POST' || spec.kind === 'mixed') headers['content-type'] = 'application/json';
      log(`${spec.name} at ${connections} connections`);
      const r = await load.run({ url, method: spec.method, path, headers, connections, ...TIMING, ...v }, child.proc.pid);
      rows.push({
        name: spec.name, server: spec.server, method: spec.method, path, workload: spec.workload, lines: spec.lines, kind: spec.kind,
        connections, opsPerSec: r.opsPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, meanMs: r.meanMs, maxMs: r.maxMs, seconds: r.seconds,
        measured: r.measured, bytesPerResponse: r.bytesPerResponse, total2xx: r.total2xx, non2xx: r.totalNon2xx, errors: r.errors,
        statusCodes: mergeCodes(r.counts), serverCpuPercent: r.serverCpuPercent, loadCpuPercent: r.loadCpuPercent,
        otherCpuPercent: r.machineCpuPercent === null || r.serverCpuPercent === null || r.loadCpuPercent === null
          ? null : Math.max(0, r.machineCpuPercent - r.serverCpuPercent - r.loadCpuPercent),
        vsPostingLimit: null, vsHttpLimit: null,
      });
    }
  }
  await load.close();

  // ------------------------------------------------------------------ checks
  // A mixed row's postings are its 201s (its reads answer 200).
  const postings = (server: Server) => rows.filter((r) => r.server === server && r.kind !== 'read')
    .reduce((n, r) => n + (r.kind === 'posting' ? r.total2xx : r.statusCodes['201'] ?? 0), 0);
  const failing = rows.filter((r) => r.non2xx !== 0 || r.errors !== 0)
    .map((r) => `${r.name} at ${r.connections}: ${r.non2xx} non-2xx ${JSON.stringify(r.statusCodes)}, ${r.errors} errors`);

  const gcStats = (await (await fetch(`${gcUrl}/stats`)).json()) as { commits: number; postings: number; transactions: number };
  const gcPosted = postings('minimal-gc');
  const minimalLedger = {
    pass: gcStats.transactions === WORLD.items + gcPosted,
    transactions: gcStats.transactions, seeded: WORLD.items, postings2xx: gcPosted, expected: WORLD.items + gcPosted,
    commits: gcStats.commits, postingsPerCommit: gcStats.commits ? gcStats.postings / gcStats.commits : 0,
  };

  const stopped = await stop(ims);
  const imsStop = { pass: stopped.code === 0 && !stopped.killed, code: stopped.code, signal: stopped.signal, killed: stopped.killed };
  await Promise.all([stop(bare), stop(gc)]);

  const verify = spawnSync(process.execPath, ['bin/ims.mjs', 'verify'], {
    cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...baseEnv, DATABASE_URL: `sqlite:${imsDb}`, LOG_LEVEL: 'info' },
  });
  const imsVerify = { pass: verify.status === 0, code: verify.status, output: `${verify.stdout ?? ''}${verify.stderr ?? ''}`.trim().slice(-2000) };

  const db = chooseDriver().open(imsDb);
  const transactions = db.prepare('SELECT count(*) FROM inventory_transactions').value() as number;
  db.close();
  const imsPosted = postings('ims');
  const imsLedger = {
    pass: transactions === world.seededTransactions + imsPosted,
    transactions, seeded: world.seededTransactions, postings2xx: imsPosted, expected: world.seededTransactions + imsPosted,
  };
  const logBytes = existsSync(imsLog) ? readFileSync(imsLog) : Buffer.alloc(0);
  let logLines = 0;
  for (let i = logBytes.indexOf(10); i !== -1; i = logBytes.indexOf(10, i + 1)) logLines++;
  const checks: Checks = {
    noErrors: { pass: failing.length === 0, failing },
    imsStop, imsVerify, imsLedger, minimalLedger,
    imsLog: { file: 'ims.log in the temp dir (stdout of `ims serve`, LOG_LEVEL=info)', lines: logLines, bytes: logBytes.length },
  };
  const ok = checks.noErrors.pass && imsStop.pass && imsVerify.pass && imsLedger.pass && minimalLedger.pass;

  const finalRows = withRatios(rows);
  const targets = targetsOf(finalRows);
  const order = (r: Row) => SPECS.findIndex((s) => s.name === r.name) * 10 + CONNECTIONS.indexOf(r.connections as 10 | 50);
  finalRows.sort((a, b) => order(a) - order(b));
  const product = productVersion();
  const report = {
    machine: machineInfo(loadAtStart),
    product,
    options: {
      quick, ...TIMING, connections: CONNECTIONS, world: WORLD, pipelining: 1,
      loadGenerator: 'autocannon (bench/load.mjs, its own process)',
      ims: 'node bin/ims.mjs serve; DATABASE_URL=sqlite:<temp>/ims.db; synchronous FULL (default); LOG_LEVEL=info, stdout to a file',
    },
    rows: finalRows,
    targets,
    targetsMet: targets.every((t) => t.pass),
    checks,
    ok,
    seconds: (Date.now() - started) / 1000,
  };
  cleanupSync();

  if (emitReport(args, report)) {
    const m = report.machine;
    console.log(`ims HTTP benchmark: node ${m.node}, ${m.cpu}, ${m.cores} cores, ${m.platform}, SQLite ${m.sqlite} (${m.driver})`);
    console.log(`load average (1 min): ${m.loadAverage.start.toFixed(2)} at start, ${m.loadAverage.end.toFixed(2)} at end${product ? `; product at ${product.commit}${product.dirty ? ' with uncommitted changes' : ''}` : ''}`);
    console.log(`world: ${WORLD.items} items × ${WORLD.bins} bins, seeded through the API; ${TIMING.warmupMs} ms warm-up + ${TIMING.durationMs} ms measured per row${quick ? ' (--quick)' : ''}`);
    console.log('load: autocannon in its own process, keep-alive, 1 request in flight per connection; bodies and itemIds rotate over items × bins');
    console.log(`ims: node bin/ims.mjs serve, SQLite file, synchronous FULL (default), LOG_LEVEL=info with stdout to a file (${checks.imsLog.lines} lines logged)`);
    console.log(`minimal-gc: ${BASELINE_SAVEPOINTS ? 'a savepoint per request' : 'no savepoints (IMS_BENCH_SAVEPOINTS=0)'}`);
    console.log('');
    console.log(table(finalRows));
    console.log('');
    console.log('ops/s: 2xx answers per second in the measured window. errors: non-2xx answers + socket errors, over warm-up, window and drain.');
    console.log('answer B: mean bytes of an answer (status line and headers included).');
    console.log('÷ posting limit: ims postings ÷ minimal-gc with the same line count; ÷ HTTP limit: ÷ bare POST (postings) or bare GET (reads).');
    console.log('cpu over the window, 100 % = one core: server process, load generator process, and everything else on the machine (skew).');
    console.log('');
    console.log('targets:');
    for (const t of targets) {
      console.log(`  ${t.pass ? 'pass' : 'FAIL'}  ${t.name} at ${t.connections} connections: ${t.name.includes('p99') ? `${ms(t.value)} ms` : t.value.toFixed(2)} (${t.goal}; ${t.detail})${t.skewedBy.length ? ` [skewed: ${t.skewedBy.join(', ')}]` : ''}`);
    }
    console.log('');
    console.log('checks:');
    console.log(`  ${checks.noErrors.pass ? 'pass' : 'FAIL'}  no non-2xx answers or socket errors${failing.length ? `: ${failing.join('; ')}` : ''}`);
    console.log(`  ${imsStop.pass ? 'pass' : 'FAIL'}  ims stopped on SIGTERM with exit code ${imsStop.code}${imsStop.killed ? ' (killed after 15 s)' : ''}`);
    console.log(`  ${imsVerify.pass ? 'pass' : 'FAIL'}  ims verify exit code ${imsVerify.code}: ${imsVerify.output.split('\n').pop()}`);
    console.log(`  ${imsLedger.pass ? 'pass' : 'FAIL'}  ims ledger: ${imsLedger.transactions} transactions = ${imsLedger.seeded} seeded + ${imsLedger.postings2xx} 2xx postings counted by the load generator${imsLedger.pass ? '' : ` (expected ${imsLedger.expected})`}`);
    console.log(`  ${minimalLedger.pass ? 'pass' : 'FAIL'}  minimal-gc ledger: ${minimalLedger.transactions} transactions = ${minimalLedger.seeded} seeded + ${minimalLedger.postings2xx} 2xx postings; ${minimalLedger.postingsPerCommit.toFixed(1)} postings per COMMIT on average`);
    console.log(`\n${ok ? 'all checks passed' : 'CHECKS FAILED'}; ${targets.filter((t) => t.pass).length} of ${targets.length} targets met; ${report.seconds.toFixed(1)} s`);
  }
  return ok ? 0 : 1;
}

function mergeCodes(counts: LoadResult['counts']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of [counts.warmup, counts.measure, counts.drain]) {
    for (const [code, n] of Object.entries(c.statusCodes)) out[code] = (out[code] ?? 0) + n;
  }
  return out;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e);
    cleanupSync();
    process.exitCode = 1;
  },
);
