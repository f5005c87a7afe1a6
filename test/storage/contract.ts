// The storage contract: every behaviour of the ports in core/ports.ts, run against any Store.
// An adapter's test file calls `contractSuites(name, open)`; `open` must return a new, empty,
// migrated store each time (one per suite), with nothing in it but the seeded stock statuses.
// The suite talks to the ports and to the core only (post, runCommand, verifyBalances), never
// to a driver, so every adapter is held to the same behaviour. An adapter that cannot meet a
// behaviour skips it by key, with a stated reason: `{ skip: { '<area>': reason } }` skips a
// whole area, `{ skip: { '<area>: <test name>': reason } }` one test, `{ skip: { '*': reason } }`
// everything (no database to run on). A key that names no area or test is an error, so skips
// cannot go stale silently.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCommand } from '../../core/command.js';
import type { Facility } from '../../core/facility.js';
import { newId } from '../../core/id.js';
import type { IdempotencyRecord } from '../../core/idempotency.js';
import { createItem, type Identifier, type Item } from '../../core/item.js';
import type { BalanceKey, LedgerSum, Lot, TransactionType, TransactionView } from '../../core/ledger.js';
import { systemTransitLocation, type Location } from '../../core/location.js';
import type { PageRequest } from '../../core/page.js';
import { UniqueViolation, type Reader, type Store } from '../../core/ports.js';
import { post, type PostingRequest } from '../../core/posting.js';
import { fromMicro, toMicro, type Micro } from '../../core/quantity.js';
import { fail, type Result } from '../../core/result.js';
import { reverseTransaction } from '../../core/reversal.js';
import type { StoredToken } from '../../core/token.js';
import { createUom, type Uom } from '../../core/uom.js';
import { verifyBalances } from '../../core/verify.js';

export interface ContractOptions {
  /** Area name, or `<area>: <test name>`, mapped to the reason it is skipped on this adapter. */
  skip?: Record<string, string>;
}

type TestFn = (store: Store) => Promise<void>;
type Register = (name: string, fn: TestFn) => void;

// ---------------------------------------------------------------------------------------------
// Fixtures: records built in memory and written through the ports.

let serial = 0;
/** A code unique in the process: the prefix, then a zero-padded counter (sorts the same everywhere). */
const unique = (prefix: string) => `${prefix}${String(++serial).padStart(5, '0')}`;

// A clock that only moves forward, one second per reading, far from the real time.
let clockMs = Date.parse('2031-01-01T00:00:00.000Z');
const tick = (): string => new Date((clockMs += 1000)).toISOString();
const shift = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

const PAGE_ALL: PageRequest = { limit: 1000, offset: 0 };
/** "Now" for reads that count holding reservations: after every instant the fixture clock gives. */
const NOW_FAR = '2099-01-01T00:00:00.000Z';
const page = (limit: number, offset = 0): PageRequest => ({ limit, offset });

function micro(n: number): Micro {
  const m = toMicro(n);
  if (m === null) throw new Error(`${n} is not an exact quantity`);
  return m;
}

function uomRecord(over: Partial<Uom> = {}): Uom {
  return { id: newId(), code: unique('U'), name: 'Each', decimals: 0, createdAt: tick(), ...over };
}

function itemRecord(baseUomId: string, over: Partial<Item> = {}): Item {
  const now = tick();
  return {
    id: newId(),
    itemNo: unique('ITEM-'),
    name: 'Widget',
    description: null,
    itemKind: 'purchased',
    baseUomId,
    lotTracking: 'none',
    serialTracking: 'none',
    expiryTracking: 'none',
    isActive: true,
    costMethod: 'moving_average',
    identifiers: [],
    attributes: {},
    uomConversions: [],
    createdAt: now,
    updatedAt: now,
    version: 1,
    ...over,
  };
}

function facilityRecord(over: Partial<Facility> = {}): Facility {
  const now = tick();
  return { id: newId(), code: unique('WH'), name: 'Warehouse', type: 'warehouse', isActive: true, createdAt: now, updatedAt: now, version: 1, ...over };
}

function locationRecord(facilityId: string, code: string, parent: Location | null, over: Partial<Location> = {}): Location {
  return {
    id: newId(),
    facilityId,
    code,
    name: `Location ${code}`,
    parentId: parent?.id ?? null,
    type: 'bin',
    isPickable: true,
    depth: parent ? parent.depth + 1 : 0,
    path: parent ? `${parent.path}/${code}` : code,
    createdAt: tick(),
    ...over,
  };
}

function tokenRecord(over: Partial<StoredToken> = {}): StoredToken {
  return {
    id: newId(), name: 'token', permissions: ['catalog:read'], createdAt: tick(), expiresAt: null, revokedAt: null,
    hash: `${newId()}${newId()}`.replaceAll('-', ''), ...over,
  };
}

function keyRecord(over: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    tokenId: newId(), key: unique('key-'), method: 'POST', path: '/v1/inventory/adjustments', fingerprint: 'fp',
    status: 201, body: '{"data":{"id":"x","name":"Grüße ✓"}}', createdAt: tick(), ...over,
  };
}

interface World {
  uom: Uom;
  facility: Facility;
  transit: Location;
  binA: Location;
  binB: Location;
}

/** A UOM with 6 decimals, a facility with its transit location and two bins. */
async function seedWorld(store: Store): Promise<World> {
  const uom = uomRecord({ decimals: 6 });
  const facility = facilityRecord();
  const transit = systemTransitLocation(facility.id, tick());
  const binA = locationRecord(facility.id, unique('A'), null);
  const binB = locationRecord(facility.id, unique('B'), null);
  await store.write(async (tx) => {
    await tx.catalog.insertUom(uom);
    await tx.facilities.insertFacility(facility);
    for (const l of [transit, binA, binB]) await tx.facilities.insertLocation(l);
  });
  return { uom, facility, transit, binA, binB };
}

async function seedItem(store: Store, world: World, over: Partial<Item> = {}): Promise<Item> {
  const item = itemRecord(world.uom.id, over);
  await store.write((tx) => tx.catalog.insertItem(item));
  return item;
}

interface Line {
  item: Item;
  location: Location;
  qty: number;
  status?: string;
  lotNo?: string;
  lotId?: string;
  expiresOn?: string;
  serialNos?: string[];
}

function request(type: TransactionType, lines: readonly Line[], extra: Partial<PostingRequest> = {}): PostingRequest {
  return {
    type,
    reason: null,
    ...extra,
    lines: lines.map((l, i) => ({
      itemId: l.item.id,
      locationId: l.location.id,
      statusId: l.status ?? 'available',
      lotId: l.lotId ?? null,
      lotNo: l.lotNo ?? null,
      expiresOn: l.expiresOn ?? null,
      qty: micro(l.qty),
      serialNos: l.serialNos ?? [],
      at: `/lines/${i}`,
    })),
  };
}

/** One posting as its own command: load, decide, append, through the core's one posting rule. */
function posting(store: Store, type: TransactionType, lines: readonly Line[], extra: Partial<PostingRequest> = {}, now = tick()) {
  const req = request(type, lines, extra);
  return runCommand(store, (tx) => post(tx, req, now));
}

function expectOk<T>(r: Result<T>): T {
  if (!r.ok) {
    assert.unreachable(`expected success, got ${r.code}: ${r.message}`);
    throw new Error('unreachable');
  }
  return r.value;
}

function expectCode(r: Result<unknown>, code: string): void {
  assert.is(r.ok, false, 'expected a failure result');
  if (!r.ok) assert.is(r.code, code);
}

async function mustPost(store: Store, type: TransactionType, lines: readonly Line[], extra: Partial<PostingRequest> = {}, now?: string) {
  return expectOk(await posting(store, type, lines, extra, now));
}

/** The error a promise rejects with; fails the test when it resolves. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  let value: unknown;
  try {
    value = await p;
  } catch (e) {
    return e;
  }
  assert.unreachable(`expected a rejection, got ${JSON.stringify(value)}`);
  return undefined;
}

async function expectUniqueViolation(p: Promise<unknown>): Promise<void> {
  const e = await rejection(p);
  assert.ok(e instanceof UniqueViolation, `expected a UniqueViolation, got ${String(e)}`);
}

async function onHand(reader: Reader, key: BalanceKey): Promise<number> {
  const rows = await reader.ledger.getBalances([key]);
  assert.ok(rows.length <= 1, 'one balance per key');
  return rows[0] ? fromMicro(rows[0].onHand) : 0;
}

const key = (item: Item, location: Location, statusId = 'available', lotId: string | null = null): BalanceKey =>
  ({ itemId: item.id, locationId: location.id, lotId, statusId });

const byId = <T extends { id: string }>(xs: readonly T[]): T[] => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const ids = (xs: ReadonlyArray<{ id: string }>) => xs.map((x) => x.id);
const sortedStrings = (xs: readonly string[]) => [...xs].sort();

/** Every page of a list, `size` at a time, checking each page's total. */
async function allPages<T>(list: (p: PageRequest) => Promise<{ items: T[]; total: number }>, size: number): Promise<{ items: T[]; total: number }> {
  const first = await list(page(size, 0));
  const items = [...first.items];
  assert.ok(first.items.length <= size, 'a page holds at most limit rows');
  for (let offset = size; offset < first.total; offset += size) {
    const next = await list(page(size, offset));
    assert.is(next.total, first.total, 'total is the same on every page');
    assert.ok(next.items.length <= size && next.items.length > 0, 'every page up to total has rows');
    items.push(...next.items);
  }
  assert.is(items.length, first.total, 'the pages hold exactly total rows');
  return { items, total: first.total };
}

// ---------------------------------------------------------------------------------------------

export function contractSuites(name: string, open: () => Promise<Store>, options: ContractOptions = {}): void {
  const skip = options.skip ?? {};
  const used = new Set<string>();
  if (skip['*'] !== undefined) console.log(`  skip [${name}] every test: ${skip['*']}`);

  /** One uvu suite with a fresh store, opened before its first test and closed after its last. */
  function area(title: string, body: (test: Register, world: () => World) => void, seed?: (store: Store) => Promise<void>): void {
    const s = suite(`${name} ${title}`);
    const whole = skip[title] ?? skip['*'];
    if (skip[title] !== undefined) used.add(title);
    if (skip['*'] !== undefined) used.add('*');
    let store: Store | null = null;
    let world: World | null = null;
    const test: Register = (testName, fn) => {
      const k = `${title}: ${testName}`;
      const reason = whole ?? skip[k];
      if (skip[k] !== undefined) used.add(k);
      if (reason !== undefined) {
        if (skip['*'] === undefined) console.log(`  skip [${name}] ${k}: ${reason}`);
        s.skip(testName);
        return;
      }
      s(testName, async () => {
        assert.ok(store, 'the store opened');
        await fn(store);
      });
    };
    body(test, () => {
      assert.ok(world, 'the world was seeded');
      return world;
    });
    if (whole === undefined) {
      s.before(async () => {
        store = await open();
        world = await seedWorld(store);
        await seed?.(store);
      });
      s.after(async () => {
        await store?.close();
        store = null;
      });
    }
    s.run();
  }

  freshStore(area, open);
  catalogUoms(area);
  catalogItems(area);
  catalogSearch(area);
  facilities(area);
  tokens(area);
  idempotency(area);
  ledgerPostings(area);
  ledgerViews(area);
  writeUnits(area);
  concurrency(area);

  const stale = Object.keys(skip).filter((k) => !used.has(k));
  if (stale.length) throw new Error(`contractSuites(${name}): skip keys that name no area or test: ${stale.join(', ')}`);
}

type Area = (title: string, body: (test: Register, world: () => World) => void, seed?: (store: Store) => Promise<void>) => void;

// ---------------------------------------------------------------------------------------------

function freshStore(area: Area, open: () => Promise<Store>): void {
  area('store', (test) => {
    test('open gives an empty store: no records but the seeded statuses', async () => {
      const store = await open();
      try {
        await store.ping();
        const r = store.read;
        assert.equal(await r.catalog.listUoms(PAGE_ALL), { items: [], total: 0 });
        assert.equal(await r.catalog.listItems({}, PAGE_ALL), { items: [], total: 0 });
        assert.equal(await r.facilities.listFacilities({}, PAGE_ALL), { items: [], total: 0 });
        assert.is(await r.tokens.countTokens(), 0);
        assert.equal(await r.tokens.listTokens(PAGE_ALL), { items: [], total: 0 });
        assert.equal(await r.ledger.listTransactions({}, PAGE_ALL), { items: [], total: 0 });
        assert.equal(await r.ledger.listTransactions({ afterSeq: 0 }, PAGE_ALL), { items: [], total: 0 });
        assert.equal(await r.ledger.listBalances({}, PAGE_ALL), { items: [], total: 0 });
        assert.equal(await r.ledger.listAvailability({}, PAGE_ALL, NOW_FAR), { items: [], total: 0 });
        assert.equal(await r.ledger.listFacilityAvailability({}, PAGE_ALL, NOW_FAR), { items: [], total: 0 });
        assert.equal(await r.ledger.verification(), { ledger: [], balances: [], breaks: [] });
        assert.is(await r.ledger.lastPostedAt(), null);
        assert.equal(sortedStrings((await r.facilities.listStatuses()).map((s) => s.id)), ['available', 'damaged', 'quarantine']);
      } finally {
        await store.close();
      }
    });

    test('close lets units in flight finish, then refuses new ones', async () => {
      const store = await open();
      const uom = uomRecord();
      const unit = store.write(async (tx) => {
        await tx.catalog.insertUom(uom);
        await new Promise((r) => setTimeout(r, 5));
        return 'committed';
      });
      const closing = store.close();
      assert.is(await unit, 'committed');
      await closing;
      await rejection(store.write((tx) => tx.catalog.insertUom(uomRecord())));
    });

    test('two stores from the factory are independent of each other', async (store) => {
      const other = await open();
      try {
        const uom = uomRecord();
        await other.write((tx) => tx.catalog.insertUom(uom));
        assert.equal(await other.read.catalog.getUom(uom.id), uom);
        assert.is(await store.read.catalog.getUom(uom.id), null);
        assert.is(await store.read.catalog.findUomByCode(uom.code), null);
      } finally {
        await other.close();
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------

function catalogUoms(area: Area): void {
  area('catalog: uoms', (test) => {
    test('insertUom then getUom, getUoms and findUomByCode read it back exactly', async (store) => {
      const each = uomRecord({ decimals: 0, name: 'Each' });
      const kg = uomRecord({ decimals: 6, name: 'Kilogramm (µ) ✓' });
      await store.write(async (tx) => {
        await tx.catalog.insertUom(each);
        await tx.catalog.insertUom(kg);
      });
      assert.equal(await store.read.catalog.getUom(each.id), each);
      assert.equal(await store.read.catalog.getUom(kg.id), kg);
      assert.is(await store.read.catalog.getUom(newId()), null);
      assert.equal(byId(await store.read.catalog.getUoms([kg.id, newId(), each.id])), byId([each, kg]));
      assert.equal(await store.read.catalog.getUoms([]), []);
      assert.equal(await store.read.catalog.findUomByCode(kg.code), kg);
      assert.is(await store.read.catalog.findUomByCode(unique('NOPE')), null);
    });

    test('listUoms pages in code order and reports the total of all rows', async (store) => {
      const before = await store.read.catalog.listUoms(PAGE_ALL);
      const mine = Array.from({ length: 5 }, () => uomRecord());
      await store.write(async (tx) => {
        for (const u of [...mine].reverse()) await tx.catalog.insertUom(u);
      });
      const all = await store.read.catalog.listUoms(PAGE_ALL);
      assert.is(all.total, before.total + 5);
      assert.is(all.items.length, all.total);
      const codes = all.items.map((u) => u.code);
      assert.equal(codes, [...codes].sort(), 'ordered by code');
      for (const u of mine) assert.equal(all.items.find((x) => x.id === u.id), u);
      const paged = await allPages((p) => store.read.catalog.listUoms(p), 2);
      assert.equal(paged.items, all.items, 'pages of 2 give the same rows in the same order');
      const first = await store.read.catalog.listUoms(page(3));
      assert.is(first.items.length, 3);
      assert.is(first.total, all.total, 'total counts every row, not the page');
      const past = await store.read.catalog.listUoms(page(10, all.total));
      assert.equal(past, { items: [], total: all.total });
    });

  });
}

// ---------------------------------------------------------------------------------------------

function catalogItems(area: Area): void {
  area('catalog: items', (test, world) => {
    test('insertItem and getItem round-trip every field exactly', async (store) => {
      const box = uomRecord({ decimals: 0 });
      const micro = uomRecord({ decimals: 6 });
      const pallet = uomRecord({ decimals: 0 });
      const item = itemRecord(world().uom.id, {
        itemNo: unique('TBL-NOTE-'),
        name: 'Notebook table, oak — “Grüße” ✓',
        description: 'Line one\nline two with \'quotes\' and "double quotes"',
        itemKind: 'manufactured',
        lotTracking: 'tracked',
        serialTracking: 'tracked',
        expiryTracking: 'tracked',
        isActive: false,
        identifiers: [
          { type: 'gtin', value: unique('400638') },
          { type: 'sku', value: unique('SKU-') },
          { type: 'barcode', value: unique('bc ') },
        ],
        attributes: { color: 'red', weight: 0.1, count: -3, big: 123456789.123456, tiny: 0.000001, flag: false, on: true, empty: '', 'with space': 'Grüße ✓' },
        uomConversions: [
          { uomId: box.id, factor: 12.5 },
          { uomId: micro.id, factor: 0.000001 },
          { uomId: pallet.id, factor: 123456.789012 },
        ],
        createdAt: '2031-02-03T04:05:06.789Z',
        updatedAt: '2031-02-04T04:05:06.000Z',
        version: 7,
      });
      await store.write(async (tx) => {
        for (const u of [box, micro, pallet]) await tx.catalog.insertUom(u);
        await tx.catalog.insertItem(item);
      });
      const read = await store.read.catalog.getItem(item.id);
      assert.equal(read, item);
      assert.equal(read?.identifiers, item.identifiers, 'identifiers keep their order');
      assert.equal(read?.uomConversions, item.uomConversions, 'conversions keep their order and exact factors');
      assert.is(read?.uomConversions[1]?.factor, 0.000001);
      assert.is(read?.uomConversions[0]?.factor, 12.5);
      assert.is(read?.attributes.weight, 0.1);
      assert.is(read?.attributes.flag, false);
      assert.is(await store.read.catalog.getItem(newId()), null);
      // The writer's view reads the same record.
      assert.equal(await store.write((tx) => tx.catalog.getItem(item.id)), item);
    });

    test('a minimal item round-trips: null description, no identifiers, attributes or conversions', async (store) => {
      const item = itemRecord(world().uom.id);
      await store.write((tx) => tx.catalog.insertItem(item));
      const read = await store.read.catalog.getItem(item.id);
      assert.equal(read, item);
      assert.is(read?.description, null);
      assert.equal(read?.identifiers, []);
      assert.equal(read?.attributes, {});
      assert.equal(read?.uomConversions, []);
      assert.is(read?.isActive, true);
    });

    test('getItems returns the items found and leaves out unknown ids', async (store) => {
      const a = itemRecord(world().uom.id);
      const b = itemRecord(world().uom.id, { itemKind: 'service' });
      await store.write(async (tx) => {
        await tx.catalog.insertItem(a);
        await tx.catalog.insertItem(b);
      });
      assert.equal(byId(await store.read.catalog.getItems([b.id, newId(), a.id])), byId([a, b]));
      assert.equal(await store.read.catalog.getItems([]), []);
      assert.equal(await store.read.catalog.getItems([newId()]), []);
    });

    test('findItemByNo finds by the exact item number', async (store) => {
      const item = itemRecord(world().uom.id, { itemNo: unique('CHR-') });
      await store.write((tx) => tx.catalog.insertItem(item));
      assert.equal(await store.read.catalog.findItemByNo(item.itemNo), item);
      assert.is(await store.read.catalog.findItemByNo(item.itemNo.slice(0, -1)), null, 'a prefix is not a match');
      assert.is(await store.read.catalog.findItemByNo(`${item.itemNo}X`), null);
    });

    test('findIdentifierOwners matches type and value together', async (store) => {
      const gtin = unique('0400');
      const sku = unique('S-');
      const a = itemRecord(world().uom.id, { identifiers: [{ type: 'gtin', value: gtin }, { type: 'sku', value: sku }] });
      const b = itemRecord(world().uom.id, { identifiers: [{ type: 'upc', value: gtin }] });
      await store.write(async (tx) => {
        await tx.catalog.insertItem(a);
        await tx.catalog.insertItem(b);
      });
      const sort = (xs: Array<Identifier & { itemId: string }>) =>
        [...xs].sort((x, y) => `${x.type}|${x.value}`.localeCompare(`${y.type}|${y.value}`));
      assert.equal(await store.read.catalog.findIdentifierOwners([{ type: 'gtin', value: gtin }]), [{ itemId: a.id, type: 'gtin', value: gtin }]);
      assert.equal(await store.read.catalog.findIdentifierOwners([{ type: 'upc', value: gtin }]), [{ itemId: b.id, type: 'upc', value: gtin }]);
      assert.equal(await store.read.catalog.findIdentifierOwners([{ type: 'ean', value: gtin }]), [], 'same value, other type: no owner');
      assert.equal(await store.read.catalog.findIdentifierOwners([{ type: 'sku', value: gtin }]), []);
      assert.equal(
        sort(await store.read.catalog.findIdentifierOwners([{ type: 'sku', value: sku }, { type: 'gtin', value: gtin }, { type: 'mpn', value: sku }])),
        sort([{ itemId: a.id, type: 'sku', value: sku }, { itemId: a.id, type: 'gtin', value: gtin }]),
      );
      assert.equal(await store.read.catalog.findIdentifierOwners([]), []);
    });

    test('updateItem replaces every field and re-indexes identifiers and search text', async (store) => {
      const other = uomRecord({ decimals: 2 });
      const oldGtin = unique('9000');
      const tag = unique('zqold');
      const item = itemRecord(world().uom.id, {
        name: `Old name ${tag}`, identifiers: [{ type: 'gtin', value: oldGtin }], attributes: { a: 1 },
      });
      await store.write(async (tx) => {
        await tx.catalog.insertUom(other);
        await tx.catalog.insertItem(item);
      });
      const newTag = unique('zqnew');
      const newSku = unique('NEW-SKU-');
      const next: Item = {
        ...item,
        itemNo: unique('RENAMED-'),
        name: `New name ${newTag}`,
        description: 'now described',
        itemKind: 'manufactured',
        baseUomId: other.id,
        lotTracking: 'tracked',
        serialTracking: 'tracked',
        expiryTracking: 'tracked',
        isActive: false,
        identifiers: [{ type: 'sku', value: newSku }],
        attributes: { b: 'two', c: true },
        uomConversions: [{ uomId: world().uom.id, factor: 0.5 }],
        updatedAt: tick(),
        version: item.version + 1,
      };
      await store.write((tx) => tx.catalog.updateItem(next));
      assert.equal(await store.read.catalog.getItem(item.id), next);
      assert.equal(await store.read.catalog.findItemByNo(next.itemNo), next);
      assert.is(await store.read.catalog.findItemByNo(item.itemNo), null, 'the old item number is free');
      assert.equal(await store.read.catalog.findIdentifierOwners([{ type: 'gtin', value: oldGtin }]), [], 'the old identifier is free');
      assert.equal(await store.read.catalog.findIdentifierOwners([{ type: 'sku', value: newSku }]), [{ itemId: item.id, type: 'sku', value: newSku }]);
      assert.equal(ids((await store.read.catalog.listItems({ q: newTag }, PAGE_ALL)).items), [item.id]);
      assert.equal(await store.read.catalog.listItems({ q: tag }, PAGE_ALL), { items: [], total: 0 }, 'the old name no longer matches');
      assert.equal(ids((await store.read.catalog.listItems({ identifier: newSku }, PAGE_ALL)).items), [item.id]);
      assert.equal(await store.read.catalog.listItems({ identifier: oldGtin }, PAGE_ALL), { items: [], total: 0 });
      // The freed identifier can go to another item.
      const taker = itemRecord(world().uom.id, { identifiers: [{ type: 'gtin', value: oldGtin }] });
      await store.write((tx) => tx.catalog.insertItem(taker));
      assert.equal(await store.read.catalog.findIdentifierOwners([{ type: 'gtin', value: oldGtin }]), [{ itemId: taker.id, type: 'gtin', value: oldGtin }]);
    });

    test('updateItem keeps an item its own identifiers', async (store) => {
      const gtin = unique('7700');
      const item = itemRecord(world().uom.id, { identifiers: [{ type: 'gtin', value: gtin }] });
      await store.write((tx) => tx.catalog.insertItem(item));
      const next = { ...item, name: 'renamed', identifiers: [{ type: 'gtin' as const, value: gtin }, { type: 'mpn' as const, value: unique('M') }], version: 2 };
      await store.write((tx) => tx.catalog.updateItem(next));
      assert.equal(await store.read.catalog.getItem(item.id), next);
      assert.equal(await store.read.catalog.findIdentifierOwners([{ type: 'gtin', value: gtin }]), [{ itemId: item.id, type: 'gtin', value: gtin }]);
    });

    test('item number and identifier are unique: UniqueViolation on insert and on update, nothing written', async (store) => {
      const gtin = unique('5500');
      const a = itemRecord(world().uom.id, { identifiers: [{ type: 'gtin', value: gtin }] });
      const b = itemRecord(world().uom.id);
      await store.write(async (tx) => {
        await tx.catalog.insertItem(a);
        await tx.catalog.insertItem(b);
      });
      const sameNo = itemRecord(world().uom.id, { itemNo: a.itemNo });
      await expectUniqueViolation(store.write((tx) => tx.catalog.insertItem(sameNo)));
      assert.is(await store.read.catalog.getItem(sameNo.id), null);
      const sameIdentifier = itemRecord(world().uom.id, { identifiers: [{ type: 'sku', value: unique('x') }, { type: 'gtin', value: gtin }] });
      await expectUniqueViolation(store.write((tx) => tx.catalog.insertItem(sameIdentifier)));
      assert.is(await store.read.catalog.getItem(sameIdentifier.id), null);
      assert.equal(await store.read.catalog.findIdentifierOwners(sameIdentifier.identifiers.slice(0, 1)), [], 'the rolled-back item left no identifier');
      await expectUniqueViolation(store.write((tx) => tx.catalog.updateItem({ ...b, itemNo: a.itemNo, version: 2 })));
      await expectUniqueViolation(store.write((tx) => tx.catalog.updateItem({ ...b, identifiers: [{ type: 'gtin', value: gtin }], version: 2 })));
      assert.equal(await store.read.catalog.getItem(b.id), b, 'the refused updates changed nothing');
      assert.equal(await store.read.catalog.findIdentifierOwners([{ type: 'gtin', value: gtin }]), [{ itemId: a.id, type: 'gtin', value: gtin }]);
    });

    test('the same identifier value under another type may belong to another item', async (store) => {
      const value = unique('1234');
      const a = itemRecord(world().uom.id, { identifiers: [{ type: 'gtin', value }] });
      const b = itemRecord(world().uom.id, { identifiers: [{ type: 'ean', value }] });
      await store.write(async (tx) => {
        await tx.catalog.insertItem(a);
        await tx.catalog.insertItem(b);
      });
      assert.equal(await store.read.catalog.getItem(b.id), b);
    });
  });
}

// ---------------------------------------------------------------------------------------------

function catalogSearch(area: Area): void {
  // Seeded once; every test only reads. Identifiers are unique to this suite's store.
  const uom = uomRecord({ decimals: 0 });
  const mk = (itemNo: string, name: string, over: Partial<Item> = {}) => itemRecord(uom.id, { itemNo, name, ...over });
  const note08 = mk('TBL-NOTE-08', 'Notebook table', { identifiers: [{ type: 'gtin', value: '4006381333931' }, { type: 'sku', value: 'SKU-77' }] });
  const note10 = mk('TBL-NOTE-10', 'Notebook stand', { itemKind: 'manufactured', isActive: false });
  const chair = mk('CHR-0815', 'Office chair', { identifiers: [{ type: 'upc', value: '4006381333931' }] });
  const lamp = mk('LMP-1', 'Desk lamp', { itemKind: 'service' });
  const filter = mk('FLT-9', 'Öl-Filter groß');
  const seeded = [note08, note10, chair, lamp, filter];

  area('catalog: item search', (test) => {
    const q = async (store: Store, query: string) => sortedStrings((await store.read.catalog.listItems({ q: query }, PAGE_ALL)).items.map((i) => i.itemNo));

    test('without a filter every item is listed, in item number order, with its full record', async (store) => {
      const all = await store.read.catalog.listItems({}, PAGE_ALL);
      // The world seeds no items, so these five are all there is.
      assert.is(all.total, seeded.length);
      assert.equal(all.items.map((i) => i.itemNo), ['CHR-0815', 'FLT-9', 'LMP-1', 'TBL-NOTE-08', 'TBL-NOTE-10']);
      assert.equal(byId(all.items), byId(seeded));
    });

    test('q finds item numbers with dashes in them, case-insensitively', async (store) => {
      assert.equal(await q(store, 'TBL-NOTE-08'), ['TBL-NOTE-08']);
      assert.equal(await q(store, 'NOTE-08'), ['TBL-NOTE-08']);
      assert.equal(await q(store, 'note-08'), ['TBL-NOTE-08']);
      assert.equal(await q(store, 'TBL-NOTE'), ['TBL-NOTE-08', 'TBL-NOTE-10']);
      assert.equal(await q(store, 'E-0'), ['TBL-NOTE-08'], 'E-0 is in NOTE-08, not NOTE-10');
      assert.equal(await q(store, 'E-1'), ['TBL-NOTE-10']);
    });

    test('q finds short terms of one and two characters', async (store) => {
      assert.equal(await q(store, '-1'), ['LMP-1', 'TBL-NOTE-10']);
      assert.equal(await q(store, 'p-'), ['LMP-1']);
      assert.equal(await q(store, '9'), ['CHR-0815', 'FLT-9', 'TBL-NOTE-08'], 'FLT-9, and the 9 of the GTIN 4006381333931 (and UPC)');
      assert.equal(await q(store, 'T-'), ['FLT-9'], 'a two-character term spanning a letter and a dash');
      assert.equal(await q(store, 'Q'), []);
    });

    test('q matches any part of the name, case-insensitively', async (store) => {
      assert.equal(await q(store, 'stand'), ['TBL-NOTE-10']);
      assert.equal(await q(store, 'HAI'), ['CHR-0815']);
      assert.equal(await q(store, 'notebook'), ['TBL-NOTE-08', 'TBL-NOTE-10']);
    });

    test('q is case-insensitive for non-ASCII letters, in short and long terms', async (store) => {
      assert.equal(await q(store, 'ÖL-F'), ['FLT-9']);
      assert.equal(await q(store, 'öl-f'), ['FLT-9']);
      assert.equal(await q(store, 'GROß'), ['FLT-9']);
      assert.equal(await q(store, 'öl'), ['FLT-9'], 'a two-letter term folds case like a longer one');
      assert.equal(await q(store, 'Ö'), ['FLT-9']);
    });

    test('q matches identifier values', async (store) => {
      assert.equal(await q(store, '4006381333931'), ['CHR-0815', 'TBL-NOTE-08']);
      assert.equal(await q(store, '333931'), ['CHR-0815', 'TBL-NOTE-08']);
      assert.equal(await q(store, 'sku-77'), ['TBL-NOTE-08']);
    });

    test('q with several terms needs every term to match', async (store) => {
      assert.equal(await q(store, 'notebook 08'), ['TBL-NOTE-08']);
      assert.equal(await q(store, '  notebook   stand '), ['TBL-NOTE-10']);
      assert.equal(await q(store, 'notebook chair'), []);
    });

    test('q treats quotes and wildcard characters literally', async (store) => {
      assert.equal(await q(store, 'TBL_NOTE'), [], '_ is not a wildcard');
      assert.equal(await q(store, 'NOTE%'), [], '% is not a wildcard');
      assert.equal(await q(store, '%'), []);
      assert.equal(await q(store, '_'), []);
      assert.equal(await q(store, '"NOTE'), []);
      assert.equal(await q(store, 'NOTE*'), []);
      assert.equal(await q(store, 'a"b'), []);
      assert.equal(await q(store, 'NOT OR'), [], 'OR is a term, not an operator');
    });

    test('identifier finds items by the exact identifier value, of any type', async (store) => {
      const find = async (identifier: string) => sortedStrings((await store.read.catalog.listItems({ identifier }, PAGE_ALL)).items.map((i) => i.itemNo));
      assert.equal(await find('4006381333931'), ['CHR-0815', 'TBL-NOTE-08']);
      assert.equal(await find('SKU-77'), ['TBL-NOTE-08']);
      assert.equal(await find('SKU'), [], 'not a substring match');
      assert.equal(await find('sku-77'), [], 'identifiers are exact');
    });

    test('itemKind and isActive filter, alone and with q', async (store) => {
      const list = async (f: Parameters<Reader['catalog']['listItems']>[0]) => {
        const r = await store.read.catalog.listItems(f, PAGE_ALL);
        assert.is(r.total, r.items.length);
        return sortedStrings(r.items.map((i) => i.itemNo));
      };
      assert.equal(await list({ itemKind: 'manufactured' }), ['TBL-NOTE-10']);
      assert.equal(await list({ itemKind: 'service' }), ['LMP-1']);
      assert.equal(await list({ itemKind: 'phantom' }), []);
      assert.equal(await list({ isActive: false }), ['TBL-NOTE-10']);
      assert.equal(await list({ isActive: true }), ['CHR-0815', 'FLT-9', 'LMP-1', 'TBL-NOTE-08']);
      assert.equal(await list({ q: 'notebook', isActive: true }), ['TBL-NOTE-08']);
      assert.equal(await list({ q: 'notebook', itemKind: 'purchased' }), ['TBL-NOTE-08']);
      assert.equal(await list({ q: 'notebook', itemKind: 'purchased', isActive: false }), []);
      assert.equal(await list({ identifier: '4006381333931', q: 'chair' }), ['CHR-0815']);
    });

    test('total counts every match while the page holds at most limit items', async (store) => {
      const first = await store.read.catalog.listItems({ q: 'TBL' }, page(1));
      assert.is(first.total, 2);
      assert.equal(first.items.map((i) => i.itemNo), ['TBL-NOTE-08']);
      const second = await store.read.catalog.listItems({ q: 'TBL' }, page(1, 1));
      assert.is(second.total, 2);
      assert.equal(second.items.map((i) => i.itemNo), ['TBL-NOTE-10']);
      assert.equal(await store.read.catalog.listItems({ q: 'TBL' }, page(1, 2)), { items: [], total: 2 });
      const paged = await allPages((p) => store.read.catalog.listItems({}, p), 2);
      assert.equal(paged.items.map((i) => i.itemNo), ['CHR-0815', 'FLT-9', 'LMP-1', 'TBL-NOTE-08', 'TBL-NOTE-10']);
    });
  }, async (store) => {
    await store.write(async (tx) => {
      await tx.catalog.insertUom(uom);
      for (const item of seeded) await tx.catalog.insertItem(item);
    });
  });
}

// ---------------------------------------------------------------------------------------------

function facilities(area: Area): void {
  area('facilities', (test, world) => {
    test('insertFacility then getFacility and findFacilityByCode read it back exactly', async (store) => {
      const active = facilityRecord({ name: 'Main — Grüße', type: 'plant' });
      const inactive = facilityRecord({ isActive: false, type: 'store', version: 3 });
      await store.write(async (tx) => {
        await tx.facilities.insertFacility(active);
        await tx.facilities.insertFacility(inactive);
      });
      assert.equal(await store.read.facilities.getFacility(active.id), active);
      assert.equal(await store.read.facilities.getFacility(inactive.id), inactive);
      assert.is((await store.read.facilities.getFacility(inactive.id))?.isActive, false);
      assert.equal(await store.read.facilities.findFacilityByCode(inactive.code), inactive);
      assert.is(await store.read.facilities.getFacility(newId()), null);
      assert.is(await store.read.facilities.findFacilityByCode(unique('NONE')), null);
    });

    test('listFacilities filters by q on code and name, type and isActive, and pages with a total', async (store) => {
      const tag = unique('zf');
      const a = facilityRecord({ code: unique('FA'), name: `North ${tag}`, type: 'warehouse' });
      const b = facilityRecord({ code: unique('FB'), name: `South ${tag.toUpperCase()}`, type: 'store', isActive: false });
      const c = facilityRecord({ code: `${tag.toUpperCase()}X`, name: 'Plant', type: 'plant' });
      await store.write(async (tx) => {
        for (const f of [c, b, a]) await tx.facilities.insertFacility(f);
      });
      const list = async (f: Parameters<Reader['facilities']['listFacilities']>[0], p = PAGE_ALL) => store.read.facilities.listFacilities(f, p);
      const matched = await list({ q: tag });
      assert.is(matched.total, 3, 'q matches name and code, case-insensitively');
      assert.equal(byId(matched.items), byId([a, b, c]));
      assert.equal(ids((await list({ q: tag, type: 'store' })).items), [b.id]);
      assert.equal(ids((await list({ q: tag, isActive: false })).items), [b.id]);
      assert.equal(byId((await list({ q: tag, isActive: true })).items), byId([a, c]));
      assert.equal(ids((await list({ q: 'south', isActive: false, type: 'store' })).items), [b.id]);
      assert.equal(await list({ q: tag, type: 'plant', isActive: false }), { items: [], total: 0 });
      const firstPage = await list({ q: tag }, page(2));
      assert.is(firstPage.total, 3);
      assert.is(firstPage.items.length, 2);
      const paged = await allPages((p) => store.read.facilities.listFacilities({ q: tag }, p), 1);
      assert.equal(byId(paged.items), byId([a, b, c]));
      const everything = await list({});
      assert.ok(everything.total >= 4, 'the world facility and these three');
      assert.ok(ids(everything.items).includes(world().facility.id));
    });

    test('insertLocation then getLocation, getLocations and findLocationByCode read it back exactly', async (store) => {
      const f = facilityRecord();
      const g = facilityRecord();
      const transit = systemTransitLocation(f.id, tick());
      const zone = locationRecord(f.id, 'Z', null, { type: 'zone', isPickable: false, name: 'Zone Ö' });
      const bin = locationRecord(f.id, 'Z-01', zone, { type: 'bin' });
      const elsewhere = locationRecord(g.id, 'Z', null, { type: 'staging' });
      await store.write(async (tx) => {
        await tx.facilities.insertFacility(f);
        await tx.facilities.insertFacility(g);
        for (const l of [transit, zone, bin, elsewhere]) await tx.facilities.insertLocation(l);
      });
      for (const l of [transit, zone, bin, elsewhere]) assert.equal(await store.read.facilities.getLocation(l.id), l);
      assert.is((await store.read.facilities.getLocation(zone.id))?.isPickable, false);
      assert.is((await store.read.facilities.getLocation(bin.id))?.isPickable, true);
      assert.equal((await store.read.facilities.getLocation(bin.id))?.path, 'Z/Z-01');
      assert.is(await store.read.facilities.getLocation(newId()), null);
      assert.equal(byId(await store.read.facilities.getLocations([bin.id, newId(), transit.id])), byId([bin, transit]));
      assert.equal(await store.read.facilities.getLocations([]), []);
      assert.equal(await store.read.facilities.findLocationByCode(f.id, 'Z'), zone);
      assert.equal(await store.read.facilities.findLocationByCode(g.id, 'Z'), elsewhere, 'codes are per facility');
      assert.is(await store.read.facilities.findLocationByCode(g.id, 'Z-01'), null);
      assert.equal(await store.read.facilities.findLocationByCode(f.id, 'TRANSIT'), transit);
    });

    test('listLocations returns the tree flat, parents before children, each subtree together', async (store) => {
      const f = facilityRecord();
      const other = facilityRecord();
      const transit = systemTransitLocation(f.id, tick());
      const b = locationRecord(f.id, 'B', null, { type: 'zone' });
      const a2 = locationRecord(f.id, 'A-2', null, { type: 'zone' });
      const a = locationRecord(f.id, 'A', null, { type: 'zone' });
      const b01 = locationRecord(f.id, 'B-01', b, { type: 'aisle' });
      const a01 = locationRecord(f.id, 'A-01', a, { type: 'aisle' });
      const a0103 = locationRecord(f.id, 'A-01-03', a01, { type: 'bin' });
      const a0102 = locationRecord(f.id, 'A-01-02', a01, { type: 'bin' });
      const foreign = locationRecord(other.id, 'A', null, { type: 'zone' });
      const mine = [transit, b, a2, a, b01, a01, a0103, a0102];
      await store.write(async (tx) => {
        await tx.facilities.insertFacility(f);
        await tx.facilities.insertFacility(other);
        for (const l of [...mine, foreign]) await tx.facilities.insertLocation(l);
      });
      const all = await store.read.facilities.listLocations(f.id, {}, PAGE_ALL);
      assert.is(all.total, mine.length);
      assert.equal(byId(all.items), byId(mine), 'every location of the facility, exactly, and no other');
      const position = new Map(all.items.map((l, i) => [l.id, i]));
      for (const l of all.items) {
        if (l.parentId) assert.ok(position.get(l.parentId)! < position.get(l.id)!, `${l.path} comes after its parent`);
      }
      // Each subtree is contiguous: the rows under a node directly follow it.
      const isUnder = (l: Location, root: Location) => l.path === root.path || l.path.startsWith(`${root.path}/`);
      for (const root of all.items) {
        const at = all.items.map((l) => isUnder(l, root));
        const first = at.indexOf(true);
        const last = at.lastIndexOf(true);
        assert.ok(at.slice(first, last + 1).every(Boolean), `the subtree of ${root.path} is contiguous`);
        assert.is(first, position.get(root.id), `${root.path} heads its subtree`);
      }
      const paged = await allPages((p) => store.read.facilities.listLocations(f.id, {}, p), 3);
      assert.equal(paged.items, all.items, 'pages keep the same order');
      assert.equal(await store.read.facilities.listLocations(newId(), {}, PAGE_ALL), { items: [], total: 0 });
    });

    test('listLocations filters by type, parentId and q on code and name', async (store) => {
      const f = facilityRecord();
      const zone = locationRecord(f.id, 'ZA', null, { type: 'zone', name: 'Cold room' });
      const aisle = locationRecord(f.id, 'ZA-01', zone, { type: 'aisle', name: 'Aisle one' });
      const bin1 = locationRecord(f.id, 'ZA-01-01', aisle, { type: 'bin', name: 'Bin' });
      const bin2 = locationRecord(f.id, 'ZA-01-02', aisle, { type: 'bin', name: 'Bin' });
      const dock = locationRecord(f.id, 'DOCK', null, { type: 'staging', name: 'Dock door' });
      await store.write(async (tx) => {
        await tx.facilities.insertFacility(f);
        for (const l of [zone, aisle, bin1, bin2, dock]) await tx.facilities.insertLocation(l);
      });
      const list = async (filter: Parameters<Reader['facilities']['listLocations']>[1]) => {
        const r = await store.read.facilities.listLocations(f.id, filter, PAGE_ALL);
        assert.is(r.total, r.items.length);
        return r.items;
      };
      assert.equal(byId(await list({ type: 'bin' })), byId([bin1, bin2]));
      assert.equal(await list({ type: 'staging' }), [dock]);
      assert.equal(await list({ type: 'transit' }), []);
      assert.equal(byId(await list({ parentId: aisle.id })), byId([bin1, bin2]));
      assert.equal(await list({ parentId: zone.id }), [aisle]);
      assert.equal(await list({ parentId: bin1.id }), []);
      assert.equal(byId(await list({ q: 'cold' })), byId([zone]), 'q matches the name, case-insensitively');
      assert.equal(byId(await list({ q: 'za-01' })), byId([aisle, bin1, bin2]), 'q matches the code');
      assert.equal(byId(await list({ q: 'door' })), byId([dock]));
      assert.equal(byId(await list({ q: 'ZA', type: 'bin', parentId: aisle.id })), byId([bin1, bin2]));
      assert.equal(await list({ q: 'dock', type: 'bin' }), []);
    });

    test('facility codes are unique, location codes unique within a facility: UniqueViolation', async (store) => {
      const f = facilityRecord();
      const g = facilityRecord();
      const loc = locationRecord(f.id, 'DUP', null);
      await store.write(async (tx) => {
        await tx.facilities.insertFacility(f);
        await tx.facilities.insertFacility(g);
        await tx.facilities.insertLocation(loc);
      });
      const sameCode = facilityRecord({ code: f.code });
      await expectUniqueViolation(store.write((tx) => tx.facilities.insertFacility(sameCode)));
      assert.is(await store.read.facilities.getFacility(sameCode.id), null);
      const twin = locationRecord(f.id, 'DUP', null);
      await expectUniqueViolation(store.write((tx) => tx.facilities.insertLocation(twin)));
      assert.is(await store.read.facilities.getLocation(twin.id), null);
      const elsewhere = locationRecord(g.id, 'DUP', null);
      await store.write((tx) => tx.facilities.insertLocation(elsewhere));
      assert.equal(await store.read.facilities.getLocation(elsewhere.id), elsewhere);
    });

    test('listStatuses holds the seeded available, quarantine and damaged', async (store) => {
      const statuses = await store.read.facilities.listStatuses();
      const byStatus = new Map(statuses.map((s) => [s.id, s]));
      assert.is(byStatus.get('available')?.isAvailable, true);
      assert.is(byStatus.get('quarantine')?.isAvailable, false);
      assert.is(byStatus.get('damaged')?.isAvailable, false);
      for (const s of statuses) assert.type(s.name, 'string');
      assert.is(statuses.length, 3);
      assert.equal(await store.write((tx) => tx.facilities.listStatuses()), statuses, 'the writer sees the same');
    });
  });
}

// ---------------------------------------------------------------------------------------------

function tokens(area: Area): void {
  area('tokens', (test) => {
    test('insertToken then getToken and findTokenByHash read it back exactly', async (store) => {
      const t = tokenRecord({ name: 'ci — Grüße', permissions: ['catalog:read', 'inventory:write'], expiresAt: '2032-01-01T00:00:00.000Z' });
      const star = tokenRecord({ permissions: ['*'] });
      await store.write(async (tx) => {
        await tx.tokens.insertToken(t);
        await tx.tokens.insertToken(star);
      });
      assert.equal(await store.read.tokens.getToken(t.id), t);
      assert.equal(await store.read.tokens.getToken(star.id), star);
      assert.equal(await store.read.tokens.findTokenByHash(t.hash), t);
      assert.is(await store.read.tokens.getToken(newId()), null);
      assert.is(await store.read.tokens.findTokenByHash('0'.repeat(64)), null);
    });

    test('countTokens and listTokens count every token; the list pages in creation order', async (store) => {
      const before = await store.read.tokens.countTokens();
      const mine = Array.from({ length: 5 }, (_, i) => tokenRecord({ name: `t${i}` }));
      await store.write(async (tx) => {
        for (const t of [...mine].reverse()) await tx.tokens.insertToken(t);
      });
      assert.is(await store.read.tokens.countTokens(), before + 5);
      const all = await store.read.tokens.listTokens(PAGE_ALL);
      assert.is(all.total, before + 5);
      const created = all.items.map((t) => t.createdAt);
      assert.equal(created, [...created].sort(), 'oldest first');
      assert.equal(all.items.slice(-5), mine, 'the newest five are these, in creation order');
      const paged = await allPages((p) => store.read.tokens.listTokens(p), 2);
      assert.equal(paged.items, all.items);
    });

    test('updateToken changes name, permissions, expiry and revocation, never the hash', async (store) => {
      const t = tokenRecord();
      await store.write((tx) => tx.tokens.insertToken(t));
      const revoked: StoredToken = { ...t, name: 'renamed', permissions: ['admin:write', 'sales:read'], expiresAt: '2033-03-03T03:03:03.003Z', revokedAt: tick() };
      await store.write((tx) => tx.tokens.updateToken(revoked));
      assert.equal(await store.read.tokens.getToken(t.id), revoked);
      assert.equal(await store.read.tokens.findTokenByHash(t.hash), revoked);
      const cleared = { ...revoked, expiresAt: null };
      await store.write((tx) => tx.tokens.updateToken(cleared));
      assert.equal(await store.read.tokens.getToken(t.id), cleared);
    });

    test('a token hash is unique: UniqueViolation', async (store) => {
      const t = tokenRecord();
      await store.write((tx) => tx.tokens.insertToken(t));
      const twin = tokenRecord({ hash: t.hash });
      await expectUniqueViolation(store.write((tx) => tx.tokens.insertToken(twin)));
      assert.is(await store.read.tokens.getToken(twin.id), null);
      assert.equal(await store.read.tokens.findTokenByHash(t.hash), t);
    });
  });

}

// ---------------------------------------------------------------------------------------------

function idempotency(area: Area): void {
  area('idempotency', (test) => {
    test('putKey then getKey reads the record back exactly, per token and key', async (store) => {
      const r = keyRecord();
      await store.write((tx) => tx.idempotency.putKey(r));
      assert.equal(await store.read.idempotency.getKey(r.tokenId, r.key), r);
      assert.is(await store.read.idempotency.getKey(newId(), r.key), null, 'another token does not see it');
      assert.is(await store.read.idempotency.getKey(r.tokenId, `${r.key}x`), null);
      const sameKeyOtherToken = keyRecord({ key: r.key, status: 200, body: '{}' });
      await store.write((tx) => tx.idempotency.putKey(sameKeyOtherToken));
      assert.equal(await store.read.idempotency.getKey(sameKeyOtherToken.tokenId, r.key), sameKeyOtherToken);
      assert.equal(await store.read.idempotency.getKey(r.tokenId, r.key), r);
    });

    test('a key is stored once per token: UniqueViolation on a second putKey', async (store) => {
      const r = keyRecord();
      await store.write((tx) => tx.idempotency.putKey(r));
      await expectUniqueViolation(store.write((tx) => tx.idempotency.putKey({ ...r, body: '{"second":true}' })));
      assert.equal(await store.read.idempotency.getKey(r.tokenId, r.key), r);
    });

    test('purgeKeys forgets keys created before the cutoff and counts them', async (store) => {
      const cutoff = tick();
      const tokenId = newId();
      const old1 = keyRecord({ tokenId, createdAt: shift(cutoff, -7_200_000) });
      const old2 = keyRecord({ tokenId, createdAt: shift(cutoff, -1) });
      const atCutoff = keyRecord({ tokenId, createdAt: cutoff });
      const young = keyRecord({ tokenId, createdAt: shift(cutoff, 1) });
      await store.write(async (tx) => {
        for (const r of [old1, old2, atCutoff, young]) await tx.idempotency.putKey(r);
      });
      const purged = await store.write((tx) => tx.idempotency.purgeKeys(cutoff));
      // Earlier tests' keys were created before this test's clock reading too.
      assert.ok(purged >= 2, 'at least the two old keys');
      assert.is(await store.read.idempotency.getKey(tokenId, old1.key), null);
      assert.is(await store.read.idempotency.getKey(tokenId, old2.key), null);
      assert.equal(await store.read.idempotency.getKey(tokenId, atCutoff.key), atCutoff, 'a key created at the cutoff stays');
      assert.equal(await store.read.idempotency.getKey(tokenId, young.key), young);
      assert.is(await store.write((tx) => tx.idempotency.purgeKeys(cutoff)), 0, 'nothing left to purge');
      assert.is(await store.write((tx) => tx.idempotency.purgeKeys(shift(cutoff, 2))), 2);
      assert.is(await store.read.idempotency.getKey(tokenId, young.key), null);
    });
  });
}

// ---------------------------------------------------------------------------------------------

function ledgerPostings(area: Area): void {
  area('ledger: postings', (test, world) => {
    test('appendPosting assigns strictly increasing seq numbers', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      const seqs: number[] = [];
      for (let i = 0; i < 3; i++) seqs.push((await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 1 }])).seq);
      const inOneUnit = await store.write(async (tx) => {
        const out: number[] = [];
        for (let i = 0; i < 3; i++) out.push(expectOk(await post(tx, request('adjustment', [{ item, location: w.binA, qty: 1 }]), tick())).seq);
        return out;
      });
      seqs.push(...inOneUnit);
      for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, `seq ${seqs[i]} follows ${seqs[i - 1]}`);
      for (const s of seqs) assert.ok(Number.isSafeInteger(s) && s > 0, 'seq is a positive integer');
    });

    test('a posted transaction reads back exactly as post returned it', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      const t = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 12.5 }, { item, location: w.binB, qty: 0.000001, status: 'quarantine' }],
        { reason: 'opening stock — Grüße', reference: { type: 'manual', id: 'REF-1' } });
      assert.is(t.type, 'adjustment');
      assert.is(t.reason, 'opening stock — Grüße');
      assert.equal(t.reference, { type: 'manual', id: 'REF-1' });
      assert.equal(await store.read.ledger.getTransaction(t.id), t);
      assert.equal(await store.write((tx) => tx.ledger.getTransaction(t.id)), t, 'the writer reads the same');
      const read = await store.read.ledger.getTransaction(t.id);
      assert.equal(read?.lines.map((l) => [l.lineNo, l.qtyDelta, l.statusId, l.facilityId]), [
        [1, 12.5, 'available', w.facility.id], [2, 0.000001, 'quarantine', w.facility.id],
      ]);
      assert.is(await store.read.ledger.getTransaction(newId()), null);
      const bare = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 1 }]);
      const bareRead = await store.read.ledger.getTransaction(bare.id);
      assert.equal(bareRead, bare);
      assert.equal(bareRead?.reference, { type: null, id: null });
      assert.is(bareRead?.reason, null);
      assert.is(bareRead?.reversesTransactionId, null);
      assert.is(bareRead?.reversedByTransactionId, null);
    });

    test('balances follow each posting; getBalances answers only keys that have a row', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      assert.equal(await store.read.ledger.getBalances([key(item, w.binA)]), []);
      await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 10 }]);
      await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: -2.5 }]);
      await mustPost(store, 'move', [{ item, location: w.binA, qty: -3 }, { item, location: w.binB, qty: 3, status: 'damaged' }]);
      assert.is(await onHand(store.read, key(item, w.binA)), 4.5);
      assert.is(await onHand(store.read, key(item, w.binB, 'damaged')), 3);
      const rows = await store.read.ledger.getBalances([key(item, w.binA), key(item, w.binB, 'damaged'), key(item, w.binB)]);
      const expected = [{ ...key(item, w.binA), onHand: micro(4.5) }, { ...key(item, w.binB, 'damaged'), onHand: micro(3) }];
      const order = (xs: Array<BalanceKey & { onHand: number }>) => [...xs].sort((a, b) => a.locationId.localeCompare(b.locationId));
      const zeroOrAbsent = rows.filter((r) => r.locationId === w.binB.id && r.statusId === 'available');
      assert.ok(zeroOrAbsent.every((r) => r.onHand === 0), 'a key never posted to holds zero');
      assert.equal(order(rows.filter((r) => r.onHand !== 0)), order(expected));
      assert.equal(await store.read.ledger.getBalances([]), []);
    });

    test('a posting that would take a balance below zero is insufficient_stock and writes nothing', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 10 }]);
      const last = await store.read.ledger.lastPostedAt();
      const before = await store.read.ledger.listTransactions({ itemId: item.id }, PAGE_ALL);
      // Two lines against the same balance are summed before the check: 6 + 6 > 10.
      const r = await posting(store, 'adjustment', [{ item, location: w.binA, qty: -6 }, { item, location: w.binA, qty: -6 }]);
      expectCode(r, 'insufficient_stock');
      expectCode(await posting(store, 'adjustment', [{ item, location: w.binB, qty: 5 }, { item, location: w.binA, qty: -11 }]), 'insufficient_stock');
      assert.is(await onHand(store.read, key(item, w.binA)), 10);
      assert.is(await onHand(store.read, key(item, w.binB)), 0, 'the good line of a refused posting is not written');
      assert.equal(await store.read.ledger.listTransactions({ itemId: item.id }, PAGE_ALL), before);
      assert.is(await store.read.ledger.lastPostedAt(), last);
    });

    test('new lots are created once, with their expiry, and found by number and id', async (store) => {
      const w = world();
      const item = await seedItem(store, w, { lotTracking: 'tracked', expiryTracking: 'tracked' });
      const lotNo = unique('L-');
      const t1 = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 5, lotNo, expiresOn: '2032-06-30' }]);
      const lotId = t1.lines[0]!.lotId;
      assert.ok(lotId, 'the line names the new lot');
      assert.is(t1.lines[0]!.lotNo, lotNo);
      const lot: Lot = { id: lotId, itemId: item.id, lotNo, expiresOn: '2032-06-30', createdAt: t1.postedAt };
      assert.equal(await store.read.ledger.getLots([lotId, newId()]), [lot]);
      assert.equal(await store.read.ledger.findLots([{ itemId: item.id, lotNo }, { itemId: item.id, lotNo: `${lotNo}X` }]), [lot]);
      assert.equal(await store.read.ledger.findLots([{ itemId: newId(), lotNo }]), [], 'lot numbers are per item');
      assert.equal(await store.read.ledger.getLots([]), []);
      assert.equal(await store.read.ledger.findLots([]), []);
      const t2 = await mustPost(store, 'adjustment', [{ item, location: w.binB, qty: 3, lotNo }]);
      assert.is(t2.lines[0]!.lotId, lotId, 'the lot is reused by number');
      const t3 = await mustPost(store, 'adjustment', [{ item, location: w.binB, qty: -1, lotId }]);
      assert.is(t3.lines[0]!.lotNo, lotNo);
      assert.is(await onHand(store.read, key(item, w.binA, 'available', lotId)), 5);
      assert.is(await onHand(store.read, key(item, w.binB, 'available', lotId)), 2);
      assert.is(await onHand(store.read, key(item, w.binA)), 0, 'a lot-tracked item holds nothing without a lot');
      // Two lines naming one new lot create it once.
      const lot2 = unique('L-');
      const t4 = await mustPost(store, 'adjustment', [
        { item, location: w.binA, qty: 1, lotNo: lot2, expiresOn: '2033-01-31' },
        { item, location: w.binB, qty: 2, lotNo: lot2 },
      ]);
      assert.is(t4.lines[0]!.lotId, t4.lines[1]!.lotId);
      assert.is((await store.read.ledger.findLots([{ itemId: item.id, lotNo: lot2 }])).length, 1);
      assert.equal(await store.read.ledger.getTransaction(t4.id), t4);
    });

    test('serial numbers follow the postings: on hand, moved, issued, received again', async (store) => {
      const w = world();
      const item = await seedItem(store, w, { serialTracking: 'tracked' });
      const [s1, s2] = [unique('SN-'), unique('SN-')] as [string, string];
      assert.equal(await store.read.ledger.getSerials(item.id, [s1]), [], 'a serial never on hand has no state');
      const t = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 2, serialNos: [s1, s2] }]);
      assert.equal(t.lines[0]!.serialNos, [s1, s2]);
      assert.equal((await store.read.ledger.getTransaction(t.id))?.lines[0]?.serialNos, [s1, s2]);
      const at = (serialNo: string, location: Location | null, statusId: string | null) => ({
        itemId: item.id, serialNo, facilityId: location?.facilityId ?? null, locationId: location?.id ?? null, lotId: null, statusId,
      });
      const states = async (nos: string[]) =>
        [...(await store.read.ledger.getSerials(item.id, nos))].sort((a, b) => a.serialNo.localeCompare(b.serialNo));
      assert.equal(await states([s1, s2, unique('SN-')]), [at(s1, w.binA, 'available'), at(s2, w.binA, 'available')]);
      await mustPost(store, 'move', [
        { item, location: w.binA, qty: -1, serialNos: [s1] },
        { item, location: w.binB, qty: 1, serialNos: [s1], status: 'quarantine' },
      ]);
      assert.equal(await states([s1]), [at(s1, w.binB, 'quarantine')]);
      await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: -1, serialNos: [s2] }]);
      assert.equal(await states([s2]), [at(s2, null, null)], 'an issued serial is known but not on hand');
      const s3 = unique('SN-');
      await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 1, serialNos: [s3] }]);
      // Bin A holds one unit (s3), so the balance allows the issue; s1 is not there.
      expectCode(await posting(store, 'adjustment', [{ item, location: w.binA, qty: -1, serialNos: [s1] }]), 'conflict');
      expectCode(await posting(store, 'adjustment', [{ item, location: w.binA, qty: 1, serialNos: [s1] }]), 'conflict');
      assert.equal(await states([s1, s2]), [at(s1, w.binB, 'quarantine'), at(s2, null, null)], 'refused postings moved nothing');
      await mustPost(store, 'adjustment', [{ item, location: w.binB, qty: 1, serialNos: [s2] }]);
      assert.equal(await states([s2]), [at(s2, w.binB, 'available')]);
      assert.equal(await store.read.ledger.getSerials(newId(), [s1]), [], 'serials are per item');
    });

    test('a serial of a lot-tracked item records its lot', async (store) => {
      const w = world();
      const item = await seedItem(store, w, { serialTracking: 'tracked', lotTracking: 'tracked' });
      const sn = unique('SN-');
      const t = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 1, serialNos: [sn], lotNo: 'LOT-S' }]);
      assert.equal(await store.read.ledger.getSerials(item.id, [sn]), [{
        itemId: item.id, serialNo: sn, facilityId: w.facility.id, locationId: w.binA.id, lotId: t.lines[0]!.lotId, statusId: 'available',
      }]);
    });

    test('quantities are exact: 0.1 thirty times is 3, large and tiny quantities round-trip', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      await store.write(async (tx) => {
        for (let i = 0; i < 30; i++) expectOk(await post(tx, request('adjustment', [{ item, location: w.binA, qty: 0.1 }]), tick()));
      });
      assert.is(await onHand(store.read, key(item, w.binA)), 3);
      const [row] = (await store.read.ledger.listBalances({ itemId: item.id }, PAGE_ALL)).items;
      assert.is(row?.onHand, 3);
      const big = await mustPost(store, 'adjustment', [{ item, location: w.binB, qty: 123456789.123456 }]);
      const tiny = await mustPost(store, 'adjustment', [{ item, location: w.binB, qty: 0.000001, status: 'damaged' }]);
      assert.is((await store.read.ledger.getTransaction(big.id))?.lines[0]?.qtyDelta, 123456789.123456);
      assert.is((await store.read.ledger.getTransaction(tiny.id))?.lines[0]?.qtyDelta, 0.000001);
      assert.is(await onHand(store.read, key(item, w.binB)), 123456789.123456);
      assert.is(await onHand(store.read, key(item, w.binB, 'damaged')), 0.000001);
      const [b] = await store.read.ledger.getBalances([key(item, w.binB)]);
      assert.is(b?.onHand, 123456789123456, 'getBalances answers micro-units');
      await mustPost(store, 'adjustment', [{ item, location: w.binB, qty: -123456789.123455 }]);
      assert.is(await onHand(store.read, key(item, w.binB)), 0.000001);
    });

    test('itemHasHistory is false until the item is posted, then true', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      const other = await seedItem(store, w);
      assert.is(await store.read.ledger.itemHasHistory(item.id), false);
      expectCode(await posting(store, 'adjustment', [{ item, location: w.binA, qty: -1 }]), 'insufficient_stock');
      assert.is(await store.read.ledger.itemHasHistory(item.id), false, 'a refused posting leaves no history');
      await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 1 }]);
      await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: -1 }]);
      assert.is(await store.read.ledger.itemHasHistory(item.id), true, 'history stays when the balance is back to zero');
      assert.is(await store.read.ledger.itemHasHistory(other.id), false);
    });

    test('lastPostedAt is the newest posting time, and a posting never goes back in time', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      const t = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 1 }]);
      assert.is(await store.read.ledger.lastPostedAt(), t.postedAt);
      const late = shift(t.postedAt, 60_000);
      const u = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 1 }], {}, late);
      assert.is(u.postedAt, late);
      assert.is(await store.read.ledger.lastPostedAt(), late);
      // A clock behind the ledger posts at the ledger's last time, never earlier.
      const v = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 1 }], {}, '2030-06-01T00:00:00.000Z');
      assert.is(v.postedAt, late);
      assert.ok(v.seq > u.seq);
      assert.is(await store.read.ledger.lastPostedAt(), late);
      clockMs = Math.max(clockMs, Date.parse(late));
    });

    test('a reversal links both ways: findReversal, reversedByTransactionId, reversesTransactionId', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      const t = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 7 }]);
      assert.is(await store.read.ledger.findReversal(t.id), null);
      const r = expectOk(await runCommand(store, (tx) => reverseTransaction(tx, t.id, { reason: 'typo' }, tick())));
      assert.is(r.type, 'reversal');
      assert.is(r.reversesTransactionId, t.id);
      assert.equal(r.reference, { type: 'transaction', id: t.id });
      assert.equal(r.lines.map((l) => l.qtyDelta), [-7]);
      assert.is(await store.read.ledger.findReversal(t.id), r.id);
      assert.is(await store.read.ledger.findReversal(r.id), null);
      assert.equal(await store.read.ledger.getTransaction(t.id), { ...t, reversedByTransactionId: r.id });
      assert.equal(await store.read.ledger.getTransaction(r.id), r);
      assert.is(await onHand(store.read, key(item, w.binA)), 0);
      expectCode(await runCommand(store, (tx) => reverseTransaction(tx, t.id, {}, tick())), 'conflict');
      assert.is(await onHand(store.read, key(item, w.binA)), 0);
      const listed = await store.read.ledger.listTransactions({ itemId: item.id }, PAGE_ALL);
      assert.equal(listed.items, [r, { ...t, reversedByTransactionId: r.id }]);
    });

    test('a transaction is reversed at most once: a second reversal in one unit is a UniqueViolation', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 10 }]);
      const t = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: -2 }]);
      const reversal = request('reversal', [{ item, location: w.binA, qty: 2 }], { reversesTransactionId: t.id, reference: { type: 'transaction', id: t.id } });
      await expectUniqueViolation(store.write(async (tx) => {
        expectOk(await post(tx, reversal, tick()));
        expectOk(await post(tx, reversal, tick()));
      }));
      assert.is(await store.read.ledger.findReversal(t.id), null, 'the whole unit rolled back');
      assert.is(await onHand(store.read, key(item, w.binA)), 8);
      expectCode(await runCommand(store, async (tx) => {
        expectOk(await post(tx, reversal, tick()));
        return post(tx, reversal, tick());
      }), 'conflict');
      assert.is(await onHand(store.read, key(item, w.binA)), 8);
    });
  });
}

// ---------------------------------------------------------------------------------------------

function ledgerViews(area: Area): void {
  area('ledger: views', (test, world) => {
    /** A facility of its own, so facility filters see only this test's postings. */
    async function ownFacility(store: Store) {
      const w = world();
      const facility = facilityRecord();
      const transit = systemTransitLocation(facility.id, tick());
      const binA = locationRecord(facility.id, 'A', null);
      const binB = locationRecord(facility.id, 'B', null);
      await store.write(async (tx) => {
        await tx.facilities.insertFacility(facility);
        for (const l of [transit, binA, binB]) await tx.facilities.insertLocation(l);
      });
      return { ...w, facility, transit, binA, binB };
    }

    test('listTransactions: newest first, afterSeq oldest first, every filter, paging with a total', async (store) => {
      const w = await ownFacility(store);
      const i1 = await seedItem(store, w);
      const i2 = await seedItem(store, w);
      const refA = unique('REF-');
      const refB = unique('REF-');
      const t1 = await mustPost(store, 'adjustment', [{ item: i1, location: w.binA, qty: 10 }], { reason: 'count', reference: { type: 'manual', id: refA } });
      const t2 = await mustPost(store, 'adjustment', [{ item: i2, location: w.binB, qty: 5 }], { reference: { type: 'purchase_order', id: refB } });
      const t3 = await mustPost(store, 'move', [{ item: i1, location: w.binA, qty: -4 }, { item: i1, location: w.binB, qty: 4 }]);
      const t4 = await mustPost(store, 'adjustment', [{ item: i1, location: w.binB, qty: -1 }], { reference: { type: 'manual', id: refB } });
      const list = async (f: Parameters<Reader['ledger']['listTransactions']>[0], p = PAGE_ALL) => {
        const r = await store.read.ledger.listTransactions(f, p);
        return { ids: ids(r.items), total: r.total, items: r.items };
      };
      const fac = { facilityId: w.facility.id };
      const all = await list(fac);
      assert.equal(all.ids, ids([t4, t3, t2, t1]), 'newest first');
      assert.is(all.total, 4);
      assert.equal(all.items, [t4, t3, t2, t1], 'listed with all lines, exactly as posted');
      assert.equal((await list({ itemId: i1.id })).ids, ids([t4, t3, t1]));
      assert.equal((await list({ itemId: i2.id })).ids, ids([t2]));
      assert.equal((await list({ locationId: w.binA.id })).ids, ids([t3, t1]), 'a move matches both its locations');
      assert.equal((await list({ locationId: w.binB.id })).ids, ids([t4, t3, t2]));
      assert.equal((await list({ ...fac, type: 'move' })).ids, ids([t3]));
      assert.equal((await list({ ...fac, type: 'reversal' })).ids, []);
      assert.equal((await list({ ...fac, referenceType: 'manual' })).ids, ids([t4, t1]));
      assert.equal((await list({ ...fac, referenceId: refB })).ids, ids([t4, t2]));
      assert.equal((await list({ referenceType: 'manual', referenceId: refB })).ids, ids([t4]));
      assert.equal((await list({ itemId: i1.id, locationId: w.binB.id })).ids, ids([t4, t3]));
      const mid = (a: TransactionView, b: TransactionView) => shift(a.postedAt, (Date.parse(b.postedAt) - Date.parse(a.postedAt)) / 2);
      assert.equal((await list({ ...fac, from: mid(t1, t2), to: mid(t3, t4) })).ids, ids([t3, t2]));
      assert.equal((await list({ ...fac, from: mid(t3, t4) })).ids, ids([t4]));
      assert.equal((await list({ ...fac, to: mid(t1, t2) })).ids, ids([t1]));
      const feed = await list({ ...fac, afterSeq: t1.seq });
      assert.equal(feed.ids, ids([t2, t3, t4]), 'afterSeq runs oldest first, after that seq');
      assert.is(feed.total, 3);
      assert.equal(await list({ ...fac, afterSeq: t4.seq }), { ids: [], total: 0, items: [] });
      assert.equal((await list({ itemId: i1.id, afterSeq: 0 })).ids, ids([t1, t3, t4]));
      const p1 = await list(fac, page(2));
      assert.equal(p1.ids, ids([t4, t3]));
      assert.is(p1.total, 4);
      assert.equal((await list(fac, page(2, 2))).ids, ids([t2, t1]));
      assert.equal(await list(fac, page(2, 4)), { ids: [], total: 4, items: [] });
      const f1 = await list({ ...fac, afterSeq: t1.seq }, page(2));
      assert.equal(f1.ids, ids([t2, t3]));
      assert.is(f1.total, 3);
      const everything = await list({});
      assert.ok(everything.total >= 4);
      const seqs = everything.items.map((t) => t.seq);
      assert.equal(seqs, [...seqs].sort((a, b) => b - a), 'the unfiltered ledger is newest first too');
    });

    test('listBalances: one row per key with item, lot and expiry, filters, zero rows left out', async (store) => {
      const w = await ownFacility(store);
      const lotted = await seedItem(store, w, { lotTracking: 'tracked', expiryTracking: 'tracked' });
      const plain = await seedItem(store, w);
      const la = await mustPost(store, 'adjustment', [{ item: lotted, location: w.binA, qty: 4, lotNo: 'L-A', expiresOn: '2032-01-31' }]);
      const lb = await mustPost(store, 'adjustment', [{ item: lotted, location: w.binA, qty: 6, lotNo: 'L-B', expiresOn: '2032-02-29' }]);
      await mustPost(store, 'adjustment', [{ item: lotted, location: w.binB, qty: 2, lotNo: 'L-A', status: 'quarantine' }]);
      await mustPost(store, 'adjustment', [{ item: plain, location: w.binA, qty: 3 }]);
      await mustPost(store, 'adjustment', [{ item: plain, location: w.binA, qty: -3 }]);
      await mustPost(store, 'adjustment', [{ item: plain, location: w.binB, qty: 1.25, status: 'damaged' }]);
      const lotA = la.lines[0]!.lotId!;
      const lotB = lb.lines[0]!.lotId!;
      const row = (item: Item, location: Location, lotId: string | null, lotNo: string | null, expiresOn: string | null, statusId: string, onHand: number) =>
        ({ itemId: item.id, itemNo: item.itemNo, facilityId: w.facility.id, locationId: location.id, lotId, lotNo, expiresOn, statusId, onHand });
      const rA = row(lotted, w.binA, lotA, 'L-A', '2032-01-31', 'available', 4);
      const rB = row(lotted, w.binA, lotB, 'L-B', '2032-02-29', 'available', 6);
      const rQ = row(lotted, w.binB, lotA, 'L-A', '2032-01-31', 'quarantine', 2);
      const rD = row(plain, w.binB, null, null, null, 'damaged', 1.25);
      const sort = <T extends { itemId: string; locationId: string; statusId: string; lotId: string | null }>(xs: T[]) =>
        [...xs].sort((a, b) => `${a.itemId}|${a.locationId}|${a.lotId}|${a.statusId}`.localeCompare(`${b.itemId}|${b.locationId}|${b.lotId}|${b.statusId}`));
      const list = async (f: Parameters<Reader['ledger']['listBalances']>[0], p = PAGE_ALL) => {
        const r = await store.read.ledger.listBalances(f, p);
        return { items: sort(r.items), total: r.total };
      };
      const fac = { facilityId: w.facility.id };
      assert.equal(await list(fac), { items: sort([rA, rB, rQ, rD]), total: 4 }, 'the zeroed plain balance at A is left out');
      assert.equal(await list({ itemId: lotted.id }), { items: sort([rA, rB, rQ]), total: 3 });
      assert.equal(await list({ locationId: w.binB.id }), { items: sort([rQ, rD]), total: 2 });
      assert.equal(await list({ lotId: lotA }), { items: sort([rA, rQ]), total: 2 });
      assert.equal(await list({ ...fac, statusId: 'quarantine' }), { items: [rQ], total: 1 });
      assert.equal(await list({ itemId: plain.id, locationId: w.binA.id }), { items: [], total: 0 });
      assert.equal(await list({ itemId: lotted.id, locationId: w.binA.id, lotId: lotB, statusId: 'available', ...fac }), { items: [rB], total: 1 });
      const paged = await allPages((p) => store.read.ledger.listBalances(fac, p), 1);
      assert.equal(sort(paged.items), sort([rA, rB, rQ, rD]));
    });

    test('listBalances asOf recomputes from the ledger up to and including that instant', async (store) => {
      const w = await ownFacility(store);
      const item = await seedItem(store, w);
      const t1 = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 10 }]);
      const t2 = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: -4 }]);
      const t3 = await mustPost(store, 'move', [{ item, location: w.binA, qty: -1.5 }, { item, location: w.binB, qty: 1.5, status: 'quarantine' }]);
      const t4 = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: -4.5 }]);
      const at = async (asOf: string | undefined, extra: Parameters<Reader['ledger']['listBalances']>[0] = {}) => {
        const r = await store.read.ledger.listBalances({ itemId: item.id, ...extra, ...(asOf === undefined ? {} : { asOf }) }, PAGE_ALL);
        assert.is(r.total, r.items.length);
        return r.items.map((b) => [b.locationId === w.binA.id ? 'A' : 'B', b.statusId, b.onHand] as const).sort();
      };
      assert.equal(await at(shift(t1.postedAt, -1)), [], 'nothing before the first posting');
      assert.equal(await at(t1.postedAt), [['A', 'available', 10]], 'asOf includes the instant itself');
      assert.equal(await at(shift(t1.postedAt, 500)), [['A', 'available', 10]]);
      assert.equal(await at(t2.postedAt), [['A', 'available', 6]]);
      assert.equal(await at(t3.postedAt), [['A', 'available', 4.5], ['B', 'quarantine', 1.5]]);
      assert.equal(await at(t4.postedAt), [['B', 'quarantine', 1.5]], 'a key that sums to zero is left out');
      assert.equal(await at(undefined), [['B', 'quarantine', 1.5]]);
      assert.equal(await at(t3.postedAt, { locationId: w.binA.id }), [['A', 'available', 4.5]]);
      assert.equal(await at(t3.postedAt, { statusId: 'quarantine' }), [['B', 'quarantine', 1.5]]);
      assert.equal(await at(t3.postedAt, { facilityId: w.facility.id }), [['A', 'available', 4.5], ['B', 'quarantine', 1.5]]);
      const full = await store.read.ledger.listBalances({ itemId: item.id, asOf: t2.postedAt }, PAGE_ALL);
      assert.equal(full.items, [{
        itemId: item.id, itemNo: item.itemNo, facilityId: w.facility.id, locationId: w.binA.id, lotId: null, lotNo: null,
        expiresOn: null, statusId: 'available', onHand: 6,
      }], 'asOf rows have the same shape as current ones');
    });

    test('listAvailability and listFacilityAvailability count available statuses only, never transit', async (store) => {
      const w1 = await ownFacility(store);
      const w2 = await ownFacility(store);
      const item = await seedItem(store, w1, { lotTracking: 'tracked' });
      const post1 = (location: Location, qty: number, status = 'available', lotNo = 'L1') =>
        mustPost(store, location.type === 'transit' ? 'transfer_in' : 'adjustment', [{ item, location, qty, status, lotNo }]);
      await post1(w1.binA, 6);
      await post1(w1.binA, 4, 'available', 'L2');
      await post1(w1.binA, 3, 'quarantine');
      await post1(w1.binB, 2, 'damaged');
      await post1(w1.binB, 5);
      await post1(w1.transit, 4);
      await post1(w2.binA, 7);
      const loc = (facility: Facility, location: Location, qty: number) =>
        ({ itemId: item.id, facilityId: facility.id, locationId: location.id, onHand: qty, allocated: 0, available: qty });
      const sort = <T extends { facilityId: string; locationId?: string }>(xs: T[]) =>
        [...xs].sort((a, b) => `${a.facilityId}|${a.locationId ?? ''}`.localeCompare(`${b.facilityId}|${b.locationId ?? ''}`));
      const byLocation = async (f: Parameters<Reader['ledger']['listAvailability']>[0], p = PAGE_ALL) => {
        const r = await store.read.ledger.listAvailability(f, p, NOW_FAR);
        return { items: sort(r.items), total: r.total };
      };
      const byFacility = async (f: Parameters<Reader['ledger']['listFacilityAvailability']>[0], p = PAGE_ALL) => {
        const r = await store.read.ledger.listFacilityAvailability(f, p, NOW_FAR);
        return { items: sort(r.items), total: r.total };
      };
      assert.equal(await byLocation({ itemId: item.id }), {
        items: sort([loc(w1.facility, w1.binA, 10), loc(w1.facility, w1.binB, 5), loc(w2.facility, w2.binA, 7)]), total: 3,
      }, 'lots sum per location; quarantine, damaged and transit stock are not available');
      assert.equal(await byLocation({ itemId: item.id, facilityId: w1.facility.id }), {
        items: sort([loc(w1.facility, w1.binA, 10), loc(w1.facility, w1.binB, 5)]), total: 2,
      });
      assert.equal(await byLocation({ locationId: w1.binB.id }), { items: [loc(w1.facility, w1.binB, 5)], total: 1 });
      assert.equal(await byLocation({ locationId: w1.transit.id }), { items: [], total: 0 });
      const fac = (facility: Facility, qty: number) =>
        ({ itemId: item.id, facilityId: facility.id, onHand: qty, reserved: 0, allocated: 0, available: qty });
      assert.equal(await byFacility({ itemId: item.id }), { items: sort([fac(w1.facility, 15), fac(w2.facility, 7)]), total: 2 });
      assert.equal(await byFacility({ itemId: item.id, facilityId: w2.facility.id }), { items: [fac(w2.facility, 7)], total: 1 });
      assert.equal(await byFacility({ facilityId: w1.facility.id, locationId: w1.binB.id }), { items: [fac(w1.facility, 5)], total: 1 });
      const p1 = await store.read.ledger.listAvailability({ itemId: item.id }, page(2), NOW_FAR);
      assert.is(p1.total, 3, 'total counts rows, not balances');
      assert.is(p1.items.length, 2);
      const paged = await allPages((p) => store.read.ledger.listAvailability({ itemId: item.id }, p, NOW_FAR), 2);
      assert.is(new Set(paged.items.map((r) => r.locationId)).size, 3, 'pages do not repeat rows');
      const f1 = await store.read.ledger.listFacilityAvailability({ itemId: item.id }, page(1), NOW_FAR);
      assert.is(f1.total, 2);
      assert.is(f1.items.length, 1);
      // Issuing everything available at B takes B out of the list.
      await post1(w1.binB, -5);
      assert.equal(await byLocation({ itemId: item.id, facilityId: w1.facility.id }), { items: [loc(w1.facility, w1.binA, 10)], total: 1 });
      assert.equal(await byFacility({ itemId: item.id, facilityId: w1.facility.id }), { items: [fac(w1.facility, 10)], total: 1 });
    });

    test('an item with only unavailable stock has no availability rows', async (store) => {
      const w = await ownFacility(store);
      const item = await seedItem(store, w);
      await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 3, status: 'quarantine' }]);
      await mustPost(store, 'adjustment', [{ item, location: w.binB, qty: 1, status: 'damaged' }]);
      await mustPost(store, 'transfer_in', [{ item, location: w.transit, qty: 2 }]);
      assert.equal(await store.read.ledger.listAvailability({ itemId: item.id }, PAGE_ALL, NOW_FAR), { items: [], total: 0 });
      assert.equal(await store.read.ledger.listFacilityAvailability({ itemId: item.id }, PAGE_ALL, NOW_FAR), { items: [], total: 0 });
      assert.is((await store.read.ledger.listBalances({ itemId: item.id }, PAGE_ALL)).total, 3, 'it is on hand all the same');
    });

    test('the verification snapshot: ledger sums and balances agree key by key, no running balance breaks, no drift', async (store) => {
      const w = await ownFacility(store);
      const item = await seedItem(store, w, { lotTracking: 'tracked' });
      const plain = await seedItem(store, w);
      await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 5.5, lotNo: 'S1' }, { item, location: w.binB, qty: 1, lotNo: 'S2', status: 'damaged' }]);
      await mustPost(store, 'move', [{ item, location: w.binA, qty: -2, lotNo: 'S1' }, { item, location: w.binB, qty: 2, lotNo: 'S1' }]);
      await mustPost(store, 'adjustment', [{ item: plain, location: w.binA, qty: 0.3 }]);
      await mustPost(store, 'adjustment', [{ item: plain, location: w.binA, qty: 0.2 }]);
      await mustPost(store, 'adjustment', [{ item: plain, location: w.binB, qty: 4 }]);
      await mustPost(store, 'adjustment', [{ item: plain, location: w.binB, qty: -4 }]);
      const mine = (xs: LedgerSum[]) => xs
        .filter((x) => (x.itemId === item.id || x.itemId === plain.id) && x.qty !== 0)
        .map((x) => ({ itemId: x.itemId, locationId: x.locationId, lotId: x.lotId, statusId: x.statusId, qty: x.qty }))
        .sort((a, b) => `${a.itemId}|${a.locationId}|${a.lotId}|${a.statusId}`.localeCompare(`${b.itemId}|${b.locationId}|${b.lotId}|${b.statusId}`));
      const both = await store.read.ledger.verification();
      assert.equal(both.breaks, []);
      const sums = mine(both.ledger);
      const balances = mine(both.balances);
      assert.equal(sums, balances);
      const [s1] = await store.read.ledger.findLots([{ itemId: item.id, lotNo: 'S1' }]);
      const [s2] = await store.read.ledger.findLots([{ itemId: item.id, lotNo: 'S2' }]);
      const expected = [
        { ...key(item, w.binA, 'available', s1!.id), qty: micro(3.5) },
        { ...key(item, w.binB, 'available', s1!.id), qty: micro(2) },
        { ...key(item, w.binB, 'damaged', s2!.id), qty: micro(1) },
        { ...key(plain, w.binA), qty: micro(0.5) },
      ];
      assert.equal(balances, mine(expected), 'quantities in micro-units, lotId null without a lot');
      assert.equal(await verifyBalances(store.read), []);
    });
  });
}

// ---------------------------------------------------------------------------------------------

function writeUnits(area: Area): void {
  area('write units', (test, world) => {
    const gate = () => {
      let open!: () => void;
      const opened = new Promise<void>((r) => (open = r));
      return { open, opened };
    };
    const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

    test('a unit that resolves commits all its writes and returns its value', async (store) => {
      const w = world();
      const uom = uomRecord();
      const item = itemRecord(w.uom.id);
      const token = tokenRecord();
      const k = keyRecord();
      const value = await store.write(async (tx) => {
        await tx.catalog.insertUom(uom);
        await tx.catalog.insertItem(item);
        await tx.tokens.insertToken(token);
        await tx.idempotency.putKey(k);
        const t = expectOk(await post(tx, request('adjustment', [{ item, location: w.binA, qty: 3 }]), tick()));
        return { answer: 42, t };
      });
      assert.is(value.answer, 42);
      assert.equal(await store.read.catalog.getUom(uom.id), uom);
      assert.equal(await store.read.catalog.getItem(item.id), item);
      assert.equal(await store.read.tokens.getToken(token.id), token);
      assert.equal(await store.read.idempotency.getKey(k.tokenId, k.key), k);
      assert.equal(await store.read.ledger.getTransaction(value.t.id), value.t);
      assert.is(await onHand(store.read, key(item, w.binA)), 3);
    });

    test('a unit that throws rolls back every write it made, in every area, and rejects with its error', async (store) => {
      const w = world();
      const stock = await seedItem(store, w);
      await mustPost(store, 'adjustment', [{ item: stock, location: w.binA, qty: 10 }]);
      const last = await store.read.ledger.lastPostedAt();
      const tokensBefore = await store.read.tokens.countTokens();
      const uom = uomRecord();
      const item = itemRecord(w.uom.id, { identifiers: [{ type: 'gtin', value: unique('880') }], lotTracking: 'tracked' });
      const facility = facilityRecord();
      const location = locationRecord(facility.id, 'X', null);
      const token = tokenRecord();
      const k = keyRecord();
      const boom = new Error('boom');
      let txId = '';
      const e = await rejection(store.write(async (tx) => {
        await tx.catalog.insertUom(uom);
        await tx.catalog.insertItem(item);
        await tx.catalog.updateItem({ ...stock, name: 'changed', version: 2 });
        await tx.facilities.insertFacility(facility);
        await tx.facilities.insertLocation(location);
        await tx.tokens.insertToken(token);
        await tx.idempotency.putKey(k);
        const t = expectOk(await post(tx, request('adjustment', [
          { item, location, qty: 5, lotNo: 'ROLLED-BACK' },
          { item: stock, location: w.binA, qty: -10 },
        ]), tick()));
        txId = t.id;
        assert.is(await onHand(tx, key(stock, w.binA)), 0, 'inside the unit the posting is visible');
        throw boom;
      }));
      assert.is(e, boom, 'write rejects with the very error the unit threw');
      assert.ok(txId, 'the unit got as far as posting');
      assert.is(await store.read.catalog.getUom(uom.id), null);
      assert.is(await store.read.catalog.getItem(item.id), null);
      assert.equal(await store.read.catalog.findIdentifierOwners(item.identifiers), []);
      assert.equal(await store.read.catalog.getItem(stock.id), stock, 'the update rolled back');
      assert.is(await store.read.facilities.getFacility(facility.id), null);
      assert.is(await store.read.facilities.getLocation(location.id), null);
      assert.is(await store.read.tokens.getToken(token.id), null);
      assert.is(await store.read.tokens.countTokens(), tokensBefore);
      assert.is(await store.read.idempotency.getKey(k.tokenId, k.key), null);
      assert.is(await store.read.ledger.getTransaction(txId), null);
      assert.equal(await store.read.ledger.findLots([{ itemId: item.id, lotNo: 'ROLLED-BACK' }]), []);
      assert.is(await onHand(store.read, key(stock, w.binA)), 10);
      assert.is(await store.read.ledger.lastPostedAt(), last);
      assert.is(await store.read.ledger.itemHasHistory(item.id), false);
      // The next unit sees the same: nothing of the failed one survived.
      assert.is(await store.write((tx) => tx.catalog.getUom(uom.id)), null);
      assert.equal(await verifyBalances(store.read), []);
    });

    test('a unit that throws after awaiting other I/O still rolls back', async (store) => {
      const uom = uomRecord();
      const boom = new Error('late boom');
      const e = await rejection(store.write(async (tx) => {
        await tx.catalog.insertUom(uom);
        await later(5);
        await new Promise((r) => setImmediate(r));
        throw boom;
      }));
      assert.is(e, boom);
      assert.is(await store.read.catalog.getUom(uom.id), null);
      assert.is(await store.write((tx) => tx.catalog.getUom(uom.id)), null);
    });

    test('a unit reads its own uncommitted writes through every area', async (store) => {
      const w = world();
      const tag = unique('zqown');
      const uom = uomRecord();
      const item = itemRecord(w.uom.id, { name: `Own ${tag}`, identifiers: [{ type: 'sku', value: tag }] });
      const token = tokenRecord();
      const k = keyRecord();
      await store.write(async (tx) => {
        await tx.catalog.insertUom(uom);
        await tx.catalog.insertItem(item);
        await tx.tokens.insertToken(token);
        await tx.idempotency.putKey(k);
        assert.equal(await tx.catalog.getUom(uom.id), uom);
        assert.equal(await tx.catalog.findUomByCode(uom.code), uom);
        assert.equal(await tx.catalog.getItem(item.id), item);
        assert.equal(ids((await tx.catalog.listItems({ q: tag }, PAGE_ALL)).items), [item.id], 'search sees the new item');
        assert.equal(ids((await tx.catalog.listItems({ identifier: tag }, PAGE_ALL)).items), [item.id]);
        assert.equal(await tx.tokens.findTokenByHash(token.hash), token);
        assert.equal(await tx.idempotency.getKey(k.tokenId, k.key), k);
        const t = expectOk(await post(tx, request('adjustment', [{ item, location: w.binA, qty: 2 }]), tick()));
        assert.equal(await tx.ledger.getTransaction(t.id), t);
        assert.is(await onHand(tx, key(item, w.binA)), 2);
        assert.is((await tx.ledger.listBalances({ itemId: item.id }, PAGE_ALL)).items[0]?.onHand, 2);
        assert.is(await tx.ledger.lastPostedAt(), t.postedAt);
        assert.is(await tx.ledger.itemHasHistory(item.id), true);
        // The second posting in the same unit is checked against the first.
        expectCode(await post(tx, request('adjustment', [{ item, location: w.binA, qty: -3 }]), tick()), 'insufficient_stock');
      });
      assert.is(await onHand(store.read, key(item, w.binA)), 2);
    });

    test('once a unit resolves, store.read sees its writes at once', async (store) => {
      const w = world();
      for (let i = 0; i < 5; i++) {
        const uom = uomRecord();
        await store.write((tx) => tx.catalog.insertUom(uom));
        assert.equal(await store.read.catalog.getUom(uom.id), uom);
      }
      const item = await seedItem(store, w);
      const t = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 1 }]);
      assert.equal(await store.read.ledger.getTransaction(t.id), t);
      assert.is(await onHand(store.read, key(item, w.binA)), 1);
    });

    /**
     * Starts a read now and records, when it completes, whether it saw the write and whether
     * the unit had been let finish by then. A read may wait for a unit in flight; it may not
     * see the unit's writes while the unit is still running. (Once let go, a unit commits
     * before its promise settles: a read on another connection may see it in between.)
     */
    const observe = <T>(read: () => Promise<T>, sees: (v: T) => boolean, resolved: () => boolean) =>
      read().then((v) => ({ saw: sees(v), resolved: resolved() }));
    const expectNotEarly = (o: { saw: boolean; resolved: boolean }, what: string) =>
      assert.ok(!o.saw || o.resolved, `${what} was visible before its unit resolved`);

    test('store.read never sees a unit\'s writes before the unit resolves', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      const uom = uomRecord();
      const g = gate();
      const wrote = gate();
      let released = false;
      const unit = store.write(async (tx) => {
        await tx.catalog.insertUom(uom);
        expectOk(await post(tx, request('adjustment', [{ item, location: w.binA, qty: 4 }]), tick()));
        wrote.open();
        await g.opened;
        return 'done';
      });
      let observed: Array<{ saw: boolean; resolved: boolean }> = [];
      try {
        await wrote.opened;
        await later(5);
        const done = () => released;
        const reads = Promise.all([
          observe(() => store.read.catalog.getUom(uom.id), (u) => u !== null, done),
          observe(() => store.read.catalog.findUomByCode(uom.code), (u) => u !== null, done),
          observe(() => onHand(store.read, key(item, w.binA)), (n) => n !== 0, done),
          observe(() => store.read.ledger.itemHasHistory(item.id), (h) => h, done),
          observe(() => store.read.ledger.listTransactions({ itemId: item.id }, PAGE_ALL), (p) => p.total > 0, done),
        ]);
        await later(5);
        released = true;
        g.open();
        observed = await reads;
      } finally {
        // Let the unit finish even when something failed, so the store is not left stuck.
        g.open();
      }
      ['the UOM by id', 'the UOM by code', 'the balance', 'the item history', 'the transaction'].forEach((what, i) => expectNotEarly(observed[i]!, what));
      assert.is(await unit, 'done');
      assert.equal(await store.read.catalog.getUom(uom.id), uom);
      assert.is(await onHand(store.read, key(item, w.binA)), 4);
    });

    test('a finished unit is not visible while it is unresolved, even when a unit beside it is still running', async (store) => {
      const quick = uomRecord();
      const slow = uomRecord();
      const g = gate();
      const wrote = gate();
      let quickResolved = false;
      let released = false;
      const a = store.write((tx) => tx.catalog.insertUom(quick)).then(() => {
        quickResolved = true;
      });
      const b = store.write(async (tx) => {
        await tx.catalog.insertUom(slow);
        wrote.open();
        await g.opened;
      });
      let observed: Array<{ saw: boolean; resolved: boolean }> = [];
      try {
        await wrote.opened;
        await later(5);
        const reads = Promise.all([
          observe(() => store.read.catalog.getUom(quick.id), (u) => u !== null, () => quickResolved),
          observe(() => store.read.catalog.getUom(slow.id), (u) => u !== null, () => released),
        ]);
        await later(5);
        released = true;
        g.open();
        observed = await reads;
      } finally {
        g.open();
      }
      expectNotEarly(observed[0]!, 'the quick unit\'s UOM');
      expectNotEarly(observed[1]!, 'the slow unit\'s UOM');
      await Promise.all([a, b]);
      assert.equal(await store.read.catalog.getUom(quick.id), quick);
      assert.equal(await store.read.catalog.getUom(slow.id), slow);
    });

    test('units submitted together are isolated: the ones that fail roll back alone', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      const uoms = Array.from({ length: 6 }, () => uomRecord());
      const fails = (i: number) => i % 3 === 1;
      const units = uoms.map((u, i) => store.write(async (tx) => {
        await tx.catalog.insertUom(u);
        const t = expectOk(await post(tx, request('adjustment', [{ item, location: w.binA, qty: fails(i) ? 100 : 1 }]), tick()));
        if (fails(i)) throw new Error(`unit ${i} fails`);
        return t;
      }));
      const settled = await Promise.allSettled(units);
      settled.forEach((s, i) => assert.is(s.status, fails(i) ? 'rejected' : 'fulfilled', `unit ${i}`));
      for (const [i, u] of uoms.entries()) {
        if (fails(i)) assert.is(await store.read.catalog.getUom(u.id), null, `unit ${i} rolled back`);
        else assert.equal(await store.read.catalog.getUom(u.id), u, `unit ${i} committed`);
      }
      assert.is(await onHand(store.read, key(item, w.binA)), 4, 'four postings of 1 committed, the two of 100 did not');
      const committed = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      for (const t of committed) assert.equal(await store.read.ledger.getTransaction(t.id), t);
      const listed = await store.read.ledger.listTransactions({ itemId: item.id }, PAGE_ALL);
      assert.equal(sortedStrings(ids(listed.items)), sortedStrings(ids(committed)));
      assert.is(new Set(committed.map((t) => t.seq)).size, committed.length, 'distinct seqs');
      assert.equal(await verifyBalances(store.read), []);
    });

    test('a unit that throws synchronously fails alone', async (store) => {
      const ok1 = uomRecord();
      const ok2 = uomRecord();
      const boom = new Error('sync boom');
      const results = await Promise.allSettled([
        store.write((tx) => tx.catalog.insertUom(ok1)),
        store.write(() => {
          throw boom;
        }),
        store.write((tx) => tx.catalog.insertUom(ok2)),
      ]);
      assert.equal(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.is((results[1] as PromiseRejectedResult).reason, boom);
      assert.equal(await store.read.catalog.getUom(ok1.id), ok1);
      assert.equal(await store.read.catalog.getUom(ok2.id), ok2);
    });

    test('two insertUom with the same code in one unit: UniqueViolation, and the unit writes nothing', async (store) => {
      const first = uomRecord();
      const a = uomRecord();
      const b = uomRecord({ code: a.code });
      await expectUniqueViolation(store.write(async (tx) => {
        await tx.catalog.insertUom(first);
        await tx.catalog.insertUom(a);
        await tx.catalog.insertUom(b);
      }));
      assert.is(await store.read.catalog.getUom(first.id), null);
      assert.is(await store.read.catalog.getUom(a.id), null);
      assert.is(await store.read.catalog.findUomByCode(a.code), null);
      const sameId = uomRecord();
      await expectUniqueViolation(store.write(async (tx) => {
        await tx.catalog.insertUom(sameId);
        await tx.catalog.insertUom({ ...uomRecord(), id: sameId.id });
      }));
      assert.is(await store.read.catalog.getUom(sameId.id), null);
    });

    test('the same code in two units submitted together: one commits, the other gets a UniqueViolation', async (store) => {
      const a = uomRecord();
      const b = uomRecord({ code: a.code });
      const c = uomRecord();
      const [ra, rb, rc] = await Promise.allSettled([
        store.write((tx) => tx.catalog.insertUom(a)),
        store.write((tx) => tx.catalog.insertUom(b)),
        store.write((tx) => tx.catalog.insertUom(c)),
      ]);
      assert.is([ra, rb].filter((r) => r.status === 'fulfilled').length, 1, 'exactly one of the clashing units commits');
      const loser = [ra, rb].find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.ok(loser.reason instanceof UniqueViolation, `expected a UniqueViolation, got ${String(loser.reason)}`);
      assert.is(rc!.status, 'fulfilled');
      const winner = ra!.status === 'fulfilled' ? a : b;
      assert.equal(await store.read.catalog.findUomByCode(a.code), winner);
      assert.equal(await store.read.catalog.getUom(c.id), c);
    });

    test('runCommand: a refused command writes nothing, even what it wrote before refusing', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      const uom = uomRecord();
      let firstId = '';
      const r = await runCommand(store, async (tx) => {
        await tx.catalog.insertUom(uom);
        const t = expectOk(await post(tx, request('adjustment', [{ item, location: w.binA, qty: 5 }]), tick()));
        firstId = t.id;
        return post(tx, request('adjustment', [{ item, location: w.binA, qty: -6 }]), tick());
      });
      expectCode(r, 'insufficient_stock');
      assert.ok(firstId);
      assert.is(await store.read.catalog.getUom(uom.id), null);
      assert.is(await store.read.ledger.getTransaction(firstId), null);
      assert.is(await onHand(store.read, key(item, w.binA)), 0);
      assert.is(await store.read.ledger.itemHasHistory(item.id), false);
      const plain = await runCommand(store, async (tx) => {
        await tx.catalog.insertUom(uomRecord({ code: `${uom.code}Z` }));
        return fail('conflict', 'refused on purpose');
      });
      expectCode(plain, 'conflict');
      assert.is(await store.read.catalog.findUomByCode(`${uom.code}Z`), null);
    });

    test('runCommand turns a UniqueViolation into a conflict result', async (store) => {
      const a = uomRecord();
      await store.write((tx) => tx.catalog.insertUom(a));
      const r = await runCommand(store, async (tx) => {
        await tx.catalog.insertUom(uomRecord({ code: a.code }));
        return { ok: true as const, value: 1 };
      });
      expectCode(r, 'conflict');
    });

    test('units never interleave: a read-then-write unit sees the unit before it', async (store) => {
      // Each unit counts the tokens, waits on other I/O, then names a new token after the
      // count. Were two units to interleave, both would read the same count.
      const before = await store.read.tokens.countTokens();
      const names = await Promise.all(Array.from({ length: 4 }, () => store.write(async (tx) => {
        const n = await tx.tokens.countTokens();
        await later(2);
        const t = tokenRecord({ name: `after ${n}` });
        await tx.tokens.insertToken(t);
        return t.name;
      })));
      assert.equal(sortedStrings(names), [0, 1, 2, 3].map((i) => `after ${before + i}`));
    });

    test('ping resolves while the store is open', async (store) => {
      await store.ping();
    });
  });
}

// ---------------------------------------------------------------------------------------------

function concurrency(area: Area): void {
  area('concurrency', (test, world) => {
    test('50 concurrent postings each take 1 of 10 on hand: exactly 10 succeed, the balance ends at 0', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 10 }]);
      const results = await Promise.all(Array.from({ length: 50 }, () => posting(store, 'adjustment', [{ item, location: w.binA, qty: -1 }])));
      const succeeded = results.filter((r) => r.ok);
      assert.is(succeeded.length, 10);
      for (const r of results) if (!r.ok) assert.is(r.code, 'insufficient_stock');
      assert.is(await onHand(store.read, key(item, w.binA)), 0);
      assert.equal((await store.read.ledger.listBalances({ itemId: item.id }, PAGE_ALL)).items, []);
      assert.is((await store.read.ledger.listTransactions({ itemId: item.id }, PAGE_ALL)).total, 11);
      assert.equal(await verifyBalances(store.read), []);
    });

    test('concurrent moves back and forth keep the total and never go negative', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 10 }]);
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => {
        const [from, to] = i % 3 === 0 ? [w.binB, w.binA] : [w.binA, w.binB];
        return posting(store, 'move', [{ item, location: from, qty: -2 }, { item, location: to, qty: 2 }]);
      }));
      for (const r of results) if (!r.ok) assert.is(r.code, 'insufficient_stock');
      const a = await onHand(store.read, key(item, w.binA));
      const b = await onHand(store.read, key(item, w.binB));
      assert.is(a + b, 10);
      assert.ok(a >= 0 && b >= 0);
      const moves = await store.read.ledger.listTransactions({ itemId: item.id, type: 'move' }, PAGE_ALL);
      assert.is(moves.total, results.filter((r) => r.ok).length);
      assert.equal(await verifyBalances(store.read), []);
    });

    test('concurrent reversals of one transaction: exactly one succeeds, the rest are conflicts', async (store) => {
      const w = world();
      const item = await seedItem(store, w);
      await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: 10 }]);
      const t = await mustPost(store, 'adjustment', [{ item, location: w.binA, qty: -2 }]);
      const results = await Promise.all(Array.from({ length: 6 }, () =>
        runCommand(store, (tx) => reverseTransaction(tx, t.id, {}, tick()))));
      assert.is(results.filter((r) => r.ok).length, 1);
      for (const r of results) if (!r.ok) assert.is(r.code, 'conflict');
      assert.is(await onHand(store.read, key(item, w.binA)), 10);
      assert.is((await store.read.ledger.listTransactions({ itemId: item.id, type: 'reversal' }, PAGE_ALL)).total, 1);
    });

    test('concurrent first postings to a new lot create it once', async (store) => {
      const w = world();
      const item = await seedItem(store, w, { lotTracking: 'tracked' });
      const lotNo = unique('NEW-');
      const results = await Promise.all(Array.from({ length: 10 }, () => posting(store, 'adjustment', [{ item, location: w.binA, qty: 1, lotNo }])));
      const ok = results.filter((r) => r.ok);
      assert.ok(ok.length >= 1, 'at least one posting succeeds');
      for (const r of results) if (!r.ok) assert.is(r.code, 'conflict', 'a lost race is a conflict, nothing worse');
      const lots = await store.read.ledger.findLots([{ itemId: item.id, lotNo }]);
      assert.is(lots.length, 1);
      for (const r of ok) assert.is(r.ok && r.value.lines[0]!.lotId, lots[0]!.id);
      assert.is(await onHand(store.read, key(item, w.binA, 'available', lots[0]!.id)), ok.length);
      assert.equal(await verifyBalances(store.read), []);
    });

    test('concurrent creates of one UOM code or item number: one succeeds, the rest are conflicts', async (store) => {
      const w = world();
      const code = unique('C');
      const uoms = await Promise.all(Array.from({ length: 5 }, () => runCommand(store, (tx) => createUom(tx, { code, name: 'Case' }, tick()))));
      assert.is(uoms.filter((r) => r.ok).length, 1);
      for (const r of uoms) if (!r.ok) assert.is(r.code, 'conflict');
      const winner = uoms.find((r) => r.ok);
      assert.equal(await store.read.catalog.findUomByCode(code), winner?.ok ? winner.value : null);
      const itemNo = unique('RACE-');
      const items = await Promise.all(Array.from({ length: 5 }, () =>
        runCommand(store, (tx) => createItem(tx, { itemNo, name: 'Race', itemKind: 'purchased', baseUomId: w.uom.id }, tick()))));
      assert.is(items.filter((r) => r.ok).length, 1);
      for (const r of items) if (!r.ok) assert.is(r.code, 'conflict');
      const won = items.find((r) => r.ok);
      assert.equal(await store.read.catalog.findItemByNo(itemNo), won?.ok ? won.value : null);
    });
  });
}

