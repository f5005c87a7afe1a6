// Reading the ledger: newest first, or oldest first after a sequence number as a change feed.
import type { TransactionFilter, TransactionView } from './ledger.js';
import type { Page, PageRequest } from './page.js';
import type { Reader } from './ports.js';
import { notFound, ok, type Result } from './result.js';

export async function listTransactions(r: Reader, filter: TransactionFilter, page: PageRequest): Promise<Page<TransactionView>> {
  const utc = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
  return r.ledger.listTransactions({ ...filter, from: utc(filter.from), to: utc(filter.to) }, page);
}

export async function getTransaction(r: Reader, id: string): Promise<Result<TransactionView>> {
  const t = await r.ledger.getTransaction(id);
  return t ? ok(t) : notFound('transaction');
}
