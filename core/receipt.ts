// Goods receipts against a purchase order. One receipt posts one `receipt` transaction
// (reference `purchase_order`) through the one posting rule: lots (`lotNo`, created on first
// receipt with `expiresOn` for expiry-tracked items), serials (one per base unit) and stock
// statuses work as on adjustments. Quantities are in each order line's UOM and converted to
// base units by the conversion the line was ordered with. Receiving more than a line has
// left is a 409 conflict and posts nothing; the order's status follows what was received.
import { serialNos } from './adjustment.js';
import { assert } from './assert.js';
import type { Actor } from './document.js';
import { newId } from './id.js';
import type { Item } from './item.js';
import type { Page, PageRequest } from './page.js';
import { MAX_POSTING_LINES, post, type PostingLine } from './posting.js';
import { valueOf, type Money } from './money.js';
import type { Reader, Writer } from './ports.js';
import { forAction, saveAfter } from './purchase-order.js';
import { distinct, loadCatalog, type Catalog, type PurchaseOrderLineRecord, type ReceiptRecord } from './purchasing.js';
import { fitsDecimals, fromMicro, isWhole, toMicro, type Micro } from './quantity.js';
import { failAt, notFound, ok, type Result } from './result.js';
import { array, date, id, nullable, object, positiveQuantity, string, type Schema } from './schema.js';
import { AVAILABLE } from './status.js';

export interface ReceiptInput {
  lines: Array<{
    lineId: string;
    qty: number;
    locationId: string;
    statusId?: string;
    lotNo?: string;
    expiresOn?: string;
    serialNos?: string[];
  }>;
  reason?: string | null;
}

export const receiptInputSchema: Schema = object({
  lines: array(object(
    { lineId: id, qty: positiveQuantity, locationId: id, statusId: string(1, 64), lotNo: string(1, 64), expiresOn: date, serialNos },
    ['lineId', 'qty', 'locationId'],
  ), MAX_POSTING_LINES, 1),
  reason: nullable(string(0, 500)),
}, ['lines']);

export interface ReceiptLine {
  lineNo: number;
  /** The purchase order line received. */
  lineId: string;
  itemId: string;
  qty: number;
  uomId: string;
  locationId: string;
  statusId: string;
  lotId: string | null;
  lotNo: string | null;
  expiresOn: string | null;
  serialNos: string[];
}

export interface Receipt extends Omit<ReceiptRecord, 'lines'> {
  lines: ReceiptLine[];
}

export function receiptView(r: ReceiptRecord): Receipt {
  return {
    id: r.id,
    purchaseOrderId: r.purchaseOrderId,
    transactionId: r.transactionId,
    reason: r.reason,
    lines: r.lines.map((l) => ({
      lineNo: l.lineNo, lineId: l.purchaseOrderLineId, itemId: l.itemId, qty: fromMicro(l.qty), uomId: l.uomId, locationId: l.locationId,
      statusId: l.statusId, lotId: l.lotId, lotNo: l.lotNo, expiresOn: l.expiresOn, serialNos: [...l.serialNos],
    })),
    receivedAt: r.receivedAt,
    by: r.by,
  };
}

export async function listReceipts(r: Reader, purchaseOrderId: string, page: PageRequest): Promise<Result<Page<Receipt>>> {
  if (!(await r.purchasing.getPurchaseOrder(purchaseOrderId))) return notFound('purchase order');
  const p = await r.purchasing.listReceipts(purchaseOrderId, page);
  return ok({ items: p.items.map(receiptView), total: p.total });
}

/**
 * A receipt quantity in the line's UOM, and in base units by the line's own conversion
 * (qtyBase / qty), exactly: within the line UOM's decimals, and a base quantity within the
 * base UOM's decimals (whole for serial-tracked items).
 */
function receivedQuantity(catalog: Catalog, item: Item, line: PurchaseOrderLineRecord, value: number, path: string): Result<{ qty: Micro; qtyBase: Micro }> {
  const qty = toMicro(value);
  const uom = catalog.uoms.get(line.uomId);
  const base = catalog.uoms.get(item.baseUomId);
  if (qty === null || !fitsDecimals(qty, uom?.decimals ?? 6)) return failAt('bad_request', path, `takes at most ${uom?.decimals ?? 6} decimal places`);
  const product = BigInt(qty) * BigInt(line.qtyBase);
  const qtyBase = Number(product / BigInt(line.qty)) as Micro;
  if (product % BigInt(line.qty) !== 0n || !fitsDecimals(qtyBase, base?.decimals ?? 6)) {
    return failAt('bad_request', path, 'is not an exact quantity in the item\'s base UOM');
  }
  if (item.serialTracking === 'tracked' && !isWhole(qtyBase)) return failAt('bad_request', path, 'a serial-tracked quantity must be whole in base units');
  return ok({ qty, qtyBase });
}

/**
 * Records a goods receipt on an approved, sent or partially received order: checks each line
 * (a line of this order, an exact quantity, a location of the order's facility), refuses
 * what would take any line past its ordered quantity (409 conflict naming the first request
 * line of it), posts the receipt, and moves the order to partially received or received.
 */
export async function receivePurchaseOrder(tx: Writer, id: string, input: ReceiptInput, now: string, by: Actor | null = null): Promise<Result<Receipt>> {
  const found = await forAction(tx, id, 'receive');
  if (!found.ok) return found;
  const po = found.value;
  const byLine = new Map(po.lines.map((l) => [l.id, l]));
  const catalog = await loadCatalog(tx, po.lines.map((l) => l.itemId), po.lines.map((l) => l.uomId));
  const locations = new Map((await tx.facilities.getLocations(distinct(input.lines.map((l) => l.locationId)))).map((l) => [l.id, l]));
  const received: Array<{ input: ReceiptInput['lines'][number]; line: PurchaseOrderLineRecord; qty: Micro; qtyBase: Micro; at: string }> = [];
  for (const [i, r] of input.lines.entries()) {
    const at = `/lines/${i}`;
    const line = byLine.get(r.lineId);
    if (!line) return notFound('line of this purchase order', `${at}/lineId`);
    const item = catalog.items.get(line.itemId);
    assert(item, `item ${line.itemId} of purchase order ${po.id} exists`);
    const q = receivedQuantity(catalog, item, line, r.qty, `${at}/qty`);
    if (!q.ok) return q;
    const location = locations.get(r.locationId);
    if (!location || location.facilityId !== po.facilityId) return notFound('location in the purchase order\'s facility', `${at}/locationId`);
    received.push({ input: r, line, ...q.value, at });
  }
  const perLine = new Map<string, { qty: number; qtyBase: number; at: string }>();
  for (const r of received) {
    const s = perLine.get(r.line.id);
    perLine.set(r.line.id, { qty: (s?.qty ?? 0) + r.qty, qtyBase: (s?.qtyBase ?? 0) + r.qtyBase, at: s?.at ?? r.at });
  }
  for (const [lineId, { qty, at }] of perLine) {
    const line = byLine.get(lineId)!;
    const left = line.qty - line.qtyReceived;
    if (qty > left) return failAt('conflict', `${at}/qty`, `line ${line.lineNo} has ${fromMicro(left)} left to receive, not ${fromMicro(qty)}`);
  }

  // Each line comes in at the order line's price, per unit of the line's UOM: its value is
  // the received quantity in that UOM times the price, whatever the base quantity is.
  const lines: PostingLine[] = received.map(({ input: r, line, qty, qtyBase, at }) => ({
    itemId: line.itemId,
    locationId: r.locationId,
    statusId: r.statusId ?? AVAILABLE,
    lotNo: r.lotNo ?? null,
    expiresOn: r.expiresOn ?? null,
    qty: qtyBase,
    serialNos: r.serialNos ?? [],
    at,
    // At most the line's amount, which the order kept within MAX_AMOUNT: never null.
    cost: { kind: 'value', value: valueOf(qty, line.unitPrice as number as Money)! },
  }));
  const posted = await post(tx, { type: 'receipt', reason: input.reason ?? null, reference: { type: 'purchase_order', id: po.id }, lines }, now);
  if (!posted.ok) return posted;
  const lots = new Map((await tx.ledger.getLots(distinct(posted.value.lines.map((l) => l.lotId)))).map((l) => [l.id, l]));
  const receipt: ReceiptRecord = {
    id: newId(),
    purchaseOrderId: po.id,
    transactionId: posted.value.id,
    reason: input.reason ?? null,
    lines: received.map((r, i) => {
      const written = posted.value.lines[i]!;
      const lot = written.lotId === null ? null : lots.get(written.lotId);
      return {
        lineNo: i + 1, purchaseOrderLineId: r.line.id, itemId: r.line.itemId, qty: r.qty, uomId: r.line.uomId, qtyBase: r.qtyBase,
        locationId: written.locationId, statusId: written.statusId, lotId: written.lotId, lotNo: lot?.lotNo ?? null,
        expiresOn: lot?.expiresOn ?? null, serialNos: [...written.serialNos],
      };
    }),
    receivedAt: posted.value.postedAt,
    by,
  };
  await tx.purchasing.insertReceipt(receipt);
  const next = po.lines.map((l) => {
    const got = perLine.get(l.id);
    return got ? { ...l, qtyReceived: (l.qtyReceived + got.qty) as Micro, qtyReceivedBase: (l.qtyReceivedBase + got.qtyBase) as Micro } : l;
  });
  await saveAfter(tx, po, next, 'receive', now, by);
  return ok(receiptView(receipt));
}
