// The transfer state machine, table-driven, without any database: which actions each state
// allows, the state each outcome leads to, and the allocations a shipment consumes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toMicro, type Micro } from '../../core/quantity.js';
import { consumedAllocations, type AllocationRecord } from '../../core/reservation.js';
import { placeKey } from '../../core/stock.js';
import {
  allowed, nextStatus, progressOf, TRANSFER_ACTIONS, TRANSFER_STATUSES, TRANSFER_TRANSITIONS, type TransferAction, type TransferStatus,
} from '../../core/transfer.js';

const m = (n: number) => toMicro(n)! as Micro;
const line = (qty: number, shipped: number, received: number) => ({ qty: m(qty), qtyShipped: m(shipped), qtyReceived: m(received) });

// Every state and action: the outcomes allowed, or null for invalid_state.
const TABLE: Array<[TransferStatus, TransferAction, TransferStatus[] | null]> = [
  ['draft', 'release', ['released']],
  ['draft', 'ship', null],
  ['draft', 'receive', null],
  ['draft', 'cancel', ['cancelled']],
  ['released', 'release', null],
  ['released', 'ship', ['partially_shipped', 'shipped']],
  ['released', 'receive', null],
  ['released', 'cancel', ['cancelled']],
  ['partially_shipped', 'release', null],
  ['partially_shipped', 'ship', ['partially_shipped', 'shipped', 'partially_received']],
  ['partially_shipped', 'receive', ['partially_shipped']],
  ['partially_shipped', 'cancel', null],
  ['shipped', 'release', null],
  ['shipped', 'ship', null],
  ['shipped', 'receive', ['partially_received', 'received']],
  ['shipped', 'cancel', null],
  ['partially_received', 'release', null],
  ['partially_received', 'ship', null],
  ['partially_received', 'receive', ['partially_received', 'received']],
  ['partially_received', 'cancel', null],
  ['received', 'release', null],
  ['received', 'ship', null],
  ['received', 'receive', null],
  ['received', 'cancel', null],
  ['cancelled', 'release', null],
  ['cancelled', 'ship', null],
  ['cancelled', 'receive', null],
  ['cancelled', 'cancel', null],
];

test('the table covers every state and action', () => {
  assert.is(TABLE.length, TRANSFER_STATUSES.length * TRANSFER_ACTIONS.length);
  for (const s of TRANSFER_STATUSES) for (const a of TRANSFER_ACTIONS) assert.ok(TABLE.some(([x, y]) => x === s && y === a), `${s} ${a}`);
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
  assert.equal(TRANSFER_TRANSITIONS.received, {});
  assert.equal(TRANSFER_TRANSITIONS.cancelled, {});
});

// What the quantities show, line by line: [qty, shipped, received].
const PROGRESS: Array<[string, Array<[number, number, number]>, TransferStatus]> = [
  ['nothing shipped', [[5, 0, 0], [1, 0, 0]], 'released'],
  ['part of one line', [[5, 2, 0], [1, 0, 0]], 'partially_shipped'],
  ['one line whole, one not', [[5, 5, 0], [1, 0, 0]], 'partially_shipped'],
  ['received while shipping', [[5, 2, 2], [1, 0, 0]], 'partially_shipped'],
  ['everything shipped', [[5, 5, 0], [1, 1, 0]], 'shipped'],
  ['everything shipped, part received', [[5, 5, 1], [1, 1, 0]], 'partially_received'],
  ['one line received, one in transit', [[5, 5, 5], [1, 1, 0]], 'partially_received'],
  ['everything received', [[5, 5, 5], [1, 1, 1]], 'received'],
  ['fractions', [[0.5, 0.5, 0.25]], 'partially_received'],
];

for (const [name, lines, status] of PROGRESS) {
  test(`progress: ${name} → ${status}`, () => {
    assert.is(progressOf(lines.map(([q, s, r]) => line(q, s, r))), status);
  });
}

test('nextStatus: release and cancel have one outcome; ship and receive follow the quantities', () => {
  const cases: Array<[TransferStatus, TransferAction, Array<[number, number, number]>, TransferStatus | 'invalid_state']> = [
    ['draft', 'release', [[5, 0, 0]], 'released'],
    ['draft', 'cancel', [[5, 0, 0]], 'cancelled'],
    ['released', 'cancel', [[5, 0, 0]], 'cancelled'],
    ['released', 'ship', [[5, 1, 0]], 'partially_shipped'],
    ['released', 'ship', [[5, 5, 0]], 'shipped'],
    ['partially_shipped', 'ship', [[5, 5, 2]], 'partially_received'],
    ['partially_shipped', 'receive', [[5, 3, 2]], 'partially_shipped'],
    ['shipped', 'receive', [[5, 5, 2]], 'partially_received'],
    ['shipped', 'receive', [[5, 5, 5]], 'received'],
    ['partially_received', 'receive', [[5, 5, 5]], 'received'],
    ['partially_shipped', 'cancel', [[5, 1, 0]], 'invalid_state'],
    ['received', 'ship', [[5, 5, 5]], 'invalid_state'],
  ];
  for (const [from, action, lines, to] of cases) {
    const r = nextStatus(from, action, lines.map(([q, s, rc]) => line(q, s, rc)));
    if (to === 'invalid_state') {
      assert.is(r.ok, false, `${from} ${action}`);
      if (!r.ok) assert.is(r.code, 'invalid_state');
    } else {
      assert.ok(r.ok, `${from} ${action}`);
      if (r.ok) assert.is(r.value, to, `${from} ${action}`);
    }
  }
});

test('nextStatus: quantities the table does not allow are a broken invariant, not a state', () => {
  // Released, then "received" without shipping: the table has no such outcome.
  assert.throws(() => nextStatus('released', 'ship', [line(5, 0, 0)]));
  assert.throws(() => nextStatus('shipped', 'receive', [line(5, 5, 0)]));
});

// consumedAllocations: what a shipment from given places takes from a reservation's allocations.
const A = 'loc-a';
const B = 'loc-b';
const C = 'loc-c';
const alloc = (locationId: string, qty: number, createdAt: string): AllocationRecord => ({
  id: `${locationId}-${createdAt}`, reservationId: 'r', itemId: 'i', facilityId: 'f', locationId, lotId: null, qty: m(qty), createdAt,
});

const CONSUMED: Array<[string, AllocationRecord[], Array<[string, number]>, number, number, Record<string, number>]> = [
  // name, allocations, shipped per place, qtyAllocated, qty, consumed per place
  ['no allocations', [], [[A, 3]], 0, 3, {}],
  ['from the allocated place', [alloc(A, 4, '1')], [[A, 3]], 4, 3, { [A]: 3 }],
  ['more than allocated there', [alloc(A, 2, '1')], [[A, 3]], 2, 3, { [A]: 2 }],
  ['from elsewhere: the oldest allocation gives way', [alloc(A, 2, '2'), alloc(B, 2, '1')], [[C, 3]], 4, 3, { [B]: 2, [A]: 1 }],
  ['own place first, then the oldest', [alloc(A, 1, '2'), alloc(B, 5, '1')], [[A, 3]], 6, 3, { [A]: 1, [B]: 2 }],
  ['from elsewhere, allocations give way before the soft part', [alloc(A, 1, '1')], [[C, 3]], 1, 3, { [A]: 1 }],
  ['never more than qty', [alloc(A, 5, '1')], [[A, 5]], 5, 2, { [A]: 2 }],
];

for (const [name, allocations, shipped, qtyAllocated, qty, expected] of CONSUMED) {
  test(`consumedAllocations: ${name}`, () => {
    const got = consumedAllocations(allocations, new Map(shipped.map(([l, q]) => [placeKey(l, null), m(q)])), m(qtyAllocated), m(qty));
    assert.equal(Object.fromEntries([...got].map(([k, v]) => [k.split('|')[0], v])), Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, m(v)])));
  });
}

test.run();
