// Which pages a commit writes: every commit appends each page it changed to the WAL as one
// frame, and under synchronous FULL it waits for all of them to reach the disk, so the
// frames per commit are what a durable posting costs beyond its CPU. For finding what to make
// cheaper, not a target; not part of `npm run bench`.
//
//   node --import tsx bench/pages.ts [--batch=<n>] [--lines=1|2] [--commits=<n>]
//
// The bench world of bench/world.ts on a SQLite file with checkpoints held off, then
// `--commits` commits (default 200) of `--batch` adjustments each (default 1, as a lone
// embedder posts; 40 is about what the server commits at once with 50 clients), each of
// `--lines` lines (default 2; 1 as the HTTP benchmark's adjustments). Prints the WAL frames
// per commit, by the table or index each page belongs to (SQLite's dbstat).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIms } from '../index.js';
import { nowIso } from '../core/clock.js';
import { runCommand } from '../core/command.js';
import { post } from '../core/posting.js';
import type { Db } from '../storage/sqlite/database.js';
import { numberOption } from './args.js';
import { adjustmentRequest, seedWorld } from './world.js';

const BATCH = numberOption('batch', 1);
const LINES = numberOption('lines', 2);
const COMMITS = numberOption('commits', 200);

/** Page number → how many frames the WAL holds of it, and how many commits it holds. */
function walFrames(file: string): { pages: Map<number, number>; commits: number } {
  const wal = readFileSync(file);
  const pageSize = wal.readUInt32BE(8);
  const pages = new Map<number, number>();
  let commits = 0;
  // A 32-byte file header, then frames: a 24-byte header (page number, then the database
  // size in pages on a commit's last frame, else 0) and the page.
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    const page = wal.readUInt32BE(at);
    pages.set(page, (pages.get(page) ?? 0) + 1);
    if (wal.readUInt32BE(at + 4) !== 0) commits++;
  }
  return { pages, commits };
}

const dir = mkdtempSync(join(tmpdir(), 'ims-pages-'));
try {
  const file = join(dir, 'ims.db');
  const ims = await createIms({ databaseUrl: `sqlite:${file}`, sqlite: { checkpointIntervalMs: 1e9 } });
  const db = (ims.store as unknown as { db: Db }).db;
  const world = await seedWorld(ims);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  let k = 0;
  const one = () => {
    const request = adjustmentRequest(world, k++);
    request.lines = request.lines.slice(0, LINES);
    return runCommand(ims.store, (tx) => post(tx, request, nowIso()));
  };
  for (let i = 0; i < COMMITS; i++) await Promise.all(Array.from({ length: BATCH }, one));
  const { pages, commits } = walFrames(`${file}-wal`);
  const owner = new Map((db.prepare('SELECT pageno, name FROM dbstat').all() as Array<{ pageno: number; name: string }>)
    .map((r) => [r.pageno, r.name]));
  const byName = new Map<string, number>();
  for (const [page, n] of pages) {
    const name = owner.get(page) ?? 'free page';
    byName.set(name, (byName.get(name) ?? 0) + n);
  }
  const frames = [...pages.values()].reduce((a, b) => a + b, 0);
  console.log(`${commits} commits of ${BATCH} posting(s) of ${LINES} line(s): ${(frames / commits).toFixed(1)} WAL frames per commit`);
  for (const [name, n] of [...byName].sort((a, b) => b[1] - a[1])) console.log(`${(n / commits).toFixed(2).padStart(7)}  ${name}`);
  await ims.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
