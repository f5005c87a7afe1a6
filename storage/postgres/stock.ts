// Stock positions on PostgreSQL, and the lock that guards them. Several hosts may promise
// and take the same stock at once; every unit that lowers available stock or raises a
// commitment first takes a transaction-scoped advisory lock per item and facility, in one
// byte order, and only then reads balances, reservations and allocations. Two units on the
// same item and facility therefore run one after the other, whichever rows they touch; the
// rest run side by side.
import type { Micro } from '../../core/quantity.js';
import { positionKey, type ItemFacility, type LocationStock, type StockPosition } from '../../core/stock.js';
import { lotOut } from '../rows/columns.js';
import { HOLDING } from './reservations.js';
import { byteOrder, type Sql } from './sql.js';

/** Locks these items at these facilities for the rest of the unit (no-op outside one). */
export async function lockStock(sql: Sql, pairs: readonly ItemFacility[]): Promise<void> {
  if (!sql.unit) return;
  const keys = [...new Set(pairs.map(positionKey))].filter((k) => !sql.unit!.stockLocked.has(k)).sort(byteOrder);
  if (keys.length === 0) return;
  await sql.rows(`SELECT pg_advisory_xact_lock(hashtextextended(k, 0))
    FROM unnest(?::text[]) WITH ORDINALITY AS u (k, n) ORDER BY n`, [keys]);
  for (const k of keys) sql.unit.stockLocked.add(k);
}

interface PlaceRow {
  location_id: string;
  lot_id: string;
  path: string;
  is_pickable: boolean;
  lot_no: string | null;
  expires_on: string | null;
  lot_created_at: string | null;
  on_hand: Micro;
  allocated: Micro;
}

export async function stockPositions(
  sql: Sql, pairs: readonly ItemFacility[], now: string, committedOnly: boolean,
): Promise<StockPosition[]> {
  const unique = [...new Map(pairs.map((p) => [positionKey(p), p])).values()];
  await lockStock(sql, unique);
  const out: StockPosition[] = [];
  for (const pair of unique) {
    const [promised] = await sql.rows<{ reserved: Micro; allocated: Micro; n: number }>(`SELECT
        coalesce(sum(r.qty - r.qty_allocated - r.qty_fulfilled), 0)::bigint AS reserved,
        coalesce(sum(r.qty_allocated), 0)::bigint AS allocated, count(*)::integer AS n
      FROM reservations r WHERE r.item_id = ? AND r.facility_id = ? AND ${HOLDING}`, [pair.itemId, pair.facilityId, now]);
    if (committedOnly && promised!.n === 0) continue;
    const places = await sql.rows<PlaceRow>(`SELECT p.location_id, p.lot_id, loc.path, loc.is_pickable, lots.lot_no,
        lots.expires_on, lots.created_at AS lot_created_at, sum(p.on_hand)::bigint AS on_hand, sum(p.allocated)::bigint AS allocated
      FROM (SELECT b.location_id, b.lot_id, b.on_hand, 0::bigint AS allocated FROM balances b
            JOIN stock_statuses s ON s.id = b.status_id AND s.is_available
            WHERE b.item_id = ? AND b.facility_id = ? AND b.on_hand > 0
          UNION ALL
          SELECT a.location_id, a.lot_id, 0::bigint, a.qty FROM allocations a JOIN reservations r ON r.id = a.reservation_id
            WHERE a.item_id = ? AND a.facility_id = ? AND ${HOLDING}) p
      JOIN locations loc ON loc.id = p.location_id AND loc.type <> 'transit'
      LEFT JOIN lots ON lots.id = p.lot_id
      GROUP BY p.location_id, p.lot_id, loc.path, loc.is_pickable, lots.lot_no, lots.expires_on, lots.created_at`,
    [pair.itemId, pair.facilityId, pair.itemId, pair.facilityId, now]);
    const locations: LocationStock[] = places.map((r) => ({
      locationId: r.location_id,
      locationPath: r.path,
      isPickable: r.is_pickable,
      lotId: lotOut(r.lot_id),
      lotNo: r.lot_no,
      lotExpiresOn: r.expires_on,
      lotCreatedAt: r.lot_created_at,
      onHand: r.on_hand,
      allocated: r.allocated,
    }));
    out.push({
      ...pair,
      onHand: locations.reduce((s, l) => s + l.onHand, 0) as Micro,
      reserved: promised!.reserved,
      allocated: locations.reduce((s, l) => s + l.allocated, 0) as Micro,
      locations,
    });
  }
  return out;
}
