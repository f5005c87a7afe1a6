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
  } finally {
    await ims.close();
  }
});

test.run();
