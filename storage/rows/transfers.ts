// Transfer rows as both adapters read them, and the records they make.
import type { Micro } from '../../core/quantity.js';
import type { TransferLineRecord, TransferRecord, TransferShipmentRecord, TransferStatus } from '../../core/transfer.js';
import { byParent } from './columns.js';

export interface TransferRow {
  id: string;
  transfer_no: string;
  from_facility_id: string;
  to_facility_id: string;
  status: TransferStatus;
  notes: string | null;
  status_history: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface TransferLineRow {
  id: string;
  transfer_id: string;
  line_no: number;
  item_id: string;
  lot_id: string | null;
  qty: Micro;
  qty_shipped: Micro;
  qty_received: Micro;
  reservation_id: string | null;
}

export interface ShipmentRow {
  id: string;
  transfer_id: string;
  line_id: string;
  ship_no: number;
  transaction_id: string;
  lot_id: string | null;
  serial_nos: string | null;
  qty: Micro;
  qty_received: Micro;
  created_at: string;
}

/** Transfers with their lines (ordered by transfer and line number). */
export function transferRecords(rows: readonly TransferRow[], lines: readonly TransferLineRow[]): TransferRecord[] {
  const byTransfer = byParent(lines, (l) => l.transfer_id, toLine);
  return rows.map((r) => ({
    id: r.id,
    transferNo: r.transfer_no,
    fromFacilityId: r.from_facility_id,
    toFacilityId: r.to_facility_id,
    status: r.status,
    notes: r.notes,
    lines: byTransfer.get(r.id) ?? [],
    statusHistory: JSON.parse(r.status_history),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  }));
}

function toLine(l: TransferLineRow): TransferLineRecord {
  return {
    id: l.id,
    lineNo: l.line_no,
    itemId: l.item_id,
    qty: l.qty,
    lotId: l.lot_id,
    qtyShipped: l.qty_shipped,
    qtyReceived: l.qty_received,
    reservationId: l.reservation_id,
  };
}

export function toShipment(s: ShipmentRow): TransferShipmentRecord {
  return {
    id: s.id,
    transferId: s.transfer_id,
    lineId: s.line_id,
    shipNo: s.ship_no,
    transactionId: s.transaction_id,
    lotId: s.lot_id,
    serialNos: s.serial_nos ? JSON.parse(s.serial_nos) : [],
    qty: s.qty,
    qtyReceived: s.qty_received,
    createdAt: s.created_at,
  };
}
