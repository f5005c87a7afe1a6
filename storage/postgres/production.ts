import type { ProductionWriter } from '../../core/production.js';
import type { Sql } from './sql.js';

export class PgProduction implements ProductionWriter {
  constructor(readonly sql: Sql) {}
}
