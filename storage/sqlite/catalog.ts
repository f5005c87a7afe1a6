import type { Identifier, Item, ItemFilter } from '../../core/item.js';
import type { Page, PageRequest } from '../../core/page.js';
import type { CatalogWriter } from '../../core/ports.js';
import { fromMicro, toMicro } from '../../core/quantity.js';
import type { Uom } from '../../core/uom.js';
import type { Statements } from './database.js';
import { RecordCache } from './cache.js';
import { page, searchClause, uniqueViolations, Where } from './sql.js';

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
  is_active: number;
  cost_method: Item['costMethod'];
  identifiers: string;
  attributes: string;
  uom_conversions: string;
  created_at: string;
  updated_at: string;
  version: number;
}

const UOM_COLUMNS = 'SELECT id, code, name, decimals, created_at AS createdAt';
const UOM = `${UOM_COLUMNS} FROM uoms`;

const UOM_BY_ID = `${UOM} WHERE id = ?`;
const ITEM_BY_ID = 'SELECT * FROM items WHERE id = ?';

export class SqliteCatalog implements CatalogWriter {
  private readonly uoms = new RecordCache<Uom>();
  private readonly items = new RecordCache<Item>();
  private readonly loadUom = (id: string) => this.sql.get(UOM_BY_ID).get(id) as Uom | undefined;
  private readonly loadItem = (id: string) => {
    const row = this.sql.get(ITEM_BY_ID).get(id) as ItemRow | undefined;
    return row ? toItem(row) : undefined;
  };

  constructor(private readonly sql: Statements) {}

  /** Forgets cached records: the store calls it when a write unit rolls back. */
  forgetCached(): void {
    this.uoms.clear();
    this.items.clear();
  }

  async getUom(id: string): Promise<Uom | null> {
    return this.uoms.get(id, this.loadUom) ?? null;
  }

  async getUoms(ids: readonly string[]): Promise<Uom[]> {
    return ids.map((id) => this.uoms.get(id, this.loadUom)).filter((u): u is Uom => u !== undefined);
  }

  async findUomByCode(code: string): Promise<Uom | null> {
    return (this.sql.get(`${UOM} WHERE code = ?`).get(code) as Uom | undefined) ?? null;
  }

  async listUoms(p: PageRequest): Promise<Page<Uom>> {
    return page(this.sql, UOM_COLUMNS, 'FROM uoms', '', [], 'code', p);
  }

  async getItem(id: string): Promise<Item | null> {
    return this.items.get(id, this.loadItem) ?? null;
  }

  async getItems(ids: readonly string[]): Promise<Item[]> {
    return ids.map((id) => this.items.get(id, this.loadItem)).filter((i): i is Item => i !== undefined);
  }

  async findItemByNo(itemNo: string): Promise<Item | null> {
    const row = this.sql.get('SELECT * FROM items WHERE item_no = ?').get(itemNo) as ItemRow | undefined;
    return row ? toItem(row) : null;
  }

  async findIdentifierOwners(identifiers: readonly Identifier[]) {
    const s = this.sql.get('SELECT item_id AS itemId, type, value FROM item_identifiers WHERE type = ? AND value = ?');
    return identifiers.flatMap((i) => (s.all(i.type, i.value) as Array<Identifier & { itemId: string }>));
  }

  async listItems(filter: ItemFilter, p: PageRequest): Promise<Page<Item>> {
    const search = filter.q ? searchClause(filter.q) : undefined;
    const w = new Where()
      .add(`id IN (SELECT item_id FROM items_fts WHERE ${search?.sql})`, ...(search?.args ?? [undefined]))
      .add('id IN (SELECT item_id FROM item_identifiers WHERE value = ?)', filter.identifier)
      .add('item_kind = ?', filter.itemKind)
      .add('is_active = ?', filter.isActive === undefined ? undefined : Number(filter.isActive));
    const result = await page<ItemRow>(this.sql, 'SELECT *', 'FROM items', w.sql, w.args, 'item_no', p);
    return { items: result.items.map(toItem), total: result.total };
  }

  async insertUom(uom: Uom): Promise<void> {
    uniqueViolations(() => this.sql.get('INSERT INTO uoms (id, code, name, decimals, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(uom.id, uom.code, uom.name, uom.decimals, uom.createdAt));
  }

  async insertItem(item: Item): Promise<void> {
    uniqueViolations(() => {
      this.sql.get(`INSERT INTO items (id, item_no, name, description, item_kind, base_uom_id, lot_tracking,
        serial_tracking, expiry_tracking, is_active, cost_method, identifiers, attributes, uom_conversions, created_at,
        updated_at, version) VALUES (@id, @item_no, @name, @description, @item_kind, @base_uom_id, @lot_tracking,
        @serial_tracking, @expiry_tracking, @is_active, @cost_method, @identifiers, @attributes, @uom_conversions, @created_at,
        @updated_at, @version)`).run(toRow(item));
      this.indexItem(item);
    });
  }

  async updateItem(item: Item): Promise<void> {
    uniqueViolations(() => {
      this.sql.get(`UPDATE items SET item_no = @item_no, name = @name, description = @description,
        item_kind = @item_kind, base_uom_id = @base_uom_id, lot_tracking = @lot_tracking,
        serial_tracking = @serial_tracking, expiry_tracking = @expiry_tracking, is_active = @is_active, cost_method = @cost_method,
        identifiers = @identifiers, attributes = @attributes, uom_conversions = @uom_conversions,
        updated_at = @updated_at, version = @version WHERE id = @id`).run(toRow(item));
      this.items.set(item.id, structuredClone(item));
      this.sql.get('DELETE FROM item_identifiers WHERE item_id = ?').run(item.id);
      this.sql.get('DELETE FROM items_fts WHERE item_id = ?').run(item.id);
      this.indexItem(item);
    });
  }

  private indexItem(item: Item): void {
    const ident = this.sql.get('INSERT INTO item_identifiers (item_id, type, value) VALUES (?, ?, ?)');
    for (const i of item.identifiers) ident.run(item.id, i.type, i.value);
    const text = [item.itemNo, item.name, ...item.identifiers.map((i) => i.value)].join(' \u0001 ').toLowerCase();
    this.sql.get('INSERT INTO items_fts (item_id, text) VALUES (?, ?)').run(item.id, text);
  }
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
    isActive: r.is_active === 1,
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
    is_active: i.isActive ? 1 : 0,
    identifiers: JSON.stringify(i.identifiers),
    attributes: JSON.stringify(i.attributes),
    // Factors are stored in micro-units, exact integers, like every other quantity.
    uom_conversions: JSON.stringify(i.uomConversions.map((c) => ({ uomId: c.uomId, factor: toMicro(c.factor) }))),
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    version: i.version,
  };
}
