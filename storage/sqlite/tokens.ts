import type { Page, PageRequest } from '../../core/page.js';
import type { TokenWriter } from '../../core/ports.js';
import type { StoredToken } from '../../core/token.js';
import type { Statements } from './database.js';
import { RecordCache } from './cache.js';
import { page, uniqueViolations } from './sql.js';

const TOKEN = `SELECT id, name, hash, permissions, created_at AS createdAt, expires_at AS expiresAt,
  revoked_at AS revokedAt`;

// Permissions are stored as a JSON array.
const toToken = (r: StoredToken): StoredToken => ({ ...r, permissions: JSON.parse(r.permissions as unknown as string) });

const TOKEN_BY_HASH = `${TOKEN} FROM api_tokens WHERE hash = ?`;

export class SqliteTokens implements TokenWriter {
  /** Every request looks its token up; tokens change rarely, and every change here forgets them. */
  private readonly byHash = new RecordCache<StoredToken>(1000);
  private readonly loadByHash = (hash: string) => {
    const row = this.sql.get(TOKEN_BY_HASH).get(hash) as StoredToken | undefined;
    return row ? toToken(row) : undefined;
  };

  constructor(private readonly sql: Statements) {}

  /** Forgets cached records: the store calls it on rollback and when another process wrote. */
  forgetCached(): void {
    this.byHash.clear();
  }

  async getToken(id: string): Promise<StoredToken | null> {
    const row = this.sql.get(`${TOKEN} FROM api_tokens WHERE id = ?`).get(id) as StoredToken | undefined;
    return row ? toToken(row) : null;
  }

  async findTokenByHash(hash: string): Promise<StoredToken | null> {
    return this.byHash.get(hash, this.loadByHash) ?? null;
  }

  async countTokens(): Promise<number> {
    return this.sql.get('SELECT count(*) FROM api_tokens').value() as number;
  }

  async listTokens(p: PageRequest): Promise<Page<StoredToken>> {
    const r = await page<StoredToken>(this.sql, TOKEN, 'FROM api_tokens', '', [], 'created_at, id', p);
    return { items: r.items.map(toToken), total: r.total };
  }

  async insertToken(t: StoredToken): Promise<void> {
    uniqueViolations(() => this.sql.get(`INSERT INTO api_tokens (id, name, hash, permissions, created_at, expires_at, revoked_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`).run(t.id, t.name, t.hash, JSON.stringify(t.permissions), t.createdAt, t.expiresAt, t.revokedAt));
    this.byHash.clear();
  }

  async updateToken(t: StoredToken): Promise<void> {
    this.sql.get('UPDATE api_tokens SET name = ?, permissions = ?, expires_at = ?, revoked_at = ? WHERE id = ?')
      .run(t.name, JSON.stringify(t.permissions), t.expiresAt, t.revokedAt, t.id);
    this.byHash.clear();
  }
}
