// The replenishment decision, table-driven, without any database: which policies get a
// suggestion and of what quantity, from the policy's levels and the item's available,
// on-order and inbound quantities at its facility; and the listing, over a stub reader, taking
// each policy's on-order and inbound quantities from its own item and facility.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toMicro, type Micro } from '../../core/quantity.js';
import type { PolicyPosition } from '../../core/policy.js';
import type { Reader } from '../../core/ports.js';
import { decideReplenishment, listReplenishment, type ReplenishmentInput } from '../../core/replenishment.js';
import type { ItemFacility } from '../../core/stock.js';

const m = (n: number) => toMicro(n)! as Micro;

interface Row {
  name: string;
  min: number;
  max: number;
  safety: number;
  reorder?: number;
  available: number;
  onOrder?: number;
  inbound?: number;
  /** The suggested quantity, or null for no suggestion. */
  suggested: number | null;
}

const ROWS: Row[] = [
  { name: 'well stocked', min: 5, max: 20, safety: 2, available: 15, suggested: null },
  { name: 'exactly at the reorder point', min: 5, max: 20, safety: 2, available: 7, suggested: null },
  { name: 'just below the reorder point: up to max', min: 5, max: 20, safety: 2, available: 6, suggested: 14 },
  { name: 'safety stock raises the reorder point', min: 5, max: 20, safety: 10, available: 12, suggested: 8 },
  { name: 'nothing at all', min: 5, max: 20, safety: 0, available: 0, suggested: 20 },
  { name: 'a fixed reorder quantity wins', min: 5, max: 20, safety: 0, reorder: 12, available: 1, suggested: 12 },
  { name: 'a fixed reorder quantity beyond max is still the suggestion', min: 5, max: 20, safety: 0, reorder: 50, available: 1, suggested: 50 },
  { name: 'inbound transfers count', min: 5, max: 20, safety: 0, available: 2, inbound: 3, suggested: null },
  { name: 'inbound short of the point', min: 5, max: 20, safety: 0, available: 1, inbound: 3, suggested: 16 },
  { name: 'on order counts', min: 5, max: 20, safety: 0, available: 1, onOrder: 2, inbound: 1, suggested: 16 },
  { name: 'on order covers it', min: 5, max: 20, safety: 0, available: 0, onOrder: 5, suggested: null },
  { name: 'max below the reorder point: up to the point', min: 10, max: 10, safety: 5, available: 12, suggested: 3 },
  { name: 'max equal to the projection, below the point', min: 10, max: 12, safety: 5, available: 12, suggested: 3 },
  { name: 'min and safety zero: never', min: 0, max: 0, safety: 0, available: 0, suggested: null },
  { name: 'exact fractions', min: 0.3, max: 1, safety: 0.1, available: 0.1, inbound: 0.2, suggested: 0.7 },
  { name: 'fractions at the point', min: 0.2, max: 1, safety: 0.1, available: 0.1, inbound: 0.2, suggested: null },
];

function input(r: Row): ReplenishmentInput {
  return {
    policy: {
      id: 'p', itemId: 'i', facilityId: 'f', minQty: m(r.min), maxQty: m(r.max), safetyStockQty: m(r.safety),
      reorderQty: r.reorder === undefined ? null : m(r.reorder), preferredSupplierId: 'sup',
    },
    available: m(r.available),
    onOrder: m(r.onOrder ?? 0),
    inbound: m(r.inbound ?? 0),
  };
}

for (const r of ROWS) {
  test(`${r.name}: ${r.suggested === null ? 'no suggestion' : `suggest ${r.suggested}`}`, () => {
    const s = decideReplenishment(input(r));
    if (r.suggested === null) {
      assert.is(s, null);
      return;
    }
    assert.ok(s);
    const projected = m(r.available) + m(r.onOrder ?? 0) + m(r.inbound ?? 0);
    assert.equal(s, {
      policyId: 'p', itemId: 'i', facilityId: 'f', available: m(r.available), onOrder: m(r.onOrder ?? 0), inbound: m(r.inbound ?? 0),
      projected, suggestedQty: m(r.suggested), preferredSupplierId: 'sup',
    });
    assert.ok(s.suggestedQty > 0);
  });
}

function position(id: string, itemId: string, facilityId: string, available: number): PolicyPosition {
  return {
    id, itemId, facilityId, minQty: m(5), maxQty: m(20), safetyStockQty: m(0), reorderQty: null, leadTimeDays: null, preferredSupplierId: null,
    createdAt: '', updatedAt: '', version: 1, available: m(available),
  };
}

test('listing: on order comes from open purchase orders of the policy\'s own item and facility', async () => {
  const asked: ItemFacility[][] = [];
  const reader = {
    policies: { policyPositions: async () => [position('p1', 'i1', 'f1', 1), position('p2', 'i1', 'f2', 1), position('p3', 'i2', 'f1', 0)] },
    transfers: { inbound: async () => [{ itemId: 'i1', facilityId: 'f2', qty: m(2) }] },
    purchasing: {
      onOrder: async (pairs: ItemFacility[]) => {
        asked.push(pairs);
        // i1 at f1 has 3.5 on order; i2 has some at f2, which no policy plans.
        return [{ itemId: 'i1', facilityId: 'f1', qty: m(3.5) }, { itemId: 'i2', facilityId: 'f2', qty: m(100) }];
      },
    },
  } as unknown as Reader;
  const page = await listReplenishment(reader, {}, { limit: 50, offset: 0 }, '2030-01-01T00:00:00.000Z');
  assert.equal(asked, [[{ itemId: 'i1', facilityId: 'f1' }, { itemId: 'i1', facilityId: 'f2' }, { itemId: 'i2', facilityId: 'f1' }]]);
  assert.equal(page.items.map((r) => [r.policyId, r.available, r.onOrder, r.inbound, r.projected, r.suggestedQty]), [
    ['p1', 1, 3.5, 0, 4.5, 15.5],
    ['p2', 1, 0, 2, 3, 17],
    ['p3', 0, 0, 0, 0, 20],
  ]);
  const second = await listReplenishment(reader, {}, { limit: 1, offset: 1 }, '2030-01-01T00:00:00.000Z');
  assert.equal([second.total, second.items.map((r) => r.policyId)], [3, ['p2']]);
});

test.run();
