// `ims seed --demo` on every adapter: the company the README promises (two warehouses and a
// plant, 50 items with lots and serials, suppliers, customers, a three-level BOM, open
// purchase and sales orders, history), a ledger that verifies, and a refusal, writing
// nothing, on a database that has items already.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { seedDemo } from '../../core/demo.js';
import { Ims } from '../../core/ims.js';
import { unwrap } from '../../core/result.js';
import { onEveryStore } from '../support/stores.js';

const ALL = { limit: 1000 };

onEveryStore((name, open, skip) => {
  const s = suite(`demo on ${name}`);
  if (skip) {
    s.skip(skip, () => {});
    s.run();
    return;
  }

  s('the demo company is all there, with history, and verifies', async () => {
    const store = await open();
    const ims = new Ims(store);
    try {
      const summary = unwrap(await seedDemo(ims));
      assert.is(summary.items, 50);

      const facilities = (await ims.facilities.list({}, ALL)).items;
      assert.equal(facilities.map((f) => f.type).sort(), ['plant', 'warehouse', 'warehouse']);
      const items = (await ims.items.list({}, ALL)).items;
      assert.is(items.length, 50);
      assert.ok(items.filter((i) => i.lotTracking === 'tracked').length >= 5);
      assert.ok(items.filter((i) => i.expiryTracking === 'tracked').length >= 3);
      assert.ok(items.filter((i) => i.serialTracking === 'tracked').length >= 3);
      assert.ok((await ims.suppliers.list({}, ALL)).total >= 3);
      assert.ok((await ims.customers.list({}, ALL)).total >= 3);

      // Stock with lots (and their expiry) and with serial numbers.
      const balances = (await ims.inventory.balances({}, ALL)).items;
      assert.ok(balances.some((b) => b.lotNo !== null && b.expiresOn !== null));
      const scanner = items.find((i) => i.itemNo === 'TG-SCANNER')!;
      assert.ok((await store.read.ledger.listSerialsOnHand(scanner.id)).length > 0);

      // A three-level BOM: notebook → block → paper.
      const notebook = items.find((i) => i.itemNo === 'FG-NOTE-A5')!;
      const bom = (await ims.production.boms.list({ itemId: notebook.id, status: 'active' } as never, ALL)).items[0] as { id: string };
      const explosion = unwrap(await ims.production.boms.explode(bom.id, { qty: 1 })) as { tree: Array<{ level: number; components: any[] }> };
      const depth = (nodes: Array<{ level: number; components: any[] }>): number => Math.max(0, ...nodes.map((n) => Math.max(n.level, depth(n.components))));
      assert.is(depth(explosion.tree), 2, 'two levels of components below the notebook: three levels in all');

      const statuses = async (list: Promise<{ items: unknown[] }>) => new Set((await list).items.map((x) => (x as { status: string }).status));
      const pos = await statuses(ims.purchaseOrders.list({}, ALL));
      for (const st of ['received', 'partially_received', 'sent', 'approved', 'draft']) assert.ok(pos.has(st), `a ${st} purchase order`);
      const sos = await statuses(ims.salesOrders.list({}, ALL));
      for (const st of ['shipped', 'partially_shipped', 'open', 'draft']) assert.ok(sos.has(st), `a ${st} sales order`);
      const wos = await statuses(ims.production.workOrders.list({}, ALL));
      for (const st of ['completed', 'released']) assert.ok(wos.has(st), `a ${st} work order`);
      const transfers = await statuses(ims.transfers.list({}, ALL));
      for (const st of ['received', 'shipped']) assert.ok(transfers.has(st), `a ${st} transfer`);

      const types = new Set((await ims.inventory.transactions({}, ALL)).items.map((t) => t.type));
      for (const type of ['adjustment', 'move', 'receipt', 'shipment', 'production_issue', 'production_output', 'transfer_out', 'transfer_in']) {
        assert.ok(types.has(type as never), `history has a ${type}`);
      }
      assert.ok((await ims.policies.replenishment({}, ALL)).total >= 1, 'something to reorder');
      assert.equal(await ims.inventory.verify(), []);

      // Seeding again is refused and writes nothing.
      const again = await seedDemo(ims);
      assert.is(again.ok, false);
      assert.is(!again.ok && again.code, 'conflict');
      assert.is((await ims.items.list()).total, 50);
      assert.is((await ims.inventory.transactions()).total, summary.transactions);
    } finally {
      await store.close();
    }
  });
  s.run();
});
