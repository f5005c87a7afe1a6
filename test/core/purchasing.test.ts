// The purchasing state machines, table-driven, without any database: which actions each
// purchase order and requisition state allows and where they lead, the order status the
// received quantities show, exact line amounts, and requisition lines grouped by supplier.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  allowed, amountOf, nextStatus, progressOf, PURCHASE_ORDER_ACTIONS, type PurchaseOrderAction,
} from '../../core/purchase-order.js';
import { PURCHASE_ORDER_STATUSES, REQUISITION_STATUSES, type PurchaseOrderStatus, type RequisitionStatus } from '../../core/purchasing.js';
import { toMicro, type Micro } from '../../core/quantity.js';
import { groupBySupplier, REQUISITION_ACTIONS, requisitionTransition, type RequisitionAction } from '../../core/requisition.js';

const m = (n: number) => toMicro(n)! as Micro;
const line = (qty: number, received: number) => ({ qty: m(qty), qtyReceived: m(received) });

// Every purchase order state and action: the outcomes allowed, or null for invalid_state.
const PO_TABLE: Array<[PurchaseOrderStatus, PurchaseOrderAction, PurchaseOrderStatus[] | null]> = [
  ['draft', 'update', ['draft']],
  ['draft', 'submit', ['submitted']],
  ['draft', 'approve', null],
  ['draft', 'send', null],
  ['draft', 'receive', null],
  ['draft', 'cancel', ['cancelled']],
  ['submitted', 'update', null],
  ['submitted', 'submit', null],
  ['submitted', 'approve', ['approved']],
  ['submitted', 'send', null],
  ['submitted', 'receive', null],
  ['submitted', 'cancel', ['cancelled']],
  ['approved', 'update', null],
  ['approved', 'submit', null],
  ['approved', 'approve', null],
  ['approved', 'send', ['sent']],
  ['approved', 'receive', ['partially_received', 'received']],
  ['approved', 'cancel', ['cancelled']],
  ['sent', 'update', null],
  ['sent', 'submit', null],
  ['sent', 'approve', null],
  ['sent', 'send', null],
  ['sent', 'receive', ['partially_received', 'received']],
  ['sent', 'cancel', ['cancelled']],
  ['partially_received', 'update', null],
  ['partially_received', 'submit', null],
  ['partially_received', 'approve', null],
  ['partially_received', 'send', null],
  ['partially_received', 'receive', ['partially_received', 'received']],
  ['partially_received', 'cancel', null],
  ['received', 'update', null],
  ['received', 'submit', null],
  ['received', 'approve', null],
  ['received', 'send', null],
  ['received', 'receive', null],
  ['received', 'cancel', null],
  ['cancelled', 'update', null],
  ['cancelled', 'submit', null],
  ['cancelled', 'approve', null],
  ['cancelled', 'send', null],
  ['cancelled', 'receive', null],
  ['cancelled', 'cancel', null],
];

test('the purchase order table covers every state and action', () => {
  assert.is(PO_TABLE.length, PURCHASE_ORDER_STATUSES.length * PURCHASE_ORDER_ACTIONS.length);
  for (const s of PURCHASE_ORDER_STATUSES) for (const a of PURCHASE_ORDER_ACTIONS) assert.ok(PO_TABLE.some(([x, y]) => x === s && y === a), `${s} ${a}`);
});

for (const [status, action, outcomes] of PO_TABLE) {
  test(`purchase order: ${status} + ${action} → ${outcomes ? outcomes.join(' | ') : 'invalid_state'}`, () => {
    const r = allowed(status, action);
    if (outcomes === null) {
      assert.is(r.ok, false);
      if (!r.ok) assert.is(r.code, 'invalid_state');
      const n = nextStatus(status, action, [line(1, 1)]);
      assert.is(n.ok, false);
    } else {
      assert.ok(r.ok);
      if (r.ok) assert.equal([...r.value].sort(), [...outcomes].sort());
    }
  });
}

test('cancel is allowed exactly in the states before the first receipt', () => {
  const cancellable = PURCHASE_ORDER_STATUSES.filter((s) => allowed(s, 'cancel').ok);
  assert.equal(cancellable, ['draft', 'submitted', 'approved', 'sent']);
});

test('the received quantities choose the status: in full, in part, or nothing yet', () => {
  assert.is(progressOf([line(5, 0), line(2, 0)]), null);
  assert.is(progressOf([line(5, 1), line(2, 0)]), 'partially_received');
  assert.is(progressOf([line(5, 5), line(2, 1.999999)]), 'partially_received');
  assert.is(progressOf([line(5, 5), line(2, 2)]), 'received');
  assert.is(progressOf([line(0.3, 0.3)]), 'received');
  const partial = nextStatus('sent', 'receive', [line(5, 2)]);
  assert.ok(partial.ok && partial.value === 'partially_received');
  const full = nextStatus('partially_received', 'receive', [line(5, 5)]);
  assert.ok(full.ok && full.value === 'received');
  const approved = nextStatus('approved', 'receive', [line(1, 1), line(2, 2)]);
  assert.ok(approved.ok && approved.value === 'received');
  const sent = nextStatus('approved', 'send', [line(1, 0)]);
  assert.ok(sent.ok && sent.value === 'sent');
  // A receipt that received nothing is a broken invariant, not a status.
  assert.throws(() => nextStatus('approved', 'receive', [line(1, 0)]));
});

test('a line amount is qty × unitPrice exactly, or null when it would need rounding or exceed 1e9', () => {
  const amount = (qty: number, price: number) => {
    const a = amountOf({ qty: m(qty), unitPrice: m(price) });
    return a === null ? null : a / 1_000_000;
  };
  assert.is(amount(3, 0.1), 0.3);
  assert.is(amount(0.5, 0.000002), 0.000001);
  assert.is(amount(2, 12.345678), 24.691356);
  assert.is(amount(7, 0), 0);
  assert.is(amount(0.5, 0.000001), null);
  assert.is(amount(0.333333, 0.333333), null);
  assert.is(amount(1000000, 1000), 1_000_000_000);
  assert.is(amount(1000000, 1000.000001), null);
});

// Every requisition state and action: the state it leads to, or null for invalid_state.
const RQ_TABLE: Array<[RequisitionStatus, RequisitionAction, RequisitionStatus | null]> = [
  ['draft', 'update', 'draft'],
  ['draft', 'submit', 'submitted'],
  ['draft', 'approve', null],
  ['draft', 'reject', null],
  ['draft', 'convert', null],
  ['draft', 'cancel', 'cancelled'],
  ['submitted', 'update', null],
  ['submitted', 'submit', null],
  ['submitted', 'approve', 'approved'],
  ['submitted', 'reject', 'rejected'],
  ['submitted', 'convert', null],
  ['submitted', 'cancel', 'cancelled'],
  ['approved', 'update', null],
  ['approved', 'submit', null],
  ['approved', 'approve', null],
  ['approved', 'reject', null],
  ['approved', 'convert', 'ordered'],
  ['approved', 'cancel', 'cancelled'],
  ...(['rejected', 'ordered', 'cancelled'] as const).flatMap((s) => REQUISITION_ACTIONS.map((a) => [s, a, null] as [RequisitionStatus, RequisitionAction, null])),
];

test('the requisition table covers every state and action', () => {
  assert.is(RQ_TABLE.length, REQUISITION_STATUSES.length * REQUISITION_ACTIONS.length);
  for (const s of REQUISITION_STATUSES) for (const a of REQUISITION_ACTIONS) assert.ok(RQ_TABLE.some(([x, y]) => x === s && y === a), `${s} ${a}`);
});

for (const [status, action, to] of RQ_TABLE) {
  test(`requisition: ${status} + ${action} → ${to ?? 'invalid_state'}`, () => {
    const r = requisitionTransition(status, action);
    if (to === null) {
      assert.is(r.ok, false);
      if (!r.ok) assert.is(r.code, 'invalid_state');
    } else {
      assert.ok(r.ok && r.value === to);
    }
  });
}

test('convert groups lines by supplier: one order per supplier, in the order their first line comes, lines in order', () => {
  assert.equal(groupBySupplier(['s2', 's1', 's2', 's3', 's1']), [
    { supplierId: 's2', lines: [0, 2] },
    { supplierId: 's1', lines: [1, 4] },
    { supplierId: 's3', lines: [3] },
  ]);
  assert.equal(groupBySupplier(['s1']), [{ supplierId: 's1', lines: [0] }]);
  assert.equal(groupBySupplier([]), []);
});

test.run();
