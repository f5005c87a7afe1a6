import { createParty, getParty, partyView, PARTY_SCHEMAS, updateParty, type PartyKind } from '../../core/party.js';
import type { Permission } from '../../core/permission.js';
import { boolean, listQuery, string } from '../../core/schema.js';
import type { Route } from '../route.js';

/** The five routes of one kind of party, under its area's path and permissions. */
function partyRoutes(kind: PartyKind, base: string, area: 'procurement' | 'sales', tag: string): Route[] {
  const one = `${base}/{partyId}`;
  const read = `${area}:read` as Permission;
  const write = `${area}:write` as Permission;
  return [
    {
      kind: 'list', method: 'GET', path: base, permission: read, tag, summary: `List ${kind}s; q matches code or name`,
      query: listQuery({ q: string(1, 200), isActive: boolean }),
      run: async (r, { query: { limit, offset, ...filter } }) => {
        const page = await r.parties.listParties(kind, filter, { limit, offset });
        return { items: page.items.map(partyView), total: page.total };
      },
    },
    {
      kind: 'write', method: 'POST', path: base, permission: write, tag, status: 201,
      summary: `Create a ${kind} (code unique: 409 conflict)`, body: PARTY_SCHEMAS[kind].input,
      run: (tx, { body }, ctx) => createParty(tx, kind, body, ctx.now),
    },
    {
      kind: 'read', method: 'GET', path: one, permission: read, tag, summary: `Get a ${kind}`,
      run: (r, { params }) => getParty(r, kind, params.partyId!),
    },
    {
      kind: 'write', method: 'PATCH', path: one, permission: write, tag,
      summary: `Update a ${kind} (If-Match: <version> guards against lost updates)`, body: PARTY_SCHEMAS[kind].patch,
      run: (tx, { params, body }, ctx) => updateParty(tx, kind, params.partyId!, body, ctx.now, ctx.ifMatch),
    },
  ];
}

export const supplierRoutes = partyRoutes('supplier', '/v1/procurement/suppliers', 'procurement', 'Procurement');
export const customerRoutes = partyRoutes('customer', '/v1/sales/customers', 'sales', 'Sales');
