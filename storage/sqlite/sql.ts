// Small helpers shared by the SQLite area classes.
import type { Page, PageRequest } from '../../core/page.js';
import { UniqueViolation } from '../../core/ports.js';
import type { Statements } from './database.js';
import { sqliteCode } from './driver.js';

/**
 * One page of rows and the total count of rows matching the same filter. A first page that
 * is not full is the whole list, so its length is the total: no second query.
 */
export async function page<T>(
  sql: Statements, select: string, from: string, where: string, args: unknown[], orderBy: string, p: PageRequest,
): Promise<Page<T>> {
  const w = where ? ` WHERE ${where}` : '';
  const items = sql.get(`${select} ${from}${w} ORDER BY ${orderBy} LIMIT ? OFFSET ?`).all(...args, p.limit, p.offset) as T[];
  if (p.offset === 0 && items.length < p.limit) return { items, total: items.length };
  // A grouped query counts its groups, not its rows.
  const count = /\bGROUP BY\b/i.test(from) ? `SELECT count(*) FROM (SELECT 1 ${from}${w})` : `SELECT count(*) ${from}${w}`;
  return { items, total: sql.get(count).value(...args) as number };
}

/**
 * Full-text terms against an FTS5 trigram table's `text` column, which holds lower-cased
 * text: every whitespace-separated term must occur in it as a substring, in any case. Terms
 * of three or more characters use the trigram index; shorter ones are checked directly.
 * Case is folded in JavaScript, since SQLite's lower() knows only ASCII.
 */
export function searchClause(q: string): { sql: string; args: string[] } {
  const terms = q.toLowerCase().trim().split(/\s+/).filter(Boolean).slice(0, 16);
  const long = terms.filter((t) => [...t].length >= 3);
  const short = terms.filter((t) => [...t].length < 3);
  const parts: string[] = [];
  const args: string[] = [];
  if (long.length) {
    parts.push('text MATCH ?');
    args.push(long.map((t) => `"${t.replaceAll('"', '""')}"`).join(' AND '));
  }
  for (const t of short) {
    parts.push('instr(text, ?) > 0');
    args.push(t);
  }
  return { sql: parts.length ? parts.join(' AND ') : '1', args };
}

/** Ids as a JSON array without repeats, for `IN (SELECT value FROM json_each(?))`. */
export function idList(ids: readonly string[]): string {
  return JSON.stringify([...new Set(ids)]);
}

/** Runs a write, turning a unique-constraint failure into the core's UniqueViolation. */
export function uniqueViolations<T>(write: () => T): T {
  try {
    return write();
  } catch (e) {
    if (/^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(sqliteCode(e) ?? '')) {
      throw new UniqueViolation((e as Error).message);
    }
    throw e;
  }
}

/** A WHERE clause built from optional filters: a condition is added only when its value is given. */
export class Where {
  readonly parts: string[] = [];
  readonly args: unknown[] = [];

  add(condition: string, ...values: unknown[]): this {
    if (values.some((v) => v === undefined)) return this;
    this.parts.push(condition);
    this.args.push(...values);
    return this;
  }

  get sql(): string {
    return this.parts.join(' AND ');
  }

  /** The conditions prefixed with AND, to follow a fixed condition. */
  get and(): string {
    return this.parts.map((p) => ` AND ${p}`).join('');
  }
}
