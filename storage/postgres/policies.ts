import type { PolicyWriter } from '../../core/policy.js';
import type { Sql } from './sql.js';

export class PgPolicies implements PolicyWriter {
  constructor(private readonly sql: Sql) {}
}
