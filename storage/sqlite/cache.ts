// A bounded cache of records that posting loads on every request (items, UOMs, locations).
// Entries are frozen, so no caller can change what another one reads. The store empties
// the caches whenever a write unit rolls back, so a record written by a unit that did not
// commit is never served; an update replaces its entry.

export class RecordCache<T extends object> {
  private readonly map = new Map<string, T>();

  constructor(private readonly max = 10_000) {}

  get(id: string, load: (id: string) => T | undefined): T | undefined {
    const hit = this.map.get(id);
    if (hit !== undefined) return hit;
    const loaded = load(id);
    if (loaded !== undefined) this.set(id, loaded);
    return loaded;
  }

  /** The entry kept for `id`, without loading it. */
  peek(id: string): T | undefined {
    return this.map.get(id);
  }

  set(id: string, value: T): void {
    if (!this.map.has(id) && this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
    this.map.set(id, deepFreeze(value));
  }

  clear(): void {
    this.map.clear();
  }
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
