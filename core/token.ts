// API tokens. The clear token is shown once, at creation; only its SHA-256 is stored. Tokens
// are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
import { hash as digest, randomBytes } from 'node:crypto';
import { newId } from './id.js';
import { PERMISSIONS, type Permission } from './permission.js';
import type { Reader, Writer } from './ports.js';
import { fail, notFound, ok, type Result } from './result.js';
import { array, object, oneOf, string, timestamp, type Schema } from './schema.js';

export interface ApiToken {
  id: string;
  name: string;
  permissions: Permission[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface StoredToken extends ApiToken {
  hash: string;
}

export interface TokenInput {
  name: string;
  permissions: Permission[];
  expiresAt?: string | null;
}

export const MIN_ADMIN_TOKEN_LENGTH = 20;

export const tokenInputSchema: Schema = object(
  {
    name: string(1, 200),
    permissions: { ...array(oneOf(PERMISSIONS), 32, 1), uniqueItems: true },
    expiresAt: { anyOf: [timestamp, { type: 'null' }] },
  },
  ['name', 'permissions'],
);

/** Every request hashes its token: the one-shot hash costs less than half of a Hash object. */
export function hashToken(token: string): string {
  return digest('sha256', token, 'hex');
}

export function generateToken(): string {
  return `ims_${randomBytes(32).toString('base64url')}`;
}

/** Creates a token; the clear value is returned this once and never stored. */
export async function createToken(
  tx: Writer, input: TokenInput, now: string, clear: string = generateToken(),
): Promise<Result<ApiToken & { token: string }>> {
  const expiresAt = input.expiresAt ? new Date(input.expiresAt).toISOString() : null;
  if (expiresAt && expiresAt <= now) return fail('bad_request', 'expiresAt must be in the future', [{ path: '/expiresAt', message: 'is in the past' }]);
  const hash = hashToken(clear);
  if (await tx.tokens.findTokenByHash(hash)) return fail('conflict', 'that token is already registered');
  const record: StoredToken = {
    id: newId(), name: input.name, permissions: input.permissions, createdAt: now, expiresAt, revokedAt: null, hash,
  };
  await tx.tokens.insertToken(record);
  return ok({ ...publicToken(record), token: clear });
}

export async function revokeToken(tx: Writer, id: string, now: string): Promise<Result<ApiToken>> {
  const token = await tx.tokens.getToken(id);
  if (!token) return notFound('token');
  if (token.revokedAt) return ok(publicToken(token));
  const revoked = { ...token, revokedAt: now };
  await tx.tokens.updateToken(revoked);
  return ok(publicToken(revoked));
}

/** The token a request presents, when it is known, not revoked and not expired. */
export async function authenticate(reader: Reader, clear: string, now: string): Promise<ApiToken | null> {
  const token = await reader.tokens.findTokenByHash(hashToken(clear));
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= now)) return null;
  return publicToken(token);
}

export function publicToken(t: StoredToken): ApiToken {
  return { id: t.id, name: t.name, permissions: t.permissions, createdAt: t.createdAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt };
}

/**
 * First start: a store with no tokens gets one with every permission, either the value the
 * operator chose (IMS_ADMIN_TOKEN) or a generated one, returned so it can be shown once.
 */
export async function bootstrapToken(
  tx: Writer, chosen: string | undefined, now: string,
): Promise<Result<{ created: boolean; token?: string; generated?: boolean }>> {
  if (chosen !== undefined && chosen.length < MIN_ADMIN_TOKEN_LENGTH) {
    return fail('bad_request', `IMS_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  if ((await tx.tokens.countTokens()) > 0) return ok({ created: false });
  const created = await createToken(tx, { name: chosen ? 'admin (IMS_ADMIN_TOKEN)' : 'admin (generated)', permissions: ['*'] }, now, chosen ?? generateToken());
  if (!created.ok) return created;
  return ok({ created: true, token: created.value.token, generated: chosen === undefined });
}
