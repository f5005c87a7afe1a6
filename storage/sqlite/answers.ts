// Answers to the hot stock reads (availability, balances), kept until something changes them.
// A 20-row availability answer is a four-table query, and an API's readers tend to ask the
// same few questions again and again between postings (measured over HTTP with
// bench/http.ts: 7.3k answers/s from SQLite on both cores, 30k/s from memory on one).
//
// An answer is kept only while it is provably still true. A commit of this store ends the
// answers it may change, before any of its writers hear back (a client that posted and then
// reads sees its posting): a batch of postings and reservations ends the answers about
// their items and every answer not about one item; any other write ends all (changes.ts
// tells which). A commit by another process ends all (SQLite's data_version, which the
// store checks once per turn of the event loop, as for its other caches). Availability also
// changes with time alone, when a reservation's hold expires: its answer is kept only from
// the instant it was computed until the first hold on its items expires. A read still
// running when answers end may have seen the state from before, so its answer is not kept
// (the cache's generation tells).
//
// Answers are deep-frozen and shared by every caller: the same object is returned while it
// holds, which also lets the HTTP host keep the JSON of a frozen list (http/server.ts).
import type { AvailabilityFilter } from '../../core/ledger.js';
import type { Reader } from '../../core/ports.js';
import type { Page, PageRequest } from '../../core/page.js';
import { deepFreeze } from './cache.js';
import type { Changes } from './changes.js';
import type { SqliteLedger } from './ledger.js';

interface Entry {
  page: Page<unknown>;
  /** The one item it is about; null when it is about any number of items. */
  item: string | null;
  /** The `now` it was computed for; null when time does not change it. */
  from: string | null;
  /** The first instant it is no longer true by itself; null: never. */
  until: string | null;
}

export class AnswerCache {
  private readonly map = new Map<string, Entry>();
  /** The keys of the answers about each item, and (under null) of those about no one item. */
  private readonly byItem = new Map<string | null, Set<string>>();
  private rows = 0;
  /** Grows whenever answers end: an answer read before then is not kept. */
  generation = 0;

  /** `maxRows` bounds memory: the rows of all answers kept (about 300 bytes each). */
  constructor(private readonly maxRows = 50_000) {}

  get(key: string, now: string | null): Page<unknown> | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (now !== null && ((e.from !== null && now < e.from) || (e.until !== null && now >= e.until))) return undefined;
    return e.page;
  }

  /**
   * Keeps an answer about `item` (null: about no one item) read since `generation`, unless
   * answers ended meanwhile; returns it frozen.
   */
  set<T>(key: string, generation: number, page: Page<T>, item: string | null, from: string | null, until: string | null): Page<T> {
    const frozen = deepFreeze(page);
    const rows = page.items.length + 1;
    if (generation !== this.generation || rows > this.maxRows / 10) return frozen;
    this.delete(key);
    while (this.rows + rows > this.maxRows) this.delete(this.map.keys().next().value!);
    this.map.set(key, { page: frozen, item, from, until });
    let keys = this.byItem.get(item);
    if (keys === undefined) this.byItem.set(item, (keys = new Set()));
    keys.add(key);
    this.rows += rows;
    return frozen;
  }

  /** Ends the answers that what a commit changed may have changed. */
  changed(c: Pick<Changes, 'all' | 'items'>): void {
    if (c.all) return this.clear();
    if (c.items.size === 0) return;
    this.generation++;
    for (const item of [null, ...c.items]) {
      for (const key of this.byItem.get(item) ?? []) this.delete(key);
    }
  }

  clear(): void {
    this.map.clear();
    this.byItem.clear();
    this.rows = 0;
    this.generation++;
  }

  private delete(key: string): void {
    const e = this.map.get(key);
    if (e === undefined) return;
    this.map.delete(key);
    const keys = this.byItem.get(e.item)!;
    keys.delete(key);
    if (keys.size === 0) this.byItem.delete(e.item);
    this.rows -= e.page.items.length + 1;
  }
}

/**
 * `inner` with its availability and balance reads answered from `cache` when it can.
 * `check` is the store's own check before a read (the file is still there; what another
 * process committed empties the cache).
 */
export function cachedReader(inner: Reader, cache: AnswerCache, check: () => void): Reader {
  // The store's readers (its own connection's or its reader thread's) have every method of
  // the SQLite ledger, not only the port's.
  const ledger = inner.ledger as unknown as SqliteLedger;
  const answer = async <T>(key: string, item: string | null, now: string | null,
    read: () => Promise<{ page: Page<T>; until: string | null }>): Promise<Page<T>> => {
    check();
    const kept = cache.get(key, now);
    if (kept !== undefined) return kept as Page<T>;
    const generation = cache.generation;
    const { page, until } = await read();
    return cache.set(key, generation, page, item, now, until);
  };
  // An answer filtered to one item is about that item only; any other is about any item.
  const availability = (byFacility: boolean) => (f: AvailabilityFilter, p: PageRequest, now: string) =>
    answer(JSON.stringify(['availability', byFacility, f, p]), f.itemId ?? null, now,
      () => ledger.availabilityUntil(f, p, now, byFacility));
  return {
    ...inner,
    ledger: {
      ...inner.ledger,
      listAvailability: availability(false),
      listFacilityAvailability: availability(true),
      listBalances: (f, p) => answer(JSON.stringify(['balances', f, p]), f.itemId ?? null, null,
        async () => ({ page: await inner.ledger.listBalances(f, p), until: null })),
    } as Reader['ledger'],
  };
}
