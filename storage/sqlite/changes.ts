// What the writes of a batch changed, as far as the answer cache (answers.ts) needs to know:
// which items, or everything. Postings and reservations, the writes that come by the
// thousand, name the items they write for, so that the answers about other items are kept.
// Any other write ends every answer, unless its table is one no answer reads.
//
// Every statement that writes is looked at when it is prepared (Statements, database.ts): a
// write to a table of SCOPED counts only inside `forItems`, whose caller names the items;
// outside it, it ends everything, so a new way of writing those tables that forgets to name
// its items costs answers, never correctness.

/** Tables written for given items: the ledger, balances, their lots and serials, values, and holds. */
const SCOPED = new Set(['inventory_transactions', 'inventory_lines', 'balances', 'lots', 'serials', 'valuations',
  'cost_layers', 'reservations', 'allocations']);

/** Tables no availability or balance answer reads, written with every posting or request. */
const UNRELATED = new Set(['events', 'idempotency_keys', 'api_tokens', 'webhooks']);

/** `none`: reads only; `unrelated`: writes nothing an answer reads; `scoped`: rows of some items; `all`: anything. */
export type WriteKind = 'none' | 'unrelated' | 'scoped' | 'all';

/** What running `sql` may change. */
export function writeKind(sql: string): WriteKind {
  const text = sql.trimStart();
  if (/^(SELECT|WITH|VALUES)\b/i.test(text) && !/\b(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(text)) return 'none';
  const table = /^(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+["`]?(\w+)/i.exec(text)?.[1];
  if (table === undefined) return 'all';
  if (UNRELATED.has(table)) return 'unrelated';
  return SCOPED.has(table) ? 'scoped' : 'all';
}

export class Changes {
  /** Something changed that no list of items describes. */
  all = false;
  readonly items = new Set<string>();
  /** Write statements run on this connection, ever: a unit that ran none left the database as it found it. */
  writes = 0;
  /** Above 0 while a writer that has named its items runs. */
  private naming = 0;

  /** Runs `work`, which writes rows of scoped tables for these items and no others. */
  forItems<T>(items: Iterable<string>, work: () => T): T {
    for (const item of items) this.items.add(item);
    this.naming++;
    try {
      return work();
    } finally {
      this.naming--;
    }
  }

  /** A statement of this kind is about to run. */
  wrote(kind: WriteKind): void {
    this.writes++;
    if (kind === 'all' || (kind === 'scoped' && this.naming === 0)) this.all = true;
  }

  clear(): void {
    this.all = false;
    this.items.clear();
  }
}
