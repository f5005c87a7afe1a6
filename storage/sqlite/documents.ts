import type { DocumentCounter } from '../../core/document.js';
import type { Statements } from './database.js';

/** Document numbers per type from `document_counters` (migration 004). */
export class SqliteDocuments implements DocumentCounter {
  constructor(private readonly sql: Statements) {}

  async nextNumber(type: string): Promise<number> {
    return this.sql.get(`INSERT INTO document_counters (type, last_no) VALUES (?, 1)
      ON CONFLICT (type) DO UPDATE SET last_no = last_no + 1 RETURNING last_no`).value(type) as number;
  }
}
