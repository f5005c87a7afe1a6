// The embedder's API (core/ims.ts) over an in-memory store: commands validate with the same
// schemas as the HTTP host and answer result values; reservations work end to end.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Ims } from '../../core/ims.js';
import { unwrap } from '../../core/result.js';
import { openStore } from '../../storage/open.js';

test('reserve, allocate, fulfil and verify through the embedder API', async () => {
  const ims = new Ims(await openStore('sqlite::memory:'));
  try {
    const ea = unwrap(await ims.uoms.create({ code: 'EA', name: 'Each' })) as { id: string };
    const item = unwrap(await ims.items.create({ itemNo: 'E-1', name: 'E', itemKind: 'purchased', baseUomId: ea.id })) as { id: string };
    const wh = unwrap(await ims.facilities.create({ code: 'W', name: 'W', type: 'warehouse' })) as { id: string };
    const bin = unwrap(await ims.locations.create(wh.id, { code: 'A', name: 'A', type: 'bin' })) as { id: string };
    unwrap(await ims.inventory.adjust({ itemId: item.id, locationId: bin.id, qtyDelta: 10 }));

    const refused = await ims.reservations.create({ itemId: item.id, facilityId: wh.id, qty: 11, demand: { type: 'manual' } });
    assert.is(!refused.ok && refused.code, 'insufficient_stock');
    const invalid = await ims.reservations.create({ itemId: item.id, facilityId: wh.id, qty: -1, demand: { type: 'manual' } } as never);
    assert.is(!invalid.ok && invalid.code, 'bad_request');

    const r = unwrap(await ims.reservations.create({ itemId: item.id, facilityId: wh.id, qty: 4, demand: { type: 'manual' } })) as { id: string };
    assert.is((unwrap(await ims.reservations.allocate(r.id)) as { status: string }).status, 'allocated');
    assert.is((await ims.reservations.allocations({ reservationId: r.id })).total, 1);
    const done = unwrap(await ims.reservations.fulfill(r.id, { qty: 4 })) as { reservation: { status: string } };
    assert.is(done.reservation.status, 'fulfilled');
    assert.is((unwrap(await ims.reservations.get(r.id)) as { qtyFulfilled: number }).qtyFulfilled, 4);
    assert.is((await ims.reservations.list({ status: 'fulfilled' })).total, 1);
    const balances = await ims.inventory.balances({ itemId: item.id });
    assert.is(balances.items[0]!.onHand, 6);
    assert.equal(await ims.inventory.verify(), []);
    // The outbox: the opening posting, the reservation's steps, the shipment, in that order.
    const events = (await ims.events.list()).items;
    assert.equal(events.map((e) => e.type === 'transaction.posted' ? e.data.transactionType : `${e.data.from}>${e.data.to}`),
      ['adjustment', 'null>open', 'open>allocated', 'shipment', 'allocated>fulfilled']);
    const shipments = await ims.events.list({ after: events[1]!.seq, types: ['transaction.posted'] });
    assert.equal(shipments.items.map((e) => e.data.transactionType), ['shipment']);
  } finally {
    await ims.close();
  }
});

test('transfer, count and replenish through the embedder API', async () => {
  const ims = new Ims(await openStore('sqlite::memory:'), { actor: 'warehouse app' });
  try {
    const ea = unwrap(await ims.uoms.create({ code: 'EA', name: 'Each' })) as { id: string };
    const item = unwrap(await ims.items.create({ itemNo: 'T-1', name: 'T', itemKind: 'purchased', baseUomId: ea.id })) as { id: string };
    const from = unwrap(await ims.facilities.create({ code: 'F', name: 'F', type: 'warehouse' })) as { id: string };
    const to = unwrap(await ims.facilities.create({ code: 'S', name: 'S', type: 'store' })) as { id: string };
    const a = unwrap(await ims.locations.create(from.id, { code: 'A', name: 'A', type: 'bin' })) as { id: string };
    const b = unwrap(await ims.locations.create(to.id, { code: 'B', name: 'B', type: 'bin' })) as { id: string };
    unwrap(await ims.inventory.adjust({ itemId: item.id, locationId: a.id, qtyDelta: 10 }));

    const t = unwrap(await ims.transfers.create({ fromFacilityId: from.id, toFacilityId: to.id, lines: [{ itemId: item.id, qty: 4 }] })) as { id: string; lines: Array<{ id: string }> };
    unwrap(await ims.transfers.release(t.id));
    unwrap(await ims.transfers.ship(t.id, { lines: [{ lineId: t.lines[0]!.id, qty: 4, fromLocationId: a.id }] }));
    const received = unwrap(await ims.transfers.receive(t.id, { lines: [{ lineId: t.lines[0]!.id, qty: 4, toLocationId: b.id }] })) as {
      status: string; statusHistory: Array<{ to: string; by: { name: string } }>;
    };
    assert.is(received.status, 'received');
    assert.ok(received.statusHistory.every((h) => h.by.name === 'warehouse app'), 'the embedder\'s actor is recorded');

    const session = unwrap(await ims.counts.create({ facilityId: to.id })) as { id: string };
    unwrap(await ims.counts.record(session.id, { lines: [{ itemId: item.id, locationId: b.id, countedQty: 3 }] }));
    assert.is((unwrap(await ims.counts.post(session.id)) as { status: string }).status, 'posted');

    unwrap(await ims.policies.create({ itemId: item.id, facilityId: to.id, minQty: 5, maxQty: 20, safetyStockQty: 0 }));
    const suggestions = await ims.policies.replenishment({ facilityId: to.id });
    assert.equal(suggestions.items.map((r) => [r.available, r.suggestedQty]), [[3, 17]]);
    assert.equal(await ims.inventory.verify(), []);
  } finally {
    await ims.close();
  }
});

test.run();
