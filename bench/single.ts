// Where a single posting's time goes on a SQLite file with synchronous FULL (the default), the core beside
// raw (the same two measures as bench/posting.ts's single rows, one commit per posting): the
// COMMIT (writing the changed pages to the WAL, then its fsync), the BEGIN, and the rest. For
// the core the rest is the batch's check of its file, the unit (loading, deciding, writing)
// and the scheduling around it; for raw, its seven statements. Each side starts on a fresh
// file and runs rounds back to back, so the first rounds show the WAL file growing and the
// later ones the WAL at its working size. For explaining the single rows; not part of
// `npm run bench`.
//
//   node --import tsx bench/single.ts [--rounds=<n>] [--round-ms=<n>] [--normal]
//
// --normal: synchronous NORMAL on both sides, so no commit waits for an fsync.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIms } from '../index.js';
import { nowIso } from '../core/clock.js';
import { runCommand } from '../core/command.js';
import { post } from '../core/posting.js';
import type { Db } from '../storage/sqlite/database.js';
import type { Statement } from '../storage/sqlite/driver.js';
import { chooseDriver } from '../storage/sqlite/drivers.js';
import { numberOption } from './args.js';
import { RawLedger } from './raw.js';
import { adjustmentRequest, DEFAULT_WORLD, seedWorld } from './world.js';

const ROUNDS = numberOption('rounds', 4);
const ROUND_MS = numberOption('round-ms', 1500);
const SYNCHRONOUS = process.argv.includes('--normal') ? 'NORMAL' : 'FULL';

/** Milliseconds spent in the calls of one method, by a key its first argument gives. */
type Spent = Map<string, number>;

/** Wraps `target[method]` so that the time of every call adds to `spent` under `key(args)`. */
function timeCalls(target: object, method: string, spent: Spent, key: (args: unknown[]) => string): void {
  const t = target as Record<string, (...args: unknown[]) => unknown>;
  const inner = t[method]!;
  t[method] = function (this: unknown, ...args: unknown[]) {
    const started = performance.now();
    try {
      return inner.apply(this, args);
    } finally {
      const k = key(args);
      spent.set(k, (spent.get(k) ?? 0) + performance.now() - started);
    }
  };
}

interface Round {
  total: number;
  commit: number;
  begin: number;
  walMb: number;
}

/** Runs `one` for ROUNDS rounds of ROUND_MS; µs per posting in each, split as `spent` saw it. */
async function rounds(one: () => unknown, spent: Spent, wal: string): Promise<Round[]> {
  const out: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    spent.clear();
    const started = performance.now();
    let n = 0;
    while (performance.now() - started < ROUND_MS) {
      await one();
      n++;
    }
    const per = (ms: number) => (ms * 1000) / n;
    out.push({
      total: per(performance.now() - started), commit: per(spent.get('COMMIT') ?? 0), begin: per(spent.get('BEGIN') ?? 0),
      walMb: statSync(wal).size / 1e6,
    });
  }
  return out;
}

const firstWord = (args: unknown[]) => String(args[0]).trim().split(/\s/)[0]!.toUpperCase();

async function core(dir: string): Promise<Round[]> {
  const file = join(dir, 'core.db');
  const ims = await createIms({ databaseUrl: `sqlite:${file}`, sqlite: { synchronous: SYNCHRONOUS } });
  try {
    const world = await seedWorld(ims, DEFAULT_WORLD);
    const spent: Spent = new Map();
    // The store's private connection, as bench/posting.ts's commit count reaches it.
    timeCalls((ims.store as unknown as { db: Db }).db, 'exec', spent, firstWord);
    let k = 0;
    return await rounds(async () => {
      const r = await runCommand(ims.store, (tx) => post(tx, adjustmentRequest(world, k++), nowIso()));
      if (!r.ok) throw new Error(`posting refused: ${r.message}`);
    }, spent, `${file}-wal`);
  } finally {
    await ims.close();
  }
}

async function raw(dir: string): Promise<Round[]> {
  const file = join(dir, 'raw.db');
  const ledger = new RawLedger(file, SYNCHRONOUS, DEFAULT_WORLD, chooseDriver());
  try {
    const spent: Spent = new Map();
    const statements = ledger as unknown as { begin: Statement; commit: Statement };
    timeCalls(statements.begin, 'run', spent, () => 'BEGIN');
    timeCalls(statements.commit, 'run', spent, () => 'COMMIT');
    return await rounds(() => ledger.single(), spent, `${file}-wal`);
  } finally {
    ledger.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ims-single-'));
try {
  const c = await core(dir);
  const r = await raw(dir);
  const f = (x: number) => x.toFixed(0).padStart(6);
  console.log(`single 2-line postings on a ${SYNCHRONOUS} file, one commit each; µs per posting, rounds of ${ROUND_MS} ms from a fresh file`);
  console.log('round |  core: total  COMMIT   BEGIN    rest  WAL MB |   raw: total  COMMIT    rest  WAL MB | core/raw');
  c.forEach((x, i) => {
    const y = r[i]!;
    console.log(`${String(i + 1).padStart(5)} |       ${f(x.total)}  ${f(x.commit)}  ${f(x.begin)}  ${f(x.total - x.commit - x.begin)}  ${x.walMb.toFixed(1).padStart(6)} |`
      + `       ${f(y.total)}  ${f(y.commit)}  ${f(y.total - y.commit)}  ${y.walMb.toFixed(1).padStart(6)} | ${(y.total / x.total).toFixed(2).padStart(8)}`);
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
