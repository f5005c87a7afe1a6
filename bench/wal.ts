// Single postings on a SQLite file once the WAL has reached its working size, for a given
// journal_size_limit: each commit appends every page it changed to the WAL, a checkpoint
// every second lets the WAL start over, and SQLite then cuts the file back to the limit. A
// limit below what one interval writes makes every commit past it grow the file again, and
// growing a file makes its fsync slower. For choosing the limit (storage/sqlite/store.ts);
// not part of `npm run bench`.
//
//   node --import tsx bench/wal.ts [--limit-mib=<n>] [--postings=<n>]
//
// The bench world of bench/world.ts on a fresh file (synchronous FULL, the store's own
// checkpoints), 2,000 single 2-line postings to warm up, then `--postings` (default 8,000)
// timed, one commit each. Default limit: the store's (WAL_LIMIT).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIms } from '../index.js';
import { nowIso } from '../core/clock.js';
import { runCommand } from '../core/command.js';
import { post } from '../core/posting.js';
import type { Db } from '../storage/sqlite/database.js';
import { WAL_LIMIT } from '../storage/sqlite/store.js';
import { numberOption } from './args.js';
import { adjustmentRequest, seedWorld } from './world.js';

const LIMIT = numberOption('limit-mib', WAL_LIMIT / 1024 / 1024) * 1024 * 1024;
const POSTINGS = numberOption('postings', 8_000);

const dir = mkdtempSync(join(tmpdir(), 'ims-wal-'));
try {
  const file = join(dir, 'ims.db');
  const ims = await createIms({ databaseUrl: `sqlite:${file}` });
  (ims.store as unknown as { db: Db }).db.exec(`PRAGMA journal_size_limit = ${LIMIT}`);
  const world = await seedWorld(ims);
  let k = 0;
  const postOne = async () => {
    const request = adjustmentRequest(world, k++);
    const r = await runCommand(ims.store, (tx) => post(tx, request, nowIso()));
    if (!r.ok) throw new Error(r.message);
  };
  for (let i = 0; i < 2_000; i++) await postOne();
  const started = performance.now();
  for (let i = 0; i < POSTINGS; i++) await postOne();
  const micros = ((performance.now() - started) * 1000) / POSTINGS;
  const walMb = statSync(`${file}-wal`).size / 1e6;
  console.log(`journal_size_limit ${LIMIT / 1024 / 1024} MiB: ${micros.toFixed(0)} µs per single posting (FULL); WAL file ${walMb.toFixed(1)} MB`);
  await ims.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
