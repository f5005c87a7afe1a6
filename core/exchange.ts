// The CSV exchange formats: one per kind of master data, plus opening balances. A file is a
// header row and one record per row. Importing runs every row through the same command the
// API runs (createItem, createParty, postAdjustment, ...), all in one write unit: the first
// row a command refuses is reported with its line, and then nothing of the file is written.
// Exporting writes the same columns, so an export imports again into an empty database.
// References are by code (a UOM, facility, location or item number), never by id, so a file
// can be written by hand or moved between databases.
import { runCommand } from './command.js';
import { formatCsv, parseCsv } from './csv.js';
import { createFacility, facilityInputSchema } from './facility.js';
import { createItem, itemInputSchema, type Item } from './item.js';
import { createLocation, locationInputSchema, TRANSIT_CODE } from './location.js';
import { adjustmentInputSchema, postAdjustment } from './adjustment.js';
import type { Page, PageRequest } from './page.js';
import { createParty, PARTY_SCHEMAS, type PartyKind } from './party.js';
import type { Reader, Store, Writer } from './ports.js';
import { fail, ok, type Failure, type Result } from './result.js';
import type { Schema } from './schema.js';
import { createUom, uomInputSchema } from './uom.js';
import { validator } from './validate.js';

export const EXCHANGE_KINDS = ['uoms', 'facilities', 'locations', 'items', 'suppliers', 'customers', 'balances'] as const;
export type ExchangeKind = (typeof EXCHANGE_KINDS)[number];

/** The reason opening balances are posted with: the ledger says where the stock came from. */
export const OPENING_REASON = 'opening balance';

/** A row as the header names its cells; empty cells are left out (the field's default). */
type Row = Record<string, string>;

interface Format {
  columns: readonly string[];
  required: readonly string[];
  /** Runs the row's command in the import's write unit. */
  apply(tx: Writer, row: Row, now: string): Promise<Result<unknown>>;
  /** Every record, as cells in `columns` order. */
  rows(r: Reader): Promise<string[][]>;
}

/** A list read to the end, a page of the most the ports serve at a time. */
async function all<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await list({ limit: 1000, offset });
    out.push(...page.items);
    if (page.items.length < 1000) return out;
  }
}

/** A row checked against the command's own schema, text cells coerced as the query string is. */
function checked<T>(schema: Schema, input: Record<string, unknown>): Result<T> {
  return validator<T>(schema, { coerce: true })(input);
}

const cell = (v: string | number | boolean | null | undefined): string => (v === null || v === undefined ? '' : String(v));

/** `a|b|c`: several values in one cell (identifiers, conversions, serial numbers). */
const LIST = '|';
const split = (v: string | undefined) => (v === undefined ? undefined : v.split(LIST).map((s) => s.trim()).filter(Boolean));

async function uomIdOf(tx: Reader, code: string, column: string): Promise<Result<string>> {
  const uom = await tx.catalog.findUomByCode(code);
  return uom ? ok(uom.id) : fail('bad_request', `${column}: no UOM has code ${code}`);
}

async function facilityIdOf(tx: Reader, code: string | undefined): Promise<Result<string>> {
  const facility = code === undefined ? null : await tx.facilities.findFacilityByCode(code);
  return facility ? ok(facility.id) : fail('bad_request', `facility: no facility has code ${code ?? '(empty)'}`);
}

const uoms: Format = {
  columns: ['code', 'name', 'decimals'],
  required: ['code', 'name'],
  async apply(tx, row, now) {
    const input = checked<never>(uomInputSchema, row);
    return input.ok ? createUom(tx, input.value, now) : input;
  },
  async rows(r) {
    return (await all((p) => r.catalog.listUoms(p))).map((u) => [u.code, u.name, cell(u.decimals)]);
  },
};

const facilities: Format = {
  columns: ['code', 'name', 'type', 'isActive'],
  required: ['code', 'name', 'type'],
  async apply(tx, row, now) {
    const input = checked<never>(facilityInputSchema, row);
    return input.ok ? createFacility(tx, input.value, now) : input;
  },
  async rows(r) {
    return (await all((p) => r.facilities.listFacilities({}, p))).map((f) => [f.code, f.name, f.type, cell(f.isActive)]);
  },
};

/** Locations name their facility and parent by code; parents come before their children. */
const locations: Format = {
  columns: ['facility', 'code', 'name', 'parent', 'type', 'isPickable'],
  required: ['facility', 'code', 'name', 'type'],
  async apply(tx, { facility, parent, ...row }, now) {
    const facilityId = await facilityIdOf(tx, facility);
    if (!facilityId.ok) return facilityId;
    let parentId: string | undefined;
    if (parent !== undefined) {
      const found = await tx.facilities.findLocationByCode(facilityId.value, parent);
      if (!found) return fail('bad_request', `parent: facility ${facility} has no location ${parent} (list parents before their children)`);
      parentId = found.id;
    }
    const input = checked<never>(locationInputSchema, { ...row, ...(parentId ? { parentId } : {}) });
    return input.ok ? createLocation(tx, facilityId.value, input.value, now) : input;
  },
  async rows(r) {
    const out: string[][] = [];
    for (const f of await all((p) => r.facilities.listFacilities({}, p))) {
      const list = await all((p) => r.facilities.listLocations(f.id, {}, p));
      const codes = new Map(list.map((l) => [l.id, l.code]));
      // The system transit location comes with every facility; it is not imported.
      for (const l of list.filter((x) => !(x.type === 'transit' && x.code === TRANSIT_CODE))) {
        out.push([f.code, l.code, l.name, cell(l.parentId && codes.get(l.parentId)), l.type, cell(l.isPickable)]);
      }
    }
    return out;
  },
};

/** `identifiers` is `type:value|...`; `conversions` is `UOM=factor|...` (base units in one UOM). */
const items: Format = {
  columns: ['itemNo', 'name', 'itemKind', 'baseUom', 'description', 'lotTracking', 'serialTracking', 'expiryTracking', 'isActive', 'identifiers', 'conversions'],
  required: ['itemNo', 'name', 'itemKind', 'baseUom'],
  async apply(tx, { baseUom, identifiers, conversions, ...row }, now) {
    const baseUomId = await uomIdOf(tx, baseUom!, 'baseUom');
    if (!baseUomId.ok) return baseUomId;
    const input: Record<string, unknown> = { ...row, baseUomId: baseUomId.value };
    if (identifiers !== undefined) {
      input.identifiers = split(identifiers)!.map((pair) => {
        const at = pair.indexOf(':');
        return { type: pair.slice(0, Math.max(at, 0)), value: at < 0 ? pair : pair.slice(at + 1) };
      });
    }
    if (conversions !== undefined) {
      const list = [];
      for (const pair of split(conversions)!) {
        const [code, factor] = pair.split('=');
        const uomId = await uomIdOf(tx, (code ?? '').trim(), 'conversions');
        if (!uomId.ok) return uomId;
        list.push({ uomId: uomId.value, factor: (factor ?? '').trim() });
      }
      input.uomConversions = list;
    }
    const valid = checked<never>(itemInputSchema, input);
    return valid.ok ? createItem(tx, valid.value, now) : valid;
  },
  async rows(r) {
    const codes = new Map((await all((p) => r.catalog.listUoms(p))).map((u) => [u.id, u.code]));
    return (await all((p) => r.catalog.listItems({}, p))).map((i: Item) => [
      i.itemNo, i.name, i.itemKind, codes.get(i.baseUomId)!, cell(i.description), i.lotTracking, i.serialTracking, i.expiryTracking,
      cell(i.isActive), i.identifiers.map((x) => `${x.type}:${x.value}`).join(LIST),
      i.uomConversions.map((c) => `${codes.get(c.uomId)}=${c.factor}`).join(LIST),
    ]);
  },
};

function parties(kind: PartyKind): Format {
  const columns = kind === 'supplier'
    ? ['code', 'name', 'email', 'phone', 'currency', 'leadTimeDays', 'isActive']
    : ['code', 'name', 'email', 'phone', 'isActive'];
  return {
    columns,
    required: ['code', 'name'],
    async apply(tx, row, now) {
      const input = checked<never>(PARTY_SCHEMAS[kind].input, row);
      return input.ok ? createParty(tx, kind, input.value, now) : input;
    },
    async rows(r) {
      const list = await all((p) => r.parties.listParties(kind, {}, p));
      return list.map((p) => columns.map((c) => cell((p as unknown as Record<string, string | number | boolean | null>)[c])));
    },
  };
}

/**
 * Opening balances: each row posts one adjustment (reason `opening balance`) of `qty` at the
 * location, in the status (default `available`), with the lot and serial numbers the item's
 * tracking needs. The export lists the current balances in the same columns.
 */
const balances: Format = {
  columns: ['itemNo', 'facility', 'location', 'status', 'lotNo', 'expiresOn', 'qty', 'serialNos'],
  required: ['itemNo', 'facility', 'location', 'qty'],
  async apply(tx, row, now) {
    const item = await tx.catalog.findItemByNo(row.itemNo!);
    if (!item) return fail('bad_request', `itemNo: no item has number ${row.itemNo}`);
    const facilityId = await facilityIdOf(tx, row.facility);
    if (!facilityId.ok) return facilityId;
    const location = await tx.facilities.findLocationByCode(facilityId.value, row.location!);
    if (!location) return fail('bad_request', `location: facility ${row.facility} has no location ${row.location}`);
    const input = checked<never>(adjustmentInputSchema, {
      itemId: item.id, locationId: location.id, qtyDelta: row.qty, reason: OPENING_REASON,
      ...(row.status !== undefined ? { statusId: row.status } : {}),
      ...(row.lotNo !== undefined ? { lotNo: row.lotNo } : {}),
      ...(row.expiresOn !== undefined ? { expiresOn: row.expiresOn } : {}),
      ...(row.serialNos !== undefined ? { serialNos: split(row.serialNos) } : {}),
    });
    if (!input.ok) return input;
    if (Number(row.qty) <= 0) return fail('bad_request', 'qty: an opening balance is more than zero');
    return postAdjustment(tx, input.value, now);
  },
  async rows(r) {
    const facilityCodes = new Map((await all((p) => r.facilities.listFacilities({}, p))).map((f) => [f.id, f.code]));
    const locationCodes = new Map<string, string>();
    const serials = new Map<string, string[]>();
    const serialsLoaded = new Set<string>();
    const out: string[][] = [];
    for (const b of await all((p) => r.ledger.listBalances({}, p))) {
      if (!locationCodes.has(b.locationId)) locationCodes.set(b.locationId, (await r.facilities.getLocation(b.locationId))!.code);
      const item = (await r.catalog.getItem(b.itemId))!;
      let serialNos = '';
      if (item.serialTracking === 'tracked') {
        if (!serialsLoaded.has(item.id)) {
          serialsLoaded.add(item.id);
          for (const s of await r.ledger.listSerialsOnHand(item.id)) {
            const key = `${s.locationId}|${s.lotId}|${s.statusId}`;
            serials.set(key, [...(serials.get(key) ?? []), s.serialNo]);
          }
        }
        serialNos = (serials.get(`${b.locationId}|${b.lotId}|${b.statusId}`) ?? []).join(LIST);
      }
      out.push([b.itemNo, facilityCodes.get(b.facilityId)!, locationCodes.get(b.locationId)!, b.statusId, cell(b.lotNo), cell(b.expiresOn), cell(b.onHand), serialNos]);
    }
    return out;
  },
};

const FORMATS: Record<ExchangeKind, Format> = {
  uoms, facilities, locations, items, suppliers: parties('supplier'), customers: parties('customer'), balances,
};

export const exchangeColumns = (kind: ExchangeKind): readonly string[] => FORMATS[kind].columns;

/** The failure with the line it happened on in front of its message and details. */
function atLine(line: number, f: Failure): Failure {
  const details = f.details?.map((d) => ({ path: d.path, message: `line ${line}: ${d.message}` }));
  return { ...f, message: `line ${line}: ${f.message}`, ...(details ? { details } : {}) };
}

/** Checks the header: known columns, each once, the required ones present. */
function header(format: Format, fields: string[]): Result<string[]> {
  const names = fields.map((f) => f.trim());
  const unknown = names.filter((n) => !format.columns.includes(n));
  if (unknown.length) return fail('bad_request', `line 1: unknown column ${unknown.join(', ')}; the columns are ${format.columns.join(',')}`);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length) return fail('bad_request', `line 1: column ${twice[0]} appears twice`);
  const missing = format.required.filter((c) => !names.includes(c));
  if (missing.length) return fail('bad_request', `line 1: missing column ${missing.join(', ')}`);
  return ok(names);
}

/**
 * Imports one CSV text of `kind` in one write unit: the number of rows written, or the first
 * failure with its line number, and then nothing was written.
 */
export async function importCsv(store: Store, kind: ExchangeKind, text: string, now: string): Promise<Result<{ rows: number }>> {
  const format = FORMATS[kind];
  const parsed = parseCsv(text);
  if (!parsed.ok) return parsed;
  const [head, ...records] = parsed.value;
  if (!head) return fail('bad_request', 'the file is empty: it needs a header row');
  const names = header(format, head.fields);
  if (!names.ok) return names;
  return runCommand(store, async (tx) => {
    for (const record of records) {
      if (record.fields.length !== names.value.length) {
        return fail('bad_request', `line ${record.line}: ${record.fields.length} fields, the header has ${names.value.length}`);
      }
      const row: Row = {};
      names.value.forEach((name, i) => {
        const v = record.fields[i]!.trim();
        if (v !== '') row[name] = v;
      });
      const empty = format.required.find((c) => row[c] === undefined);
      if (empty) return fail('bad_request', `line ${record.line}: ${empty} is required`);
      const result = await format.apply(tx, row, now);
      if (!result.ok) return atLine(record.line, result);
    }
    return ok({ rows: records.length });
  });
}

/** Every record of `kind` as CSV text with a header row. */
export async function exportCsv(r: Reader, kind: ExchangeKind): Promise<string> {
  const format = FORMATS[kind];
  return formatCsv(format.columns, await format.rows(r));
}
