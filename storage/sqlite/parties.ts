import type { Page, PageRequest } from '../../core/page.js';
import type { PartyFilter, PartyKind, PartyRecord, PartyWriter } from '../../core/party.js';
import type { Statements } from './database.js';
import { page, uniqueViolations, Where } from './sql.js';

const PARTY = `SELECT id, kind, code, name, email, phone, currency, lead_time_days AS leadTimeDays, is_active AS isActive,
  created_at AS createdAt, updated_at AS updatedAt, version`;

// SQLite has no boolean type: flags are stored as 0 or 1.
const toParty = (r: PartyRecord): PartyRecord => ({ ...r, isActive: (r.isActive as unknown) === 1 });

export class SqliteParties implements PartyWriter {
  constructor(private readonly sql: Statements) {}

  async getParty(kind: PartyKind, id: string): Promise<PartyRecord | null> {
    const row = this.sql.get(`${PARTY} FROM parties WHERE kind = ? AND id = ?`).get(kind, id) as PartyRecord | undefined;
    return row ? toParty(row) : null;
  }

  async findPartyByCode(kind: PartyKind, code: string): Promise<PartyRecord | null> {
    const row = this.sql.get(`${PARTY} FROM parties WHERE kind = ? AND code = ?`).get(kind, code) as PartyRecord | undefined;
    return row ? toParty(row) : null;
  }

  async listParties(kind: PartyKind, f: PartyFilter, p: PageRequest): Promise<Page<PartyRecord>> {
    const w = new Where()
      .add('kind = ?', kind)
      .add('(instr(lower(code), lower(?)) > 0 OR instr(lower(name), lower(?)) > 0)', f.q, f.q)
      .add('is_active = ?', f.isActive === undefined ? undefined : Number(f.isActive));
    const r = await page<PartyRecord>(this.sql, PARTY, 'FROM parties', w.sql, w.args, 'code', p);
    return { items: r.items.map(toParty), total: r.total };
  }

  async insertParty(r: PartyRecord): Promise<void> {
    uniqueViolations(() => this.sql.get(`INSERT INTO parties (id, kind, code, name, email, phone, currency, lead_time_days,
      is_active, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      r.id, r.kind, r.code, r.name, r.email, r.phone, r.currency, r.leadTimeDays, r.isActive ? 1 : 0, r.createdAt, r.updatedAt, r.version));
  }

  async updateParty(r: PartyRecord): Promise<void> {
    uniqueViolations(() => this.sql.get(`UPDATE parties SET code = ?, name = ?, email = ?, phone = ?, currency = ?, lead_time_days = ?,
      is_active = ?, updated_at = ?, version = ? WHERE id = ?`).run(
      r.code, r.name, r.email, r.phone, r.currency, r.leadTimeDays, r.isActive ? 1 : 0, r.updatedAt, r.version, r.id));
  }
}
