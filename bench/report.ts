// The benchmark's report: rows, machine info, and the plain-text table.
import { availableParallelism, cpus, platform, arch, release, tmpdir, loadavg } from 'node:os';
import type { DriverName } from '../storage/sqlite/driver.js';
import { availableDrivers, chooseDriver } from '../storage/sqlite/drivers.js';

export type Impl = 'core' | 'raw';
export type Workload = 'single' | 'batched' | 'single-api';
export type StoreName = 'file' | 'file-normal' | 'memory' | 'postgres';

export interface Row {
  impl: Impl;
  workload: Workload;
  store: StoreName;
  /** The SQLite driver; null for PostgreSQL. */
  driver: DriverName | null;
  /** SQLite `synchronous` ('-' for memory, where there is nothing to sync); PostgreSQL: `on` when fsync and synchronous_commit are both on, else `off`. */
  synchronous: 'FULL' | 'NORMAL' | '-' | 'on' | 'off';
  /** Postings per measured iteration (1, or the batch size). */
  postingsPerIteration: number;
  /** Postings per second: postingsPerIteration × iterations / measured time. */
  opsPerSec: number;
  /** What one latency sample is: one posting, or one batch of `postingsPerIteration`. */
  latencyOf: 'posting' | 'batch';
  meanMs: number;
  p99Ms: number;
  samples: number;
  /** This core row's ops/s over the matching raw row's (same store, single or batched); null for raw rows. */
  coreOverRaw: number | null;
}

export interface Check {
  store: StoreName;
  driver: DriverName | null;
  impl: Impl;
  /** Rows `ims.inventory.verify()` returned (core), or balance keys off the ledger sum (raw). */
  drift: unknown[];
  transactions: number;
  expectedTransactions: number;
  /** COMMITs and SAVEPOINTs one batch of 100 took on the writer (group commit: 1 and 100); null when not observable. */
  batchCommits: { commits: number; savepoints: number } | null;
}

export interface Machine {
  node: string;
  cpu: string;
  cores: number;
  platform: string;
  /** SQLite's version under the default driver. */
  sqlite: string;
  /** The default SQLite driver (IMS_SQLITE_DRIVER, else the first that works here), with versions. */
  driver: string;
  /** Every SQLite driver that works in this process. */
  drivers: string[];
  tmpdir: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews the numbers. */
  loadAverage: { start: number; end: number };
}

export function machineInfo(loadAtStart: number): Machine {
  const driver = chooseDriver();
  const db = driver.open(':memory:');
  const sqlite = db.prepare('SELECT sqlite_version()').value() as string;
  db.close();
  return {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    platform: `${platform()} ${release()} ${arch()}`,
    sqlite,
    driver: driver.description,
    drivers: availableDrivers().map((d) => d.description),
    tmpdir: tmpdir(),
    loadAverage: { start: loadAtStart, end: loadavg()[0]! },
  };
}

/** Fills in core/raw for every core row that has a matching raw row (same store and driver). */
export function withRatios(rows: Row[]): Row[] {
  const raw = (core: Row) => rows.find((r) => r.impl === 'raw' && r.store === core.store && r.driver === core.driver
    && r.workload === (core.workload === 'batched' ? 'batched' : 'single'));
  return rows.map((r) => {
    if (r.impl !== 'core') return r;
    const base = raw(r);
    return { ...r, coreOverRaw: base ? r.opsPerSec / base.opsPerSec : null };
  });
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const int = (x: number) => Math.round(x).toLocaleString('en-US');

export function table(rows: Row[]): string {
  const head = ['impl', 'workload', 'store', 'driver', 'sync', 'ops/s (postings)', 'mean ms', 'p99 ms', 'latency of', 'samples', 'core/raw'];
  const body = rows.map((r) => [
    r.impl, r.workload, r.store, r.driver ?? '-', r.synchronous, int(r.opsPerSec), ms(r.meanMs), ms(r.p99Ms),
    r.latencyOf === 'batch' ? `batch of ${r.postingsPerIteration}` : 'posting', String(r.samples),
    r.coreOverRaw === null ? '' : r.coreOverRaw.toFixed(2),
  ]);
  const right = new Set([5, 6, 7, 9, 10]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** A goal measured in one run: value against limit. `binding` targets decide the outcome. */
export interface Target {
  name: string;
  value: number;
  limit: number;
  unit: string;
  pass: boolean;
  binding: boolean;
}

/**
 * The posting path's goal: core ≥ 0.7 × raw, single and batched, on the default store (a
 * file with synchronous FULL). The other stores are shown for information.
 */
export function postingTargets(rows: readonly Row[]): Target[] {
  return rows.filter((r) => r.impl === 'core' && r.coreOverRaw !== null && r.workload !== 'single-api').map((r) => ({
    name: `core ${r.workload} ≥ 0.7 × raw on ${r.store} (${r.synchronous}, ${r.driver})`,
    value: r.coreOverRaw!,
    limit: 0.7,
    unit: '×',
    pass: r.coreOverRaw! >= 0.7,
    binding: r.store === 'file',
  }));
}

export function targetLine(t: Target): string {
  const value = t.unit === '×' ? t.value.toFixed(2) : `${t.value.toFixed(1)} ${t.unit}`;
  return `  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${value} (limit ${t.limit}${t.unit === '×' ? '' : ` ${t.unit}`})${t.binding ? '' : ' [informational]'}`;
}
