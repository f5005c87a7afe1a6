// The sales order state machine, table-driven, without any database: which actions each
// state allows and the state each outcome leads to; exact money; the view a client reads;
// and order-to-ship through the embedder's API (core/ims.ts) over an in-memory store.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Ims } from '../../core/ims.js';
import { unwrap } from '../../core/result.js';
import { openStore } from '../../storage/open.js';
import { toMicro, type Micro } from '../../core/quantity.js';
import {
  allowed, amountOf, MAX_AMOUNT, nextStatus, progressOf, SALES_ORDER_ACTIONS, SALES_ORDER_STATUSES, SALES_ORDER_TRANSITIONS,
  salesOrderView, totalOf, type SalesOrderAction, type SalesOrderRecord, type SalesOrderStatus,
} from '../../core/sales.js';

const m = (n: number) => toMicro(n)! as Micro;
const line = (qty: number, shipped: number) => ({ qty: m(qty), qtyShipped: m(shipped) });

// Every state and action: the outcomes allowed, or null for invalid_state.
const TABLE: Array<[SalesOrderStatus, SalesOrderAction, SalesOrderStatus[] | null]> = [
  ['draft', 'patch', ['draft']],
  ['draft', 'open', ['open']],
  ['draft', 'ship', null],
  ['draft', 'cancel', ['cancelled']],
  ['open', 'patch', null],
  ['open', 'open', null],
  ['open', 'ship', ['partially_shipped', 'shipped']],
  ['open', 'cancel', ['cancelled']],
  ['partially_shipped', 'patch', null],
  ['partially_shipped', 'open', null],
  ['partially_shipped', 'ship', ['partially_shipped', 'shipped']],
  ['partially_shipped', 'cancel', null],
  ['shipped', 'patch', null],
  ['shipped', 'open', null],
  ['shipped', 'ship', null],
  ['shipped', 'cancel', null],
  ['cancelled', 'patch', null],
  ['cancelled', 'open', null],
  ['cancelled', 'ship', null],
  ['cancelled', 'cancel', null],
];

test('the table covers every state and action', () => {
  assert.is(TABLE.length, SALES_ORDER_STATUSES.length * SALES_ORDER_ACTIONS.length);
  for (const s of SALES_ORDER_STATUSES) for (const a of SALES_ORDER_ACTIONS) assert.ok(TABLE.some(([x, y]) => x === s && y === a), `${s} ${a}`);
});

for (const [status, action, outcomes] of TABLE) {
  test(`${status} + ${action} → ${outcomes ? outcomes.join(' | ') : 'invalid_state'}`, () => {
    const r = allowed(status, action);
    if (outcomes === null) {
      assert.is(r.ok, false);
      if (!r.ok) assert.is(r.code, 'invalid_state');
    } else {
      assert.ok(r.ok);
      if (r.ok) assert.equal([...r.value].sort(), [...outcomes].sort());
    }
  });
}

test('terminal states allow nothing', () => {
  assert.equal(SALES_ORDER_TRANSITIONS.shipped, {});
  assert.equal(SALES_ORDER_TRANSITIONS.cancelled, {});
});

// What the quantities show, line by line: [qty, shipped].
const PROGRESS: Array<[string, Array<[number, number]>, SalesOrderStatus]> = [
  ['nothing shipped', [[5, 0], [1, 0]], 'open'],
  ['part of one line', [[5, 2], [1, 0]], 'partially_shipped'],
  ['one line whole, one not', [[5, 5], [1, 0]], 'partially_shipped'],
  ['everything shipped', [[5, 5], [1, 1]], 'shipped'],
  ['fractions', [[0.5, 0.25]], 'partially_shipped'],
  ['fractions, whole', [[0.5, 0.5], [0.000001, 0.000001]], 'shipped'],
];

for (const [name, lines, status] of PROGRESS) {
  test(`progress: ${name} → ${status}`, () => {
    assert.is(progressOf(lines.map(([q, s]) => line(q, s))), status);
  });
}

test('nextStatus: ship follows the quantities; open and cancel have one outcome; refusals stay refusals', () => {
  const ship = nextStatus('open', 'ship', [line(5, 2)]);
  assert.equal(ship, { ok: true, value: 'partially_shipped' });
  assert.equal(nextStatus('partially_shipped', 'ship', [line(5, 5)]), { ok: true, value: 'shipped' });
  assert.equal(nextStatus('draft', 'open', [line(5, 0)]), { ok: true, value: 'open' });
  assert.equal(nextStatus('open', 'cancel', [line(5, 0)]), { ok: true, value: 'cancelled' });
  assert.equal(nextStatus('draft', 'patch', [line(5, 0)]), { ok: true, value: 'draft' });
  const refused = nextStatus('shipped', 'cancel', [line(5, 5)]);
  assert.is(refused.ok, false);
  if (!refused.ok) assert.is(refused.code, 'invalid_state');
  // A ship that leaves nothing shipped is not an outcome of shipping: a bug, caught loudly.
  assert.throws(() => nextStatus('open', 'ship', [line(5, 0)]));
});

test('amounts: exact products in micro-units, or null when they would need rounding or pass 1e9', () => {
  assert.is(amountOf(m(3), m(0.1)), m(0.3));
  assert.is(amountOf(m(1.5), m(2.000002)), m(3.000003));
  assert.is(amountOf(m(0.5), m(0)), m(0));
  assert.is(amountOf(m(0.125), m(0.333333)), null); // 0.041666625
  assert.is(amountOf(m(0.5), m(0.000001)), null); // 0.0000005
  assert.is(amountOf(m(1000), m(1000000)), m(1e9));
  assert.is(amountOf(m(1000), m(1000000.001)), null);
  assert.is(amountOf(m(1e9), m(1e9)), null); // far past any safe integer, computed exactly
  assert.is(MAX_AMOUNT, 1e15);
});

test('totals: exact sums, or null past 1e9', () => {
  assert.is(totalOf([m(0.1), m(0.2)]), m(0.3));
  assert.is(totalOf([]), 0);
  assert.is(totalOf([m(5e8), m(5e8)]), m(1e9));
  assert.is(totalOf([m(5e8), m(5e8), m(0.000001)]), null);
});

test('the view: numbers in units, the factor and internal fields left out, history copied', () => {
  const o: SalesOrderRecord = {
    id: 'o', orderNo: 'SO-000001', customerId: 'c', facilityId: 'f', status: 'open', requestedOn: '2030-01-02', notes: null, currency: 'EUR',
    lines: [{ id: 'l', lineNo: 1, itemId: 'i', qty: m(2), uomId: 'u', uomFactor: m(12), unitPrice: m(1.25), amount: m(2.5), qtyShipped: m(0.5), reservationId: 'r' }],
    total: m(2.5),
    statusHistory: [{ from: null, to: 'draft', at: 't0', by: null }, { from: 'draft', to: 'open', at: 't1', by: { tokenId: 'k', name: 'clerk' } }],
    createdAt: 't0', updatedAt: 't1', version: 2,
  };
  const v = salesOrderView(o);
  assert.equal(v, {
    id: 'o', orderNo: 'SO-000001', customerId: 'c', facilityId: 'f', status: 'open', requestedOn: '2030-01-02', notes: null, currency: 'EUR',
    lines: [{ id: 'l', lineNo: 1, itemId: 'i', qty: 2, uomId: 'u', unitPrice: 1.25, amount: 2.5, qtyShipped: 0.5, reservationId: 'r' }],
    total: 2.5,
    statusHistory: o.statusHistory,
    createdAt: 't0', updatedAt: 't1', version: 2,
  });
  assert.is.not(v.statusHistory, o.statusHistory);
});

test('order to ship through the embedder API: results, not exceptions; the actor in the history', async () => {
  const ims = new Ims(await openStore('sqlite::memory:'), { actor: 'shop app' });
  try {
    const ea = unwrap(await ims.uoms.create({ code: 'EA', name: 'Each' })) as { id: string };
    const item = unwrap(await ims.items.create({ itemNo: 'E-1', name: 'E', itemKind: 'purchased', baseUomId: ea.id })) as { id: string };
    const wh = unwrap(await ims.facilities.create({ code: 'W', name: 'W', type: 'warehouse' })) as { id: string };
    const bin = unwrap(await ims.locations.create(wh.id, { code: 'A', name: 'A', type: 'bin' })) as { id: string };
    const customer = unwrap(await ims.customers.create({ code: 'C-1', name: 'C' })) as { id: string };
    unwrap(await ims.inventory.adjust({ itemId: item.id, locationId: bin.id, qtyDelta: 5 }));

    const invalid = await ims.salesOrders.create({ customerId: customer.id, facilityId: wh.id, lines: [] });
    assert.is(!invalid.ok && invalid.code, 'bad_request');
    type Order = { id: string; status: string; version: number; lines: Array<{ id: string; qtyShipped: number }>; statusHistory: Array<{ by: unknown }> };
    const big = unwrap(await ims.salesOrders.create({ customerId: customer.id, facilityId: wh.id, lines: [{ itemId: item.id, qty: 6, unitPrice: 1 }] })) as Order;
    const short = await ims.salesOrders.open(big.id);
    assert.is(!short.ok && short.code, 'insufficient_stock');
    const fewer = unwrap(await ims.salesOrders.update(big.id, { lines: [{ itemId: item.id, qty: 4, unitPrice: 1 }] }, big.version)) as Order;
    const stale = await ims.salesOrders.update(big.id, { notes: 'x' }, big.version);
    assert.is(!stale.ok && stale.code, 'conflict');
    assert.is((unwrap(await ims.salesOrders.open(big.id)) as Order).status, 'open');
    const shipped = unwrap(await ims.salesOrders.ship(big.id, { lines: [{ lineId: fewer.lines[0]!.id, qty: 4 }] })) as Order;
    assert.equal([shipped.status, shipped.lines[0]!.qtyShipped], ['shipped', 4]);
    assert.equal(shipped.statusHistory.map((h) => h.by), [1, 2, 3].map(() => ({ tokenId: null, name: 'shop app' })));
    const cancel = await ims.salesOrders.cancel(big.id);
    assert.is(!cancel.ok && cancel.code, 'invalid_state');
    assert.equal(unwrap(await ims.salesOrders.get(big.id)), shipped);
    assert.equal((await ims.salesOrders.list({ status: 'shipped', customerId: customer.id })).items.map((o) => o.id), [big.id]);
    assert.is((await ims.inventory.balances({ itemId: item.id })).items[0]!.onHand, 1);
    assert.equal(await ims.inventory.verify(), []);
  } finally {
    await ims.close();
  }
});

test.run();
