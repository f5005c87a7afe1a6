import type { IdempotencyRecord } from '../../core/idempotency.js';
import type { IdempotencyWriter } from '../../core/ports.js';
import type { Sql } from './sql.js';

/**
 * Keys are stored in the same unit as the work they answer. Two hosts running the same key at
 * once both find none; the second's insert waits for the first to commit and fails with a
 * unique violation, its unit (work included) rolls back and runs again, and then replays the
 * first answer.
 */
export class PgIdempotency implements IdempotencyWriter {
  constructor(private readonly sql: Sql) {}

  async getKey(tokenId: string, key: string): Promise<IdempotencyRecord | null> {
    return (await this.sql.rows<IdempotencyRecord>(`SELECT token_id AS "tokenId", key, method, path, fingerprint, status, body,
      created_at AS "createdAt" FROM idempotency_keys WHERE token_id = ? AND key = ?`, [tokenId, key]))[0] ?? null;
  }

  async putKey(r: IdempotencyRecord): Promise<void> {
    await this.sql.rows(`INSERT INTO idempotency_keys (token_id, key, method, path, fingerprint, status, body, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [r.tokenId, r.key, r.method, r.path, r.fingerprint, r.status, r.body, r.createdAt]);
  }

  async purgeKeys(before: string): Promise<number> {
    return (await this.sql.rows<{ n: number }>(`WITH gone AS (DELETE FROM idempotency_keys WHERE created_at < ? RETURNING 1)
      SELECT count(*) AS n FROM gone`, [before]))[0]!.n;
  }
}
