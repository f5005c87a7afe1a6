import type { Page, PageRequest } from '../../core/page.js';
import type { Micro } from '../../core/quantity.js';
import type { ItemFacility } from '../../core/stock.js';
import {
  INBOUND_STATUSES, type TransferFilter, type TransferRecord, type TransferShipmentRecord,
  type TransferWriter,
} from '../../core/transfer.js';
import { toShipment, transferRecords, type ShipmentRow, type TransferLineRow, type TransferRow } from '../rows/transfers.js';
import type { Statements } from './database.js';
import { page, uniqueViolations, Where } from './sql.js';

const INBOUND = `t.status IN (${INBOUND_STATUSES.map((s) => `'${s}'`).join(', ')})`;


export class SqliteTransfers implements TransferWriter {
  constructor(private readonly sql: Statements) {}


  async getTransfer(id: string): Promise<TransferRecord | null> {
    const row = this.sql.get('SELECT * FROM transfers WHERE id = ?').get(id) as TransferRow | undefined;
    return row ? this.withLines([row])[0]! : null;
  }

  async listTransfers(f: TransferFilter, p: PageRequest): Promise<Page<TransferRecord>> {
    const w = new Where()
      .add('status = ?', f.status)
      .add('from_facility_id = ?', f.fromFacilityId)
      .add('to_facility_id = ?', f.toFacilityId)
      .add('id IN (SELECT transfer_id FROM transfer_lines WHERE item_id = ?)', f.itemId)
      // Transfer numbers are ASCII: SQLite's lower() is enough.
      .add('instr(lower(transfer_no), ?) > 0', f.q?.toLowerCase());
    const r = await page<TransferRow>(this.sql, 'SELECT *', 'FROM transfers', w.sql, w.args, 'created_at DESC, id DESC', p);
    return { items: this.withLines(r.items), total: r.total };
  }

  private withLines(rows: TransferRow[]): TransferRecord[] {
    if (rows.length === 0) return [];
    const lines = this.sql.get(`SELECT * FROM transfer_lines WHERE transfer_id IN (SELECT value FROM json_each(?))
      ORDER BY transfer_id, line_no`).all(JSON.stringify(rows.map((r) => r.id))) as TransferLineRow[];
    return transferRecords(rows, lines);
  }

  async getShipments(transferId: string): Promise<TransferShipmentRecord[]> {
    return (this.sql.get('SELECT * FROM transfer_shipments WHERE transfer_id = ? ORDER BY ship_no').all(transferId) as ShipmentRow[])
      .map(toShipment);
  }

  async inbound(pairs: readonly ItemFacility[]): Promise<Array<ItemFacility & { qty: Micro }>> {
    if (pairs.length === 0) return [];
    return this.sql.get(`SELECT l.item_id AS itemId, t.to_facility_id AS facilityId, sum(l.qty - l.qty_received) AS qty
      FROM transfers t JOIN transfer_lines l ON l.transfer_id = t.id
      JOIN (SELECT DISTINCT json_extract(value, '$.itemId') AS item_id, json_extract(value, '$.facilityId') AS facility_id
        FROM json_each(?)) p ON p.item_id = l.item_id AND p.facility_id = t.to_facility_id
      WHERE ${INBOUND} GROUP BY l.item_id, t.to_facility_id HAVING sum(l.qty - l.qty_received) > 0`)
      .all(JSON.stringify(pairs.map((p) => ({ itemId: p.itemId, facilityId: p.facilityId })))) as Array<ItemFacility & { qty: Micro }>;
  }

  async insertTransfer(t: TransferRecord): Promise<void> {
    uniqueViolations(() => {
      this.sql.get(`INSERT INTO transfers (id, transfer_no, from_facility_id, to_facility_id, status, notes, status_history,
        created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(t.id, t.transferNo, t.fromFacilityId, t.toFacilityId, t.status, t.notes, JSON.stringify(t.statusHistory),
          t.createdAt, t.updatedAt, t.version);
      const line = this.sql.get(`INSERT INTO transfer_lines (id, transfer_id, line_no, item_id, lot_id, qty, qty_shipped,
        qty_received, reservation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const l of t.lines) line.run(l.id, t.id, l.lineNo, l.itemId, l.lotId, l.qty, l.qtyShipped, l.qtyReceived, l.reservationId);
    });
  }

  async updateTransfer(t: TransferRecord): Promise<void> {
    this.sql.get('UPDATE transfers SET status = ?, notes = ?, status_history = ?, updated_at = ?, version = ? WHERE id = ?')
      .run(t.status, t.notes, JSON.stringify(t.statusHistory), t.updatedAt, t.version, t.id);
    const line = this.sql.get('UPDATE transfer_lines SET qty_shipped = ?, qty_received = ?, reservation_id = ? WHERE id = ? AND transfer_id = ?');
    for (const l of t.lines) line.run(l.qtyShipped, l.qtyReceived, l.reservationId, l.id, t.id);
  }

  async insertShipments(shipments: readonly TransferShipmentRecord[]): Promise<void> {
    uniqueViolations(() => {
      const insert = this.sql.get(`INSERT INTO transfer_shipments (id, transfer_id, line_id, ship_no, transaction_id, lot_id,
        serial_nos, qty, qty_received, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const s of shipments) {
        insert.run(s.id, s.transferId, s.lineId, s.shipNo, s.transactionId, s.lotId,
          s.serialNos.length ? JSON.stringify(s.serialNos) : null, s.qty, s.qtyReceived, s.createdAt);
      }
    });
  }

  async updateShipments(shipments: readonly TransferShipmentRecord[]): Promise<void> {
    const update = this.sql.get('UPDATE transfer_shipments SET qty_received = ? WHERE id = ?');
    for (const s of shipments) update.run(s.qtyReceived, s.id);
  }
}

