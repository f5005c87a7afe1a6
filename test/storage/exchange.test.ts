// CSV import and export on every adapter: every kind imports through the core's commands and
// exports the same columns, so an export imports again into an empty database and exports the
// same text; a bad row anywhere refuses the whole file, naming its line, and writes nothing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EXCHANGE_KINDS, exportCsv, importCsv, OPENING_REASON, type ExchangeKind } from '../../core/exchange.js';
import { Ims } from '../../core/ims.js';
import type { Store } from '../../core/ports.js';
import { unwrap } from '../../core/result.js';
import { verifyBalances } from '../../core/verify.js';
import { onEveryStore } from '../support/stores.js';

const NOW = '2030-06-01T00:00:00.000Z';

const FILES: Record<ExchangeKind, string> = {
  uoms: 'code,name,decimals\nEA,Each,0\nKG,Kilogram,3\nBOX,Box of 12,0\n',
  facilities: 'code,name,type,isActive\nWH1,Main warehouse,warehouse,true\nPL1,Plant,plant,\n',
  locations: 'facility,code,name,parent,type,isPickable\nWH1,A,Aisle A,,aisle,\nWH1,A-01,"Bin A-01, top",A,bin,true\nWH1,Q,Quarantine,,zone,false\nPL1,LINE,Line 1,,staging,\n',
  items: [
    'itemNo,name,itemKind,baseUom,description,lotTracking,serialTracking,expiryTracking,isActive,identifiers,conversions',
    'NB-1,"Notebook ""A5""",purchased,EA,Lined,tracked,none,tracked,true,gtin:4006381333931|sku:NB,BOX=12',
    'SC-1,Scanner,purchased,EA,,none,tracked,none,true,,',
    'FL-1,Flour,purchased,KG,,none,none,none,,,',
    'OLD-1,Retired,purchased,EA,,none,none,none,false,,',
    '',
  ].join('\n'),
  suppliers: 'code,name,email,phone,currency,leadTimeDays,isActive\nACME,Acme Paper,orders@acme.example,+49 30 1234,EUR,7,true\nGLOBX,Globex,,,USD,,false\n',
  customers: 'code,name,email,phone,isActive\nSHOP,Corner Shop,shop@example.com,,true\n',
  balances: [
    'itemNo,facility,location,status,lotNo,expiresOn,qty,serialNos',
    'NB-1,WH1,A-01,available,L-2030-01,2031-01-31,40,',
    'NB-1,WH1,Q,quarantine,L-2030-02,2031-03-31,2,',
    'SC-1,WH1,A-01,,,,3,SN-1|SN-2|SN-3',
    'FL-1,PL1,LINE,,,,12.125,',
    '',
  ].join('\n'),
};

async function importAll(store: Store): Promise<void> {
  for (const kind of EXCHANGE_KINDS) unwrap(await importCsv(store, kind, FILES[kind], NOW));
}

async function exportAll(store: Store): Promise<Record<ExchangeKind, string>> {
  const out = {} as Record<ExchangeKind, string>;
  for (const kind of EXCHANGE_KINDS) out[kind] = await exportCsv(store.read, kind);
  return out;
}

onEveryStore((name, open, skip) => {
  const s = suite(`exchange on ${name}`);
  if (skip) {
    s.skip(skip, () => {});
    s.run();
    return;
  }
  let store: Store;
  s.before.each(async () => {
    store = await open();
  });
  s.after.each(async () => {
    await store.close();
  });

  s('every kind imports through the commands: the records, the opening postings and their reason', async () => {
    await importAll(store);
    const ims = new Ims(store);
    const items = await ims.items.list({}, { limit: 10 });
    assert.equal(items.items.map((i) => i.itemNo).sort(), ['FL-1', 'NB-1', 'OLD-1', 'SC-1']);
    const nb = items.items.find((i) => i.itemNo === 'NB-1')!;
    assert.is(nb.name, 'Notebook "A5"');
    assert.equal(nb.identifiers, [{ type: 'gtin', value: '4006381333931' }, { type: 'sku', value: 'NB' }]);
    assert.is(nb.uomConversions[0]!.factor, 12);
    assert.is(items.items.find((i) => i.itemNo === 'OLD-1')!.isActive, false);
    assert.is(items.items.find((i) => i.itemNo === 'FL-1')!.isActive, true);
    const suppliers = await ims.suppliers.list();
    assert.equal(suppliers.items.map((p: any) => [p.code, p.currency, p.leadTimeDays, p.isActive]), [['ACME', 'EUR', 7, true], ['GLOBX', 'USD', null, false]]);
    const tx = await ims.inventory.transactions({}, { limit: 10 });
    assert.is(tx.total, 4);
    assert.ok(tx.items.every((t) => t.type === 'adjustment' && t.reason === OPENING_REASON));
    const flour = await ims.inventory.balances({ itemId: items.items.find((i) => i.itemNo === 'FL-1')!.id });
    assert.is(flour.items[0]!.onHand, 12.125);
    assert.equal(await verifyBalances(store.read), []);
  });

  s('an export imports into an empty database and exports the very same text', async () => {
    await importAll(store);
    const first = await exportAll(store);
    assert.match(first.balances, /SC-1,WH1,A-01,available,,,3,SN-1\|SN-2\|SN-3/);
    assert.match(first.locations, /WH1,A-01,"Bin A-01, top",A,bin,true/);
    assert.not.match(first.locations, /TRANSIT/);
    const other = await open();
    try {
      for (const kind of EXCHANGE_KINDS) unwrap(await importCsv(other, kind, first[kind]!, NOW));
      assert.equal(await exportAll(other), first);
    } finally {
      await other.close();
    }
  });

  s('a bad row refuses the whole file with its line number, and nothing of the file is written', async () => {
    for (const kind of ['uoms', 'facilities', 'locations', 'items'] as const) unwrap(await importCsv(store, kind, FILES[kind], NOW));
    const before = await exportAll(store);
    const cases: Array<[ExchangeKind, string, RegExp]> = [
      ['items', 'itemNo,name,itemKind,baseUom\nX-1,Good,purchased,EA\nX-2,Bad kind,gadget,EA\n', /^line 3: .*itemKind/],
      ['items', 'itemNo,name,itemKind,baseUom\nX-1,Good,purchased,EA\nX-2,No UOM,purchased,LITRE\n', /^line 3: baseUom/],
      // A duplicate of an earlier row of the same file is a conflict on its own line.
      ['suppliers', 'code,name\nNEW,New\n"NEW",Again\n', /^line 3: /],
      ['customers', 'code,name,email\nOK,Fine,a@b.c\nBAD,Bad,not-an-email\n', /^line 3: .*email/],
      ['locations', 'facility,code,name,parent,type\nWH1,B,Aisle B,,aisle\nWH1,B-01,Bin,NOPE,bin\n', /^line 3: parent/],
      ['balances', 'itemNo,facility,location,qty\nFL-1,PL1,LINE,5\nFL-1,PL1,LINE,-1\n', /^line 3: /],
      ['balances', 'itemNo,facility,location,qty\nFL-1,PL1,LINE,5\nNB-1,WH1,A-01,1\n', /^line 3: .*lot/i],
      ['balances', 'itemNo,facility,location,qty\nFL-1,PL1,LINE,5\nFL-1,PL1,LINE\n', /^line 3: 3 fields/],
      ['balances', 'itemNo,facility,location,qty\nFL-1,PL1,LINE,5\n,PL1,LINE,1\n', /^line 3: itemNo is required/],
      ['uoms', 'code,name,colour\nPC,Piece,red\n', /^line 1: unknown column colour/],
      ['uoms', 'name\nPiece\n', /^line 1: missing column code/],
      ['uoms', '', /empty/],
      ['uoms', 'code,name\nPC,"Piece\n', /^line 2: a quoted field is not closed/],
    ];
    for (const [kind, text, message] of cases) {
      const r = await importCsv(store, kind, text, NOW);
      assert.is(r.ok, false, `${kind}: ${text}`);
      if (!r.ok) assert.match(r.message, message);
    }
    assert.equal(await exportAll(store), before);
    assert.is((await new Ims(store).inventory.transactions()).total, 0);
  });
  s.run();
});
