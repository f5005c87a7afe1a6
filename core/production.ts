// Production: BOMs (core/bom.ts), their explosion (core/explosion.ts) and work orders
// (core/work-order.ts). This file holds the storage port of the area.
import type { BomFilter, BomRecord } from './bom.js';
import type { Page, PageRequest } from './page.js';
import type { Micro } from './quantity.js';
import type { LotOrigin, WorkOrderCompletionRecord, WorkOrderFilter, WorkOrderRecord } from './work-order.js';

/** An item's stock at a facility: on hand in available statuses outside transit, and what holding reservations promise of it. */
export interface FacilityStock {
  itemId: string;
  onHand: Micro;
  /** Reserved and allocated, of reservations holding stock at `now`. */
  promised: Micro;
}

export interface ProductionReader {
  /** With its components. In a write unit on PostgreSQL the BOM's row is locked FOR UPDATE. */
  getBom(id: string): Promise<BomRecord | null>;
  findBom(itemId: string, version: number): Promise<BomRecord | null>;
  /** The highest version number of the item's BOMs; 0 when it has none. */
  lastBomVersion(itemId: string): Promise<number>;
  /** Newest first. */
  listBoms(filter: BomFilter, page: PageRequest): Promise<Page<BomRecord>>;
  /** The active BOM of each of these items that has one (at most one each), with components. */
  getActiveBoms(itemIds: readonly string[]): Promise<BomRecord[]>;
  /**
   * Every active BOM reachable from these items through active BOMs' components, at any depth
   * (these items' own included), with components: one recursive read, in one snapshot, so a
   * concurrent activation is seen whole or not at all. Terminates on cycles.
   */
  getActiveBomGraph(itemIds: readonly string[]): Promise<BomRecord[]>;
  /**
   * With its component lines and completions. In a write unit on PostgreSQL, first locks each
   * component item at the work order's facility (the locks getStockPositions takes), then the
   * work order's row FOR UPDATE.
   */
  getWorkOrder(id: string): Promise<WorkOrderRecord | null>;
  /** Newest first. */
  listWorkOrders(filter: WorkOrderFilter, page: PageRequest): Promise<Page<WorkOrderRecord>>;
  /** The work order (and BOM version) that made a lot, or null for a lot that was not produced. */
  getLotOrigin(lotId: string): Promise<LotOrigin | null>;
  /** Stock of these items at one facility, one row per item (zeros for none), in one set-based read. */
  facilityStock(itemIds: readonly string[], facilityId: string, now: string): Promise<FacilityStock[]>;
}

export interface ProductionWriter extends ProductionReader {
  /**
   * Serializes activations: held until the unit ends (a transaction-scoped advisory lock on
   * PostgreSQL; nothing on SQLite, whose units run one at a time).
   */
  lockBomGraph(): Promise<void>;
  insertBom(bom: BomRecord): Promise<void>;
  /** Writes the header (status, batch size, notes, history, updatedAt, revision); with `components`, replaces the component lines too. */
  updateBom(bom: BomRecord, components: boolean): Promise<void>;
  insertWorkOrder(workOrder: WorkOrderRecord): Promise<void>;
  /** Writes the header (status, qtyCompleted, history, updatedAt, version) and each component line's qtyIssued and reservationId. */
  updateWorkOrder(workOrder: WorkOrderRecord): Promise<void>;
  insertCompletion(completion: WorkOrderCompletionRecord): Promise<void>;
  insertLotOrigin(origin: Omit<LotOrigin, 'workOrderNo'>): Promise<void>;
}
