// The node:http host. For each request: route, authenticate, read and validate the input,
// run the route's handler (writes inside one store write unit, with the idempotency key),
// answer in the reference's envelopes, and log one JSON line.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nowIso } from '../core/clock.js';
import { runCommand } from '../core/command.js';
import { decideIdempotency, fingerprint, MAX_KEY_LENGTH, type IdempotencyRecord } from '../core/idempotency.js';
import type { Page } from '../core/page.js';
import { grants } from '../core/permission.js';
import { StoreUnavailable, type Store } from '../core/ports.js';
import { ok, type Result } from '../core/result.js';
import { authenticate, type ApiToken } from '../core/token.js';
import { object } from '../core/schema.js';
import { validator } from '../core/validate.js';
import { DEFAULT_CURRENCY } from '../core/money.js';
import { errorBody, failureBody, HttpError, STATUS } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import type { Context, Input, Route } from './route.js';
import { Router } from './router.js';
import { routes as defaultRoutes } from './routes/index.js';

export const MAX_BODY_BYTES = 1024 * 1024;

const UNAUTHORIZED = 'send Authorization: Bearer <token> with a valid, unrevoked and unexpired API token';

const NO_QUERY = object({});

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Set for answers that are not JSON: `body` is then the text as sent. */
  contentType?: string;
  /** `body` already serialized, when it was cheaper to keep than to make again. */
  payload?: Buffer;
  /** The route template that answered, for metrics. */
  route?: string;
}

export interface AppOptions {
  store: Store;
  logger?: Logger;
  routes?: readonly Route[];
  /** The installation's one currency (IMS_CURRENCY); USD when not given. */
  currency?: string;
  /** Where the host counts requests, postings and commits; a fresh set by default. */
  metrics?: Metrics;
}

export function createHandler(options: AppOptions) {
  const metrics = options.metrics ?? new Metrics();
  const store = metrics.instrument(options.store);
  const currency = options.currency ?? DEFAULT_CURRENCY;
  const logger = options.logger ?? createLogger('info');
  const router = new Router(options.routes ?? defaultRoutes);
  // Compile every schema now: a schema mistake stops the start, not a request.
  for (const route of router.routes) {
    if (route.query) validator(route.query, { coerce: true });
    if (route.body) validator(route.body);
  }
  // Idempotency keys whose first request is still running, per process.
  const inFlight = new Set<string>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = headerValue(req, 'x-request-id')?.slice(0, 200) || randomUUID();
    let token: ApiToken | null = null;
    let reply: Reply;
    let route = 'unmatched';
    try {
      const result = await dispatch(req, (t) => (token = t), (r) => (route = r));
      reply = result;
    } catch (e) {
      reply = errorReply(e, logger, requestId, metrics);
    }
    send(res, reply, requestId);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    metrics.request(req.method ?? 'GET', route, reply.status, ms / 1000);
    logger.log(reply.status >= 500 ? 'error' : 'info', 'request', {
      requestId, method: req.method, path: req.url, status: reply.status, ms: Math.round(ms * 100) / 100,
      tokenId: (token as ApiToken | null)?.id,
    });
  }

  async function dispatch(req: IncomingMessage, setToken: (t: ApiToken) => void, setRoute: (path: string) => void): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let match;
    try {
      match = router.match(req.method ?? 'GET', url.pathname);
    } catch {
      throw new HttpError('not_found', 'no such path');
    }
    if (match.kind === 'not_found') throw new HttpError('not_found', `no route for ${url.pathname}`);
    if (match.kind === 'method_not_allowed') {
      return { ...json('method_not_allowed', `${req.method} is not allowed here; use ${match.allow.join(', ')}`), headers: { allow: match.allow.join(', ') } };
    }
    const { route, params } = match;
    setRoute(route.path);
    const now = nowIso();
    let token: ApiToken | null = null;
    if (route.permission !== 'public') {
      token = await authorize(req, route, now);
      setToken(token);
    }
    // A route without query parameters refuses any, like a body refuses unknown fields.
    const query = validate(route.query ?? (route.kind === 'raw' ? undefined : NO_QUERY), Object.fromEntries(url.searchParams), true, '/query');
    const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : await readJson(req);
    // No body at all is an empty object; a JSON `null` is a body, and not an object.
    const input: Input = { params, query, body: route.body ? validate(route.body, body === undefined ? {} : body, false, '') : body };
    const actor = token === null ? null : { tokenId: (token as ApiToken).id, name: (token as ApiToken).name };
    const ctx: Context = { now, token, actor, store, metrics, ifMatch: ifMatch(req), currency };
    switch (route.kind) {
      case 'raw':
        return route.run(input, ctx);
      case 'read':
        return dataReply(await route.run(store.read, input, ctx), route.status);
      case 'list':
        return listReply(await route.run(store.read, input, ctx), query);
      case 'write':
        return write(req, url.pathname, route, input, ctx);
    }
  }

  async function authorize(req: IncomingMessage, route: Route, now: string): Promise<ApiToken> {
    const header = headerValue(req, 'authorization');
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    // One answer for a missing, malformed, unknown, revoked or expired token: telling them
    // apart would tell a prober which stolen tokens once existed.
    const token = m ? await authenticate(store.read, m[1]!, now) : null;
    if (!token) throw new HttpError('unauthorized', UNAUTHORIZED);
    if (route.permission !== 'public' && !grants(token.permissions, route.permission)) {
      throw new HttpError('forbidden', `this route needs the ${route.permission} permission`);
    }
    return token;
  }

  /** A write unit; with an Idempotency-Key, the key is checked and stored in the same unit. */
  async function write(req: IncomingMessage, path: string, route: Route & { kind: 'write' }, input: Input, ctx: Context): Promise<Reply> {
    const key = route.method === 'POST' ? headerValue(req, 'idempotency-key') : undefined;
    if (key === undefined) {
      return dataReply(await runCommand(store, (tx) => route.run(tx, input, ctx)), route.status);
    }
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new HttpError('bad_request', `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters`);
    }
    const scope = `${ctx.token!.id}\u0000${key}`;
    if (inFlight.has(scope)) throw new HttpError('conflict', 'a request with this Idempotency-Key is still in flight');
    inFlight.add(scope);
    try {
      const request = { method: route.method, path, fingerprint: fingerprint(input.body) };
      const outcome = await runCommand<Reply>(store, async (tx) => {
        const decision = decideIdempotency(await tx.idempotency.getKey(ctx.token!.id, key), request);
        if (decision.kind === 'replay') return ok(replayOf(decision.record));
        if (decision.kind === 'refuse') return decision.failure;
        const result = await route.run(tx, input, ctx);
        if (!result.ok) return result;
        const reply = dataReply(result, route.status);
        const kept = route.redact ? { data: route.redact(result.value) } : reply.body;
        const record: IdempotencyRecord = {
          tokenId: ctx.token!.id, key, ...request, status: reply.status, body: JSON.stringify(kept), createdAt: ctx.now,
        };
        await tx.idempotency.putKey(record);
        return ok(reply);
      });
      return outcome.ok ? outcome.value : { status: STATUS[outcome.code], body: failureBody(outcome) };
    } finally {
      inFlight.delete(scope);
    }
  }

  return { handle, router, metrics };
}

function replayOf(record: IdempotencyRecord): Reply {
  return { status: record.status, body: JSON.parse(record.body), headers: { 'idempotent-replayed': 'true' } };
}

function dataReply(result: Result<unknown>, status = 200): Reply {
  return result.ok ? { status, body: { data: result.value } } : { status: STATUS[result.code], body: failureBody(result) };
}

function listReply(result: Page<unknown> | Result<Page<unknown>>, query: { limit: number; offset: number }): Reply {
  if ('ok' in result) {
    if (!result.ok) return dataReply(result);
    result = result.value;
  }
  const body = { data: result.items, count: result.total, limit: query.limit, offset: query.offset };
  return { status: 200, body, payload: Object.isFrozen(result.items) ? frozenListPayload(result.items, body) : undefined };
}

/**
 * The answer's bytes for a list a store hands out frozen (the SQLite store's answer cache
 * deep-freezes what it shares between readers): the list cannot change, so it is
 * serialized once (measured: 26k to 30k cached 20-row availability answers per second).
 */
const frozenLists = new WeakMap<readonly unknown[], { body: ListBody; payload: Buffer }>();

interface ListBody {
  count: number;
  limit: number;
  offset: number;
}

function frozenListPayload(items: readonly unknown[], body: ListBody): Buffer {
  const kept = frozenLists.get(items);
  if (kept && kept.body.count === body.count && kept.body.limit === body.limit && kept.body.offset === body.offset) return kept.payload;
  const payload = Buffer.from(JSON.stringify(body));
  frozenLists.set(items, { body, payload });
  return payload;
}

function json(code: keyof typeof STATUS, message: string): Reply {
  return { status: STATUS[code], body: errorBody(code, message) };
}

function validate(schema: Route['query'], value: unknown, coerce: boolean, prefix: string): any {
  if (!schema) return value;
  const result = validator(schema, { coerce })(value);
  if (!result.ok) {
    const details = result.details?.map((d) => ({ ...d, path: prefix + d.path }));
    throw new HttpError('bad_request', details?.map((d) => `${d.path} ${d.message}`).join('; ') ?? result.message, details);
  }
  return result.value;
}

function ifMatch(req: IncomingMessage): number | undefined {
  const value = headerValue(req, 'if-match');
  if (value === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(value);
  if (!m) throw new HttpError('bad_request', 'If-Match must be a version number');
  return Number(m[1]);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError('payload_too_large', `bodies are limited to ${MAX_BODY_BYTES} bytes`);
  const raw = await readBody(req);
  if (raw.length === 0) return undefined;
  const type = headerValue(req, 'content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new HttpError('unsupported_media_type', 'send the body as application/json');
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new HttpError('bad_request', `the body is not valid JSON: ${(e as Error).message}`);
  }
}

/** The request body, refused past MAX_BODY_BYTES. Events, not an async iterator: it is the hot path. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError('payload_too_large', `bodies are limited to ${MAX_BODY_BYTES} bytes`));
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function errorReply(e: unknown, logger: Logger, requestId: string, metrics: Metrics): Reply {
  if (e instanceof HttpError) {
    // The rest of an oversized body is never read, so the connection cannot be reused.
    const headers = e.code === 'payload_too_large' ? { connection: 'close' } : undefined;
    return { status: STATUS[e.code], body: errorBody(e.code, e.message, e.details), headers };
  }
  if (e instanceof StoreUnavailable) {
    metrics.databaseError('unavailable');
    return json('service_unavailable', 'the database is not answering; try again shortly');
  }
  // Drivers tag their errors with a string code (SQLITE_..., a PostgreSQL SQLSTATE).
  if (typeof (e as { code?: unknown })?.code === 'string') metrics.databaseError('internal');
  logger.log('error', 'unhandled error', { requestId, error: (e as Error)?.stack ?? String(e) });
  return json('internal', 'internal error; the request id is in the x-request-id header');
}

function send(res: ServerResponse, reply: Reply, requestId: string): void {
  const payload = reply.payload ?? (reply.contentType ? String(reply.body) : JSON.stringify(reply.body));
  res.writeHead(reply.status, {
    'content-type': reply.contentType ?? 'application/json; charset=utf-8',
    'content-length': typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length,
    'x-request-id': requestId,
    ...reply.headers,
  });
  res.end(payload);
}

export interface RunningServer {
  server: http.Server;
  url: string;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish, then resolves. */
  close(): Promise<void>;
}

export interface Timeouts {
  /** A client must have sent all its headers within this many ms, or it is cut off (408). */
  headersMs: number;
  /** ... and its whole request within this many ms. */
  requestMs: number;
}

export const TIMEOUTS: Timeouts = { headersMs: 10_000, requestMs: 30_000 };

export async function startServer(options: AppOptions & { port?: number; host?: string; timeouts?: Partial<Timeouts> }): Promise<RunningServer> {
  const { handle } = createHandler(options);
  const timeouts = { ...TIMEOUTS, ...options.timeouts };
  const server = http.createServer({
    requestTimeout: timeouts.requestMs,
    headersTimeout: timeouts.headersMs,
    keepAliveTimeout: 5_000,
    // Node checks the two timeouts above only this often (30 s by default), so a client that
    // sends its headers a byte at a time would hold its connection far past the limit.
    connectionsCheckingInterval: Math.min(1000, Math.ceil(timeouts.headersMs / 4)),
  }, (req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    server,
    port,
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), 10_000);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    }),
  };
}
