// Smoke check of the HTTP benchmark: `bench/http.ts --quick --json` starts the bare, minimal
// group-commit and ims servers and the load generator, runs every row at 10 and 50
// connections, and prints a JSON report: every row has a positive throughput, no posting
// got a non-2xx answer or a socket error, the targets are evaluated, and the checks (ims
// stops cleanly, verify passes, the ledger holds exactly the postings counted) pass.
// Throughput targets are not asserted: they depend on the machine and what else runs on it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Row {
  name: string;
  server: string;
  kind: 'posting' | 'read';
  connections: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  total2xx: number;
}

interface Check {
  pass: boolean;
}

test('bench/http.ts --quick --json measures every row and its checks pass', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/http.ts', '--quick', '--json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 90_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.is(run.error, undefined, String(run.error));
  assert.is(run.status, 0, `${run.stderr}\n${run.stdout.slice(-4000)}`);
  const report = JSON.parse(run.stdout) as {
    ok: boolean;
    machine: { node: string; cpu: string; cores: number };
    rows: Row[];
    targets: Array<{ name: string; connections: number; value: number; pass: boolean }>;
    checks: Record<string, Check> & {
      imsLedger: Check & { transactions: number; expected: number };
    };
  };
  assert.type(report.machine.node, 'string');
  assert.ok(report.machine.cores >= 1);
  for (const server of ['bare', 'minimal-gc', 'ims']) {
    for (const connections of [10, 50]) {
      assert.ok(report.rows.some((r) => r.server === server && r.connections === connections), `a ${server} row at ${connections}`);
    }
  }
  assert.is(report.rows.length, 20);
  for (const r of report.rows) {
    assert.ok(Number.isFinite(r.opsPerSec) && r.opsPerSec > 0, `${r.name} at ${r.connections}: ops/s ${r.opsPerSec}`);
    assert.ok(r.p50Ms > 0 && r.p99Ms >= r.p50Ms, `${r.name} at ${r.connections}: latency`);
    if (r.kind === 'posting') {
      assert.is(r.non2xx, 0, `${r.name} at ${r.connections}: non-2xx answers`);
      assert.is(r.errors, 0, `${r.name} at ${r.connections}: socket errors`);
      assert.ok(r.total2xx > 0);
    }
  }
  assert.is(report.targets.length, 12);
  for (const t of report.targets) assert.type(t.pass, 'boolean');
  for (const [name, c] of Object.entries(report.checks)) {
    if ('pass' in c) assert.ok(c.pass, `check ${name}: ${JSON.stringify(c)}`);
  }
  assert.is(report.checks.imsLedger.transactions, report.checks.imsLedger.expected);
  assert.ok(report.ok);
});

test.run();
