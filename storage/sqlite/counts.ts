import type { CountWriter } from '../../core/count.js';
import type { Statements } from './database.js';

export class SqliteCounts implements CountWriter {
  constructor(private readonly sql: Statements) {}
}
