import type { PolicyWriter } from '../../core/policy.js';
import type { Statements } from './database.js';

export class SqlitePolicies implements PolicyWriter {
  constructor(private readonly sql: Statements) {}
}
