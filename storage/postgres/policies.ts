import type { Page, PageRequest } from '../../core/page.js';
import type { PolicyFilter, PolicyPosition, PolicyRecord, PolicyWriter } from '../../core/policy.js';
import type { Micro } from '../../core/quantity.js';
import { HOLDING } from './reservations.js';
import { page, storable, Where, type Sql } from './sql.js';

interface PolicyRow {
  id: string;
  item_id: string;
  facility_id: string;
  min_qty: Micro;
  max_qty: Micro;
  safety_stock_qty: Micro;
  reorder_qty: Micro | null;
  lead_time_days: number | null;
  preferred_supplier_id: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

const FROM = 'FROM reorder_policies p JOIN items i ON i.id = p.item_id JOIN facilities f ON f.id = p.facility_id';
const ORDER = 'i.item_no, f.code';

/**
 * The facility's available quantity of the policy's item (alias p), as availability counts it:
 * on hand in available statuses outside transit, less what holding reservations promise.
 * Takes `now` once.
 */
const AVAILABLE = `(coalesce((SELECT sum(b.on_hand) FROM balances b
    JOIN stock_statuses s ON s.id = b.status_id AND s.is_available
    JOIN locations loc ON loc.id = b.location_id AND loc.type <> 'transit'
    WHERE b.item_id = p.item_id AND b.facility_id = p.facility_id), 0)
  - coalesce((SELECT sum(r.qty - r.qty_fulfilled) FROM reservations r
    WHERE r.item_id = p.item_id AND r.facility_id = p.facility_id AND ${HOLDING}), 0))::bigint`;

const COLUMNS = `id, item_id, facility_id, min_qty, max_qty, safety_stock_qty, reorder_qty, lead_time_days, preferred_supplier_id,
  created_at, updated_at, version`;

export class PgPolicies implements PolicyWriter {
  constructor(private readonly sql: Sql) {}

  /** Inside a write unit the row is locked FOR UPDATE: a PATCH reads it to change it. */
  async getPolicy(id: string): Promise<PolicyRecord | null> {
    if (!storable(id)) return null;
    const lock = this.sql.unit ? ' FOR UPDATE' : '';
    const [row] = await this.sql.rows<PolicyRow>(`SELECT * FROM reorder_policies WHERE id = ?${lock}`, [id]);
    return row ? toPolicy(row) : null;
  }

  async findPolicy(itemId: string, facilityId: string): Promise<PolicyRecord | null> {
    const [row] = await this.sql.rows<PolicyRow>('SELECT * FROM reorder_policies WHERE item_id = ? AND facility_id = ?', [itemId, facilityId]);
    return row ? toPolicy(row) : null;
  }

  async listPolicies(f: PolicyFilter, p: PageRequest): Promise<Page<PolicyRecord>> {
    const w = new Where().add('p.item_id = ?', f.itemId).add('p.facility_id = ?', f.facilityId);
    const r = await page<PolicyRow>(this.sql, 'SELECT p.*', FROM, w.sql, w.args, ORDER, p);
    return { items: r.items.map(toPolicy), total: r.total };
  }

  async policyPositions(f: { facilityId?: string }, now: string): Promise<PolicyPosition[]> {
    const w = new Where().add('p.facility_id = ?', f.facilityId);
    const rows = await this.sql.rows<PolicyRow & { available: Micro }>(
      `SELECT p.*, ${AVAILABLE} AS available ${FROM}${w.sql ? ` WHERE ${w.sql}` : ''} ORDER BY ${ORDER}`, [now, ...w.args]);
    return rows.map((r) => ({ ...toPolicy(r), available: r.available }));
  }

  async insertPolicy(p: PolicyRecord): Promise<void> {
    await this.sql.rows(`INSERT INTO reorder_policies (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, values(p));
  }

  async updatePolicy(p: PolicyRecord): Promise<void> {
    await this.sql.rows(`UPDATE reorder_policies SET min_qty = ?, max_qty = ?, safety_stock_qty = ?, reorder_qty = ?, lead_time_days = ?,
      preferred_supplier_id = ?, updated_at = ?, version = ? WHERE id = ?`, [
      p.minQty, p.maxQty, p.safetyStockQty, p.reorderQty, p.leadTimeDays, p.preferredSupplierId, p.updatedAt, p.version, p.id,
    ]);
  }
}

function values(p: PolicyRecord): unknown[] {
  return [p.id, p.itemId, p.facilityId, p.minQty, p.maxQty, p.safetyStockQty, p.reorderQty, p.leadTimeDays, p.preferredSupplierId,
    p.createdAt, p.updatedAt, p.version];
}

function toPolicy(r: PolicyRow): PolicyRecord {
  return {
    id: r.id,
    itemId: r.item_id,
    facilityId: r.facility_id,
    minQty: r.min_qty,
    maxQty: r.max_qty,
    safetyStockQty: r.safety_stock_qty,
    reorderQty: r.reorder_qty,
    leadTimeDays: r.lead_time_days,
    preferredSupplierId: r.preferred_supplier_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}
