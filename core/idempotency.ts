// Idempotency keys (the IETF httpapi draft): a client that retries a POST with the same key
// gets the first response again instead of a second posting. The key is stored in the same
// database transaction as the work it guards, so a crash leaves either both or neither.
// Only successful responses are kept: a refused request changed nothing, so retrying it
// with the same key simply tries again.
import { hash as digest } from 'node:crypto';
import { fail, type Failure } from './result.js';

export const MAX_KEY_LENGTH = 255;
export const KEEP_MS = 24 * 60 * 60 * 1000;

export interface IdempotencyRecord {
  tokenId: string;
  key: string;
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  /** The response body as sent, JSON text. */
  body: string;
  createdAt: string;
}

export interface IdempotentRequest {
  method: string;
  path: string;
  fingerprint: string;
}

/** A hash of the request body as data: neither white space nor the order of fields matter. */
export function fingerprint(body: unknown): string {
  return digest('sha256', JSON.stringify(canonical(body ?? null)), 'base64url');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(object).sort().map((k) => [k, canonical(object[k])]));
}

export type IdempotencyDecision =
  | { kind: 'proceed' }
  | { kind: 'replay'; record: IdempotencyRecord }
  | { kind: 'refuse'; failure: Failure };

export function decideIdempotency(prior: IdempotencyRecord | null, request: IdempotentRequest): IdempotencyDecision {
  if (!prior) return { kind: 'proceed' };
  if (prior.method !== request.method || prior.path !== request.path || prior.fingerprint !== request.fingerprint) {
    return { kind: 'refuse', failure: fail('idempotency_key_reused', 'this Idempotency-Key was already used for a different request') };
  }
  return { kind: 'replay', record: prior };
}

export function purgeCutoff(now: string): string {
  return new Date(Date.parse(now) - KEEP_MS).toISOString();
}
