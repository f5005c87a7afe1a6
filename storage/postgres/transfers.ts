import type { TransferWriter } from '../../core/transfer.js';
import type { Sql } from './sql.js';

export class PgTransfers implements TransferWriter {
  constructor(private readonly sql: Sql) {}
}
