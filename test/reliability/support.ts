// Shared pieces of the reliability battery: a seeded random source (a failing run names its
// seed, and IMS_BATTERY_SEED replays it), a digest of every table of a SQLite file, the
// error-envelope checks, and sample bodies built from a route's own JSON Schema.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as assert from 'uvu/assert';
import type { Route } from '../../http/route.js';
import type { Schema } from '../../core/schema.js';
import { startTestServer, type Reply, type TestServer } from '../http/harness.js';

/** A small seeded generator (mulberry32): the same seed gives the same battery. */
export function random(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}
export type Random = ReturnType<typeof random>;

/** The seed of this run: IMS_BATTERY_SEED, or a fixed default so CI runs are repeatable. */
export function batterySeed(fallback: number): number {
  const s = Number(process.env.IMS_BATTERY_SEED);
  return Number.isInteger(s) ? s : fallback;
}

/** SHA-256 over every row of every table of a SQLite file, read through its own connection. */
export function digestSqlite(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hash = createHash('sha256');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    for (const table of tables) {
      const rows = (db.prepare(`SELECT * FROM "${table}"`).all() as unknown[]).map((r) => JSON.stringify(r)).sort();
      hash.update(`${table}\n${rows.join('\n')}\n`);
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

/** The path of a `sqlite:` URL. */
export function sqliteFile(url: string): string {
  if (!url.startsWith('sqlite:')) throw new Error(`not a SQLite URL: ${url}`);
  return url.slice('sqlite:'.length);
}

const ERROR_KEYS = new Set(['error', 'message', 'status', 'details']);

/** The reply is exactly the standard error envelope, and leaks no stack trace. */
export function expectEnvelope(r: Reply, what: string): void {
  assert.type(r.body, 'object', `${what}: the error body is JSON: ${String(r.body).slice(0, 200)}`);
  for (const k of Object.keys(r.body)) assert.ok(ERROR_KEYS.has(k), `${what}: unexpected key ${k}`);
  assert.type(r.body.error, 'string', what);
  assert.type(r.body.message, 'string', what);
  assert.is(r.body.status, r.status, what);
  if ('details' in r.body) {
    assert.ok(Array.isArray(r.body.details) && r.body.details.length > 0, `${what}: details is a non-empty array`);
    for (const d of r.body.details) assert.equal(Object.keys(d).sort(), ['message', 'path'], what);
  }
  expectNoStack(JSON.stringify(r.body), what);
}

/** No stack frame, source path or internal module in a text the client sees. */
export function expectNoStack(text: string, what: string): void {
  const leak = /\n\s+at |\bat .*\(.*:\d+:\d+\)|\.ts:\d+|node:internal|node_modules/.exec(text);
  assert.ok(!leak, `${what}: the answer leaks internals (${leak?.[0]}): ${text.slice(0, 300)}`);
}

/** The routes that take a body: every POST and PATCH of the table. */
export function bodyRoutes(routes: readonly Route[]): Array<Route & { body: Schema }> {
  return routes.filter((r): r is Route & { body: Schema } => (r.method === 'POST' || r.method === 'PATCH') && r.body !== undefined);
}

/** A concrete path for a route: each `{param}` from `ids`, else a fresh (unknown) UUID. */
export function pathOf(route: Route, ids: Record<string, string> = {}): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? randomUUID());
}

/**
 * A value the schema accepts, as plain as it gets: required fields only, one array item,
 * the first enum value, fresh UUIDs. Bad bodies are made by breaking one part of it.
 */
export function sample(schema: Schema): unknown {
  if (Array.isArray(schema.anyOf)) return sample(schema.anyOf[0] as Schema);
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('default' in schema) return schema.default;
  switch (schema.type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const out: Record<string, unknown> = {};
      for (const k of (schema.required ?? []) as string[]) out[k] = sample(props[k]!);
      // A PATCH needs at least one field.
      if (schema.minProperties && Object.keys(out).length === 0) {
        const first = Object.keys(props)[0];
        if (first) out[first] = sample(props[first]!);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, Number(schema.minItems ?? 1)) }, () => sample(schema.items as Schema));
    case 'integer':
      return Math.max(Number(schema.minimum ?? 1), 1);
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'string':
      return sampleString(schema);
    default:
      return null;
  }
}

function sampleString(schema: Schema): string {
  switch (schema.format) {
    case 'uuid':
      return randomUUID();
    case 'date':
      return '2030-01-15';
    case 'date-time':
      return '2030-01-15T10:00:00Z';
  }
  const pattern = String(schema.pattern ?? '');
  if (pattern.includes('[A-Z]{3}')) return 'EUR';
  if (pattern.includes('@')) return 'buyer@example.com';
  return 'X1'.padEnd(Number(schema.minLength ?? 1), 'x');
}

/**
 * The in-process test server, always on a SQLite file of its own (the battery reads the file
 * itself: digests, integrity), whatever IMS_TEST_DATABASE says.
 */
export async function startSqliteServer(): Promise<{ t: TestServer; file: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ims-rel-'));
  const file = join(dir, 'ims.db');
  const t = await startTestServer({ databaseUrl: `sqlite:${file}` });
  return {
    t,
    file,
    async close() {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
