// Where a posting's time goes in SQLite: every statement the posting path runs, timed one by
// one, per posting. For finding what to make cheaper, not a target; not part of `npm run bench`.
//
//   node --import tsx bench/statements.ts [--quick] [--file] [--batch=<n>]
//
// In memory (no fsync to hide anything; --file: a SQLite file in a temporary directory, FULL),
// the bench world of bench/world.ts, 2-line adjustments in batches of 100 as
// bench/posting.ts's batched rows (--batch=1: one posting per commit, as its single rows): a
// warm-up, then the measured postings. Each statement's time is measured around the driver
// call, so it includes the driver's own work (binding, reading the row) and nothing of the
// decision around it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIms } from '../index.js';
import { nowIso } from '../core/clock.js';
import { runCommand } from '../core/command.js';
import { post } from '../core/posting.js';
import { Statements } from '../storage/sqlite/database.js';
import type { Statement } from '../storage/sqlite/driver.js';
import { numberOption } from './args.js';
import { adjustmentRequest, DEFAULT_WORLD, seedWorld } from './world.js';

const quick = process.argv.includes('--quick');
const onFile = process.argv.includes('--file');
const BATCH = numberOption('batch', 100);
const WARMUP = quick || BATCH < 10 ? 500 : 5_000;
const MEASURED = quick || BATCH < 10 ? 2_000 : 30_000;

const timings = new Map<string, { calls: number; ms: number }>();
const timed = new WeakMap<Statement, Statement>();

/** A statement whose calls add their time to the statement's entry in `timings`. */
function timing(statement: Statement, sql: string): Statement {
  const name = sql.replace(/\s+/g, ' ').trim().slice(0, 80);
  const wrap = <A extends unknown[], R>(call: (...args: A) => R) => (...args: A): R => {
    const started = performance.now();
    try {
      return call.apply(statement, args);
    } finally {
      const t = timings.get(name) ?? { calls: 0, ms: 0 };
      t.calls++;
      t.ms += performance.now() - started;
      timings.set(name, t);
    }
  };
  return {
    run: wrap(statement.run), get: wrap(statement.get), all: wrap(statement.all), value: wrap(statement.value),
    values: wrap(statement.values),
  };
}

const prepared = Statements.prototype.get;
Statements.prototype.get = function (this: Statements, sql: string): Statement {
  const statement = prepared.call(this, sql);
  let t = timed.get(statement);
  if (!t) timed.set(statement, (t = timing(statement, sql)));
  return t;
};

const dir = onFile ? mkdtempSync(join(tmpdir(), 'ims-statements-')) : null;
const ims = await createIms({ databaseUrl: dir ? `sqlite:${join(dir, 'ims.db')}` : 'sqlite::memory:' });
try {
  const world = await seedWorld(ims, DEFAULT_WORLD);
  let k = 0;
  const postOne = async () => {
    const r = await runCommand(ims.store, (tx) => post(tx, adjustmentRequest(world, k++), nowIso()));
    if (!r.ok) throw new Error(r.message);
  };
  const postings = async (n: number) => {
    for (let i = 0; i < n / BATCH; i++) await Promise.all(Array.from({ length: BATCH }, postOne));
  };
  await postings(WARMUP);
  timings.clear();
  const started = performance.now();
  await postings(MEASURED);
  const perPosting = ((performance.now() - started) * 1000) / MEASURED;
  const rows = [...timings].sort((a, b) => b[1].ms - a[1].ms);
  const inStatements = rows.reduce((sum, [, t]) => sum + t.ms, 0) * 1000 / MEASURED;
  console.log(`${MEASURED} postings of 2 lines ${dir ? 'on a file (FULL)' : 'in memory'}, batches of ${BATCH}: ${perPosting.toFixed(1)} µs each, `
    + `${inStatements.toFixed(1)} µs of it in the statements below (the rest: JavaScript, savepoints, commits)\n`);
  console.log('µs/posting  calls/posting  statement');
  for (const [name, t] of rows) {
    console.log(`${((t.ms * 1000) / MEASURED).toFixed(2).padStart(10)}  ${(t.calls / MEASURED).toFixed(2).padStart(13)}  ${name}`);
  }
} finally {
  await ims.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
