// The posting limit of bench/http.ts: the least a server can do to take a posting over HTTP
// durably. node:http + better-sqlite3 on its own file with the product's schema (its
// migrations), WAL and synchronous=FULL. For each POST it parses the JSON body and writes
// the rows a posting writes (one transaction row; its line rows, with the key's running
// balance where the schema has that column; the balance updates) with prepared statements,
// no validation and no loading: 1 line for /v1/inventory/adjustments ({ itemId,
// locationId, qtyDelta }), 2 lines for /v1/inventory/moves ({ itemId, fromLocationId,
// toLocationId, qty }). Requests whose body completes in one event-loop turn share one
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

const insertTransaction = db.prepare(`INSERT INTO inventory_transactions (id, type, occurred_at, posted_at, reason,
  reference_type, reference_id, reverses_transaction_id) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL)`);
// Lines carry the key's running balance (on_hand_after) where the product's schema has it.
const lineColumns = new Set(db.prepare(`SELECT name FROM pragma_table_info('inventory_lines')`).values() as string[]);
const runningBalance = lineColumns.has('on_hand_after');
const insertLineStatement = runningBalance
  ? db.prepare(`INSERT INTO inventory_lines (seq, line_no, item_id, facility_id, location_id, lot_id, status_id, qty_delta,
      on_hand_after, serial_nos) VALUES (?, ?, ?, ?, ?, '', 'available', ?, ?, NULL)`)
  : db.prepare(`INSERT INTO inventory_lines (seq, line_no, item_id, facility_id, location_id, lot_id, status_id, qty_delta,
      serial_nos) VALUES (?, ?, ?, ?, ?, '', 'available', ?, NULL)`);
function insertLine(seq: number, lineNo: number, itemId: string, locationId: string, delta: number, onHandAfter: number): void {
  if (runningBalance) insertLineStatement.run(seq, lineNo, itemId, world.facilityId, locationId, delta, onHandAfter);
  else insertLineStatement.run(seq, lineNo, itemId, world.facilityId, locationId, delta);
}
// Update first, insert when there is no row (as the product does: an upsert would test
// CHECK (on_hand >= 0) against the bare negative delta of a move's source line).
const updateBalance = db.prepare(`UPDATE balances SET on_hand = on_hand + ?
  WHERE item_id = ? AND location_id = ? AND lot_id = '' AND status_id = 'available' RETURNING on_hand`);
const insertBalance = db.prepare(`INSERT INTO balances (item_id, location_id, lot_id, status_id, facility_id, on_hand)
  VALUES (?, ?, '', 'available', ?, ?)`);
/** Applies a delta to a balance; returns the on-hand after it. */
function upsertBalance(itemId: string, locationId: string, delta: number): number {
  const after = updateBalance.value(delta, itemId, locationId) as number | undefined;
  if (after !== undefined) return after;
  insertBalance.run(itemId, locationId, world.facilityId, delta);
  return delta;
}
const begin = db.prepare('BEGIN IMMEDIATE');
const commit = db.prepare('COMMIT');
const savepoint = db.prepare('SAVEPOINT unit');
const release = db.prepare('RELEASE unit');
const rollbackTo = db.prepare('ROLLBACK TO unit');
const countTransactions = db.prepare('SELECT count(*) FROM inventory_transactions');

// A time-ordered id shaped like the product's UUIDv7 (as bench/raw.ts makes them).
const salt = Math.random().toString(16).slice(2, 14).padEnd(12, '0');
let idSeq = 0;
function nextId(): string {
  const ms = Date.now().toString(16).padStart(12, '0');
  const n = (idSeq++ & 0xffffff).toString(16).padStart(6, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${n.slice(0, 3)}-8${n.slice(3)}-${salt}`;
}

// Opening stock, as ledger rows too, so the ledger sums to the balances.
immediate(db, () => {
  const now = new Date().toISOString();
  const qty = world.opening * SCALE;
  for (const itemId of world.itemIds) {
    const seq = Number(insertTransaction.run(nextId(), 'adjustment', now, now, 'opening stock').lastInsertRowid);
    world.binIds.forEach((bin, i) => insertLine(seq, i + 1, itemId, bin, qty, upsertBalance(itemId, bin, qty)));
  }
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
  const now = new Date().toISOString();
  const itemId = String(b.itemId);
  const reason = typeof b.reason === 'string' ? b.reason : null;
  if (job.lines === 1) {
    const qty = Math.round(Number(b.qtyDelta) * SCALE);
    const seq = Number(insertTransaction.run(nextId(), 'adjustment', now, now, reason).lastInsertRowid);
    const location = String(b.locationId);
    insertLine(seq, 1, itemId, location, qty, upsertBalance(itemId, location, qty));
    return seq;
  }
  const qty = Math.round(Number(b.qty) * SCALE);
  const from = String(b.fromLocationId);
  const to = String(b.toLocationId);
  const seq = Number(insertTransaction.run(nextId(), 'move', now, now, reason).lastInsertRowid);
  insertLine(seq, 1, itemId, from, -qty, upsertBalance(itemId, from, -qty));
  insertLine(seq, 2, itemId, to, qty, upsertBalance(itemId, to, qty));
  return seq;
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
