// The OpenAPI 3.1 document, generated from the route table and the very schemas that
// validate requests, so it cannot drift from what the server accepts.
import type { Schema } from '../core/schema.js';
import { STATUS, type ErrorCode } from './errors.js';
import { exampleOf } from './examples.js';
import { answerOf, answerSchema, RECORDS } from './responses.js';
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

const COMPONENTS: Record<string, Schema> = { Error: errorSchema, ...RECORDS };

/** What an error of `code` looks like, for the document's examples. */
function errorExample(code: ErrorCode): unknown {
  const example: Record<string, unknown> = { error: code, message: ERROR_MESSAGES[code] ?? code.replace(/_/g, ' '), status: STATUS[code] };
  if (code === 'bad_request') example.details = [{ path: '/qtyDelta', message: 'must be a number' }];
  return example;
}

const ERROR_MESSAGES: Partial<Record<ErrorCode, string>> = {
  bad_request: '/qtyDelta must be a number', not_found: 'item not found', unauthorized: 'send Authorization: Bearer <token>',
  forbidden: 'this route needs the catalog:write permission', conflict: 'an item with itemNo TBL-NOTE-08 already exists',
  idempotency_key_reused: 'this Idempotency-Key was used with another request',
};

function responses(route: Route) {
  const ok = String(route.status ?? 200);
  const answer = answerOf(route);
  // A route missing from http/responses.ts still gets a document (the OpenAPI test fails on
  // it, so it is not left that way), rather than a server whose document cannot be built.
  const schema = answerSchema(route) ?? { type: 'object', description: 'Not documented yet' };
  const type = answer.kind === 'other' ? answer.other.contentType : 'application/json';
  const example = answer.kind === 'other' && type !== 'application/json' ? undefined : exampleOf(schema, COMPONENTS);
  const media: Record<string, unknown> = { schema };
  if (example !== undefined) media.example = example;
  const out: Record<string, unknown> = { [ok]: { description: 'Success', content: { [type]: media } } };
  const codes: ErrorCode[] = ['bad_request', 'not_found'];
  if (route.permission !== 'public') codes.push('unauthorized', 'forbidden');
  if (route.kind === 'write') codes.push('conflict', 'idempotency_key_reused');
  for (const code of codes) {
    out[String(STATUS[code])] ??= {
      description: code, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: errorExample(code) } },
    };
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
    if (route.body) {
      op.requestBody = { required: true, content: { 'application/json': { schema: route.body, example: exampleOf(route.body, COMPONENTS) } } };
    }
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
      schemas: COMPONENTS,
    },
    security: [{ bearer: [] }],
    paths,
  };
}
