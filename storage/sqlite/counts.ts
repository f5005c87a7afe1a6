// Cycle-count sessions on SQLite. Units run one at a time on the writer connection, so a
// snapshot (the last seq and the balances) and a count's reads of its places are consistent
// without locks.
import {
  type CountLineRecord, type CountScope, type CountSessionFilter, type CountSessionRecord, type CountStatus,
  type CountWriter, type Place, type PlaceNow, type ScopeBalance,
} from '../../core/count.js';
import type { Page, PageRequest } from '../../core/page.js';
import type { Micro } from '../../core/quantity.js';
import { AVAILABLE } from '../../core/status.js';
import { byParent, json, lotIn, lotOut, text } from '../rows/columns.js';
import type { Statements } from './database.js';
import { page, uniqueViolations, Where } from './sql.js';

interface SessionRow {
  id: string;
  session_no: string;
  facility_id: string;
  location_ids: string | null;
  item_ids: string | null;
  blind: number;
  notes: string | null;
  status: CountStatus;
  snapshot_seq: number;
  posted_transaction_id: string | null;
  status_history: string;
  created_at: string;
  updated_at: string;
  version: number;
}

interface LineRow {
  id: string;
  session_id: string;
  line_no: number;
  item_id: string;
  location_id: string;
  lot_id: string;
  lot_no: string | null;
  snapshot_qty: Micro;
  expected_qty: Micro;
  counted_qty: Micro | null;
  moved: number | null;
  counted_at: string | null;
  serial_nos: string | null;
  expected_serial_nos: string | null;
}

interface ScopeRow {
  item_id: string;
  location_id: string;
  lot_id: string;
  lot_no: string | null;
  on_hand: Micro;
}

const LINES = `SELECT l.*, lots.lot_no FROM count_session_lines l LEFT JOIN lots ON lots.id = l.lot_id`;

export class SqliteCounts implements CountWriter {
  constructor(private readonly sql: Statements) {}

  async getSession(id: string): Promise<CountSessionRecord | null> {
    const row = this.sql.get('SELECT * FROM count_sessions WHERE id = ?').get(id) as SessionRow | undefined;
    if (!row) return null;
    const lines = this.sql.get(`${LINES} WHERE l.session_id = ? ORDER BY l.line_no`).all(id) as LineRow[];
    return toSession(row, lines);
  }

  async listSessions(f: CountSessionFilter, p: PageRequest): Promise<Page<CountSessionRecord>> {
    const w = new Where().add('facility_id = ?', f.facilityId).add('status = ?', f.status);
    const r = await page<SessionRow>(this.sql, 'SELECT *', 'FROM count_sessions', w.sql, w.args, 'created_at DESC, id DESC', p);
    const lines = r.items.length === 0 ? [] : this.sql.get(`${LINES} WHERE l.session_id IN (SELECT value FROM json_each(?))
      ORDER BY l.session_id, l.line_no`).all(JSON.stringify(r.items.map((s) => s.id))) as LineRow[];
    const bySession = byParent(lines, (l) => l.session_id, (l) => l);
    return { items: r.items.map((s) => toSession(s, bySession.get(s.id) ?? [])), total: r.total };
  }

  async snapshotScope(scope: CountScope, limit: number): Promise<{ seq: number; balances: ScopeBalance[] }> {
    const seq = this.sql.get('SELECT coalesce(max(seq), 0) FROM inventory_transactions').value() as number;
    const items = text(scope.itemIds);
    const paths = text(scope.locationPaths);
    const rows = this.sql.get(`SELECT b.item_id, b.location_id, b.lot_id, lots.lot_no, b.on_hand
      FROM balances b JOIN locations loc ON loc.id = b.location_id JOIN items i ON i.id = b.item_id
        LEFT JOIN lots ON lots.id = b.lot_id
      WHERE b.facility_id = ? AND b.status_id = ? AND b.on_hand > 0 AND loc.type <> 'transit'
        AND (? IS NULL OR b.item_id IN (SELECT value FROM json_each(?)))
        AND (? IS NULL OR EXISTS (SELECT 1 FROM json_each(?) p
          WHERE loc.path = p.value OR substr(loc.path, 1, length(p.value) + 1) = p.value || '/'))
      ORDER BY loc.path, i.item_no, lots.lot_no LIMIT ?`)
      .all(scope.facilityId, AVAILABLE, items, items, paths, paths, limit) as ScopeRow[];
    return {
      seq,
      balances: rows.map((r) => ({ itemId: r.item_id, locationId: r.location_id, lotId: lotOut(r.lot_id), lotNo: r.lot_no, onHand: r.on_hand })),
    };
  }

  async countPlaces(places: readonly Place[], afterSeq: number): Promise<PlaceNow[]> {
    const onHand = this.sql.get(`SELECT on_hand FROM balances WHERE item_id = ? AND location_id = ? AND lot_id = ? AND status_id = ?`);
    const moved = this.sql.get(`SELECT EXISTS (SELECT 1 FROM inventory_lines WHERE item_id = ? AND location_id = ? AND lot_id = ?
      AND status_id = ? AND seq > ?)`);
    const serials = this.sql.get(`SELECT serial_no FROM serials WHERE item_id = ? AND location_id = ? AND coalesce(lot_id, '') = ?
      AND status_id = ? ORDER BY serial_no`);
    return places.map((p) => {
      const key = [p.itemId, p.locationId, lotIn(p.lotId), AVAILABLE];
      return {
        ...p,
        onHand: ((onHand.value(...key) as Micro | undefined) ?? 0) as Micro,
        moved: moved.value(...key, afterSeq) === 1,
        serialNos: serials.values(...key) as string[],
      };
    });
  }

  async insertSession(s: CountSessionRecord): Promise<void> {
    uniqueViolations(() => this.sql.get(`INSERT INTO count_sessions (id, session_no, facility_id, location_ids, item_ids, blind,
      notes, status, snapshot_seq, posted_transaction_id, status_history, created_at, updated_at, version)
      VALUES (@id, @session_no, @facility_id, @location_ids, @item_ids, @blind, @notes, @status, @snapshot_seq,
      @posted_transaction_id, @status_history, @created_at, @updated_at, @version)`).run(toRow(s)));
    this.putLines(s.id, s.lines);
  }

  async updateSession(s: CountSessionRecord, lines: readonly CountLineRecord[]): Promise<void> {
    this.sql.get(`UPDATE count_sessions SET status = @status, posted_transaction_id = @posted_transaction_id,
      status_history = @status_history, updated_at = @updated_at, version = @version WHERE id = @id`).run(toRow(s));
    this.putLines(s.id, lines);
  }

  private putLines(sessionId: string, lines: readonly CountLineRecord[]): void {
    const put = this.sql.get(`INSERT INTO count_session_lines (id, session_id, line_no, item_id, location_id, lot_id, snapshot_qty,
      expected_qty, counted_qty, moved, counted_at, serial_nos, expected_serial_nos)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET expected_qty = excluded.expected_qty, counted_qty = excluded.counted_qty,
        moved = excluded.moved, counted_at = excluded.counted_at, serial_nos = excluded.serial_nos,
        expected_serial_nos = excluded.expected_serial_nos`);
    uniqueViolations(() => {
      for (const l of lines) {
        put.run(l.id, sessionId, l.lineNo, l.itemId, l.locationId, lotIn(l.lotId), l.snapshotQty, l.expectedQty, l.countedQty,
          l.movedSinceSnapshot === null ? null : Number(l.movedSinceSnapshot), l.countedAt, text(l.serialNos), text(l.expectedSerialNos));
      }
    });
  }
}

function toRow(s: CountSessionRecord): SessionRow {
  return {
    id: s.id,
    session_no: s.sessionNo,
    facility_id: s.facilityId,
    location_ids: text(s.locationIds),
    item_ids: text(s.itemIds),
    blind: Number(s.blind),
    notes: s.notes,
    status: s.status,
    snapshot_seq: s.snapshotSeq,
    posted_transaction_id: s.postedTransactionId,
    status_history: JSON.stringify(s.statusHistory),
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    version: s.version,
  };
}

function toSession(r: SessionRow, lines: readonly LineRow[]): CountSessionRecord {
  return {
    id: r.id,
    sessionNo: r.session_no,
    facilityId: r.facility_id,
    locationIds: json<string[]>(r.location_ids),
    itemIds: json<string[]>(r.item_ids),
    blind: r.blind === 1,
    notes: r.notes,
    status: r.status,
    snapshotSeq: r.snapshot_seq,
    lines: lines.map(toLine),
    postedTransactionId: r.posted_transaction_id,
    statusHistory: JSON.parse(r.status_history),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

function toLine(l: LineRow): CountLineRecord {
  return {
    id: l.id,
    lineNo: l.line_no,
    itemId: l.item_id,
    locationId: l.location_id,
    lotId: lotOut(l.lot_id),
    lotNo: l.lot_no,
    snapshotQty: l.snapshot_qty,
    expectedQty: l.expected_qty,
    countedQty: l.counted_qty,
    movedSinceSnapshot: l.moved === null ? null : l.moved === 1,
    countedAt: l.counted_at,
    serialNos: json<string[]>(l.serial_nos),
    expectedSerialNos: json<string[]>(l.expected_serial_nos),
  };
}
