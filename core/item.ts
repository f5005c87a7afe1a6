// Items: the catalog's stock-keeping units. An item keeps its quantities in one base UOM;
// other UOMs convert through exact factors. Identifiers (barcodes, GTINs, SKUs) find an
// item by scan; each identifier belongs to at most one item.
import { newId } from './id.js';
import { COST_METHODS, type CostMethod } from './valuation.js';
import type { Writer } from './ports.js';
import { toMicro } from './quantity.js';
import { fail, failAt, notFound, ok, type Detail, type Result } from './result.js';
import {
  array, boolean, id, NO_NUL, nullable, object, oneOf, positiveQuantity, string, type Schema,
} from './schema.js';

export const ITEM_KINDS = ['purchased', 'manufactured', 'phantom', 'service'] as const;
export const TRACKING = ['none', 'tracked'] as const;
export const IDENTIFIER_TYPES = ['gtin', 'upc', 'ean', 'sku', 'mpn', 'barcode'] as const;

export type ItemKind = (typeof ITEM_KINDS)[number];
export type Tracking = (typeof TRACKING)[number];
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

export interface Identifier {
  type: IdentifierType;
  value: string;
}

export interface UomConversion {
  uomId: string;
  /** Base units in one `uomId`: a box of 12 has factor 12. */
  factor: number;
}

export type AttributeValue = string | number | boolean;

export interface Item {
  id: string;
  itemNo: string;
  name: string;
  description: string | null;
  itemKind: ItemKind;
  baseUomId: string;
  lotTracking: Tracking;
  serialTracking: Tracking;
  expiryTracking: Tracking;
  isActive: boolean;
  /** How its stock is valued; changes only while the item has no stock anywhere. */
  costMethod: CostMethod;
  identifiers: Identifier[];
  attributes: Record<string, AttributeValue>;
  uomConversions: UomConversion[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ItemInput {
  itemNo: string;
  name: string;
  itemKind: ItemKind;
  baseUomId: string;
  description?: string | null;
  lotTracking?: Tracking;
  serialTracking?: Tracking;
  expiryTracking?: Tracking;
  isActive?: boolean;
  costMethod?: CostMethod;
  identifiers?: Identifier[];
  attributes?: Record<string, AttributeValue>;
  uomConversions?: UomConversion[];
}

export type ItemPatch = Partial<ItemInput>;

export interface ItemFilter {
  q?: string;
  identifier?: string;
  itemKind?: ItemKind;
  isActive?: boolean;
}

const itemFields: Record<string, Schema> = {
  itemNo: string(1, 64, { pattern: '^[^\\s\\u0000]([^\\u0000]*[^\\s\\u0000])?$' }),
  name: string(1, 200),
  description: nullable(string(0, 4000)),
  itemKind: oneOf(ITEM_KINDS),
  baseUomId: id,
  lotTracking: oneOf(TRACKING),
  serialTracking: oneOf(TRACKING),
  expiryTracking: oneOf(TRACKING),
  isActive: boolean,
  costMethod: oneOf(COST_METHODS),
  identifiers: array(object({ type: oneOf(IDENTIFIER_TYPES), value: string(1, 128) }, ['type', 'value']), 50),
  attributes: {
    type: 'object',
    maxProperties: 100,
    propertyNames: { minLength: 1, maxLength: 64, pattern: NO_NUL },
    additionalProperties: { anyOf: [string(0, 1000), { type: 'number' }, boolean] },
  },
  uomConversions: array(object({ uomId: id, factor: positiveQuantity }, ['uomId', 'factor']), 50),
};

export const itemInputSchema: Schema = object(itemFields, ['itemNo', 'name', 'itemKind', 'baseUomId']);
export const itemPatchSchema: Schema = { ...object(itemFields), minProperties: 1 };

const STOCK_RULES = ['baseUomId', 'lotTracking', 'serialTracking', 'expiryTracking'] as const;

export async function createItem(tx: Writer, input: ItemInput, now: string): Promise<Result<Item>> {
  const item: Item = {
    id: newId(),
    itemNo: input.itemNo,
    name: input.name,
    description: input.description ?? null,
    itemKind: input.itemKind,
    baseUomId: input.baseUomId,
    lotTracking: input.lotTracking ?? 'none',
    serialTracking: input.serialTracking ?? 'none',
    expiryTracking: input.expiryTracking ?? 'none',
    isActive: input.isActive ?? true,
    costMethod: input.costMethod ?? 'moving_average',
    identifiers: input.identifiers ?? [],
    attributes: input.attributes ?? {},
    uomConversions: input.uomConversions ?? [],
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const refused = await checkItem(tx, item, null);
  if (refused) return refused;
  await tx.catalog.insertItem(item);
  return ok(item);
}

export async function updateItem(
  tx: Writer, itemId: string, patch: ItemPatch, now: string, ifMatch?: number,
): Promise<Result<Item>> {
  const current = await tx.catalog.getItem(itemId);
  if (!current) return notFound('item');
  if (ifMatch !== undefined && ifMatch !== current.version) {
    return fail('conflict', `item is at version ${current.version}, not ${ifMatch}`);
  }
  const next: Item = { ...current, ...withoutUndefined(patch), updatedAt: now, version: current.version + 1 };
  const refused = await checkItem(tx, next, current);
  if (refused) return refused;
  await tx.catalog.updateItem(next);
  return ok(next);
}

/** The ladder of checks for a new or changed item: shape, then references, then clashes. */
async function checkItem(tx: Writer, item: Item, before: Item | null): Promise<Result<never> | null> {
  const shape = checkShape(item);
  if (shape) return shape;
  if (!(await tx.catalog.getUom(item.baseUomId))) return notFound('base UOM', '/baseUomId');
  for (const [i, c] of item.uomConversions.entries()) {
    if (!(await tx.catalog.getUom(c.uomId))) return notFound('UOM', `/uomConversions/${i}/uomId`);
  }
  const fixed = before ? STOCK_RULES.find((f) => before[f] !== item[f]) : undefined;
  if (fixed && (await tx.ledger.itemHasHistory(item.id))) {
    // Past postings are in the base UOM under the tracking rules of their day; changing
    // either would make the ledger mean something else.
    return failAt('conflict', `/${fixed}`, `${fixed} cannot change once the item has ledger history`);
  }
  if (before && before.costMethod !== item.costMethod && (await tx.ledger.itemHasStock(item.id))) {
    // Stock on hand was valued under the old method (average or layers); switching would
    // leave it with a value the new method cannot account for.
    return failAt('conflict', '/costMethod', 'costMethod can change only while the item has no stock');
  }
  const sameNo = await tx.catalog.findItemByNo(item.itemNo);
  if (sameNo && sameNo.id !== item.id) {
    return failAt('conflict', '/itemNo', `an item with itemNo ${item.itemNo} already exists`);
  }
  const owners = await tx.catalog.findIdentifierOwners(item.identifiers);
  const clash = owners.find((o) => o.itemId !== item.id);
  if (clash) {
    const i = item.identifiers.findIndex((x) => x.type === clash.type && x.value === clash.value);
    return failAt('conflict', `/identifiers/${i}/value`, `identifier ${clash.type} ${clash.value} belongs to another item`);
  }
  return null;
}

function checkShape(item: Item): Result<never> | null {
  const details: Detail[] = [];
  if (item.expiryTracking === 'tracked' && item.lotTracking !== 'tracked') {
    details.push({ path: '/expiryTracking', message: 'expiry is kept per lot, so it needs lotTracking tracked' });
  }
  if (item.itemKind === 'service' && (item.lotTracking === 'tracked' || item.serialTracking === 'tracked')) {
    details.push({ path: '/itemKind', message: 'a service item holds no stock and cannot be lot or serial tracked' });
  }
  const seen = new Set<string>();
  item.identifiers.forEach((x, i) => {
    const key = `${x.type}\u0000${x.value}`;
    if (seen.has(key)) details.push({ path: `/identifiers/${i}`, message: 'is listed twice' });
    seen.add(key);
  });
  const uoms = new Set<string>();
  item.uomConversions.forEach((c, i) => {
    if (c.uomId === item.baseUomId) details.push({ path: `/uomConversions/${i}/uomId`, message: 'is the base UOM' });
    if (uoms.has(c.uomId)) details.push({ path: `/uomConversions/${i}/uomId`, message: 'is listed twice' });
    if (toMicro(c.factor) === null || c.factor <= 0) details.push({ path: `/uomConversions/${i}/factor`, message: 'must be a positive exact quantity' });
    uoms.add(c.uomId);
  });
  return details.length ? fail('bad_request', details.map((d) => `${d.path} ${d.message}`).join('; '), details) : null;
}

function withoutUndefined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
