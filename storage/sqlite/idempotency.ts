import type { IdempotencyRecord } from '../../core/idempotency.js';
import type { IdempotencyWriter } from '../../core/ports.js';
import type { Statements } from './database.js';
import { uniqueViolations } from './sql.js';

export class SqliteIdempotency implements IdempotencyWriter {
  constructor(private readonly sql: Statements) {}

  async getKey(tokenId: string, key: string): Promise<IdempotencyRecord | null> {
    return (this.sql.get(`SELECT token_id AS tokenId, key, method, path, fingerprint, status, body,
      created_at AS createdAt FROM idempotency_keys WHERE token_id = ? AND key = ?`).get(tokenId, key) as IdempotencyRecord | undefined) ?? null;
  }

  async putKey(r: IdempotencyRecord): Promise<void> {
    uniqueViolations(() => this.sql.get(`INSERT INTO idempotency_keys (token_id, key, method, path, fingerprint, status,
      body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(r.tokenId, r.key, r.method, r.path, r.fingerprint, r.status, r.body, r.createdAt));
  }

  async purgeKeys(before: string): Promise<number> {
    return this.sql.get('DELETE FROM idempotency_keys WHERE created_at < ?').run(before).changes;
  }
}
