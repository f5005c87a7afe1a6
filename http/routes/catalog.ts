import { createItem, ITEM_KINDS, itemInputSchema, itemPatchSchema, updateItem } from '../../core/item.js';
import { notFound, ok } from '../../core/result.js';
import { boolean, listQuery, oneOf, string } from '../../core/schema.js';
import { createUom, uomInputSchema } from '../../core/uom.js';
import type { Route } from '../route.js';

const found = <T>(what: string, value: T | null) => (value ? ok(value) : notFound(what));

export const catalogRoutes: Route[] = [
  {
    kind: 'list', method: 'GET', path: '/v1/uoms', permission: 'catalog:read', tag: 'Catalog',
    summary: 'List units of measure', query: listQuery({}),
    run: (r, { query }) => r.catalog.listUoms(query as never),
  },
  {
    kind: 'write', method: 'POST', path: '/v1/uoms', permission: 'catalog:write', tag: 'Catalog', status: 201,
    summary: 'Create a unit of measure', body: uomInputSchema,
    run: (tx, { body }, ctx) => createUom(tx, body, ctx.now),
  },
  {
    kind: 'read', method: 'GET', path: '/v1/uoms/{uomId}', permission: 'catalog:read', tag: 'Catalog',
    summary: 'Get a unit of measure',
    run: async (r, { params }) => found('UOM', await r.catalog.getUom(params.uomId!)),
  },
  {
    kind: 'list', method: 'GET', path: '/v1/items', permission: 'catalog:read', tag: 'Catalog',
    summary: 'List items; q searches item number, name and identifiers',
    query: listQuery({ q: string(1, 200), identifier: string(1, 128), itemKind: oneOf(ITEM_KINDS), isActive: boolean }),
    run: (r, { query: { limit, offset, ...filter } }) => r.catalog.listItems(filter, { limit, offset }),
  },
  {
    kind: 'write', method: 'POST', path: '/v1/items', permission: 'catalog:write', tag: 'Catalog', status: 201,
    summary: 'Create an item', body: itemInputSchema,
    run: (tx, { body }, ctx) => createItem(tx, body, ctx.now),
  },
  {
    kind: 'read', method: 'GET', path: '/v1/items/{itemId}', permission: 'catalog:read', tag: 'Catalog',
    summary: 'Get an item with identifiers, attributes and UOM conversions',
    run: async (r, { params }) => found('item', await r.catalog.getItem(params.itemId!)),
  },
  {
    kind: 'write', method: 'PATCH', path: '/v1/items/{itemId}', permission: 'catalog:write', tag: 'Catalog',
    summary: 'Update an item (If-Match: <version> guards against lost updates)', body: itemPatchSchema,
    run: (tx, { params, body }, ctx) => updateItem(tx, params.itemId!, body, ctx.now, ctx.ifMatch),
  },
];
