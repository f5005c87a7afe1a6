// Smoke check of the posting benchmark: `bench/posting.ts --quick --json` runs to the end,
// prints a JSON report with single and batched rows on the file and memory stores, every
// throughput positive, and its correctness checks (verify, posting counts, group commit) pass;
// on every SQLite driver that works in this Node, side by side.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { availableDrivers } from '../storage/sqlite/drivers.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Row {
  impl: string;
  workload: string;
  store: string;
  driver: string | null;
  opsPerSec: number;
  meanMs: number;
  p99Ms: number;
}

test('bench/posting.ts --quick --json reports every workload with a positive throughput', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/posting.ts', '--quick', '--json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.is(run.error, undefined, String(run.error));
  assert.is(run.status, 0, run.stderr);
  const drivers = process.env.IMS_SQLITE_DRIVER ? [process.env.IMS_SQLITE_DRIVER] : availableDrivers().map((d) => d.name);
  assert.ok(drivers.length > 0, 'a SQLite driver works here');
  const report = JSON.parse(run.stdout) as {
    ok: boolean;
    machine: { node: string; cpu: string; cores: number };
    rows: Row[];
    warmUp: Array<{ driver: string; corePostings: number; rawPostings: number }>;
    checks: Array<{ store: string; impl: string; drift: unknown[]; transactions: number; expectedTransactions: number }>;
  };
  assert.type(report.machine.node, 'string');
  assert.type(report.machine.cpu, 'string');
  assert.ok(report.machine.cores >= 1);
  for (const workload of ['single', 'batched']) {
    for (const store of ['file', 'memory']) {
      for (const impl of ['core', 'raw']) {
        for (const driver of drivers) {
          assert.ok(
            report.rows.some((r) => r.impl === impl && r.workload === workload && r.store === store && r.driver === driver),
            `a ${impl} ${workload} row on ${store} with ${driver}`,
          );
        }
      }
    }
  }
  // Every driver's posting path ran before its rows were timed, core and raw alike.
  for (const driver of drivers) {
    const warm = report.warmUp.find((w) => w.driver === driver);
    assert.ok(warm && warm.corePostings > 0 && warm.rawPostings > 0, `a warm-up of ${driver}: ${JSON.stringify(warm)}`);
  }
  for (const r of report.rows) {
    assert.ok(Number.isFinite(r.opsPerSec) && r.opsPerSec > 0, `${r.impl} ${r.workload} ${r.store}: ops/s ${r.opsPerSec}`);
    assert.ok(r.meanMs > 0 && r.p99Ms > 0, `${r.impl} ${r.workload} ${r.store}: latency`);
  }
  for (const c of report.checks) {
    assert.equal(c.drift, [], `${c.impl} ${c.store}: no drift`);
    assert.is(c.transactions, c.expectedTransactions, `${c.impl} ${c.store}: every posting in the ledger`);
  }
  assert.ok(report.ok);
});

test.run();
