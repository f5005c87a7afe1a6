// The SQLite store's areas over one connection: what a write unit gets as its Writer, and
// what the reads run on. The writer's connection has one set; a reader thread has its own.
import type { Writer } from '../../core/ports.js';
import { SqliteCatalog } from './catalog.js';
import { SqliteCounts } from './counts.js';
import type { Changes } from './changes.js';
import { Statements, type Db } from './database.js';
import { SqliteDocuments } from './documents.js';
import { SqliteEvents } from './events.js';
import { SqliteFacilities } from './facilities.js';
import { SqliteIdempotency } from './idempotency.js';
import { SqliteLedger } from './ledger.js';
import { SqliteParties } from './parties.js';
import { SqlitePolicies } from './policies.js';
import { SqliteProduction } from './production.js';
import { SqlitePurchasing } from './purchasing.js';
import { SqliteReservations } from './reservations.js';
import { SqliteSales } from './sales.js';
import { SqliteTokens } from './tokens.js';
import { SqliteTransfers } from './transfers.js';
import { SqliteWebhooks } from './webhooks.js';

export interface Areas extends Writer {
  /** What the writes on this connection changed, for the answer cache (changes.ts). */
  changes: Changes;
  catalog: SqliteCatalog;
  facilities: SqliteFacilities;
  tokens: SqliteTokens;
  ledger: SqliteLedger;
  reservations: SqliteReservations;
}

export function areas(db: Db): Areas {
  const sql = new Statements(db);
  return {
    changes: sql.changes,
    catalog: new SqliteCatalog(sql),
    facilities: new SqliteFacilities(sql),
    tokens: new SqliteTokens(sql),
    ledger: new SqliteLedger(sql),
    reservations: new SqliteReservations(sql),
    transfers: new SqliteTransfers(sql),
    counts: new SqliteCounts(sql),
    policies: new SqlitePolicies(sql),
    production: new SqliteProduction(sql),
    parties: new SqliteParties(sql),
    purchasing: new SqlitePurchasing(sql),
    sales: new SqliteSales(sql),
    documents: new SqliteDocuments(sql),
    idempotency: new SqliteIdempotency(sql),
    events: new SqliteEvents(sql),
    webhooks: new SqliteWebhooks(sql),
  };
}

/** Cached records may come from a unit that rolled back, or be stale: start over. */
export function forgetCached(a: Areas): void {
  a.catalog.forgetCached();
  a.facilities.forgetCached();
  a.tokens.forgetCached();
  a.ledger.forgetCached();
}
