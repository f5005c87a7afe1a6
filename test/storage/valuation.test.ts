// The valuation port on every adapter (SQLite file, SQLite memory, PostgreSQL): postings
// write valuations, FIFO layers (read back oldest first) and each line's unitCost and
// valueDelta; the stock value lists per item and facility, item and facility, now and as of
// an instant; verification finds a valuation or a layer off its ledger lines; and postings
// racing on the same item and facility (on PostgreSQL: across connections) stay exact.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Ims } from '../../core/ims.js';
import { fromMoney } from '../../core/money.js';
import { decidePosting, loadPostingSnapshot, type PostingRequest } from '../../core/posting.js';
import type { Store } from '../../core/ports.js';
import { toMicro, type Micro } from '../../core/quantity.js';
import { unwrap } from '../../core/result.js';
import { AVAILABLE } from '../../core/status.js';
import { verifyBalances } from '../../core/verify.js';
import { onEveryStore } from '../support/stores.js';

const m = (n: number) => toMicro(n)! as Micro;
const page = (limit = 50, offset = 0) => ({ limit, offset });

interface World {
  ims: Ims;
  avg: string;
  fifo: string;
  f1: string;
  f2: string;
  bin1: string;
  bin2: string;
}

async function seed(store: Store): Promise<World> {
  const ims = new Ims(store);
  const uom = unwrap(await ims.uoms.create({ code: 'EA', name: 'Each' })) as { id: string };
  const mk = async (itemNo: string, costMethod: 'moving_average' | 'fifo') =>
    (unwrap(await ims.items.create({ itemNo, name: itemNo, itemKind: 'purchased', baseUomId: uom.id, costMethod })) as { id: string }).id;
  const f1 = unwrap(await ims.facilities.create({ code: 'F1', name: 'One', type: 'warehouse' })) as { id: string };
  const f2 = unwrap(await ims.facilities.create({ code: 'F2', name: 'Two', type: 'store' })) as { id: string };
  const bin1 = unwrap(await ims.locations.create(f1.id, { code: 'A', name: 'A', type: 'bin' })) as { id: string };
  const bin2 = unwrap(await ims.locations.create(f2.id, { code: 'A', name: 'A', type: 'bin' })) as { id: string };
  return { ims, avg: await mk('AVG-1', 'moving_average'), fifo: await mk('FIFO-1', 'fifo'), f1: f1.id, f2: f2.id, bin1: bin1.id, bin2: bin2.id };
}

type Adjusted = { id: string; lines: Array<{ unitCost: number; valueDelta: number }> };

function contract(name: string, open: () => Promise<Store>, skip: string | null): void {
  const s = suite(`valuation [${name}]`);
  if (skip) {
    console.log(`  skip valuation [${name}]: ${skip}`);
    s.skip('valuation port');
    s.run();
    return;
  }
  let store: Store;
  let w: World;
  const adjust = async (itemId: string, qtyDelta: number, unitCost?: number, locationId = w.bin1) =>
    unwrap(await w.ims.inventory.adjust({ itemId, locationId, qtyDelta, ...(unitCost === undefined ? {} : { unitCost }) })) as Adjusted;
  s.before.each(async () => {
    store = await open();
    w = await seed(store);
  });
  s.after.each(async () => {
    await store.close();
  });

  s('postings write valuations, layers oldest first, and each line\'s unitCost and valueDelta', async () => {
    await adjust(w.fifo, 2, 3);
    const second = await adjust(w.fifo, 5, 1.25);
    await adjust(w.avg, 3, 1);
    await adjust(w.avg, 1, 2, w.bin2);
    const pairs = [{ itemId: w.fifo, facilityId: w.f1 }, { itemId: w.avg, facilityId: w.f1 }, { itemId: w.avg, facilityId: w.f2 }];
    const valuations = (await store.read.ledger.getValuations(pairs)).sort((a, b) => a.value - b.value);
    assert.equal(valuations, [
      { itemId: w.avg, facilityId: w.f2, qty: m(1), value: m(2) as number, unitCost: m(2) as number, costMethod: 'moving_average' },
      { itemId: w.avg, facilityId: w.f1, qty: m(3), value: m(3) as number, unitCost: m(1) as number, costMethod: 'moving_average' },
      { itemId: w.fifo, facilityId: w.f1, qty: m(7), value: m(12.25) as number, unitCost: m(1.75) as number, costMethod: 'fifo' },
    ] as never);
    const layers = await store.read.ledger.getCostLayers([{ itemId: w.fifo, facilityId: w.f1 }]);
    assert.equal(layers.map((l) => [l.qtyLeft, l.valueLeft]), [[m(2), m(6)], [m(5), m(6.25)]]);
    assert.equal([layers[1]!.transactionId, layers[1]!.lineNo], [second.id, 1]);
    const issued = await adjust(w.fifo, -3);
    assert.equal(issued.lines.map((l) => [l.valueDelta, l.unitCost]), [[-7.25, 2.416667]]);
    const open1 = await store.read.ledger.getCostLayers([{ itemId: w.fifo, facilityId: w.f1 }]);
    assert.equal(open1.map((l) => [l.qtyLeft, l.valueLeft]), [[m(4), m(5)]], 'the oldest layer is gone, the next one partly');
    const read = await store.read.ledger.getTransaction(issued.id);
    assert.equal(read!.lines.map((l) => [l.unitCost, l.valueDelta]), [[2.416667, -7.25]]);
    assert.equal(await verifyBalances(store.read), []);
  });

  s('the stock value lists per item and facility, per item, per facility; now and as of an instant', async () => {
    await adjust(w.avg, 2, 5);
    await adjust(w.avg, 1, 7, w.bin2);
    await adjust(w.fifo, 4, 0.5);
    await new Promise((r) => setTimeout(r, 5));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await adjust(w.avg, -2);
    const list = async (f: object) => (await store.read.ledger.listStockValue(f, page())).items
      .map((r) => [r.itemId, r.facilityId, r.qty / 1e6, fromMoney(r.value)]);
    assert.equal(await list({}), [[w.avg, w.f2, 1, 7], [w.fifo, w.f1, 4, 2]], 'an empty, worthless stock is left out');
    assert.equal(await list({ groupBy: 'item' }), [[w.avg, null, 1, 7], [w.fifo, null, 4, 2]]);
    assert.equal((await list({ groupBy: 'facility' })).map((r) => [r[1], r[3]]), [[w.f1, 2], [w.f2, 7]]);
    assert.equal(await list({ asOf: between, itemId: w.avg }), [[w.avg, w.f1, 2, 10], [w.avg, w.f2, 1, 7]]);
    assert.equal(await list({ asOf: between, facilityId: w.f2 }), [[w.avg, w.f2, 1, 7]]);
    const paged = await store.read.ledger.listStockValue({}, page(1, 1));
    assert.equal([paged.items.length, paged.total], [1, 2]);
  });

  s('verification finds a valuation or a FIFO layer off its ledger lines', async () => {
    await adjust(w.avg, 2, 5);
    await adjust(w.fifo, 2, 5);
    // A posting applied with forged valuation effects, as a bug in storage would write them.
    const forged = async (itemId: string, forge: (e: ReturnType<typeof decidePosting> & { ok: true }) => void) => {
      await store.write(async (tx) => {
        const request: PostingRequest = { type: 'adjustment', lines: [{ itemId, locationId: w.bin1, statusId: AVAILABLE, qty: m(1), at: '' }] };
        const now = new Date().toISOString();
        const decided = decidePosting(await loadPostingSnapshot(tx, request, now), request, now);
        assert.ok(decided.ok);
        forge(decided);
        await tx.ledger.appendPosting(decided.value);
      });
    };
    await forged(w.avg, (d) => { d.value.valuations[0]!.value = (d.value.valuations[0]!.value + 1) as never; });
    const drift = await verifyBalances(store.read);
    assert.equal(drift, [{ kind: 'value', itemId: w.avg, facilityId: w.f1, qty: 3, value: 15.000001, ledgerQty: 3, ledgerValue: 15 }]);
    await forged(w.fifo, (d) => { d.value.newLayers[0]!.valueLeft = (d.value.newLayers[0]!.valueLeft - 1) as never; });
    const more = await verifyBalances(store.read);
    assert.equal(more.filter((x) => x.kind === 'layers'), [{ kind: 'layers', itemId: w.fifo, facilityId: w.f1, qty: 3, value: 15, layerQty: 3, layerValue: 14.999999 }]);
  });

  s('postings racing on one item and facility stay exact (moving average and FIFO)', async () => {
    for (const itemId of [w.avg, w.fifo]) {
      await adjust(itemId, 40, 1);
      const racing = Array.from({ length: 30 }, (_, i) => (i % 3 === 0
        ? w.ims.inventory.adjust({ itemId, locationId: w.bin1, qtyDelta: 2, unitCost: 1 + i / 10 })
        : w.ims.inventory.adjust({ itemId, locationId: w.bin1, qtyDelta: -1 })));
      for (const r of await Promise.all(racing)) unwrap(r);
      const [v] = await store.read.ledger.getValuations([{ itemId, facilityId: w.f1 }]);
      assert.is(v!.qty, m(40 + 10 * 2 - 20));
      const lines = (await store.read.ledger.listTransactions({ itemId }, page(1000))).items.flatMap((t) => t.lines);
      assert.is(v!.value, Math.round(lines.reduce((sum, l) => sum + l.valueDelta * 1e6, 0)), 'the value is its lines, exactly');
      const rest = unwrap(await w.ims.inventory.adjust({ itemId, locationId: w.bin1, qtyDelta: -40 })) as Adjusted;
      assert.is(-rest.lines[0]!.valueDelta, fromMoney(v!.value), 'the whole stock out takes all of it');
    }
    assert.equal(await verifyBalances(store.read), []);
  });

  s.run();
}

onEveryStore(contract);
