import type { CountWriter } from '../../core/count.js';
import type { Sql } from './sql.js';

export class PgCounts implements CountWriter {
  constructor(private readonly sql: Sql) {}
}
