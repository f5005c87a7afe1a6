import type { SalesWriter } from '../../core/sales.js';
import type { Sql } from './sql.js';

export class PgSales implements SalesWriter {
  constructor(readonly sql: Sql) {}
}
