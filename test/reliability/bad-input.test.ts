// Bad input, route by route: for every POST and PATCH of the route table, BODIES_PER_ROUTE
// generated malformed bodies (wrong types, missing and unknown fields, huge numbers, NaN-like
// strings, negative and zero quantities, more than six decimals, unknown enum values, 10 kB
// strings, deep nesting, unknown ids, not an object, not JSON). Each one must answer a 4xx in
// the standard error envelope without a stack trace, and the database must be unchanged: a
// digest of every table is taken before and after each route's bodies. The bodies come from
// a seeded generator; a failure names the seed, route and body (IMS_BATTERY_SEED replays it).
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Schema } from '../../core/schema.js';
import { validator } from '../../core/validate.js';
import { routes } from '../../http/routes/index.js';
import { seedWorld, type TestServer, type World } from '../http/harness.js';
import { batterySeed, bodyRoutes, digestSqlite, expectEnvelope, pathOf, random, sample, startSqliteServer, type Random } from './support.js';

const BODIES_PER_ROUTE = 200;
const SEED = batterySeed(9_003);

let t: TestServer;
let w: World;
let file: string;
let close: () => Promise<void>;

test.before(async () => {
  ({ t, file, close } = await startSqliteServer());
  w = await seedWorld(t);
  // Some stock, so a bad body that slipped through to a posting would have something to change.
  const r = await t.call('POST', '/v1/inventory/adjustments', { itemId: w.itemId, locationId: w.binA, qtyDelta: 50 });
  assert.is(r.status, 201);
});
test.after(async () => {
  await close();
});

/** One place in a body: its path from the root and the schema that governs it. */
interface Slot {
  path: (string | number)[];
  schema: Schema;
  value: unknown;
}

function slots(value: unknown, schema: Schema, path: (string | number)[] = []): Slot[] {
  const s = Array.isArray(schema.anyOf) ? (schema.anyOf[0] as Schema) : schema;
  const out: Slot[] = [{ path, schema: s, value }];
  if (s.type === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const [k, v] of Object.entries(value)) if (props[k]) out.push(...slots(v, props[k]!, [...path, k]));
  } else if (s.type === 'array' && Array.isArray(value)) {
    value.forEach((v, i) => out.push(...slots(v, s.items as Schema, [...path, i])));
  }
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
  return copy;
}

function deep(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

const isNumber = (s: Slot) => s.schema.type === 'number' || s.schema.type === 'integer';
const isString = (s: Slot) => s.schema.type === 'string';

type Bad = { kind: string; body?: unknown; raw?: string; unknownIds?: boolean };

/** The ways a body is broken: each takes the valid sample and its slots, or gives up (null). */
const MUTATIONS: Record<string, (base: unknown, all: Slot[], rnd: Random) => Bad | null> = {
  wrongType(base, all, rnd) {
    const s = rnd.pick(all);
    const others = [123, -1, 'text', true, false, null, [], {}, [1, 2], { x: 1 }];
    return { kind: 'wrong type', body: setAt(base, s.path, rnd.pick(others)) };
  },
  missingField(base, all, rnd) {
    const objects = all.filter((s) => s.schema.type === 'object' && ((s.schema.required ?? []) as string[]).length > 0);
    if (!objects.length) return null;
    const s = rnd.pick(objects);
    const copy = { ...(s.value as Record<string, unknown>) };
    delete copy[rnd.pick(s.schema.required as string[])];
    return { kind: 'missing field', body: setAt(base, s.path, copy) };
  },
  unknownField(base, all, rnd) {
    const objects = all.filter((s) => s.schema.type === 'object');
    const s = rnd.pick(objects);
    const name = rnd.pick(['unknown', 'extra', '__proto__x', 'constructor', 'toString', 'itemid', 'qty ']);
    return { kind: 'unknown field', body: setAt(base, s.path, { ...(s.value as object), [name]: rnd.pick([1, 'x', null, {}]) }) };
  },
  hugeNumber(base, all, rnd) {
    const numbers = all.filter(isNumber);
    if (!numbers.length) return null;
    const v = rnd.pick([1e300, -1e300, 1e10, 2 ** 53 + 2, 1e9 + 1, Number.MAX_VALUE, 5e-324]);
    return { kind: 'huge number', body: setAt(base, rnd.pick(numbers).path, v) };
  },
  nanLike(base, all, rnd) {
    const numbers = all.filter(isNumber);
    if (!numbers.length) return null;
    const v = rnd.pick(['NaN', 'Infinity', '-Infinity', '1e999', '0x10', '', ' 1', '1,5', '1.0.0', 'null']);
    return { kind: 'NaN-like string', body: setAt(base, rnd.pick(numbers).path, v) };
  },
  negativeOrZero(base, all, rnd) {
    const numbers = all.filter(isNumber);
    if (!numbers.length) return null;
    return { kind: 'negative or zero', body: setAt(base, rnd.pick(numbers).path, rnd.pick([0, -0, -1, -0.000001, -1e9])) };
  },
  tooManyDecimals(base, all, rnd) {
    const numbers = all.filter(isNumber);
    if (!numbers.length) return null;
    return { kind: 'more than 6 decimals', body: setAt(base, rnd.pick(numbers).path, rnd.pick([1.0000001, 0.1234567, 2.5e-7, 1 / 3])) };
  },
  unknownEnum(base, all, rnd) {
    const enums = all.filter((s) => Array.isArray(s.schema.enum));
    if (!enums.length) return null;
    const s = rnd.pick(enums);
    const v = rnd.pick(['not_a_value', String(s.value).toUpperCase(), ` ${String(s.value)}`, '*x']);
    return { kind: 'unknown enum value', body: setAt(base, s.path, v) };
  },
  longString(base, all, rnd) {
    const strings = all.filter(isString);
    const s = strings.length ? rnd.pick(strings) : rnd.pick(all);
    return { kind: '10 kB string', body: setAt(base, s.path, 'x'.repeat(10 * 1024)) };
  },
  deepNesting(base, all, rnd) {
    if (rnd.chance(0.3)) {
      // Past what a recursive parser or validator survives.
      const n = 100_000;
      return { kind: 'deep nesting (raw)', raw: rnd.chance(0.5) ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n) };
    }
    return { kind: 'deep nesting', body: setAt(base, rnd.pick(all).path, deep(2000)) };
  },
  notAnObject(_, __, rnd) {
    return { kind: 'not an object', body: rnd.pick([[], [{}], 'text', 42, true, null]) };
  },
  notJson(_, __, rnd) {
    return { kind: 'not JSON', raw: rnd.pick(['{', '{"a":1,}', "{'a':1}", 'NaN', '{"a":1}x', '\u0000', '{"a":"\\ud800"', '﻿{}']) };
  },
  unknownIds(base) {
    // A body the schema accepts, whose every id names nothing: the command must refuse it.
    const text = JSON.stringify(base);
    if (!/[0-9a-f]{8}-[0-9a-f]{4}-/.test(text)) return null;
    return { kind: 'unknown ids', body: JSON.parse(text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, () => randomUUID())), unknownIds: true };
  },
};

/** A body the route must refuse: a mutation of its valid sample that its schema rejects. */
function badBody(schema: Schema, rnd: Random): Bad {
  const names = Object.keys(MUTATIONS);
  for (;;) {
    const base = sample(schema);
    const bad = MUTATIONS[rnd.pick(names)]!(base, slots(base, schema), rnd);
    if (!bad) continue;
    if (bad.raw !== undefined || bad.unknownIds) return bad;
    if (!validator(schema)(bad.body).ok) return bad;
  }
}

/** Path ids: half the time real ones where the seed has them, so the handler is reached too. */
function ids(rnd: Random): Record<string, string> {
  return rnd.chance(0.5) ? { itemId: w.itemId, facilityId: w.facilityId } : {};
}

test(`every POST and PATCH route refuses ${BODIES_PER_ROUTE} malformed bodies: 4xx, envelope, no stack, nothing changed (seed ${SEED})`, async () => {
  const rnd = random(SEED);
  const targets = bodyRoutes(routes);
  assert.ok(targets.length >= 55, `the route table has its POST and PATCH routes (${targets.length})`);
  const tally: Record<string, number> = {};
  let tried = 0;
  let before = digestSqlite(file);
  for (const route of targets) {
    for (let i = 0; i < BODIES_PER_ROUTE; i++) {
      const bad = badBody(route.body, rnd);
      const path = pathOf(route, ids(rnd));
      const headers: Record<string, string> = rnd.chance(0.5) && route.method === 'POST' ? { 'idempotency-key': `bad-${i}-${randomUUID()}` } : {};
      const r = await t.call(route.method, path, bad.body, { raw: bad.raw, headers });
      const what = `${route.method} ${path} [${bad.kind}] seed ${SEED}: ${(bad.raw ?? JSON.stringify(bad.body)).slice(0, 300)} -> ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`;
      assert.ok(r.status >= 400 && r.status < 500, what);
      if (!bad.unknownIds) assert.ok([400, 413, 415].includes(r.status), what);
      expectEnvelope(r, what);
      tally[bad.kind] = (tally[bad.kind] ?? 0) + 1;
      tried++;
    }
    const after = digestSqlite(file);
    assert.is(after, before, `${route.method} ${route.path}: the database changed under bad bodies (seed ${SEED})`);
    before = after;
  }
  console.log(`  bad input: ${tried} bodies over ${targets.length} routes, 0 answers of 5xx, database unchanged; ${JSON.stringify(tally)}`);
});

test('the server still answers after the battery', async () => {
  const r = await t.call('GET', '/v1/items');
  assert.is(r.status, 200);
});

test.run();
