// Every benchmark in one run, which is what `npm run bench` does:
//   posting  the posting path in-process: raw SQLite, the core single and batched (and PostgreSQL)
//   explosion  BOM explosion of a 6-level, 2,000-node BOM (pure, and loaded from a store)
//   http     the real server under load beside a bare node:http server and a minimal
//            group-commit server, postings and reads at 10 and 50 connections
//   growth   posting rate, asOf latency and server memory at 10k, 100k and 1M ledger lines
// Each prints its own tables as it goes; at the end every target of the run is listed.
//
//   npm run bench [-- --quick] [-- --json] [-- --only=posting,explosion,http]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts describe their targets a little differently; these are the fields shown. */
interface Target {
  name: string;
  value: number;
  pass: boolean;
  limit?: number;
  unit?: string;
  goal?: string;
  connections?: number;
  detail?: string;
  binding?: boolean;
}

function describe(t: Target & { part: string }): string {
  const at = t.connections ? ` at ${t.connections} connections` : '';
  const value = t.detail ?? `${Number.isInteger(t.value) ? t.value : t.value.toFixed(2)}${t.unit && t.unit !== '×' ? ` ${t.unit}` : ''}`;
  const goal = t.goal ?? (t.limit !== undefined ? `limit ${t.limit}` : '');
  return `  ${t.pass ? 'PASS' : 'FAIL'}  [${t.part}] ${t.name}${at}: ${value}${goal ? ` (${goal})` : ''}${t.binding === false ? ' [informational]' : ''}`;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const asJson = argv.includes('--json');
const quick = argv.includes('--quick');
const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const unknown = argv.filter((a) => !['--json', '--quick'].includes(a) && !a.startsWith('--only='));
if (unknown.length) {
  console.error(`unknown argument ${unknown[0]}; usage: npm run bench [-- --quick] [-- --json] [-- --only=posting,explosion,http,growth]`);
  process.exit(2);
}

const parts = ['posting', 'explosion', 'http', 'growth'].filter((p) => !only || only.includes(p));
// The servers run as an operator runs them: bin/ims.mjs takes the compiled dist/ when it is
// fresh, so build it first (under tsx the server holds the TypeScript toolchain in memory too).
if (parts.some((p) => p === 'http' || p === 'growth')) {
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) {
    console.error('npm run build failed; the benchmark needs the compiled server');
    process.exit(1);
  }
}
const dir = mkdtempSync(join(tmpdir(), 'ims-bench-all-'));
const reports: Record<string, { code: number; report: { targets?: Target[]; ok?: boolean } | null }> = {};
try {
  for (const part of parts) {
    const out = join(dir, `${part}.json`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${part}.ts`, `--json-out=${out}`, ...(quick ? ['--quick'] : [])], {
      cwd: root, stdio: asJson ? ['ignore', 'ignore', 'inherit'] : 'inherit', env: process.env,
    });
    let report = null;
    try {
      report = JSON.parse(readFileSync(out, 'utf8'));
    } catch {
      // The part failed before it wrote its report; its exit code says so.
    }
    reports[part] = { code: r.status ?? 1, report };
    if (!asJson) console.log('');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const targets = parts.flatMap((p) => (reports[p]!.report?.targets ?? []).map((t) => ({ part: p, ...t })));
const failedParts = parts.filter((p) => reports[p]!.code !== 0 || !reports[p]!.report);
if (asJson) {
  process.stdout.write(`${JSON.stringify({ parts: Object.fromEntries(parts.map((p) => [p, reports[p]!.report])), targets, failedParts }, null, 2)}\n`);
} else {
  console.log(`targets of this run (${targets.filter((t) => t.pass).length} of ${targets.length} met):`);
  for (const t of targets) console.log(describe(t));
  console.log(failedParts.length ? `\nchecks failed in: ${failedParts.join(', ')}` : '\nevery part ran and its checks passed');
}
process.exitCode = failedParts.length ? 1 : 0;
