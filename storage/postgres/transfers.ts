import type { Page, PageRequest } from '../../core/page.js';
import type { Micro } from '../../core/quantity.js';
import type { ItemFacility } from '../../core/stock.js';
import {
  INBOUND_STATUSES, type TransferFilter, type TransferLineRecord, type TransferRecord, type TransferShipmentRecord,
  type TransferWriter,
} from '../../core/transfer.js';
import { toShipment, transferRecords, type ShipmentRow, type TransferLineRow, type TransferRow } from '../rows/transfers.js';
import { lockStock } from './stock.js';
import { page, storable, Where, type Sql } from './sql.js';

const INBOUND = `t.status IN (${INBOUND_STATUSES.map((s) => `'${s}'`).join(', ')})`;


export class PgTransfers implements TransferWriter {
  constructor(private readonly sql: Sql) {}


  /**
   * Inside a write unit each line's item at the source facility is locked first (the
   * advisory locks of stock.ts, which reservations and postings take), then the transfer's
   * row and lines FOR UPDATE: the same order every command that changes stock or promises
   * follows. Outside a unit, the header and its lines come from one snapshot.
   */
  async getTransfer(id: string): Promise<TransferRecord | null> {
    if (!storable(id)) return null;
    if (this.sql.unit) {
      // The transfer's facilities and items never change, so this plain read is safe to lock by.
      const pairs = await this.sql.rows<{ item_id: string; facility_id: string }>(`SELECT DISTINCT l.item_id, t.from_facility_id AS facility_id
        FROM transfers t JOIN transfer_lines l ON l.transfer_id = t.id WHERE t.id = ?`, [id]);
      if (pairs.length === 0) return null;
      await lockStock(this.sql, pairs.map((p) => ({ itemId: p.item_id, facilityId: p.facility_id })));
      const [row] = await this.sql.rows<TransferRow>('SELECT * FROM transfers WHERE id = ? FOR UPDATE', [id]);
      return row ? (await withLines(this.sql, [row]))[0]! : null;
    }
    return this.sql.snapshot(async (s) => {
      const [row] = await s.rows<TransferRow>('SELECT * FROM transfers WHERE id = ?', [id]);
      return row ? (await withLines(s, [row]))[0]! : null;
    });
  }

  async listTransfers(f: TransferFilter, p: PageRequest): Promise<Page<TransferRecord>> {
    const w = new Where()
      .add('status = ?', f.status)
      .add('from_facility_id = ?', f.fromFacilityId)
      .add('to_facility_id = ?', f.toFacilityId)
      .add('id IN (SELECT transfer_id FROM transfer_lines WHERE item_id = ?)', f.itemId)
      // Transfer numbers are ASCII: lower() folds them the same on every collation.
      .add('strpos(lower(transfer_no), ?) > 0', f.q?.toLowerCase());
    return this.sql.snapshot(async (s) => {
      const r = await page<TransferRow>(s, 'SELECT *', 'FROM transfers', w.sql, w.args, 'created_at DESC, id DESC', p);
      return { items: await withLines(s, r.items), total: r.total };
    });
  }

  /** Inside a write unit the shipments are locked FOR UPDATE (a receipt changes them), after their transfer. */
  async getShipments(transferId: string): Promise<TransferShipmentRecord[]> {
    if (!storable(transferId)) return [];
    const lock = this.sql.unit ? ' FOR UPDATE' : '';
    return (await this.sql.rows<ShipmentRow>(`SELECT * FROM transfer_shipments WHERE transfer_id = ? ORDER BY ship_no${lock}`, [transferId]))
      .map(toShipment);
  }

  async inbound(pairs: readonly ItemFacility[]): Promise<Array<ItemFacility & { qty: Micro }>> {
    const stored = pairs.filter((p) => storable(p.itemId) && storable(p.facilityId));
    if (stored.length === 0) return [];
    return this.sql.rows(`SELECT l.item_id AS "itemId", t.to_facility_id AS "facilityId", sum(l.qty - l.qty_received)::bigint AS qty
      FROM transfers t JOIN transfer_lines l ON l.transfer_id = t.id
      JOIN (SELECT DISTINCT * FROM unnest(?::text[], ?::text[]) AS u (item_id, facility_id)) p
        ON p.item_id = l.item_id AND p.facility_id = t.to_facility_id
      WHERE ${INBOUND} GROUP BY l.item_id, t.to_facility_id HAVING sum(l.qty - l.qty_received) > 0`,
    [stored.map((p) => p.itemId), stored.map((p) => p.facilityId)]);
  }

  async insertTransfer(t: TransferRecord): Promise<void> {
    await this.sql.rows(`INSERT INTO transfers (id, transfer_no, from_facility_id, to_facility_id, status, notes, status_history,
      created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [t.id, t.transferNo, t.fromFacilityId, t.toFacilityId, t.status, t.notes, JSON.stringify(t.statusHistory), t.createdAt, t.updatedAt, t.version]);
    const col = <K extends keyof TransferLineRecord>(k: K) => t.lines.map((l) => l[k]);
    await this.sql.rows(`INSERT INTO transfer_lines (id, transfer_id, line_no, item_id, lot_id, qty, qty_shipped, qty_received,
      reservation_id) SELECT * FROM unnest(?::text[], ?::text[], ?::integer[], ?::text[], ?::text[], ?::bigint[], ?::bigint[],
      ?::bigint[], ?::text[])`, [
      col('id'), t.lines.map(() => t.id), col('lineNo'), col('itemId'), col('lotId'), col('qty'), col('qtyShipped'),
      col('qtyReceived'), col('reservationId'),
    ]);
  }

  async updateTransfer(t: TransferRecord): Promise<void> {
    await this.sql.rows('UPDATE transfers SET status = ?, notes = ?, status_history = ?, updated_at = ?, version = ? WHERE id = ?',
      [t.status, t.notes, JSON.stringify(t.statusHistory), t.updatedAt, t.version, t.id]);
    await this.sql.rows(`UPDATE transfer_lines l SET qty_shipped = u.qty_shipped, qty_received = u.qty_received,
      reservation_id = u.reservation_id
      FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::text[]) AS u (id, qty_shipped, qty_received, reservation_id)
      WHERE l.id = u.id AND l.transfer_id = ?`, [
      t.lines.map((l) => l.id), t.lines.map((l) => l.qtyShipped), t.lines.map((l) => l.qtyReceived), t.lines.map((l) => l.reservationId), t.id,
    ]);
  }

  async insertShipments(shipments: readonly TransferShipmentRecord[]): Promise<void> {
    if (shipments.length === 0) return;
    const col = <K extends keyof TransferShipmentRecord>(k: K) => shipments.map((s) => s[k]);
    await this.sql.rows(`INSERT INTO transfer_shipments (id, transfer_id, line_id, ship_no, transaction_id, lot_id, serial_nos, qty,
      qty_received, created_at) SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::integer[], ?::text[], ?::text[], ?::text[],
      ?::bigint[], ?::bigint[], ?::text[])`, [
      col('id'), col('transferId'), col('lineId'), col('shipNo'), col('transactionId'), col('lotId'),
      shipments.map((s) => (s.serialNos.length ? JSON.stringify(s.serialNos) : null)), col('qty'), col('qtyReceived'), col('createdAt'),
    ]);
  }

  async updateShipments(shipments: readonly TransferShipmentRecord[]): Promise<void> {
    if (shipments.length === 0) return;
    await this.sql.rows(`UPDATE transfer_shipments s SET qty_received = u.qty_received
      FROM unnest(?::text[], ?::bigint[]) AS u (id, qty_received) WHERE s.id = u.id`,
    [shipments.map((s) => s.id), shipments.map((s) => s.qtyReceived)]);
  }
}

/** The transfers' lines; inside a write unit locked FOR UPDATE (after the transfer's own row). */
async function withLines(sql: Sql, rows: TransferRow[]): Promise<TransferRecord[]> {
  if (rows.length === 0) return [];
  const lock = sql.unit ? ' FOR UPDATE' : '';
  const lines = await sql.rows<TransferLineRow>(`SELECT * FROM transfer_lines WHERE transfer_id = ANY(?::text[]) ORDER BY transfer_id, line_no${lock}`,
    [rows.map((r) => r.id)]);
  return transferRecords(rows, lines);
}

