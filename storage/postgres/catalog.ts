import type { Identifier, Item, ItemFilter } from '../../core/item.js';
import type { Page, PageRequest } from '../../core/page.js';
import type { CatalogWriter } from '../../core/ports.js';
import { fromMicro, toMicro } from '../../core/quantity.js';
import type { Uom } from '../../core/uom.js';
import { page, searchTerms, storable, Where, type Sql } from './sql.js';

interface ItemRow {
  id: string;
  item_no: string;
  name: string;
  description: string | null;
  item_kind: Item['itemKind'];
  base_uom_id: string;
  lot_tracking: Item['lotTracking'];
  serial_tracking: Item['serialTracking'];
  expiry_tracking: Item['expiryTracking'];
  is_active: boolean;
  cost_method: Item['costMethod'];
  identifiers: string;
  attributes: string;
  uom_conversions: string;
  created_at: string;
  updated_at: string;
  version: number;
}

const UOM_COLUMNS = 'SELECT id, code, name, decimals, created_at AS "createdAt"';
const UOM = `${UOM_COLUMNS} FROM uoms`;
const ITEM_COLUMNS = `SELECT id, item_no, name, description, item_kind, base_uom_id, lot_tracking, serial_tracking,
  expiry_tracking, is_active, cost_method, identifiers, attributes, uom_conversions, created_at, updated_at, version`;
const ITEM = `${ITEM_COLUMNS} FROM items`;

export class PgCatalog implements CatalogWriter {
  constructor(private readonly sql: Sql) {}

  async getUom(id: string): Promise<Uom | null> {
    return (await this.sql.rows<Uom>(`${UOM} WHERE id = ?`, [id]))[0] ?? null;
  }

  async getUoms(all: readonly string[]): Promise<Uom[]> {
    const ids = all.filter(storable);
    if (ids.length === 0) return [];
    return this.sql.rows<Uom>(`${UOM} WHERE id = ANY(?::text[])`, [ids]);
  }

  async findUomByCode(code: string): Promise<Uom | null> {
    return (await this.sql.rows<Uom>(`${UOM} WHERE code = ?`, [code]))[0] ?? null;
  }

  async listUoms(p: PageRequest): Promise<Page<Uom>> {
    return page(this.sql, UOM_COLUMNS, 'FROM uoms', '', [], 'code', p);
  }

  /**
   * Inside a write unit the item is locked FOR UPDATE: a command that reads an item to change
   * it (PATCH with If-Match) holds it until it commits, so no update is lost between hosts.
   */
  async getItem(id: string): Promise<Item | null> {
    const lock = this.sql.unit ? ' FOR UPDATE' : '';
    const row = (await this.sql.rows<ItemRow>(`${ITEM} WHERE id = ?${lock}`, [id]))[0];
    return row ? toItem(row) : null;
  }

  /**
   * The items of a posting. Inside a write unit they are locked FOR SHARE, in id order: a
   * concurrent change of an item's UOM or tracking waits for the posting, and the posting
   * for it, so a decision never runs on an item that is changing under it.
   */
  async getItems(all: readonly string[]): Promise<Item[]> {
    const ids = all.filter(storable);
    if (ids.length === 0) return [];
    const lock = this.sql.unit ? ' ORDER BY id FOR SHARE' : '';
    return (await this.sql.rows<ItemRow>(`${ITEM} WHERE id = ANY(?::text[])${lock}`, [ids])).map(toItem);
  }

  async findItemByNo(itemNo: string): Promise<Item | null> {
    const row = (await this.sql.rows<ItemRow>(`${ITEM} WHERE item_no = ?`, [itemNo]))[0];
    return row ? toItem(row) : null;
  }

  async findIdentifierOwners(all: readonly Identifier[]) {
    const identifiers = all.filter((i) => storable(i.type) && storable(i.value));
    if (identifiers.length === 0) return [];
    return this.sql.rows<Identifier & { itemId: string }>(`SELECT i.item_id AS "itemId", i.type, i.value
      FROM item_identifiers i JOIN unnest(?::text[], ?::text[]) AS k (type, value) ON i.type = k.type AND i.value = k.value`,
    [identifiers.map((i) => i.type), identifiers.map((i) => i.value)]);
  }

  async listItems(filter: ItemFilter, p: PageRequest): Promise<Page<Item>> {
    const w = new Where();
    for (const term of filter.q ? searchTerms(filter.q) : []) w.add("search_text LIKE ? ESCAPE '\\'", term);
    w.add('id IN (SELECT item_id FROM item_identifiers WHERE value = ?)', filter.identifier)
      .add('item_kind = ?', filter.itemKind)
      .add('is_active = ?', filter.isActive);
    const result = await page<ItemRow>(this.sql, ITEM_COLUMNS, 'FROM items', w.sql, w.args, 'item_no', p);
    return { items: result.items.map(toItem), total: result.total };
  }

  async insertUom(uom: Uom): Promise<void> {
    await this.sql.rows('INSERT INTO uoms (id, code, name, decimals, created_at) VALUES (?, ?, ?, ?, ?)',
      [uom.id, uom.code, uom.name, uom.decimals, uom.createdAt]);
  }

  async insertItem(item: Item): Promise<void> {
    const r = toRow(item);
    await this.sql.rows(`INSERT INTO items (id, item_no, name, description, item_kind, base_uom_id, lot_tracking,
      serial_tracking, expiry_tracking, is_active, cost_method, identifiers, attributes, uom_conversions, created_at,
      updated_at, version, search_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      r.id, r.item_no, r.name, r.description, r.item_kind, r.base_uom_id, r.lot_tracking, r.serial_tracking,
      r.expiry_tracking, r.is_active, r.cost_method, r.identifiers, r.attributes, r.uom_conversions, r.created_at, r.updated_at,
      r.version, searchText(item),
    ]);
    await this.insertIdentifiers(item);
  }

  async updateItem(item: Item): Promise<void> {
    const r = toRow(item);
    await this.sql.rows(`UPDATE items SET item_no = ?, name = ?, description = ?, item_kind = ?, base_uom_id = ?,
      lot_tracking = ?, serial_tracking = ?, expiry_tracking = ?, is_active = ?, cost_method = ?, identifiers = ?, attributes = ?,
      uom_conversions = ?, updated_at = ?, version = ?, search_text = ? WHERE id = ?`, [
      r.item_no, r.name, r.description, r.item_kind, r.base_uom_id, r.lot_tracking, r.serial_tracking,
      r.expiry_tracking, r.is_active, r.cost_method, r.identifiers, r.attributes, r.uom_conversions, r.updated_at, r.version,
      searchText(item), r.id,
    ]);
    await this.sql.rows('DELETE FROM item_identifiers WHERE item_id = ?', [item.id]);
    await this.insertIdentifiers(item);
  }

  private async insertIdentifiers(item: Item): Promise<void> {
    if (item.identifiers.length === 0) return;
    await this.sql.rows(`INSERT INTO item_identifiers (item_id, type, value)
      SELECT ?, k.type, k.value FROM unnest(?::text[], ?::text[]) AS k (type, value)`,
    [item.id, item.identifiers.map((i) => i.type), item.identifiers.map((i) => i.value)]);
  }
}

/** What `q` searches: item number, name and identifier values, lower-cased in JavaScript (full Unicode, as on SQLite). */
function searchText(item: Item): string {
  return [item.itemNo, item.name, ...item.identifiers.map((i) => i.value)].join(' \u0001 ').toLowerCase();
}

function toItem(r: ItemRow): Item {
  return {
    id: r.id,
    itemNo: r.item_no,
    name: r.name,
    description: r.description,
    itemKind: r.item_kind,
    baseUomId: r.base_uom_id,
    lotTracking: r.lot_tracking,
    serialTracking: r.serial_tracking,
    expiryTracking: r.expiry_tracking,
    costMethod: r.cost_method,
    isActive: r.is_active,
    identifiers: JSON.parse(r.identifiers),
    attributes: JSON.parse(r.attributes),
    uomConversions: (JSON.parse(r.uom_conversions) as Array<{ uomId: string; factor: number }>)
      .map((c) => ({ uomId: c.uomId, factor: fromMicro(c.factor) })),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

function toRow(i: Item): ItemRow {
  return {
    id: i.id,
    item_no: i.itemNo,
    name: i.name,
    description: i.description,
    item_kind: i.itemKind,
    base_uom_id: i.baseUomId,
    lot_tracking: i.lotTracking,
    serial_tracking: i.serialTracking,
    expiry_tracking: i.expiryTracking,
    cost_method: i.costMethod,
    is_active: i.isActive,
    identifiers: JSON.stringify(i.identifiers),
    attributes: JSON.stringify(i.attributes),
    // Factors are stored in micro-units, exact integers, like every other quantity.
    uom_conversions: JSON.stringify(i.uomConversions.map((c) => ({ uomId: c.uomId, factor: toMicro(c.factor) }))),
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    version: i.version,
  };
}
