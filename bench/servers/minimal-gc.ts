// The posting limit of bench/http.ts: the least a server can do to take a posting over HTTP
// durably. node:http + better-sqlite3 on its own file with the product's schema (its
// migrations), WAL and synchronous=FULL. For each POST it parses the JSON body and writes
// the rows the product's posting writes (bench/rows.ts) with prepared statements, no
// validation and no loading: 1 line and the item's valuation for
// /v1/inventory/adjustments ({ itemId, locationId, qtyDelta }), 2 lines for
// /v1/inventory/moves ({ itemId, fromLocationId, toLocationId, qty }; within one facility, so
// no valuation changes). Requests whose body completes in one event-loop turn share one
// transaction: BEGIN IMMEDIATE, a SAVEPOINT each, one COMMIT, and the replies go out after
// the COMMIT (group commit). IMS_BENCH_SAVEPOINTS=0 leaves the savepoints out, as the
// product's store does while no unit fails (a failing write then fails the whole batch here).
// Savepoint journals in memory, as the product keeps them (temp_store); other SQLite settings
// stay at their defaults (autocheckpoint included).
//
//   PORT=… node --import tsx bench/servers/minimal-gc.ts <db file> <world.json>
//
// world.json: { facilityId, itemIds, binIds, opening } — the keys the load uses; each
// item × bin gets opening stock, written as ledger rows too. GET /stats answers
// { commits, postings, transactions }; any other GET answers a small JSON object.
import http, { type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { SCALE } from '../../core/quantity.js';
import { immediate, migrate } from '../../storage/sqlite/database.js';
import { chooseDriver } from '../../storage/sqlite/drivers.js';
import { BASELINE_SAVEPOINTS } from '../args.js';
import { PostingRows } from '../rows.js';

interface WorldIds {
  facilityId: string;
  itemIds: string[];
  binIds: string[];
  opening: number;
}

const [file, worldFile] = process.argv.slice(2);
const port = Number(process.env.PORT);
if (!file || !worldFile || !Number.isInteger(port) || port <= 0) {
  throw new Error('usage: PORT=… node --import tsx bench/servers/minimal-gc.ts <db file> <world.json>');
}
const world = JSON.parse(readFileSync(worldFile, 'utf8')) as WorldIds;

const db = chooseDriver().open(file);
db.exec('PRAGMA journal_mode = WAL');
db.exec('PRAGMA synchronous = FULL');
db.exec('PRAGMA foreign_keys = ON');
db.exec('PRAGMA temp_store = MEMORY');
migrate(db);

const rows = new PostingRows(db, world.facilityId);
const begin = db.prepare('BEGIN IMMEDIATE');
const commit = db.prepare('COMMIT');
const savepoint = db.prepare('SAVEPOINT unit');
const release = db.prepare('RELEASE unit');
const rollbackTo = db.prepare('ROLLBACK TO unit');
const countTransactions = db.prepare('SELECT count(*) FROM inventory_transactions');

// Opening stock, as ledger rows too, so the ledger sums to the balances.
immediate(db, () => {
  const qty = world.opening * SCALE;
  for (const itemId of world.itemIds) rows.posting('adjustment', 'opening stock', itemId, world.binIds.map((bin) => [bin, qty] as const));
});

interface Job {
  res: ServerResponse;
  lines: 1 | 2;
  body: Record<string, unknown>;
}

const stats = { commits: 0, postings: 0 };
let queue: Job[] = [];
let scheduled = false;

function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** The rows of one posting; returns its seq. */
function write(job: Job): number {
  const b = job.body;
  const itemId = String(b.itemId);
  const reason = typeof b.reason === 'string' ? b.reason : null;
  if (job.lines === 1) return rows.posting('adjustment', reason, itemId, [[String(b.locationId), Math.round(Number(b.qtyDelta) * SCALE)]]);
  const qty = Math.round(Number(b.qty) * SCALE);
  return rows.posting('move', reason, itemId, [[String(b.fromLocationId), -qty], [String(b.toLocationId), qty]]);
}

/** One transaction for every request of this turn, a savepoint each (unless left out); replies after COMMIT. */
function flush(): void {
  scheduled = false;
  const batch = queue;
  queue = [];
  const replies: Array<[ServerResponse, number, unknown]> = [];
  begin.run();
  for (const job of batch) {
    if (BASELINE_SAVEPOINTS) savepoint.run();
    try {
      const seq = write(job);
      if (BASELINE_SAVEPOINTS) release.run();
      replies.push([job.res, 201, { data: { seq } }]);
    } catch (e) {
      if (!BASELINE_SAVEPOINTS) throw e;
      rollbackTo.run();
      release.run();
      replies.push([job.res, 500, { error: 'internal', message: (e as Error).message }]);
    }
  }
  commit.run();
  stats.commits++;
  stats.postings += batch.length;
  for (const [res, status, body] of replies) send(res, status, body);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    if (req.url === '/stats') send(res, 200, { ...stats, transactions: countTransactions.value() });
    else send(res, 200, { data: { ok: true } });
    return;
  }
  const lines = req.url === '/v1/inventory/moves' ? 2 : req.url === '/v1/inventory/adjustments' ? 1 : 0;
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (lines === 0) return send(res, 404, { error: 'not_found' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return send(res, 400, { error: 'bad_request' });
    }
    queue.push({ res, lines, body });
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
});

server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close(() => {
    db.close();
    process.exit(0);
  });
  server.closeAllConnections();
});
