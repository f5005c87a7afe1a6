// The growth benchmark's report: one row per ledger size, the targets, the correctness checks,
// and the plain-text rendering of all three.

export interface Latency {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

export interface AsOfResult extends Latency {
  itemId: string;
  /** Ledger lines of the item posted at or before the instant (what the query sums), and in all. */
  itemLinesAtInstant: number;
  itemLines: number;
  /** Balance rows the answer held, and whether they equal the fill's own model at the instant. */
  rows: number;
  matches: boolean;
  mismatch?: string;
}

/** HTTP posting load against one server, summed over its measured windows. */
export interface PostingResult extends Latency {
  opsPerSec: number;
  /** 201s inside the measured windows, and the windows' total length. */
  completed: number;
  windowMs: number;
  /** Each window's rate, in the order they ran. */
  rounds: number[];
  /** Every request sent (warm-ups included), how many got a 201, and the others by status. */
  sent: number;
  created: number;
  errors: Record<string, number>;
  errorSamples: string[];
  /** Ledger lines of that server's database when its first window started and after its last. */
  linesAtStart: number;
  linesAtEnd: number;
}

export interface ServerMemory {
  /** Highest VmRSS sampled, and the kernel's VmHWM (peak) read at the stop, in MiB. */
  maxRssMb: number;
  hwmMb: number;
  samples: number;
  startMs: number;
  exitCode: number | null;
}

export interface StageRow {
  /** The ledger size this stage grew to (lines, not transactions). */
  targetLines: number;
  fill: { postings: number; lines: number; seconds: number; postingsPerSec: number; linesPerSec: number };
  /** The past instant `asOf` asks for, and how many lines the ledger held then. */
  asOfInstant: string;
  asOfInstantLines: number;
  /** POST /v1/inventory/moves against this stage's database. */
  posting: PostingResult;
  /**
   * The same load against a copy of the 10k-line database, on a second server, its windows
   * alternating with the stage's, so both see the same machine.
   */
  baseline: PostingResult;
  /** posting ÷ baseline (same minutes), and posting ÷ the first stage's posting (other minutes). */
  ratioToBaseline: number;
  ratioToFirst: number;
  asOf: { typical: AsOfResult; hot: AsOfResult };
  server: ServerMemory;
  baselineServer: ServerMemory;
  /** 1-minute load average when the posting windows started and ended: other work skews rates. */
  loadAverage: { start: number; end: number };
}

export interface Target {
  name: string;
  /** The measured value, the limit, and value ÷ limit. */
  value: number;
  limit: number;
  unit: string;
  ratioToLimit: number;
  pass: boolean;
  /** Informational targets are reported but do not decide the outcome. */
  binding: boolean;
}

export interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-');
export const ms = (x: number) => (!Number.isFinite(x) ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const x2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const range = (a: number, b: number) => `${int(a)}..${int(b)}`;

function render(head: string[], body: string[][], left: Set<number> = new Set()): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function fillTable(rows: StageRow[]): string {
  const head = ['grown to', 'postings', 'lines', 'seconds', 'postings/s', 'lines/s', 'asOf instant', 'lines then'];
  const body = rows.map((r) => [
    int(r.targetLines), int(r.fill.postings), int(r.fill.lines), r.fill.seconds.toFixed(1),
    int(r.fill.postingsPerSec), int(r.fill.linesPerSec), r.asOfInstant, int(r.asOfInstantLines),
  ]);
  return render(head, body, new Set([6]));
}

export function postingTable(rows: StageRow[], limit: number): string {
  const head = [
    'ledger lines', 'lines during load', 'postings/s', 'p50 ms', 'p99 ms',
    'baseline postings/s', 'baseline lines', 'rate/baseline', `÷ ${limit} limit`, 'rate/rate@first', 'load avg',
  ];
  const body = rows.map((r) => [
    int(r.targetLines), range(r.posting.linesAtStart, r.posting.linesAtEnd), int(r.posting.opsPerSec),
    ms(r.posting.p50Ms), ms(r.posting.p99Ms), int(r.baseline.opsPerSec), range(r.baseline.linesAtStart, r.baseline.linesAtEnd),
    x2(r.ratioToBaseline), x2(r.ratioToBaseline / limit), x2(r.ratioToFirst),
    `${r.loadAverage.start.toFixed(1)}..${r.loadAverage.end.toFixed(1)}`,
  ]);
  return render(head, body);
}

export function asOfTable(rows: StageRow[], limitMs: number, limitMb: number): string {
  const head = [
    'ledger lines', 'typ lines', 'typ p50 ms', 'typ p99 ms', `÷ ${limitMs} ms`,
    'hot lines', 'hot p50 ms', 'hot p99 ms', `÷ ${limitMs} ms`, 'server RSS MB', `÷ ${limitMb} MB`, 'baseline srv MB',
  ];
  const body = rows.map((r) => {
    const rss = Math.max(r.server.maxRssMb, r.server.hwmMb);
    return [
      int(r.targetLines),
      int(r.asOf.typical.itemLinesAtInstant), ms(r.asOf.typical.p50Ms), ms(r.asOf.typical.p99Ms), x2(r.asOf.typical.p99Ms / limitMs),
      int(r.asOf.hot.itemLinesAtInstant), ms(r.asOf.hot.p50Ms), ms(r.asOf.hot.p99Ms), x2(r.asOf.hot.p99Ms / limitMs),
      rss.toFixed(0), x2(rss / limitMb), Math.max(r.baselineServer.maxRssMb, r.baselineServer.hwmMb).toFixed(0),
    ];
  });
  return render(head, body);
}

export function targetLines(targets: Target[]): string {
  return targets.map((t) => {
    const verdict = t.pass ? 'PASS' : t.binding ? 'FAIL' : 'MISS';
    const value = t.unit === 'x' ? t.value.toFixed(2) : `${t.value < 10 ? t.value.toFixed(2) : t.value.toFixed(1)} ${t.unit}`;
    const limit = t.unit === 'x' ? t.limit.toFixed(2) : `${t.limit} ${t.unit}`;
    return `${verdict}  ${t.name}: ${value} (limit ${limit}; ${t.ratioToLimit.toFixed(2)} of the limit)${t.binding ? '' : ' [informational]'}`;
  }).join('\n');
}

export function checkLines(checks: Check[]): string {
  return checks.map((c) => `${c.pass ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`).join('\n');
}

export function latencyOf(samples: number[]): Latency {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]! : NaN);
  return { samples: s.length, p50Ms: q(0.5), p99Ms: q(0.99), meanMs: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length), maxMs: s.at(-1) ?? NaN };
}
