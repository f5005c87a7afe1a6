// Lists are paged with limit/offset; `total` is the count of all matching rows, so a
// client can tell how many pages there are without asking again.

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

export interface PageRequest {
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export function pageRequest(limit?: number, offset?: number): PageRequest {
  return { limit: limit ?? DEFAULT_LIMIT, offset: offset ?? 0 };
}
