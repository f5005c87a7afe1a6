// Reservation and allocation rows as both adapters read them, and the records they make.
// An allocation's lot is '' when the item has no lots, so the place key is never NULL.
import type { Micro } from '../../core/quantity.js';
import type { AllocationRecord, DemandType, ReservationRecord, ReservationStatus } from '../../core/reservation.js';
import { lotOut } from './columns.js';

export interface ReservationRow {
  id: string;
  item_id: string;
  facility_id: string;
  qty: Micro;
  qty_allocated: Micro;
  qty_fulfilled: Micro;
  status: ReservationStatus;
  demand_type: DemandType;
  demand_id: string | null;
  demand_line_id: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface AllocationRow {
  id: string;
  reservation_id: string;
  item_id: string;
  facility_id: string;
  location_id: string;
  lot_id: string;
  qty: Micro;
  created_at: string;
  lot_no?: string | null;
}

export function toReservation(r: ReservationRow): ReservationRecord {
  return {
    id: r.id,
    itemId: r.item_id,
    facilityId: r.facility_id,
    qty: r.qty,
    qtyAllocated: r.qty_allocated,
    qtyFulfilled: r.qty_fulfilled,
    status: r.status,
    demand: { type: r.demand_type, id: r.demand_id, lineId: r.demand_line_id },
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

export function toAllocation(a: AllocationRow): AllocationRecord {
  return {
    id: a.id,
    reservationId: a.reservation_id,
    itemId: a.item_id,
    facilityId: a.facility_id,
    locationId: a.location_id,
    lotId: lotOut(a.lot_id),
    qty: a.qty,
    createdAt: a.created_at,
  };
}
