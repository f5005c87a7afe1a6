// Bills of materials. A BOM says what one batch (`outputQty`) of a manufactured or phantom
// item is made of: components in their base UOM (or another UOM of theirs, converted exactly
// when the BOM is written), each with a scrap percent. BOMs are versioned per item (1, 2, ...),
// and move `draft` → `active` → `obsolete`: a draft may be changed, an active BOM is
// immutable (a work order pins it), and activating a version makes the item's previous
// active version obsolete. Activating a BOM whose explosion would reach its own item, at any
// depth, is a 409 that names the cycle. The explosion itself is core/explosion.ts.
import { recordHistory } from './event.js';
import { toBaseQty } from './conversion.js';
import { itemQuantity, withChange, type Actor, type StatusChange } from './document.js';
import {
  cycleRefusal, explode, findCycle, maxBuildable, MAX_LEVELS, type Explosion, type ExplosionBom, type ExplosionItem,
  type ExplosionNode, type ExplosionSnapshot,
} from './explosion.js';
import { newId } from './id.js';
import type { Item } from './item.js';
import type { Page, PageRequest } from './page.js';
import type { Reader, Writer } from './ports.js';
import { DECIMALS, fitsDecimals, fromMicro, toMicro, type Micro } from './quantity.js';
import { fail, failAt, notFound, ok, type Result } from './result.js';
import { array, id, MAX_LINES, nullable, object, positiveQuantity, string, type Schema } from './schema.js';
import type { Uom } from './uom.js';

export const BOM_STATUSES = ['draft', 'active', 'obsolete'] as const;
export type BomStatus = (typeof BOM_STATUSES)[number];
export type BomAction = 'patch' | 'activate' | 'obsolete';

/**
 * The state machine: for each state, the actions it allows and where they lead. `obsolete`
 * is not asked for: it happens to the active version when another version is activated.
 * Terminal states allow nothing (a new version is a new BOM).
 */
export const BOM_TRANSITIONS: Readonly<Record<BomStatus, Partial<Record<BomAction, BomStatus>>>> = {
  draft: { patch: 'draft', activate: 'active' },
  active: { obsolete: 'obsolete' },
  obsolete: {},
};

/** Item kinds a BOM can make: the others are bought or are services. */
const MADE_KINDS = new Set(['manufactured', 'phantom']);

export interface BomComponentRecord {
  id: string;
  lineNo: number;
  itemId: string;
  /** As written: in `uomId`, else in the component's base UOM. */
  qty: Micro;
  uomId: string | null;
  /** The quantity in the component's base UOM (exact), per batch: what the explosion uses. */
  qtyBase: Micro;
  /** Percent, in micro-units (12.5 % is 12_500_000). */
  scrapPct: Micro;
}

export interface BomRecord {
  id: string;
  itemId: string;
  /** The BOM's version number, unique per item. */
  version: number;
  status: BomStatus;
  /** The batch size the components are for. */
  outputQty: Micro;
  notes: string | null;
  components: BomComponentRecord[];
  statusHistory: Array<StatusChange<BomStatus>>;
  createdAt: string;
  updatedAt: string;
  /**
   * Counts every change (1 at creation): what `If-Match` is compared with on PATCH. A BOM's
   * `version` is its version number, so the change counter has its own name.
   */
  revision: number;
}

export interface BomComponent {
  id: string;
  lineNo: number;
  itemId: string;
  qty: number;
  uomId: string | null;
  qtyBase: number;
  scrapPct: number;
}

export interface Bom extends Omit<BomRecord, 'outputQty' | 'components'> {
  outputQty: number;
  components: BomComponent[];
}

export interface BomFilter {
  itemId?: string;
  status?: BomStatus;
}

export interface BomComponentInput {
  itemId: string;
  qty: number;
  uomId?: string | null;
  scrapPct?: number;
}

export interface BomInput {
  itemId: string;
  version?: number;
  outputQty?: number;
  notes?: string | null;
  components: BomComponentInput[];
}

export interface BomPatch {
  outputQty?: number;
  notes?: string | null;
  components?: BomComponentInput[];
}

export interface ExplosionQuery {
  qty?: number;
  levels?: number;
  facilityId?: string;
}

/** Scrap as a percent of the component quantity: 0 to 1000, exact to six decimals. */
const scrapPct: Schema = { type: 'number', minimum: 0, maximum: 1000, 'x-quantity': true };

const componentSchema: Schema = object({ itemId: id, qty: positiveQuantity, uomId: nullable(id), scrapPct }, ['itemId', 'qty']);
const components: Schema = array(componentSchema, MAX_LINES, 1);
const notes: Schema = nullable(string(0, 2000));

export const bomInputSchema: Schema = object(
  { itemId: id, version: { type: 'integer', minimum: 1, maximum: 1_000_000 }, outputQty: positiveQuantity, notes, components },
  ['itemId', 'components'],
);
export const bomPatchSchema: Schema = { ...object({ outputQty: positiveQuantity, notes, components }), minProperties: 1 };
export const explosionQuerySchema: Schema = object({
  qty: positiveQuantity,
  levels: { type: 'integer', minimum: 1, maximum: MAX_LEVELS },
  facilityId: id,
});

// --- views ---------------------------------------------------------------------------------

export function bomView(b: BomRecord): Bom {
  return {
    ...b,
    outputQty: fromMicro(b.outputQty),
    components: b.components.map((c) => ({
      id: c.id, lineNo: c.lineNo, itemId: c.itemId, qty: fromMicro(c.qty), uomId: c.uomId, qtyBase: fromMicro(c.qtyBase), scrapPct: fromMicro(c.scrapPct),
    })),
    statusHistory: b.statusHistory.map((h) => ({ ...h })),
  };
}

export async function getBom(r: Reader, id: string): Promise<Result<Bom>> {
  const b = await r.production.getBom(id);
  return b ? ok(bomView(b)) : notFound('BOM');
}

export async function listBoms(r: Reader, filter: BomFilter, page: PageRequest): Promise<Page<Bom>> {
  const p = await r.production.listBoms(filter, page);
  return { items: p.items.map(bomView), total: p.total };
}

// --- the state machine ---------------------------------------------------------------------

export function bomTransition(status: BomStatus, action: BomAction): Result<BomStatus> {
  const to = BOM_TRANSITIONS[status][action];
  if (to) return ok(to);
  const what = action === 'patch' ? `be changed (an ${status} BOM is immutable; create a new version)` : action === 'activate' ? 'be activated' : 'become obsolete';
  return fail('invalid_state', `a${status === 'draft' ? '' : 'n'} ${status} BOM cannot ${what}`);
}

// --- commands ------------------------------------------------------------------------------

const distinct = (xs: ReadonlyArray<string | null | undefined>) => [...new Set(xs.filter((x): x is string => x != null))];

/** The component lines of a BOM for `item`, checked: items exist, quantities exact in their UOMs. */
function decideComponents(
  item: Item, input: readonly BomComponentInput[], items: ReadonlyMap<string, Item>, uoms: ReadonlyMap<string, Uom>,
): Result<BomComponentRecord[]> {
  const out: BomComponentRecord[] = [];
  for (const [i, c] of input.entries()) {
    const at = `/components/${i}`;
    const component = items.get(c.itemId);
    if (!component) return notFound('item', `${at}/itemId`);
    if (component.id === item.id) return failAt('bad_request', `${at}/itemId`, `a BOM of ${item.itemNo} cannot use ${item.itemNo} itself`);
    const qty = toMicro(c.qty)!;
    const uomId = c.uomId ?? null;
    const paths = { qty: `${at}/qty`, uomId: `${at}/uomId` };
    const base = toBaseQty(component, uoms, qty, uomId, paths);
    if (!base.ok) return base;
    // The quantity as written and in the base UOM both keep to their UOMs' precision.
    const baseUom = uoms.get(component.baseUomId);
    if (uomId === null || uomId === component.baseUomId) {
      const checked = itemQuantity(component, baseUom, c.qty, `${at}/qty`);
      if (!checked.ok) return checked;
    } else if (!fitsDecimals(base.value, baseUom?.decimals ?? DECIMALS)) {
      return failAt('bad_request', `${at}/qty`, `is ${fromMicro(base.value)} in the base UOM, which takes at most ${baseUom?.decimals} decimal places`);
    }
    out.push({
      id: newId(), lineNo: i + 1, itemId: component.id, qty, uomId: uomId === component.baseUomId ? null : uomId,
      qtyBase: base.value, scrapPct: toMicro(c.scrapPct ?? 0)!,
    });
  }
  return ok(out);
}

async function catalogFor(tx: Writer, itemIds: readonly string[], uomIds: readonly (string | null | undefined)[]) {
  const items = await tx.catalog.getItems(distinct(itemIds));
  const uoms = await tx.catalog.getUoms(distinct([...items.map((i) => i.baseUomId), ...uomIds]));
  return { items: new Map(items.map((i) => [i.id, i])), uoms: new Map(uoms.map((u) => [u.id, u])) };
}

export async function createBom(tx: Writer, input: BomInput, now: string, by: Actor | null = null): Promise<Result<Bom>> {
  const { items, uoms } = await catalogFor(tx, [input.itemId, ...input.components.map((c) => c.itemId)], input.components.map((c) => c.uomId));
  const item = items.get(input.itemId);
  if (!item) return notFound('item', '/itemId');
  if (!MADE_KINDS.has(item.itemKind)) return failAt('bad_request', '/itemId', `item ${item.itemNo} is a ${item.itemKind} item: only manufactured and phantom items have BOMs`);
  const outputQty = itemQuantity(item, uoms.get(item.baseUomId), input.outputQty ?? 1, '/outputQty');
  if (!outputQty.ok) return outputQty;
  const lines = decideComponents(item, input.components, items, uoms);
  if (!lines.ok) return lines;
  let version = input.version;
  if (version === undefined) version = (await tx.production.lastBomVersion(item.id)) + 1;
  else if (await tx.production.findBom(item.id, version)) return failAt('conflict', '/version', `item ${item.itemNo} already has a BOM version ${version}`);
  const bom: BomRecord = {
    id: newId(),
    itemId: item.id,
    version,
    status: 'draft',
    outputQty: outputQty.value,
    notes: input.notes ?? null,
    components: lines.value,
    statusHistory: withChange([], null, 'draft', now, by),
    createdAt: now,
    updatedAt: now,
    revision: 1,
  };
  await tx.production.insertBom(bom);
  await recordHistory(tx, { type: 'bom', id: bom.id, number: null }, [], bom.statusHistory);
  return ok(bomView(bom));
}

/** Changes a draft: its batch size, notes, or all its components at once. */
export async function patchBom(tx: Writer, id: string, patch: BomPatch, now: string, ifMatch?: number): Promise<Result<Bom>> {
  const current = await tx.production.getBom(id);
  if (!current) return notFound('BOM');
  if (ifMatch !== undefined && ifMatch !== current.revision) return fail('conflict', `BOM is at revision ${current.revision}, not ${ifMatch}`);
  const can = bomTransition(current.status, 'patch');
  if (!can.ok) return can;
  const { items, uoms } = await catalogFor(tx, [current.itemId, ...(patch.components ?? []).map((c) => c.itemId)], (patch.components ?? []).map((c) => c.uomId));
  const item = items.get(current.itemId)!;
  let next: BomRecord = { ...current, updatedAt: now, revision: current.revision + 1 };
  if (patch.outputQty !== undefined) {
    const q = itemQuantity(item, uoms.get(item.baseUomId), patch.outputQty, '/outputQty');
    if (!q.ok) return q;
    next = { ...next, outputQty: q.value };
  }
  if (patch.notes !== undefined) next = { ...next, notes: patch.notes };
  if (patch.components !== undefined) {
    const lines = decideComponents(item, patch.components, items, uoms);
    if (!lines.ok) return lines;
    next = { ...next, components: lines.value };
  }
  await tx.production.updateBom(next, patch.components !== undefined);
  return ok(bomView(next));
}

/**
 * Activates a draft: refused (409 conflict, naming the cycle) when its explosion would reach
 * its own item through the active BOMs at any depth; the item's active version, if any,
 * becomes obsolete in the same unit. Activations take one lock first (on PostgreSQL), so two
 * hosts cannot close a cycle between them, each activating one half.
 */
export async function activateBom(tx: Writer, id: string, now: string, by: Actor | null = null): Promise<Result<Bom>> {
  await tx.production.lockBomGraph();
  const bom = await tx.production.getBom(id);
  if (!bom) return notFound('BOM');
  const to = bomTransition(bom.status, 'activate');
  if (!to.ok) return to;
  const graph = await loadBomGraph(tx, [bom.itemId], bom.components.map((c) => c.itemId));
  const cycle = findCycle(bom, graph.activeBoms);
  if (cycle) return cycleRefusal(graph.items, cycle);
  const [previous] = await tx.production.getActiveBoms([bom.itemId]);
  if (previous && previous.id !== bom.id) {
    const locked = await tx.production.getBom(previous.id);
    if (locked && locked.status === 'active') {
      const obsolete: BomRecord = {
        ...locked,
        status: 'obsolete',
        statusHistory: withChange(locked.statusHistory, 'active', 'obsolete', now, by),
        updatedAt: now,
        revision: locked.revision + 1,
      };
      await tx.production.updateBom(obsolete, false);
      await recordHistory(tx, { type: 'bom', id: obsolete.id, number: null }, locked.statusHistory, obsolete.statusHistory);
    }
  }
  const next: BomRecord = {
    ...bom,
    status: to.value,
    statusHistory: withChange(bom.statusHistory, bom.status, to.value, now, by),
    updatedAt: now,
    revision: bom.revision + 1,
  };
  await tx.production.updateBom(next, false);
  await recordHistory(tx, { type: 'bom', id: next.id, number: null }, bom.statusHistory, next.statusHistory);
  return ok(bomView(next));
}

// --- loading what an explosion needs -------------------------------------------------------

export interface BomGraph {
  /** Every item reached, and the items asked for. */
  items: Map<string, Item>;
  uoms: Map<string, Uom>;
  /** The active BOM of every item reached that has one. */
  activeBoms: Map<string, BomRecord>;
}

/**
 * Loads `items`, every active BOM reachable from `roots` (one recursive read, in one snapshot),
 * every item those BOMs name, and the base UOMs of all: four set-based reads, whatever the
 * number of nodes or levels.
 */
export async function loadBomGraph(r: Reader, items: readonly string[], roots: readonly string[]): Promise<BomGraph> {
  const boms = await r.production.getActiveBomGraph(distinct(roots));
  const ids = distinct([...items, ...roots, ...boms.flatMap((b) => b.components.map((c) => c.itemId))]);
  const loaded = await r.catalog.getItems(ids);
  const uoms = await r.catalog.getUoms(distinct(loaded.map((i) => i.baseUomId)));
  return {
    items: new Map(loaded.map((i) => [i.id, i])),
    uoms: new Map(uoms.map((u) => [u.id, u])),
    activeBoms: new Map(boms.map((b) => [b.itemId, b])),
  };
}

export function explosionBom(b: BomRecord): ExplosionBom {
  return {
    id: b.id, itemId: b.itemId, version: b.version, outputQty: b.outputQty,
    components: b.components.map((c) => ({ itemId: c.itemId, qtyBase: c.qtyBase, scrapPct: c.scrapPct })),
  };
}

/** The pure explosion's snapshot from a loaded graph. */
export function explosionSnapshot(g: BomGraph): ExplosionSnapshot {
  const items = new Map<string, ExplosionItem>();
  for (const i of g.items.values()) {
    items.set(i.id, { id: i.id, itemNo: i.itemNo, itemKind: i.itemKind, baseUomId: i.baseUomId, decimals: g.uoms.get(i.baseUomId)?.decimals ?? DECIMALS });
  }
  const activeBoms = new Map<string, ExplosionBom>();
  for (const [itemId, b] of g.activeBoms) activeBoms.set(itemId, explosionBom(b));
  return { items, activeBoms };
}

// --- the explosion route ---------------------------------------------------------------------

export interface FlatRequirementView {
  itemId: string;
  itemNo: string;
  itemKind: string;
  uomId: string;
  qty: number;
  roundedUp: boolean;
  /** Whether the item is ever taken from stock (services and phantoms are not). */
  holdsStock: boolean;
  /** With facilityId: on hand in available statuses, less promised, and what is missing. */
  onHand?: number;
  available?: number;
  shortfall?: number;
}

export interface ExplosionView {
  bomId: string;
  itemId: string;
  itemNo: string;
  bomVersion: number;
  bomStatus: BomStatus;
  outputQty: number;
  qty: number;
  levels: number | null;
  nodes: number;
  tree: ExplosionNode[];
  flattened: FlatRequirementView[];
  /** With facilityId: the facility, and the most of the item its available stock can build. */
  facilityId?: string;
  maxBuildable?: number | null;
}

/**
 * `GET .../boms/{id}/explosion`: the tree through active BOMs for `qty` (default one batch),
 * the flattened requirement per item, and with `facilityId` the stock of each flattened item
 * there (on hand, available, shortfall) and the most of the BOM's item buildable from it.
 */
export async function explodeBom(r: Reader, id: string, query: ExplosionQuery, now: string): Promise<Result<ExplosionView>> {
  const bom = await r.production.getBom(id);
  if (!bom) return notFound('BOM');
  if (query.facilityId !== undefined && !(await r.facilities.getFacility(query.facilityId))) return notFound('facility', '/query/facilityId');
  const graph = await loadBomGraph(r, [bom.itemId], bom.components.map((c) => c.itemId));
  const item = graph.items.get(bom.itemId)!;
  const decimals = graph.uoms.get(item.baseUomId)?.decimals ?? DECIMALS;
  const qty = query.qty === undefined ? bom.outputQty : toMicro(query.qty)!;
  if (!fitsDecimals(qty, decimals)) return failAt('bad_request', '/query/qty', `takes at most ${decimals} decimal places`);
  const snapshot = explosionSnapshot(graph);
  const root = explosionBom(bom);
  const levels = query.levels ?? null;
  const e = explode(snapshot, root, qty, { levels });
  if (!e.ok) return e;
  const view = baseView(bom, item, e.value);
  if (query.facilityId === undefined) return ok(view);
  const stocked = e.value.flattened.filter((f) => holdsStock(f.itemKind));
  const stock = new Map((await r.production.facilityStock(stocked.map((f) => f.itemId), query.facilityId, now)).map((s) => [s.itemId, s]));
  const available = new Map<string, Micro>();
  const needed = new Map(e.value.flattened.map((f) => [f.itemId, f.qty]));
  for (const f of view.flattened) {
    if (!f.holdsStock) continue;
    const s = stock.get(f.itemId);
    const onHand = s?.onHand ?? 0;
    const free = Math.max(0, onHand - (s?.promised ?? 0)) as Micro;
    available.set(f.itemId, free);
    const need = needed.get(f.itemId)!;
    Object.assign(f, { onHand: fromMicro(onHand), available: fromMicro(free), shortfall: fromMicro(Math.max(0, need - free)) });
  }
  const step = 10 ** (DECIMALS - decimals) as Micro;
  const most = maxBuildable(snapshot, root, available, levels, step);
  return ok({ ...view, facilityId: query.facilityId, maxBuildable: most === null ? null : fromMicro(most) });
}

const holdsStock = (kind: string) => kind !== 'service' && kind !== 'phantom';

function baseView(bom: BomRecord, item: Item, e: Explosion): ExplosionView {
  return {
    bomId: bom.id,
    itemId: bom.itemId,
    itemNo: item.itemNo,
    bomVersion: bom.version,
    bomStatus: bom.status,
    outputQty: fromMicro(bom.outputQty),
    qty: fromMicro(e.qty),
    levels: e.levels,
    nodes: e.nodes,
    tree: e.tree,
    flattened: e.flattened.map((f) => ({
      itemId: f.itemId, itemNo: f.itemNo, itemKind: f.itemKind, uomId: f.uomId, qty: fromMicro(f.qty), roundedUp: f.roundedUp,
      holdsStock: holdsStock(f.itemKind),
    })),
  };
}
