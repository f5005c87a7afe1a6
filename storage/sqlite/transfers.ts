import type { TransferWriter } from '../../core/transfer.js';
import type { Statements } from './database.js';

export class SqliteTransfers implements TransferWriter {
  constructor(private readonly sql: Statements) {}
}
