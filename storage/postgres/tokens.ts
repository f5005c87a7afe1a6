import type { Page, PageRequest } from '../../core/page.js';
import type { TokenWriter } from '../../core/ports.js';
import type { StoredToken } from '../../core/token.js';
import { page, type Sql } from './sql.js';

const TOKEN = `SELECT id, name, hash, permissions, created_at AS "createdAt", expires_at AS "expiresAt",
  revoked_at AS "revokedAt"`;

// Permissions are stored as a JSON array.
const toToken = (r: StoredToken): StoredToken => ({ ...r, permissions: JSON.parse(r.permissions as unknown as string) });

export class PgTokens implements TokenWriter {
  constructor(private readonly sql: Sql) {}

  /** Inside a write unit the token is locked FOR UPDATE (a revocation reads it to change it). */
  async getToken(id: string): Promise<StoredToken | null> {
    const lock = this.sql.unit ? ' FOR UPDATE' : '';
    const row = (await this.sql.rows<StoredToken>(`${TOKEN} FROM api_tokens WHERE id = ?${lock}`, [id]))[0];
    return row ? toToken(row) : null;
  }

  async findTokenByHash(hash: string): Promise<StoredToken | null> {
    const row = (await this.sql.rows<StoredToken>(`${TOKEN} FROM api_tokens WHERE hash = ?`, [hash]))[0];
    return row ? toToken(row) : null;
  }

  /**
   * Inside a write unit the count is a decision (the first start creates an admin token when
   * there is none), so the unit first locks the table against other writers of tokens until
   * it commits: two hosts starting at once on an empty database create one admin token, not
   * two. Reads of tokens (authentication) are not blocked.
   */
  async countTokens(): Promise<number> {
    if (this.sql.unit) await this.sql.rows('LOCK TABLE api_tokens IN SHARE ROW EXCLUSIVE MODE');
    return (await this.sql.rows<{ n: number }>('SELECT count(*) AS n FROM api_tokens'))[0]!.n;
  }

  async listTokens(p: PageRequest): Promise<Page<StoredToken>> {
    const r = await page<StoredToken>(this.sql, TOKEN, 'FROM api_tokens', '', [], 'created_at, id', p);
    return { items: r.items.map(toToken), total: r.total };
  }

  async insertToken(t: StoredToken): Promise<void> {
    await this.sql.rows(`INSERT INTO api_tokens (id, name, hash, permissions, created_at, expires_at, revoked_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`, [t.id, t.name, t.hash, JSON.stringify(t.permissions), t.createdAt, t.expiresAt, t.revokedAt]);
  }

  async updateToken(t: StoredToken): Promise<void> {
    await this.sql.rows('UPDATE api_tokens SET name = ?, permissions = ?, expires_at = ?, revoked_at = ? WHERE id = ?',
      [t.name, JSON.stringify(t.permissions), t.expiresAt, t.revokedAt, t.id]);
  }
}
