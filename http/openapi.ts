// The OpenAPI 3.1 document, generated from the route table and the very schemas that
// validate requests, so it cannot drift from what the server accepts.
import type { Schema } from '../core/schema.js';
import { STATUS, type ErrorCode } from './errors.js';
import type { Route } from './route.js';
import { VERSION } from './version.js';
import { DEFAULT_CURRENCY } from '../core/money.js';

const errorSchema: Schema = {
  type: 'object',
  required: ['error', 'message', 'status'],
  properties: {
    error: { type: 'string', enum: Object.keys(STATUS) },
    message: { type: 'string' },
    status: { type: 'integer' },
    details: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

function pathParameters(path: string) {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1], in: 'path', required: true, schema: { type: 'string', format: 'uuid' },
  }));
}

function queryParameters(query: Schema | undefined) {
  const props = (query?.properties ?? {}) as Record<string, Schema>;
  return Object.entries(props).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
}

function responses(route: Route) {
  const ok = String(route.status ?? 200);
  const body = route.kind === 'list'
    ? { type: 'object', required: ['data', 'count', 'limit', 'offset'], properties: { data: { type: 'array' }, count: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } } }
    : route.kind === 'raw' ? { type: 'object' } : { type: 'object', required: ['data'], properties: { data: { type: 'object' } } };
  const out: Record<string, unknown> = { [ok]: { description: 'Success', content: { 'application/json': { schema: body } } } };
  const codes: ErrorCode[] = ['bad_request', 'not_found'];
  if (route.permission !== 'public') codes.push('unauthorized', 'forbidden');
  if (route.kind === 'write') codes.push('conflict', 'idempotency_key_reused');
  for (const code of codes) {
    out[String(STATUS[code])] ??= { description: code, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return out;
}

export function openApiDocument(routes: readonly Route[], currency = DEFAULT_CURRENCY): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const op: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method.toLowerCase()}${route.path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters: [...pathParameters(route.path), ...queryParameters(route.query)],
      responses: responses(route),
    };
    if (route.permission !== 'public') {
      op.security = [{ bearer: [] }];
      op['x-permission'] = route.permission;
    } else {
      op.security = [];
    }
    if (route.method === 'POST') {
      (op.parameters as unknown[]).push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } });
    }
    if (route.method === 'PATCH') {
      (op.parameters as unknown[]).push({ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'The version the change is based on' });
    }
    if (route.body) op.requestBody = { required: true, content: { 'application/json': { schema: route.body } } };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ims-api', version: VERSION,
      description: `Inventory management: an exact, append-only stock ledger. Every money amount (unitCost, valueDelta, value, unitPrice, amount, total) is in ${currency}, the installation's one currency (IMS_CURRENCY), exact to six decimal places.`,
      'x-currency': currency,
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: errorSchema },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
