import { createPolicy, patchPolicy, policyInputSchema, policyPatchSchema, policyView } from '../../core/policy.js';
import { listReplenishment } from '../../core/replenishment.js';
import { notFound, ok, type Result } from '../../core/result.js';
import { id, listQuery } from '../../core/schema.js';
import type { Route } from '../route.js';

const POLICY = '/v1/inventory/policies/{policyId}';

export const policyRoutes: Route[] = [
  {
    kind: 'list', method: 'GET', path: '/v1/inventory/policies', permission: 'inventory:read', tag: 'Reorder policies',
    summary: 'List reorder policies (min/max, safety stock) by item and facility',
    query: listQuery({ itemId: id, facilityId: id }),
    run: async (r, { query: { limit, offset, ...filter } }) => {
      const page = await r.policies.listPolicies(filter, { limit, offset });
      return { items: page.items.map(policyView), total: page.total };
    },
  },
  {
    kind: 'write', method: 'POST', path: '/v1/inventory/policies', permission: 'inventory:write', tag: 'Reorder policies', status: 201,
    summary: 'Create the reorder policy of an item at a facility (one each: 409 conflict); preferredSupplierId is any UUID until procurement adds suppliers',
    body: policyInputSchema,
    run: (tx, { body }, ctx) => createPolicy(tx, body, ctx.now),
  },
  {
    kind: 'read', method: 'GET', path: POLICY, permission: 'inventory:read', tag: 'Reorder policies', summary: 'Get a reorder policy',
    run: async (r, { params }): Promise<Result<unknown>> => {
      const found = await r.policies.getPolicy(params.policyId!);
      return found ? ok(policyView(found)) : notFound('reorder policy');
    },
  },
  {
    kind: 'write', method: 'PATCH', path: POLICY, permission: 'inventory:write', tag: 'Reorder policies',
    summary: 'Change a reorder policy\'s levels (If-Match: <version> guards against lost updates)', body: policyPatchSchema,
    run: (tx, { params, body }, ctx) => patchPolicy(tx, params.policyId!, body, ctx.now, ctx.ifMatch),
  },
  {
    kind: 'list', method: 'GET', path: '/v1/inventory/replenishment', permission: 'inventory:read', tag: 'Reorder policies',
    summary: 'Suggested replenishment: each policy whose projected quantity (available + onOrder + inbound transfers) is below minQty + safetyStockQty; onOrder is 0 until procurement adds purchase orders',
    query: listQuery({ facilityId: id }),
    run: (r, { query: { limit, offset, ...filter } }, ctx) => listReplenishment(r, filter, { limit, offset }, ctx.now),
  },
];
