import type { ProductionWriter } from '../../core/production.js';
import type { Statements } from './database.js';

export class SqliteProduction implements ProductionWriter {
  constructor(readonly sql: Statements) {}
}
