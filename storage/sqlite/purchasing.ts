import type { PurchasingWriter } from '../../core/purchasing.js';
import type { Statements } from './database.js';

export class SqlitePurchasing implements PurchasingWriter {
  constructor(readonly sql: Statements) {}
}
