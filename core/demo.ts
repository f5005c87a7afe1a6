// `ims seed --demo`: a small stationery company, so a new user sees a living system in one
// command. Two warehouses and a plant; 50 items (raw materials, subassemblies, finished
// notebooks, trade goods; lot, expiry and serial tracked ones); suppliers and customers; a
// three-level bill of materials (notebook → block and cover → paper, board, glue, ink);
// opening stock; and some history: received and partly received purchase orders, completed
// work orders, a received and an in-transit transfer, shipped and partly shipped sales
// orders, a damaged move; with open purchase orders, sales orders, a released work order and
// reorder policies left for the user to work on.
//
// Every record goes through the embedder facade, so the demo obeys every rule a user's data
// does. Each step is its own transaction: the seed refuses a database that has items already,
// and a step that fails stops it (a bug in the demo, which its test would catch).
import type { Ims } from './ims.js';
import { fail, ok, type Result } from './result.js';

/** What the facade answers: records with ids, documents with lines. */
interface Rec {
  id: string;
  lines?: Array<{ id: string; itemId: string }>;
}

class DemoStepFailed extends Error {}

async function must(step: string, pending: Promise<Result<unknown>>): Promise<Rec> {
  const r = await pending;
  if (!r.ok) throw new DemoStepFailed(`${step}: ${r.code}: ${r.message}`);
  return r.value as Rec;
}

type Kind = 'purchased' | 'manufactured' | 'service';
/** itemNo, name, kind, UOM code, tracking: `l` lot, `e` expiry (with lot), `s` serial. */
type ItemRow = [string, string, Kind, string, string];

const ITEMS: ItemRow[] = [
  ['RM-PAPER-A5', 'Paper A5, 80 g/m²', 'purchased', 'SHT', 'l'],
  ['RM-PAPER-A4', 'Paper A4, 80 g/m²', 'purchased', 'SHT', 'l'],
  ['RM-BOARD-A5', 'Cover board A5, 1.5 mm', 'purchased', 'EA', ''],
  ['RM-BOARD-A4', 'Cover board A4, 1.5 mm', 'purchased', 'EA', ''],
  ['RM-GLUE', 'Binding glue, hot melt', 'purchased', 'KG', 'e'],
  ['RM-INK-BLK', 'Printing ink, black', 'purchased', 'KG', 'e'],
  ['RM-INK-BLU', 'Printing ink, blue', 'purchased', 'KG', 'e'],
  ['RM-WIRE-A5', 'Wire-O spiral 3:1, A5', 'purchased', 'EA', ''],
  ['RM-WIRE-A4', 'Wire-O spiral 3:1, A4', 'purchased', 'EA', ''],
  ['RM-ELASTIC', 'Elastic closure band, black', 'purchased', 'EA', ''],
  ['RM-LABEL', 'Product label 50×25 mm', 'purchased', 'EA', ''],
  ['RM-FILM', 'Shrink film, 400 mm wide', 'purchased', 'M', ''],
  ['RM-CARTON', 'Shipping carton for 40 notebooks', 'purchased', 'EA', ''],
  ['SA-BLOCK-A5', 'Notebook block A5, 80 sheets', 'manufactured', 'EA', 'l'],
  ['SA-BLOCK-A4', 'Notebook block A4, 80 sheets', 'manufactured', 'EA', 'l'],
  ['SA-COVER-A5', 'Printed cover A5', 'manufactured', 'EA', ''],
  ['SA-COVER-A4', 'Printed cover A4', 'manufactured', 'EA', ''],
  ['FG-NOTE-A5', 'Notebook A5, lined', 'manufactured', 'EA', 'l'],
  ['FG-NOTE-A4', 'Notebook A4, squared', 'manufactured', 'EA', 'l'],
  ['FG-NOTE-A5-DOT', 'Notebook A5, dotted', 'manufactured', 'EA', 'l'],
  ['TG-PEN-BLK', 'Ballpoint pen, black', 'purchased', 'EA', ''],
  ['TG-PEN-BLU', 'Ballpoint pen, blue', 'purchased', 'EA', ''],
  ['TG-PEN-RED', 'Ballpoint pen, red', 'purchased', 'EA', ''],
  ['TG-GEL-BLK', 'Gel pen, black', 'purchased', 'EA', ''],
  ['TG-MARK-YEL', 'Highlighter, yellow', 'purchased', 'EA', ''],
  ['TG-MARK-GRN', 'Highlighter, green', 'purchased', 'EA', ''],
  ['TG-PENCIL-HB', 'Pencil HB', 'purchased', 'EA', ''],
  ['TG-ERASER', 'Eraser, white', 'purchased', 'EA', ''],
  ['TG-SHARPENER', 'Pencil sharpener, metal', 'purchased', 'EA', ''],
  ['TG-RULER-30', 'Ruler 30 cm', 'purchased', 'EA', ''],
  ['TG-STAPLER', 'Stapler 24/6', 'purchased', 'EA', ''],
  ['TG-STAPLES', 'Staples 24/6, box of 1000', 'purchased', 'EA', ''],
  ['TG-PUNCH', 'Hole punch, 2 holes', 'purchased', 'EA', ''],
  ['TG-CLIPS', 'Paper clips, pack of 100', 'purchased', 'EA', ''],
  ['TG-TAPE', 'Adhesive tape 19 mm × 33 m', 'purchased', 'EA', ''],
  ['TG-GLUESTICK', 'Glue stick 20 g', 'purchased', 'EA', 'e'],
  ['TG-BINDER-A4', 'Ring binder A4', 'purchased', 'EA', ''],
  ['TG-POCKETS', 'Punched pockets, pack of 100', 'purchased', 'EA', ''],
  ['TG-ENVELOPE-C5', 'Envelopes C5, box of 500', 'purchased', 'EA', ''],
  ['TG-COPYPAPER', 'Copy paper A4, ream of 500', 'purchased', 'EA', ''],
  ['TG-CALCULATOR', 'Desk calculator', 'purchased', 'EA', 's'],
  ['TG-LABELPRINTER', 'Label printer, thermal', 'purchased', 'EA', 's'],
  ['TG-SCANNER', 'Barcode scanner, cordless', 'purchased', 'EA', 's'],
  ['TG-SHREDDER', 'Paper shredder, cross cut', 'purchased', 'EA', 's'],
  ['TG-LAMINATOR', 'Laminator A4', 'purchased', 'EA', 's'],
  ['TG-LAMP', 'Desk lamp, LED', 'purchased', 'EA', ''],
  ['TG-WHITEBOARD', 'Whiteboard 90 × 60 cm', 'purchased', 'EA', ''],
  ['TG-MARK-WB', 'Whiteboard markers, set of 4', 'purchased', 'EA', ''],
  ['TG-INKCART', 'Ink cartridge, black', 'purchased', 'EA', 'e'],
  ['SV-GIFTWRAP', 'Gift wrapping', 'service', 'EA', ''],
];

export interface DemoSummary {
  items: number;
  facilities: number;
  suppliers: number;
  customers: number;
  purchaseOrders: number;
  salesOrders: number;
  workOrders: number;
  transfers: number;
  transactions: number;
}

/** Seeds the demo company; refuses (`conflict`) a database that has items already. */
export async function seedDemo(ims: Ims): Promise<Result<DemoSummary>> {
  if ((await ims.items.list({}, { limit: 1 })).total > 0) {
    return fail('conflict', 'the database has items already; the demo seeds an empty database');
  }
  try {
    await new Demo(ims).run();
  } catch (e) {
    if (e instanceof DemoStepFailed) {
      return fail('invalid_state', `the demo stopped at ${e.message}; what it wrote before stays, so seed a new, empty database`);
    }
    throw e;
  }
  const count = async (list: Promise<{ total: number }>) => (await list).total;
  return ok({
    items: await count(ims.items.list()),
    facilities: await count(ims.facilities.list()),
    suppliers: await count(ims.suppliers.list()),
    customers: await count(ims.customers.list()),
    purchaseOrders: await count(ims.purchaseOrders.list()),
    salesOrders: await count(ims.salesOrders.list()),
    workOrders: await count(ims.production.workOrders.list()),
    transfers: await count(ims.transfers.list()),
    transactions: await count(ims.inventory.transactions()),
  });
}

class Demo {
  private readonly uom = new Map<string, string>();
  private readonly item = new Map<string, string>();
  private readonly facility = new Map<string, string>();
  /** `FACILITY/LOCATION` → id. */
  private readonly location = new Map<string, string>();
  private readonly party = new Map<string, string>();

  constructor(private readonly ims: Ims) {}

  async run(): Promise<void> {
    await this.catalog();
    await this.sites();
    await this.parties();
    await this.billsOfMaterials();
    await this.openingStock();
    await this.purchasing();
    await this.production();
    await this.transfers();
    await this.sales();
    await this.policies();
  }

  private id(map: Map<string, string>, key: string): string {
    const v = map.get(key);
    if (!v) throw new DemoStepFailed(`unknown demo key ${key}`);
    return v;
  }

  private at(facility: string, location: string): string {
    return this.id(this.location, `${facility}/${location}`);
  }

  private async catalog(): Promise<void> {
    for (const [code, name, decimals] of [['EA', 'Each', 0], ['SHT', 'Sheet', 0], ['KG', 'Kilogram', 3], ['M', 'Metre', 2], ['BOX', 'Box', 0]] as const) {
      this.uom.set(code, (await must(`uom ${code}`, this.ims.uoms.create({ code, name, decimals }))).id);
    }
    for (const [itemNo, name, itemKind, uom, tracking] of ITEMS) {
      const lot = tracking === 'l' || tracking === 'e';
      const sold = itemNo.startsWith('TG-') || itemNo.startsWith('FG-');
      const item = await must(`item ${itemNo}`, this.ims.items.create({
        itemNo, name, itemKind, baseUomId: this.uom.get(uom)!,
        lotTracking: lot ? 'tracked' : 'none', expiryTracking: tracking === 'e' ? 'tracked' : 'none',
        serialTracking: tracking === 's' ? 'tracked' : 'none',
        identifiers: sold ? [{ type: 'sku', value: itemNo }] : [],
        // Pens and pencils are bought by the box.
        uomConversions: /^TG-(PEN|GEL|PENCIL)/.test(itemNo) ? [{ uomId: this.uom.get('BOX')!, factor: 50 }] : [],
      }));
      this.item.set(itemNo, item.id);
    }
  }

  private async sites(): Promise<void> {
    const sites = [
      { code: 'WH-BER', name: 'Warehouse Berlin', type: 'warehouse', bins: ['A-01', 'A-02', 'A-03', 'B-01', 'B-02', 'B-03'] },
      { code: 'WH-HAM', name: 'Warehouse Hamburg', type: 'warehouse', bins: ['A-01', 'A-02', 'A-03'] },
      { code: 'PL-LEI', name: 'Plant Leipzig', type: 'plant', bins: ['RAW-01', 'RAW-02', 'RAW-03', 'FG-01'] },
    ] as const;
    for (const s of sites) {
      const f = await must(`facility ${s.code}`, this.ims.facilities.create({ code: s.code, name: s.name, type: s.type }));
      this.facility.set(s.code, f.id);
      const add = async (code: string, name: string, type: 'zone' | 'aisle' | 'bin' | 'staging', parent?: string, isPickable = true) => {
        const l = await must(`location ${s.code}/${code}`, this.ims.locations.create(f.id, {
          code, name, type, isPickable, ...(parent ? { parentId: this.at(s.code, parent) } : {}),
        }));
        this.location.set(`${s.code}/${code}`, l.id);
      };
      await add('RECV', 'Receiving dock', 'staging');
      await add('QC', 'Quality hold', 'zone', undefined, false);
      for (const aisle of [...new Set(s.bins.map((b) => b.split('-')[0]!))]) await add(aisle, `Aisle ${aisle}`, 'aisle');
      for (const bin of s.bins) await add(bin, `Bin ${bin}`, 'bin', bin.split('-')[0]);
    }
    await must('location PL-LEI/LINE-1', this.ims.locations.create(this.id(this.facility, 'PL-LEI'), { code: 'LINE-1', name: 'Binding line 1', type: 'staging' }))
      .then((l) => this.location.set('PL-LEI/LINE-1', l.id));
  }

  private async parties(): Promise<void> {
    const suppliers = [
      ['PAPIERNORD', 'Papierfabrik Nord GmbH', 'orders@papiernord.example', 'EUR', 10],
      ['COLORINK', 'Colorink Druckfarben AG', 'sales@colorink.example', 'EUR', 5],
      ['ACMEOFFICE', 'Acme Office Supply Ltd', 'orders@acme-office.example', 'GBP', 14],
      ['SCANTECH', 'ScanTech Devices BV', 'b2b@scantech.example', 'EUR', 21],
      ['PACKWELL', 'Packwell Verpackungen', 'info@packwell.example', 'EUR', 7],
    ] as const;
    for (const [code, name, email, currency, leadTimeDays] of suppliers) {
      this.party.set(code, (await must(`supplier ${code}`, this.ims.suppliers.create({ code, name, email, currency, leadTimeDays }))).id);
    }
    const customers = [
      ['BUROWELT', 'Bürowelt Handels GmbH', 'einkauf@buerowelt.example'],
      ['SCHOOLCO', 'School Supplies Co-op', 'orders@schoolco.example'],
      ['STARTUPHUB', 'Startup Hub Berlin', 'office@startuphub.example'],
      ['PAPERIE', 'La Papeterie du Coin', 'commande@papeterie.example'],
      ['UNIBOOK', 'University Bookshop', 'buying@unibook.example'],
      ['HANSEOFF', 'Hanse Office Service', 'service@hanseoffice.example'],
    ] as const;
    for (const [code, name, email] of customers) {
      this.party.set(code, (await must(`customer ${code}`, this.ims.customers.create({ code, name, email }))).id);
    }
  }

  /** Three levels: the notebook, its block and cover, their paper, board, glue and ink. */
  private async billsOfMaterials(): Promise<void> {
    const boms: Array<[string, Array<[string, number, number?]>]> = [
      ['SA-BLOCK-A5', [['RM-PAPER-A5', 80, 2], ['RM-GLUE', 0.012]]],
      ['SA-BLOCK-A4', [['RM-PAPER-A4', 80, 2], ['RM-GLUE', 0.018]]],
      ['SA-COVER-A5', [['RM-BOARD-A5', 2], ['RM-INK-BLK', 0.004]]],
      ['SA-COVER-A4', [['RM-BOARD-A4', 2], ['RM-INK-BLU', 0.006]]],
      ['FG-NOTE-A5', [['SA-BLOCK-A5', 1], ['SA-COVER-A5', 1], ['RM-WIRE-A5', 1], ['RM-ELASTIC', 1], ['RM-LABEL', 1]]],
      ['FG-NOTE-A4', [['SA-BLOCK-A4', 1], ['SA-COVER-A4', 1], ['RM-WIRE-A4', 1], ['RM-LABEL', 1]]],
      ['FG-NOTE-A5-DOT', [['SA-BLOCK-A5', 1], ['SA-COVER-A5', 1], ['RM-WIRE-A5', 1], ['RM-LABEL', 1]]],
    ];
    for (const [itemNo, components] of boms) {
      const bom = await must(`BOM ${itemNo}`, this.ims.production.boms.create({
        itemId: this.id(this.item, itemNo),
        components: components.map(([c, qty, scrapPct]) => ({ itemId: this.id(this.item, c), qty, ...(scrapPct ? { scrapPct } : {}) })),
      }));
      await must(`activate BOM ${itemNo}`, this.ims.production.boms.activate(bom.id));
    }
  }

  private async adjust(itemNo: string, facility: string, location: string, qty: number, extra: { lotNo?: string; expiresOn?: string; serialNos?: string[] } = {}) {
    await must(`opening stock ${itemNo}`, this.ims.inventory.adjust({
      itemId: this.id(this.item, itemNo), locationId: this.at(facility, location), qtyDelta: qty, reason: 'opening stock', ...extra,
    }));
  }

  private async openingStock(): Promise<void> {
    const P = 'PL-LEI';
    await this.adjust('RM-PAPER-A5', P, 'RAW-01', 24000, { lotNo: 'PN-2609-114' });
    await this.adjust('RM-PAPER-A4', P, 'RAW-01', 16000, { lotNo: 'PN-2609-120' });
    await this.adjust('RM-BOARD-A5', P, 'RAW-02', 1200);
    await this.adjust('RM-BOARD-A4', P, 'RAW-02', 800);
    await this.adjust('RM-GLUE', P, 'RAW-03', 25, { lotNo: 'HM-7731', expiresOn: '2027-09-30' });
    await this.adjust('RM-INK-BLK', P, 'RAW-03', 8, { lotNo: 'CI-K-2210', expiresOn: '2027-06-30' });
    await this.adjust('RM-INK-BLU', P, 'RAW-03', 6.5, { lotNo: 'CI-B-2211', expiresOn: '2027-05-31' });
    for (const [itemNo, qty] of [['RM-WIRE-A5', 1500], ['RM-WIRE-A4', 900], ['RM-ELASTIC', 2000], ['RM-LABEL', 5000], ['RM-CARTON', 250]] as const) {
      await this.adjust(itemNo, P, 'RAW-02', qty);
    }
    await this.adjust('RM-FILM', P, 'RAW-03', 1200.5);
    const trade: Array<[string, number, number]> = [
      ['TG-PEN-BLK', 2400, 800], ['TG-PEN-BLU', 1800, 600], ['TG-PEN-RED', 600, 200], ['TG-GEL-BLK', 500, 150],
      ['TG-MARK-YEL', 900, 300], ['TG-MARK-GRN', 400, 0], ['TG-PENCIL-HB', 1500, 500], ['TG-ERASER', 700, 250],
      ['TG-SHARPENER', 300, 120], ['TG-RULER-30', 260, 90], ['TG-STAPLER', 80, 25], ['TG-STAPLES', 140, 60],
      ['TG-PUNCH', 60, 20], ['TG-CLIPS', 400, 150], ['TG-TAPE', 350, 100], ['TG-BINDER-A4', 420, 160],
      ['TG-POCKETS', 300, 100], ['TG-ENVELOPE-C5', 90, 30], ['TG-COPYPAPER', 600, 240], ['TG-LAMP', 35, 12],
      ['TG-WHITEBOARD', 18, 6], ['TG-MARK-WB', 150, 40],
    ];
    const bins = ['A-01', 'A-02', 'A-03', 'B-01', 'B-02', 'B-03'];
    for (const [i, [itemNo, berlin, hamburg]] of trade.entries()) {
      await this.adjust(itemNo, 'WH-BER', bins[i % bins.length]!, berlin);
      if (hamburg > 0) await this.adjust(itemNo, 'WH-HAM', bins[i % 3]!, hamburg);
    }
    await this.adjust('TG-GLUESTICK', 'WH-BER', 'B-01', 300, { lotNo: 'GS-2604', expiresOn: '2027-04-30' });
    await this.adjust('TG-GLUESTICK', 'WH-BER', 'B-01', 200, { lotNo: 'GS-2610', expiresOn: '2027-10-31' });
    await this.adjust('TG-INKCART', 'WH-HAM', 'A-03', 40, { lotNo: 'IC-2608', expiresOn: '2028-08-31' });
    const serials = (prefix: string, n: number, from = 1) => Array.from({ length: n }, (_, i) => `${prefix}-${String(from + i).padStart(5, '0')}`);
    await this.adjust('TG-CALCULATOR', 'WH-BER', 'B-02', 12, { serialNos: serials('CALC', 12) });
    await this.adjust('TG-LABELPRINTER', 'WH-BER', 'B-02', 6, { serialNos: serials('LP', 6) });
    await this.adjust('TG-SCANNER', 'WH-BER', 'B-03', 8, { serialNos: serials('SC', 8) });
    await this.adjust('TG-SHREDDER', 'WH-HAM', 'A-02', 4, { serialNos: serials('SHR', 4) });
    await this.adjust('TG-LAMINATOR', 'WH-HAM', 'A-02', 5, { serialNos: serials('LAM', 5) });
    // Two staplers arrived broken: moved to the quality hold, as damaged.
    const staplers = await this.lotOf('TG-STAPLER', 'WH-BER');
    await must('damaged staplers', this.ims.inventory.move({
      itemId: this.id(this.item, 'TG-STAPLER'), fromLocationId: staplers.locationId, toLocationId: this.at('WH-BER', 'QC'),
      qty: 2, toStatusId: 'damaged', reason: 'broken in delivery',
    }));
  }

  private async purchaseOrder(supplier: string, facility: string, lines: Array<[string, number, number]>, steps: Array<'submit' | 'approve' | 'send'>) {
    const po = await must(`PO for ${supplier}`, this.ims.purchaseOrders.create({
      supplierId: this.id(this.party, supplier), facilityId: this.id(this.facility, facility),
      lines: lines.map(([itemNo, qty, unitPrice]) => ({ itemId: this.id(this.item, itemNo), qty, unitPrice })),
    }));
    for (const step of steps) await must(`PO ${step}`, this.ims.purchaseOrders[step](po.id));
    return po;
  }

  private async purchasing(): Promise<void> {
    const all = ['submit', 'approve', 'send'] as const;
    // Received in full: paper for the plant.
    const paper = await this.purchaseOrder('PAPIERNORD', 'PL-LEI', [['RM-PAPER-A5', 10000, 0.012], ['RM-PAPER-A4', 6000, 0.021]], [...all]);
    await must('receive paper', this.ims.purchaseOrders.receive(paper.id, { lines: [
      { lineId: paper.lines![0]!.id, qty: 10000, locationId: this.at('PL-LEI', 'RAW-01'), lotNo: 'PN-2611-031' },
      { lineId: paper.lines![1]!.id, qty: 6000, locationId: this.at('PL-LEI', 'RAW-01'), lotNo: 'PN-2611-032' },
    ] }));
    // Partly received: pens by the box of 50 arrive in two deliveries, the first one here.
    const pens = await this.purchaseOrder('ACMEOFFICE', 'WH-BER', [['TG-PEN-BLK', 1000, 0.18], ['TG-MARK-YEL', 300, 0.42]], [...all]);
    await must('receive pens', this.ims.purchaseOrders.receive(pens.id, { lines: [
      { lineId: pens.lines![0]!.id, qty: 600, locationId: this.at('WH-BER', 'RECV') },
    ] }));
    // Open: sent and expected, approved, and a draft.
    await this.purchaseOrder('SCANTECH', 'WH-BER', [['TG-SCANNER', 10, 89], ['TG-LABELPRINTER', 4, 145]], [...all]);
    await this.purchaseOrder('COLORINK', 'PL-LEI', [['RM-INK-BLK', 10, 24.5], ['RM-INK-BLU', 10, 26.75]], ['submit', 'approve']);
    await this.purchaseOrder('PACKWELL', 'PL-LEI', [['RM-CARTON', 500, 0.65], ['RM-FILM', 2000, 0.08]], []);
  }

  private async workOrder(itemNo: string, qty: number, lotNo: string | null, complete: boolean) {
    const wo = await must(`work order ${itemNo}`, this.ims.production.workOrders.create({
      itemId: this.id(this.item, itemNo), qty, facilityId: this.id(this.facility, 'PL-LEI'), outputLocationId: this.at('PL-LEI', 'FG-01'),
    }));
    await must(`release ${itemNo}`, this.ims.production.workOrders.release(wo.id));
    if (complete) await must(`complete ${itemNo}`, this.ims.production.workOrders.complete(wo.id, lotNo ? { lotNo } : {}));
    return wo;
  }

  private async production(): Promise<void> {
    // Made level by level: blocks and covers, then the notebooks from them.
    await this.workOrder('SA-BLOCK-A5', 240, 'BL5-2611-01', true);
    await this.workOrder('SA-COVER-A5', 240, null, true);
    await this.workOrder('FG-NOTE-A5', 200, 'NB5-2611-01', true);
    await this.workOrder('FG-NOTE-A5-DOT', 30, 'ND5-2611-01', true);
    // On the floor now: A4 blocks, released (their paper and glue are reserved).
    await this.workOrder('SA-BLOCK-A4', 100, null, false);
  }

  private async lotOf(itemNo: string, facility: string): Promise<{ lotId: string | null; locationId: string }> {
    const page = await this.ims.inventory.balances({ itemId: this.id(this.item, itemNo), facilityId: this.id(this.facility, facility) }, { limit: 1 });
    const b = page.items[0];
    if (!b) throw new DemoStepFailed(`no stock of ${itemNo} at ${facility}`);
    return { lotId: b.lotId, locationId: b.locationId };
  }

  private async transfers(): Promise<void> {
    // Notebooks from the plant to Berlin: shipped and received.
    const made = await this.lotOf('FG-NOTE-A5', 'PL-LEI');
    const toBerlin = await must('transfer to Berlin', this.ims.transfers.create({
      fromFacilityId: this.id(this.facility, 'PL-LEI'), toFacilityId: this.id(this.facility, 'WH-BER'),
      lines: [{ itemId: this.id(this.item, 'FG-NOTE-A5'), qty: 150, lotId: made.lotId }],
    }));
    await must('release transfer', this.ims.transfers.release(toBerlin.id));
    await must('ship transfer', this.ims.transfers.ship(toBerlin.id, { lines: [{ lineId: toBerlin.lines![0]!.id, qty: 150, fromLocationId: made.locationId, lotId: made.lotId }] }));
    await must('receive transfer', this.ims.transfers.receive(toBerlin.id, { lines: [{ lineId: toBerlin.lines![0]!.id, qty: 150, toLocationId: this.at('WH-BER', 'A-03') }] }));
    // Pens from Berlin to Hamburg: on the road now.
    const pens = await this.lotOf('TG-PEN-BLU', 'WH-BER');
    const toHamburg = await must('transfer to Hamburg', this.ims.transfers.create({
      fromFacilityId: this.id(this.facility, 'WH-BER'), toFacilityId: this.id(this.facility, 'WH-HAM'),
      lines: [{ itemId: this.id(this.item, 'TG-PEN-BLU'), qty: 400 }],
    }));
    await must('release transfer', this.ims.transfers.release(toHamburg.id));
    await must('ship transfer', this.ims.transfers.ship(toHamburg.id, { lines: [{ lineId: toHamburg.lines![0]!.id, qty: 400, fromLocationId: pens.locationId }] }));
  }

  private async salesOrder(customer: string, facility: string, lines: Array<[string, number, number]>) {
    return must(`SO for ${customer}`, this.ims.salesOrders.create({
      customerId: this.id(this.party, customer), facilityId: this.id(this.facility, facility),
      lines: lines.map(([itemNo, qty, unitPrice]) => ({ itemId: this.id(this.item, itemNo), qty, unitPrice })),
    }));
  }

  private async sales(): Promise<void> {
    // Shipped in full, picked automatically.
    const shipped = await this.salesOrder('BUROWELT', 'WH-BER', [['FG-NOTE-A5', 40, 4.9], ['TG-PEN-BLK', 500, 0.45]]);
    await must('open SO', this.ims.salesOrders.open(shipped.id));
    await must('ship SO', this.ims.salesOrders.ship(shipped.id, { lines: shipped.lines!.map((l, i) => ({ lineId: l.id, qty: i === 0 ? 40 : 500 })) }));
    // Partly shipped: scanners go by serial number, calculators later.
    const partial = await this.salesOrder('STARTUPHUB', 'WH-BER', [['TG-SCANNER', 3, 149], ['TG-CALCULATOR', 5, 24.9]]);
    await must('open SO', this.ims.salesOrders.open(partial.id));
    await must('ship SO', this.ims.salesOrders.ship(partial.id, { lines: [{ lineId: partial.lines![0]!.id, qty: 3, serialNos: ['SC-00001', 'SC-00002', 'SC-00003'] }] }));
    // Open (reserved) and draft orders.
    const open = await this.salesOrder('SCHOOLCO', 'WH-BER', [['FG-NOTE-A5', 60, 4.5], ['TG-PENCIL-HB', 600, 0.22], ['TG-ERASER', 300, 0.3]]);
    await must('open SO', this.ims.salesOrders.open(open.id));
    const hamburg = await this.salesOrder('HANSEOFF', 'WH-HAM', [['TG-COPYPAPER', 120, 3.95], ['TG-BINDER-A4', 80, 1.85]]);
    await must('open SO', this.ims.salesOrders.open(hamburg.id));
    await this.salesOrder('PAPERIE', 'WH-BER', [['FG-NOTE-A5-DOT', 20, 5.4], ['TG-GEL-BLK', 100, 0.95]]);
    await this.salesOrder('UNIBOOK', 'WH-HAM', [['TG-MARK-YEL', 200, 0.79]]);
  }

  private async policies(): Promise<void> {
    const rows: Array<[string, string, number, number, number, string]> = [
      ['TG-PEN-BLK', 'WH-BER', 1500, 4000, 200, 'ACMEOFFICE'],
      ['TG-STAPLES', 'WH-BER', 200, 500, 20, 'ACMEOFFICE'],
      ['TG-SCANNER', 'WH-BER', 6, 15, 1, 'SCANTECH'],
      ['RM-INK-BLK', 'PL-LEI', 10, 30, 2, 'COLORINK'],
      ['RM-CARTON', 'PL-LEI', 300, 1000, 50, 'PACKWELL'],
    ];
    for (const [itemNo, facility, minQty, maxQty, safetyStockQty, supplier] of rows) {
      await must(`policy ${itemNo}`, this.ims.policies.create({
        itemId: this.id(this.item, itemNo), facilityId: this.id(this.facility, facility), minQty, maxQty, safetyStockQty,
        preferredSupplierId: this.id(this.party, supplier),
      }));
    }
  }
}
