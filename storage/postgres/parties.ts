import type { Page, PageRequest } from '../../core/page.js';
import type { PartyFilter, PartyKind, PartyRecord, PartyWriter } from '../../core/party.js';
import { page, storable, Where, type Sql } from './sql.js';

const PARTY = `SELECT id, kind, code, name, email, phone, currency, lead_time_days AS "leadTimeDays", is_active AS "isActive",
  created_at AS "createdAt", updated_at AS "updatedAt", version`;

export class PgParties implements PartyWriter {
  constructor(private readonly sql: Sql) {}

  /** Inside a write unit the party is locked FOR UPDATE: a PATCH reads it to change it. */
  async getParty(kind: PartyKind, id: string): Promise<PartyRecord | null> {
    if (!storable(id)) return null;
    const lock = this.sql.unit ? ' FOR UPDATE' : '';
    return (await this.sql.rows<PartyRecord>(`${PARTY} FROM parties WHERE kind = ? AND id = ?${lock}`, [kind, id]))[0] ?? null;
  }

  async findPartyByCode(kind: PartyKind, code: string): Promise<PartyRecord | null> {
    return (await this.sql.rows<PartyRecord>(`${PARTY} FROM parties WHERE kind = ? AND code = ?`, [kind, code]))[0] ?? null;
  }

  async listParties(kind: PartyKind, f: PartyFilter, p: PageRequest): Promise<Page<PartyRecord>> {
    // As on SQLite (and for facilities): lower() folds ASCII only on these "C" columns.
    const w = new Where()
      .add('kind = ?', kind)
      .add('(strpos(lower(code), lower(?::text COLLATE "C")) > 0 OR strpos(lower(name), lower(?::text COLLATE "C")) > 0)', f.q, f.q)
      .add('is_active = ?', f.isActive);
    return page<PartyRecord>(this.sql, PARTY, 'FROM parties', w.sql, w.args, 'code', p);
  }

  async insertParty(r: PartyRecord): Promise<void> {
    await this.sql.rows(`INSERT INTO parties (id, kind, code, name, email, phone, currency, lead_time_days, is_active, created_at,
      updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [r.id, r.kind, r.code, r.name, r.email, r.phone, r.currency, r.leadTimeDays, r.isActive, r.createdAt, r.updatedAt, r.version]);
  }

  async updateParty(r: PartyRecord): Promise<void> {
    await this.sql.rows(`UPDATE parties SET code = ?, name = ?, email = ?, phone = ?, currency = ?, lead_time_days = ?, is_active = ?,
      updated_at = ?, version = ? WHERE id = ?`,
    [r.code, r.name, r.email, r.phone, r.currency, r.leadTimeDays, r.isActive, r.updatedAt, r.version, r.id]);
  }
}
