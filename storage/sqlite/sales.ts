import type { SalesWriter } from '../../core/sales.js';
import type { Statements } from './database.js';

export class SqliteSales implements SalesWriter {
  constructor(readonly sql: Statements) {}
}
