import type { DocumentCounter } from '../../core/document.js';
import type { Sql } from './sql.js';

/**
 * Document numbers per type from `document_counters` (migration 004). The row lock the upsert
 * takes is held until the unit commits, so concurrent units (other hosts) wait for each
 * other here and never hand out one number twice.
 */
export class PgDocuments implements DocumentCounter {
  constructor(private readonly sql: Sql) {}

  async nextNumber(type: string): Promise<number> {
    const [row] = await this.sql.rows<{ last_no: number }>(`INSERT INTO document_counters AS c (type, last_no) VALUES (?, 1)
      ON CONFLICT (type) DO UPDATE SET last_no = c.last_no + 1 RETURNING last_no`, [type]);
    return row!.last_no;
  }
}
