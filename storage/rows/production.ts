// BOM and work order rows as both adapters read them, and the records they make.
import type { BomComponentRecord, BomRecord, BomStatus } from '../../core/bom.js';
import type { Micro } from '../../core/quantity.js';
import type { WorkOrderCompletionRecord, WorkOrderComponentRecord, WorkOrderRecord, WorkOrderStatus } from '../../core/work-order.js';
import { byParent } from './columns.js';

export interface BomRow {
  id: string;
  item_id: string;
  version: number;
  status: BomStatus;
  output_qty: Micro;
  notes: string | null;
  status_history: string;
  created_at: string;
  updated_at: string;
  revision: number;
}

export interface ComponentRow {
  id: string;
  bom_id: string;
  line_no: number;
  item_id: string;
  qty: Micro;
  uom_id: string | null;
  qty_base: Micro;
  scrap_pct: Micro;
}

export interface WorkOrderRow {
  id: string;
  work_order_no: string;
  item_id: string;
  bom_id: string;
  bom_version: number;
  facility_id: string;
  output_location_id: string;
  component_location_id: string | null;
  qty: Micro;
  qty_completed: Micro;
  status: WorkOrderStatus;
  notes: string | null;
  status_history: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface WorkOrderLineRow {
  id: string;
  work_order_id: string;
  line_no: number;
  item_id: string;
  qty_required: Micro;
  qty_issued: Micro;
  reservation_id: string | null;
}

export interface CompletionRow {
  id: string;
  work_order_id: string;
  completion_no: number;
  qty: Micro;
  issue_transaction_id: string | null;
  output_transaction_id: string;
  lot_id: string | null;
  lot_no: string | null;
  created_at: string;
}

/** BOMs with their components (ordered by BOM and line number). */
export function bomRecords(rows: readonly BomRow[], components: readonly ComponentRow[]): BomRecord[] {
  const byBom = byParent(components, (c) => c.bom_id, toComponent);
  return rows.map((r) => ({
    id: r.id,
    itemId: r.item_id,
    version: r.version,
    status: r.status,
    outputQty: r.output_qty,
    notes: r.notes,
    components: byBom.get(r.id) ?? [],
    statusHistory: JSON.parse(r.status_history),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    revision: r.revision,
  }));
}

function toComponent(c: ComponentRow): BomComponentRecord {
  return { id: c.id, lineNo: c.line_no, itemId: c.item_id, qty: c.qty, uomId: c.uom_id, qtyBase: c.qty_base, scrapPct: c.scrap_pct };
}

/** Work orders with their component lines and completions (each in its order). */
export function workOrderRecords(
  rows: readonly WorkOrderRow[], lines: readonly WorkOrderLineRow[], completions: readonly CompletionRow[],
): WorkOrderRecord[] {
  const byOrder = byParent(lines, (l) => l.work_order_id, toComponentLine);
  const done = byParent(completions, (c) => c.work_order_id, toCompletion);
  return rows.map((r) => ({
    id: r.id,
    workOrderNo: r.work_order_no,
    itemId: r.item_id,
    bomId: r.bom_id,
    bomVersion: r.bom_version,
    facilityId: r.facility_id,
    outputLocationId: r.output_location_id,
    componentLocationId: r.component_location_id,
    qty: r.qty,
    qtyCompleted: r.qty_completed,
    status: r.status,
    notes: r.notes,
    components: byOrder.get(r.id) ?? [],
    completions: done.get(r.id) ?? [],
    statusHistory: JSON.parse(r.status_history),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  }));
}

function toComponentLine(l: WorkOrderLineRow): WorkOrderComponentRecord {
  return { id: l.id, lineNo: l.line_no, itemId: l.item_id, qtyRequired: l.qty_required, qtyIssued: l.qty_issued, reservationId: l.reservation_id };
}

function toCompletion(c: CompletionRow): WorkOrderCompletionRecord {
  return {
    id: c.id, workOrderId: c.work_order_id, completionNo: c.completion_no, qty: c.qty, issueTransactionId: c.issue_transaction_id,
    outputTransactionId: c.output_transaction_id, lotId: c.lot_id, lotNo: c.lot_no, createdAt: c.created_at,
  };
}
