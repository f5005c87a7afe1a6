import type { PurchasingWriter } from '../../core/purchasing.js';
import type { Sql } from './sql.js';

export class PgPurchasing implements PurchasingWriter {
  constructor(readonly sql: Sql) {}
}
