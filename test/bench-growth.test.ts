// Smoke check of the growth benchmark: `bench/growth.ts --quick --json` grows a ledger to 10k
// and 50k lines, measures each size through the real server (and the paired 10k baseline),
// and prints a JSON report whose rows have positive posting rates and asOf latencies, whose
// correctness checks pass (asOf answers equal the fill's balances, every HTTP posting
// accepted, servers stop cleanly) and whose `ims verify` exited 0.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Latency {
  p50Ms: number;
  p99Ms: number;
}

interface Posting extends Latency {
  opsPerSec: number;
  completed: number;
  errors: Record<string, number>;
  linesAtStart: number;
  linesAtEnd: number;
}

interface Report {
  ok: boolean;
  checksOk: boolean;
  rows: Array<{
    targetLines: number;
    posting: Posting;
    baseline: Posting;
    ratioToBaseline: number;
    ratioToFirst: number;
    asOf: { typical: Latency & { matches: boolean; rows: number }; hot: Latency & { matches: boolean; rows: number; itemLinesAtInstant: number } };
    server: { maxRssMb: number };
    baselineServer: { maxRssMb: number };
  }>;
  targets: Array<{ name: string; value: number; limit: number; pass: boolean }>;
  checks: Array<{ name: string; pass: boolean; detail: string }>;
  verify: { passed: boolean; exitCode: number };
}

test('bench/growth.ts --quick --json grows the ledger, measures each size and verifies', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/growth.ts', '--quick', '--json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 90_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.is(run.error, undefined, String(run.error));
  assert.is(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  assert.equal(report.rows.map((r) => r.targetLines), [10_000, 50_000]);
  for (const r of report.rows) {
    const at = `at ${r.targetLines} lines`;
    assert.ok(r.posting.linesAtStart >= r.targetLines, `${at}: the ledger holds at least its target (${r.posting.linesAtStart})`);
    for (const k of ['posting', 'baseline'] as const) {
      const p = r[k];
      assert.ok(p.linesAtEnd > p.linesAtStart, `${at}: the ${k} load posted lines`);
      assert.ok(Number.isFinite(p.opsPerSec) && p.opsPerSec > 0, `${at}: ${k} postings/s ${p.opsPerSec}`);
      assert.ok(p.p50Ms > 0 && p.p99Ms >= p.p50Ms, `${at}: ${k} latency`);
      assert.equal(p.errors, {}, `${at}: every ${k} HTTP posting accepted`);
    }
    assert.ok(r.baseline.linesAtStart < 12_000, `${at}: the baseline starts at 10k lines (${r.baseline.linesAtStart})`);
    assert.ok(r.ratioToBaseline > 0 && r.ratioToFirst > 0, `${at}: ratios`);
    for (const k of ['typical', 'hot'] as const) {
      assert.ok(r.asOf[k].matches && r.asOf[k].rows > 0, `${at}: asOf ${k} equals the fill's balances`);
      assert.ok(r.asOf[k].p50Ms > 0 && r.asOf[k].p99Ms >= r.asOf[k].p50Ms, `${at}: asOf ${k} latency`);
    }
    assert.ok(r.server.maxRssMb > 0 && r.baselineServer.maxRssMb > 0, `${at}: server RSS sampled`);
  }
  assert.is(report.rows[0]!.ratioToFirst, 1);
  assert.ok(report.rows[1]!.asOf.hot.itemLinesAtInstant > 1000, 'the hot item holds a large share of the lines');
  assert.is(report.targets.length, 5);
  for (const c of report.checks) assert.ok(c.pass, `${c.name}: ${c.detail}`);
  assert.ok(report.verify.passed && report.verify.exitCode === 0, 'ims verify exits 0');
  assert.ok(report.checksOk && report.ok);
});

test.run();
