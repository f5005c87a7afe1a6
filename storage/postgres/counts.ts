// Cycle-count sessions on PostgreSQL. Inside a write unit a session is read FOR UPDATE, so
// counts, posting and cancelling of one session run one after another on any host. A
// snapshot (the last seq and the balances in scope) and a count's view of its places (on hand,
// lines since the snapshot, serials) are each one statement: one MVCC snapshot, in which the
// ledger head and the balances agree (a posting writes both in one transaction).
import {
  type CountLineRecord, type CountScope, type CountSessionFilter, type CountSessionRecord, type CountStatus,
  type CountWriter, type Place, type PlaceNow, type ScopeBalance,
} from '../../core/count.js';
import type { Page, PageRequest } from '../../core/page.js';
import type { Micro } from '../../core/quantity.js';
import { AVAILABLE } from '../../core/status.js';
import { byParent, json, lotIn, lotOut, text } from '../rows/columns.js';
import { page, storable, Where, type Sql } from './sql.js';

interface SessionRow {
  id: string;
  session_no: string;
  facility_id: string;
  location_ids: string | null;
  item_ids: string | null;
  blind: boolean;
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
  moved: boolean | null;
  counted_at: string | null;
  serial_nos: string | null;
  expected_serial_nos: string | null;
}

const LINES = 'SELECT l.*, lots.lot_no FROM count_session_lines l LEFT JOIN lots ON lots.id = l.lot_id';

export class PgCounts implements CountWriter {
  constructor(private readonly sql: Sql) {}

  async getSession(id: string): Promise<CountSessionRecord | null> {
    if (!storable(id)) return null;
    const lock = this.sql.unit ? ' FOR UPDATE' : '';
    return this.sql.snapshot(async (s) => {
      const [row] = await s.rows<SessionRow>(`SELECT * FROM count_sessions WHERE id = ?${lock}`, [id]);
      if (!row) return null;
      return toSession(row, await s.rows<LineRow>(`${LINES} WHERE l.session_id = ? ORDER BY l.line_no`, [id]));
    });
  }

  async listSessions(f: CountSessionFilter, p: PageRequest): Promise<Page<CountSessionRecord>> {
    const w = new Where().add('facility_id = ?', f.facilityId).add('status = ?', f.status);
    // The page and its lines from one snapshot: a session changing meanwhile is read whole, before or after.
    return this.sql.snapshot(async (s) => {
      const r = await page<SessionRow>(s, 'SELECT *', 'FROM count_sessions', w.sql, w.args, 'created_at DESC, id DESC', p);
      const lines = r.items.length === 0 ? [] : await s.rows<LineRow>(`${LINES} WHERE l.session_id = ANY(?::text[])
        ORDER BY l.session_id, l.line_no`, [r.items.map((x) => x.id)]);
      const bySession = byParent(lines, (l) => l.session_id, (l) => l);
      return { items: r.items.map((x) => toSession(x, bySession.get(x.id) ?? [])), total: r.total };
    });
  }

  async snapshotScope(scope: CountScope, limit: number): Promise<{ seq: number; balances: ScopeBalance[] }> {
    const rows = await this.sql.rows<{ seq: number; item_id: string | null; location_id: string; lot_id: string; lot_no: string | null; on_hand: Micro }>(
      `WITH scope AS (
        SELECT b.item_id, b.location_id, b.lot_id, lots.lot_no, b.on_hand,
          row_number() OVER (ORDER BY loc.path, i.item_no, lots.lot_no NULLS FIRST) AS n
        FROM balances b JOIN locations loc ON loc.id = b.location_id JOIN items i ON i.id = b.item_id
          LEFT JOIN lots ON lots.id = b.lot_id
        WHERE b.facility_id = ? AND b.status_id = ? AND b.on_hand > 0 AND loc.type <> 'transit'
          AND (?::text[] IS NULL OR b.item_id = ANY(?::text[]))
          AND (?::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest(?::text[]) AS p (path)
            WHERE loc.path = p.path OR left(loc.path, length(p.path) + 1) = p.path || '/'))
        ORDER BY n LIMIT ?)
      SELECT h.seq, s.item_id, s.location_id, s.lot_id, s.lot_no, s.on_hand FROM ledger_head h LEFT JOIN scope s ON true
      ORDER BY s.n`,
      [scope.facilityId, AVAILABLE, scope.itemIds, scope.itemIds, scope.locationPaths, scope.locationPaths, limit],
    );
    return {
      seq: rows[0]!.seq,
      balances: rows.filter((r) => r.item_id !== null)
        .map((r) => ({ itemId: r.item_id!, locationId: r.location_id, lotId: lotOut(r.lot_id), lotNo: r.lot_no, onHand: r.on_hand })),
    };
  }

  async countPlaces(places: readonly Place[], afterSeq: number): Promise<PlaceNow[]> {
    if (places.length === 0) return [];
    const rows = await this.sql.rows<{ n: number; on_hand: Micro; moved: boolean; serials: string[] }>(`SELECT k.n,
        coalesce(b.on_hand, 0)::bigint AS on_hand,
        EXISTS (SELECT 1 FROM inventory_lines l WHERE l.item_id = k.item_id AND l.location_id = k.location_id
          AND l.lot_id = k.lot_id AND l.status_id = ? AND l.seq > ?) AS moved,
        coalesce((SELECT json_agg(s.serial_no ORDER BY s.serial_no) FROM serials s WHERE s.item_id = k.item_id
          AND s.location_id = k.location_id AND coalesce(s.lot_id, '') = k.lot_id AND s.status_id = ?), '[]'::json) AS serials
      FROM unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS k (item_id, location_id, lot_id, n)
      LEFT JOIN balances b ON b.item_id = k.item_id AND b.location_id = k.location_id AND b.lot_id = k.lot_id AND b.status_id = ?
      ORDER BY k.n`, [
      AVAILABLE, afterSeq, AVAILABLE,
      places.map((p) => p.itemId), places.map((p) => p.locationId), places.map((p) => lotIn(p.lotId)),
      AVAILABLE,
    ]);
    return places.map((p, i) => ({ ...p, onHand: rows[i]!.on_hand, moved: rows[i]!.moved, serialNos: rows[i]!.serials }));
  }

  async insertSession(s: CountSessionRecord): Promise<void> {
    await this.sql.rows(`INSERT INTO count_sessions (id, session_no, facility_id, location_ids, item_ids, blind, notes, status,
      snapshot_seq, posted_transaction_id, status_history, created_at, updated_at, version)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      s.id, s.sessionNo, s.facilityId, text(s.locationIds), text(s.itemIds), s.blind, s.notes, s.status, s.snapshotSeq,
      s.postedTransactionId, JSON.stringify(s.statusHistory), s.createdAt, s.updatedAt, s.version,
    ]);
    await this.putLines(s.id, s.lines);
  }

  async updateSession(s: CountSessionRecord, lines: readonly CountLineRecord[]): Promise<void> {
    await this.sql.rows(`UPDATE count_sessions SET status = ?, posted_transaction_id = ?, status_history = ?, updated_at = ?,
      version = ? WHERE id = ?`, [s.status, s.postedTransactionId, JSON.stringify(s.statusHistory), s.updatedAt, s.version, s.id]);
    await this.putLines(s.id, lines);
  }

  private async putLines(sessionId: string, lines: readonly CountLineRecord[]): Promise<void> {
    if (lines.length === 0) return;
    const col = <T>(f: (l: CountLineRecord) => T) => lines.map(f);
    await this.sql.rows(`INSERT INTO count_session_lines (id, session_id, line_no, item_id, location_id, lot_id, snapshot_qty,
        expected_qty, counted_qty, moved, counted_at, serial_nos, expected_serial_nos)
      SELECT * FROM unnest(?::text[], ?::text[], ?::integer[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[],
        ?::bigint[], ?::boolean[], ?::text[], ?::text[], ?::text[])
      ON CONFLICT (id) DO UPDATE SET expected_qty = excluded.expected_qty, counted_qty = excluded.counted_qty,
        moved = excluded.moved, counted_at = excluded.counted_at, serial_nos = excluded.serial_nos,
        expected_serial_nos = excluded.expected_serial_nos`, [
      col((l) => l.id), col(() => sessionId), col((l) => l.lineNo), col((l) => l.itemId), col((l) => l.locationId),
      col((l) => lotIn(l.lotId)), col((l) => l.snapshotQty), col((l) => l.expectedQty), col((l) => l.countedQty),
      col((l) => l.movedSinceSnapshot), col((l) => l.countedAt), col((l) => text(l.serialNos)), col((l) => text(l.expectedSerialNos)),
    ]);
  }
}

function toSession(r: SessionRow, lines: readonly LineRow[]): CountSessionRecord {
  return {
    id: r.id,
    sessionNo: r.session_no,
    facilityId: r.facility_id,
    locationIds: json<string[]>(r.location_ids),
    itemIds: json<string[]>(r.item_ids),
    blind: r.blind,
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
    movedSinceSnapshot: l.moved,
    countedAt: l.counted_at,
    serialNos: json<string[]>(l.serial_nos),
    expectedSerialNos: json<string[]>(l.expected_serial_nos),
  };
}
