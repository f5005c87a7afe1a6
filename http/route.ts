// A route is one row of the table that drives the router, the permission checks and the
// OpenAPI document. Its handler only translates: it calls the core and returns the result;
// the host does validation, auth, idempotency, envelopes and error mapping around it.
import type { Permission } from '../core/permission.js';
import type { Page } from '../core/page.js';
import type { Reader, Store, Writer } from '../core/ports.js';
import type { Result } from '../core/result.js';
import type { Schema } from '../core/schema.js';
import type { ApiToken } from '../core/token.js';
import type { Actor } from '../core/document.js';
import type { Metrics } from './metrics.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface Input {
  params: Record<string, string>;
  query: Record<string, any>;
  body: any;
}

export interface Context {
  now: string;
  token: ApiToken | null;
  /** Who asks: the token, as documents record it in their status history. */
  actor: Actor | null;
  /** `If-Match` as a version number, when the client sent one. */
  ifMatch?: number;
  store: Store;
  /** The installation's one currency: every money amount is in it. */
  currency: string;
  /** The host's counters, for GET /metrics. */
  metrics: Metrics;
}

/** Answers written by hand (health, OpenAPI, metrics, the docs page): status, body, extra headers. */
export interface RawReply {
  status: number;
  /** JSON, unless `contentType` is set: then the text as sent. */
  body: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

interface RouteBase {
  method: Method;
  path: string;
  /** The permission a token needs; `public` routes need no token at all. */
  permission: Permission | 'public';
  summary: string;
  tag: string;
  query?: Schema;
  body?: Schema;
  /** Status of a successful answer: 201 for creations, else 200. */
  status?: number;
}

export interface ReadRoute extends RouteBase {
  kind: 'read';
  run: (r: Reader, input: Input, ctx: Context) => Promise<Result<unknown>>;
}

export interface ListRoute extends RouteBase {
  kind: 'list';
  /** A page, or a failure when the list itself cannot exist (its parent is not found). */
  run: (r: Reader, input: Input, ctx: Context) => Promise<Page<unknown> | Result<Page<unknown>>>;
}

export interface WriteRoute extends RouteBase {
  kind: 'write';
  /**
   * What of a successful answer an idempotency record may keep. A route whose answer holds
   * a secret removes it, so the secret is never stored; its replay answers without it.
   */
  redact?: (data: any) => unknown;
  run: (tx: Writer, input: Input, ctx: Context) => Promise<Result<unknown>>;
}

export interface RawRoute extends RouteBase {
  kind: 'raw';
  run: (input: Input, ctx: Context) => Promise<RawReply>;
}

export type Route = ReadRoute | ListRoute | WriteRoute | RawRoute;
