import type { Page, PageRequest } from '../../core/page.js';
import type { ReservationWriter } from '../../core/ports.js';
import type { Micro } from '../../core/quantity.js';
import {
  allocationView, type Allocation, type AllocationFilter, type AllocationRecord, type ReservationFilter,
  type ReservationRecord,
} from '../../core/reservation.js';
import type { ItemFacility } from '../../core/stock.js';
import { lotIn } from '../rows/columns.js';
import { toAllocation, toReservation, type AllocationRow, type ReservationRow } from '../rows/reservations.js';
import type { Statements } from './database.js';
import { page, uniqueViolations, Where } from './sql.js';

/** The status a reservation shows: open or allocated past its expiry reads as released. */
export const EFFECTIVE_STATUS = `CASE WHEN status IN ('open', 'allocated') AND expires_at IS NOT NULL AND expires_at <= ?
  THEN 'released' ELSE status END`;

/** The condition of a reservation (alias r) that holds stock at `?` (now). */
export const HOLDING = `r.status IN ('open', 'allocated') AND (r.expires_at IS NULL OR r.expires_at > ?)`;

export class SqliteReservations implements ReservationWriter {
  constructor(private readonly sql: Statements) {}

  async getReservation(id: string): Promise<ReservationRecord | null> {
    const row = this.sql.get('SELECT * FROM reservations WHERE id = ?').get(id) as ReservationRow | undefined;
    return row ? toReservation(row) : null;
  }

  async listReservations(f: ReservationFilter, p: PageRequest, now: string): Promise<Page<ReservationRecord>> {
    const w = new Where()
      .add('item_id = ?', f.itemId)
      .add('facility_id = ?', f.facilityId)
      .add(`${EFFECTIVE_STATUS} = ?`, ...(f.status === undefined ? [undefined] : [now, f.status]))
      .add('demand_type = ?', f.demandType)
      .add('demand_id = ?', f.demandId);
    const r = await page<ReservationRow>(this.sql, 'SELECT *', 'FROM reservations', w.sql, w.args, 'created_at DESC, id DESC', p);
    return { items: r.items.map(toReservation), total: r.total };
  }

  async getAllocations(reservationId: string): Promise<AllocationRecord[]> {
    return (this.sql.get('SELECT * FROM allocations WHERE reservation_id = ? ORDER BY created_at, id').all(reservationId) as AllocationRow[])
      .map(toAllocation);
  }

  async listAllocations(f: AllocationFilter, p: PageRequest, now: string): Promise<Page<Allocation>> {
    const w = new Where()
      .add(HOLDING, now)
      .add('a.item_id = ?', f.itemId)
      .add('a.location_id = ?', f.locationId)
      .add('a.reservation_id = ?', f.reservationId);
    const r = await page<AllocationRow>(this.sql, 'SELECT a.*, lots.lot_no',
      'FROM allocations a JOIN reservations r ON r.id = a.reservation_id LEFT JOIN lots ON lots.id = a.lot_id',
      w.sql, w.args, 'a.created_at, a.id', p);
    return { items: r.items.map((a) => allocationView(toAllocation(a), a.lot_no ?? null)), total: r.total };
  }

  async committedPairs(now: string): Promise<ItemFacility[]> {
    return this.sql.get(`SELECT DISTINCT r.item_id AS itemId, r.facility_id AS facilityId FROM reservations r WHERE ${HOLDING}`)
      .all(now) as ItemFacility[];
  }

  async allocationMismatches(): Promise<Array<{ reservationId: string; qtyAllocated: Micro; allocations: Micro }>> {
    return this.sql.get(`SELECT r.id AS reservationId, r.qty_allocated AS qtyAllocated, coalesce(sum(a.qty), 0) AS allocations
      FROM reservations r LEFT JOIN allocations a ON a.reservation_id = r.id
      GROUP BY r.id HAVING r.qty_allocated <> coalesce(sum(a.qty), 0) LIMIT 100`).all() as never;
  }

  async insertReservation(r: ReservationRecord): Promise<void> {
    this.sql.changes.forItems([r.itemId], () => uniqueViolations(() => this.sql.get(`INSERT INTO reservations (id, item_id,
      facility_id, qty, qty_allocated, qty_fulfilled, status, demand_type, demand_id, demand_line_id, expires_at, created_at,
      updated_at, version) VALUES (@id, @item_id, @facility_id, @qty, @qty_allocated, @qty_fulfilled, @status, @demand_type,
      @demand_id, @demand_line_id, @expires_at, @created_at, @updated_at, @version)`).run(toRow(r))));
  }

  async updateReservation(r: ReservationRecord): Promise<void> {
    // A reservation's item never changes: the row updated is one of r.itemId's.
    this.sql.changes.forItems([r.itemId], () => this.sql.get(`UPDATE reservations SET qty = @qty, qty_allocated = @qty_allocated,
      qty_fulfilled = @qty_fulfilled, status = @status, expires_at = @expires_at, updated_at = @updated_at, version = @version
      WHERE id = @id`).run(toRow(r)));
  }

  async putAllocations(reservationId: string, allocations: readonly AllocationRecord[]): Promise<void> {
    // The allocations replaced are the reservation's, so of its item, as are the new ones.
    const item = this.sql.get('SELECT item_id FROM reservations WHERE id = ?').value(reservationId) as string | undefined;
    const items = new Set(allocations.map((a) => a.itemId));
    if (item !== undefined) items.add(item);
    this.sql.changes.forItems(items, () => {
      this.sql.get('DELETE FROM allocations WHERE reservation_id = ?').run(reservationId);
      const insert = this.sql.get(`INSERT INTO allocations (id, reservation_id, item_id, facility_id, location_id, lot_id, qty,
        created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const a of allocations) {
        insert.run(a.id, reservationId, a.itemId, a.facilityId, a.locationId, lotIn(a.lotId), a.qty, a.createdAt);
      }
    });
  }
}

function toRow(r: ReservationRecord): ReservationRow {
  return {
    id: r.id,
    item_id: r.itemId,
    facility_id: r.facilityId,
    qty: r.qty,
    qty_allocated: r.qtyAllocated,
    qty_fulfilled: r.qtyFulfilled,
    status: r.status,
    demand_type: r.demand.type,
    demand_id: r.demand.id,
    demand_line_id: r.demand.lineId,
    expires_at: r.expiresAt,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    version: r.version,
  };
}

