// The package entry for embedders: open a store and use the core directly, no HTTP needed.
//
//   import { createIms } from 'ims';
//   const ims = await createIms({ databaseUrl: 'sqlite:./data/ims.db' });
//   const item = await ims.items.create({ itemNo: 'TBL-NOTE-08', name: 'Notebook', itemKind: 'purchased', baseUomId });
import { openStore, type StoreOptions } from './storage/open.js';
import { Ims, type ImsOptions } from './core/ims.js';

export interface CreateImsOptions extends StoreOptions, ImsOptions {
  /** `sqlite:<file>` (default `sqlite:./data/ims.db`), `sqlite::memory:` or `postgres://user:pass@host/db`. */
  databaseUrl?: string;
}

export async function createIms(options: CreateImsOptions = {}): Promise<Ims> {
  return new Ims(await openStore(options.databaseUrl, options), options);
}

export { Ims } from './core/ims.js';
export * from './core/index.js';
export { startServer, createHandler } from './http/server.js';
