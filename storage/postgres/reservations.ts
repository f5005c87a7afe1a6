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
import { lockStock } from './stock.js';
import { page, storable, Where, type Sql } from './sql.js';

/** The status a reservation shows: open or allocated past its expiry reads as released. */
const EFFECTIVE_STATUS = `CASE WHEN status IN ('open', 'allocated') AND expires_at IS NOT NULL AND expires_at <= ?::text
  THEN 'released' ELSE status END`;

/** The condition of a reservation (alias r) that holds stock at `?` (now). */
export const HOLDING = `r.status IN ('open', 'allocated') AND (r.expires_at IS NULL OR r.expires_at > ?::text)`;

export class PgReservations implements ReservationWriter {
  constructor(private readonly sql: Sql) {}

  /**
   * Inside a write unit the reservation's item and facility are locked first, then its row
   * FOR UPDATE: the same order every command that changes stock or promises follows.
   */
  async getReservation(id: string): Promise<ReservationRecord | null> {
    if (!storable(id)) return null;
    if (this.sql.unit) {
      const [pair] = await this.sql.rows<{ item_id: string; facility_id: string }>('SELECT item_id, facility_id FROM reservations WHERE id = ?', [id]);
      if (!pair) return null;
      await lockStock(this.sql, [{ itemId: pair.item_id, facilityId: pair.facility_id }]);
    }
    const lock = this.sql.unit ? ' FOR UPDATE' : '';
    const [row] = await this.sql.rows<ReservationRow>(`SELECT * FROM reservations WHERE id = ?${lock}`, [id]);
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
    if (!storable(reservationId)) return [];
    return (await this.sql.rows<AllocationRow>('SELECT * FROM allocations WHERE reservation_id = ? ORDER BY created_at, id', [reservationId]))
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
    return this.sql.rows<ItemFacility>(`SELECT DISTINCT r.item_id AS "itemId", r.facility_id AS "facilityId" FROM reservations r
      WHERE ${HOLDING}`, [now]);
  }

  async allocationMismatches(): Promise<Array<{ reservationId: string; qtyAllocated: Micro; allocations: Micro }>> {
    return this.sql.rows(`SELECT r.id AS "reservationId", r.qty_allocated AS "qtyAllocated", coalesce(sum(a.qty), 0)::bigint AS allocations
      FROM reservations r LEFT JOIN allocations a ON a.reservation_id = r.id
      GROUP BY r.id HAVING r.qty_allocated <> coalesce(sum(a.qty), 0) LIMIT 100`);
  }

  async insertReservation(r: ReservationRecord): Promise<void> {
    await this.sql.rows(`INSERT INTO reservations (id, item_id, facility_id, qty, qty_allocated, qty_fulfilled, status,
      demand_type, demand_id, demand_line_id, expires_at, created_at, updated_at, version)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, values(r));
  }

  async updateReservation(r: ReservationRecord): Promise<void> {
    await this.sql.rows(`UPDATE reservations SET qty = ?, qty_allocated = ?, qty_fulfilled = ?, status = ?, expires_at = ?,
      updated_at = ?, version = ? WHERE id = ?`, [r.qty, r.qtyAllocated, r.qtyFulfilled, r.status, r.expiresAt, r.updatedAt, r.version, r.id]);
  }

  async putAllocations(reservationId: string, allocations: readonly AllocationRecord[]): Promise<void> {
    await this.sql.rows('DELETE FROM allocations WHERE reservation_id = ?', [reservationId]);
    if (allocations.length === 0) return;
    const col = <K extends keyof AllocationRecord>(k: K) => allocations.map((a) => a[k]);
    await this.sql.rows(`INSERT INTO allocations (id, reservation_id, item_id, facility_id, location_id, lot_id, qty, created_at)
      SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[])`, [
      col('id'), allocations.map(() => reservationId), col('itemId'), col('facilityId'), col('locationId'),
      allocations.map((a) => lotIn(a.lotId)), col('qty'), col('createdAt'),
    ]);
  }
}

function values(r: ReservationRecord): unknown[] {
  return [r.id, r.itemId, r.facilityId, r.qty, r.qtyAllocated, r.qtyFulfilled, r.status, r.demand.type, r.demand.id,
    r.demand.lineId, r.expiresAt, r.createdAt, r.updatedAt, r.version];
}

