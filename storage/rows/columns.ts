// Column conventions both adapters share: the tables are the same on SQLite and PostgreSQL,
// and so is the way a row becomes a core record.

/** Balances and lines store '' for "no lot", so that the balance key is never NULL. */
export const lotOut = (lotId: string): string | null => (lotId === '' ? null : lotId);
export const lotIn = (lotId: string | null): string => lotId ?? '';

/** A nullable JSON text column, both ways. */
export const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
export const text = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

/** Child rows (already in their order) by their parent's id, each made a record. */
export function byParent<R, T, K = string>(rows: readonly R[], parentOf: (row: R) => K, toRecord: (row: R) => T): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const key = parentOf(row);
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(toRecord(row));
  }
  return map;
}
