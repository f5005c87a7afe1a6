// Webhook subscriptions: a URL that receives every event (or the types it names) as a signed
// POST, in seq order. Each subscription keeps a durable cursor, the seq of the last event its
// receiver acknowledged with a 2xx; the delivery worker reads the outbox after it, so a
// delivery that failed, or a host that stopped mid-way, is simply tried again later: at
// least once. The secret signs the deliveries; it is shown once, when the subscription is
// created, and kept in the database (it must be, to sign with it).
import { randomBytes } from 'node:crypto';
import { EVENT_TYPES } from './event.js';
import { newId } from './id.js';
import type { Page, PageRequest } from './page.js';
import type { Reader, Writer } from './ports.js';
import { fail, failAt, notFound, ok, type Result } from './result.js';
import { array, boolean, nullable, object, oneOf, string, type Schema } from './schema.js';

/** Where delivery stands: the cursor and the outcome of the last attempt. */
export interface DeliveryState {
  /** The seq of the last event acknowledged (or skipped, not being of the subscribed types). */
  cursor: number;
  /** Failed attempts in a row since the last success. */
  failures: number;
  /** No attempt before this time (the backoff after a failure); null: due now. */
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  lastDeliveredAt: string | null;
}

export interface WebhookRecord {
  id: string;
  url: string;
  description: string | null;
  /** The event types delivered; null: every type. */
  eventTypes: string[] | null;
  isActive: boolean;
  secret: string;
  delivery: DeliveryState;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** What a client reads: everything but the secret. */
export type Webhook = Omit<WebhookRecord, 'secret'>;

export interface WebhookReader {
  getWebhook(id: string): Promise<WebhookRecord | null>;
  listWebhooks(page: PageRequest): Promise<Page<WebhookRecord>>;
  /** Active subscriptions due for an attempt at `now`, not leased, with events after their cursor. */
  dueWebhooks(now: string, limit: number): Promise<string[]>;
}

export interface WebhookWriter extends WebhookReader {
  insertWebhook(w: WebhookRecord): Promise<void>;
  /** Writes what a client may change (url, description, eventTypes, isActive), never the delivery state. */
  updateWebhook(w: WebhookRecord): Promise<void>;
  deleteWebhook(id: string): Promise<void>;
  /**
   * Leases a due subscription to one delivery worker until `until`: null when it is not due,
   * inactive, or leased by another worker (one host delivers a subscription at a time).
   */
  claimWebhook(id: string, owner: string, now: string, until: string): Promise<WebhookRecord | null>;
  /** Saves delivery progress while `owner` holds the lease and extends it; false when the lease was lost. */
  saveDelivery(id: string, owner: string, state: DeliveryState, until: string): Promise<boolean>;
  /** Ends `owner`'s lease. */
  releaseWebhook(id: string, owner: string): Promise<void>;
}

export interface WebhookInput {
  url: string;
  description?: string | null;
  eventTypes?: string[] | null;
  isActive?: boolean;
}

// The scheme is checked here, so the OpenAPI document shows it; the rest by parsing it (checkUrl).
const url = string(1, 2000, { pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\u0000]+$' });
const eventTypes = nullable({ ...array(oneOf(EVENT_TYPES), EVENT_TYPES.length, 1), uniqueItems: true });

export const webhookInputSchema: Schema = object(
  { url, description: nullable(string(0, 500)), eventTypes, isActive: boolean },
  ['url'],
);

export const webhookPatchSchema: Schema = { ...object({ url, description: nullable(string(0, 500)), eventTypes, isActive: boolean }), minProperties: 1 };

/** Only http and https URLs receive deliveries. */
function checkUrl(value: string): Result<string> {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return failAt('bad_request', '/url', 'is not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return failAt('bad_request', '/url', 'must be an http or https URL');
  return ok(parsed.toString());
}

export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function webhookView(w: WebhookRecord): Webhook {
  const { secret: _secret, ...rest } = w;
  return rest;
}

/**
 * Creates a subscription. It starts after the last event committed so far: a receiver gets
 * what happens from now on, not the whole history (which `GET /v1/events` pages through).
 */
export async function createWebhook(tx: Writer, input: WebhookInput, now: string): Promise<Result<Webhook & { secret: string }>> {
  const checked = checkUrl(input.url);
  if (!checked.ok) return checked;
  const record: WebhookRecord = {
    id: newId(),
    url: checked.value,
    description: input.description ?? null,
    eventTypes: input.eventTypes ?? null,
    isActive: input.isActive ?? true,
    secret: generateSecret(),
    delivery: {
      cursor: await tx.events.lastEventSeq(), failures: 0, nextAttemptAt: null,
      lastAttemptAt: null, lastStatus: null, lastError: null, lastDeliveredAt: null,
    },
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await tx.webhooks.insertWebhook(record);
  return ok({ ...webhookView(record), secret: record.secret });
}

export async function getWebhook(r: Reader, id: string): Promise<Result<Webhook>> {
  const w = await r.webhooks.getWebhook(id);
  return w ? ok(webhookView(w)) : notFound('webhook');
}

export async function listWebhooks(r: Reader, page: PageRequest): Promise<Page<Webhook>> {
  const p = await r.webhooks.listWebhooks(page);
  return { items: p.items.map(webhookView), total: p.total };
}

/** Changes a subscription; re-activating one makes it due at once, whatever its backoff said. */
export async function patchWebhook(
  tx: Writer, id: string, patch: Partial<WebhookInput>, now: string, ifMatch?: number,
): Promise<Result<Webhook>> {
  const w = await tx.webhooks.getWebhook(id);
  if (!w) return notFound('webhook');
  if (ifMatch !== undefined && ifMatch !== w.version) return fail('conflict', `webhook is at version ${w.version}, not ${ifMatch}`);
  let nextUrl = w.url;
  if (patch.url !== undefined) {
    const checked = checkUrl(patch.url);
    if (!checked.ok) return checked;
    nextUrl = checked.value;
  }
  const next: WebhookRecord = {
    ...w,
    url: nextUrl,
    description: patch.description !== undefined ? patch.description : w.description,
    eventTypes: patch.eventTypes !== undefined ? patch.eventTypes : w.eventTypes,
    isActive: patch.isActive ?? w.isActive,
    updatedAt: now,
    version: w.version + 1,
  };
  await tx.webhooks.updateWebhook(next);
  return ok(webhookView(next));
}

export async function deleteWebhook(tx: Writer, id: string): Promise<Result<Webhook>> {
  const w = await tx.webhooks.getWebhook(id);
  if (!w) return notFound('webhook');
  await tx.webhooks.deleteWebhook(id);
  return ok(webhookView(w));
}

/** Whether a subscription wants an event of this type. */
export function wants(w: Pick<WebhookRecord, 'eventTypes'>, type: string): boolean {
  return w.eventTypes === null || w.eventTypes.includes(type);
}

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/**
 * The wait after the `failures`-th failure in a row: base, 2 × base, 4 × base, ... up to
 * the maximum, less up to a quarter at random so that subscriptions that failed together do
 * not all come back at the same moment.
 */
export function retryDelay(failures: number, b: Backoff, random: number = Math.random()): number {
  const full = Math.min(b.maxMs, b.baseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(full * (1 - random / 4));
}

/** The state after an event was acknowledged: the cursor moves past it, failures are forgotten. */
export function delivered(s: DeliveryState, seq: number, status: number, now: string): DeliveryState {
  return { ...s, cursor: seq, failures: 0, nextAttemptAt: null, lastAttemptAt: now, lastStatus: status, lastError: null, lastDeliveredAt: now };
}

/** The state after events were passed over (not of the subscribed types): only the cursor moves. */
export function skipped(s: DeliveryState, seq: number): DeliveryState {
  return { ...s, cursor: seq };
}

/** The state after an attempt failed: the cursor stays, the next attempt waits. */
export function failed(s: DeliveryState, status: number | null, error: string, now: string, b: Backoff, random?: number): DeliveryState {
  const failures = s.failures + 1;
  const nextAttemptAt = new Date(Date.parse(now) + retryDelay(failures, b, random)).toISOString();
  return { ...s, failures, nextAttemptAt, lastAttemptAt: now, lastStatus: status, lastError: error.slice(0, 500) };
}
