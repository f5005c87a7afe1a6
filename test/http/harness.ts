// Starts the real HTTP host on a free port over a temporary SQLite database, opened as
// `ims serve` opens it, or, when IMS_TEST_DATABASE=postgres (test/run.mjs runs the HTTP
// files a second time so), over a fresh PostgreSQL database of its own, dropped on close;
// and gives tests a small client.
// Each test file gets its own server and database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../core/command.js';
import type { Store } from '../../core/ports.js';
import { unwrap } from '../../core/result.js';
import { bootstrapToken, createToken } from '../../core/token.js';
import type { Permission } from '../../core/permission.js';
import { SERVER_SQLITE } from '../../http/cli.js';
import { createLogger } from '../../http/log.js';
import { startServer, type RunningServer } from '../../http/server.js';
import { openStore } from '../../storage/open.js';
import { answerProblem } from '../support/answers.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

export const ADMIN_TOKEN = 'test_admin_token_0123456789abcdef';

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

export interface CallOptions {
  token?: string | null;
  headers?: Record<string, string>;
  /** Send this exact text as the body instead of JSON-encoding `body`. */
  raw?: string;
}

export interface TestServer {
  url: string;
  store: Store;
  server: RunningServer;
  dir: string;
  /** The store's DATABASE_URL, e.g. for the CLI. */
  databaseUrl: string;
  call(method: string, path: string, body?: unknown, options?: CallOptions): Promise<Reply>;
  /** Creates a token with these permissions and returns its clear value. */
  tokenWith(permissions: Permission[]): Promise<string>;
  close(): Promise<void>;
}

/** Which database the HTTP tests run on: `sqlite` (default) or `postgres`. */
export const TEST_DATABASE = process.env.IMS_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

export async function startTestServer(options: { databaseUrl?: string } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ims-test-'));
  let database: TestDatabase | null = null;
  let databaseUrl = options.databaseUrl;
  if (databaseUrl === undefined && TEST_DATABASE === 'postgres') {
    database = await createTestDatabase();
    databaseUrl = database.url;
  }
  databaseUrl ??= `sqlite:${join(dir, 'ims.db')}`;
  // As `ims serve` opens it: reads on the reader thread, stock answers cached.
  const store = await openStore(databaseUrl, { sqlite: SERVER_SQLITE });
  unwrap(await runCommand(store, (tx) => bootstrapToken(tx, ADMIN_TOKEN, new Date().toISOString())));
  const server = await startServer({ store, logger: createLogger((process.env.LOG_LEVEL as 'silent') ?? 'silent') });
  const call = async (method: string, path: string, body?: unknown, o: CallOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? ADMIN_TOKEN : o.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const payload = o.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    const r = await fetch(server.url + path, { method, headers, body: payload });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: the test sees the text.
    }
    // Every answer is also a check of the OpenAPI document's response schemas.
    const problem = answerProblem(method, path, r.status, r.headers.get('content-type') ?? '', parsed);
    if (problem) throw new Error(problem);
    return { status: r.status, body: parsed, headers: r.headers };
  };
  return {
    url: server.url,
    store,
    server,
    dir,
    databaseUrl,
    call,
    async tokenWith(permissions) {
      return unwrap(await runCommand(store, (tx) => createToken(tx, { name: 'test', permissions }, new Date().toISOString()))).token;
    },
    async close() {
      await server.close();
      await store.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts a reply's status, showing the body when it differs. */
export function expectStatus(r: Reply, status: number): void {
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
}

export interface World {
  eaId: string;
  itemId: string;
  facilityId: string;
  binA: string;
  binB: string;
  transitId: string;
}

/** A small catalog and warehouse most tests start from. */
export async function seedWorld(t: TestServer, suffix = ''): Promise<World> {
  const ok = (r: Reply, status = 201) => {
    expectStatus(r, status);
    return r.body.data;
  };
  const uoms = await t.call('GET', '/v1/uoms?limit=1000');
  const ea = uoms.body.data.find((u: { code: string }) => u.code === 'EA') ?? ok(await t.call('POST', '/v1/uoms', { code: 'EA', name: 'Each', decimals: 0 }));
  const item = ok(await t.call('POST', '/v1/items', { itemNo: `ITEM-${suffix || 'A'}`, name: `Item ${suffix}`, itemKind: 'purchased', baseUomId: ea.id }));
  const facility = ok(await t.call('POST', '/v1/facilities', { code: `WH${suffix || '1'}`, name: 'Warehouse', type: 'warehouse' }));
  const binA = ok(await t.call('POST', `/v1/facilities/${facility.id}/locations`, { code: 'A', name: 'Bin A', type: 'bin' }));
  const binB = ok(await t.call('POST', `/v1/facilities/${facility.id}/locations`, { code: 'B', name: 'Bin B', type: 'bin' }));
  const locations = ok(await t.call('GET', `/v1/facilities/${facility.id}/locations`), 200);
  const transit = locations.find((l: { type: string }) => l.type === 'transit');
  return { eaId: ea.id, itemId: item.id, facilityId: facility.id, binA: binA.id, binB: binB.id, transitId: transit.id };
}
