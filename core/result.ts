// Expected failures are values, not exceptions. Every command is a ladder of checks that
// returns the first failure as one of these codes; the HTTP host maps each code to a status
// in a single table. Exceptions are reserved for programmer errors and broken invariants.

export const RESULT_CODES = [
  'bad_request',
  'not_found',
  'conflict',
  'insufficient_stock',
  'invalid_state',
  'idempotency_key_reused',
] as const;

export type ResultCode = (typeof RESULT_CODES)[number];

/** Where in the request a failure lies, as a JSON Pointer (`/lines/0/qty`). */
export interface Detail {
  path: string;
  message: string;
}

export interface Failure {
  ok: false;
  code: ResultCode;
  message: string;
  details?: Detail[];
}

export interface Success<T> {
  ok: true;
  value: T;
}

export type Result<T> = Success<T> | Failure;

export function ok<T>(value: T): Success<T> {
  return { ok: true, value };
}

export function fail(code: ResultCode, message: string, details?: Detail[]): Failure {
  return details && details.length > 0 ? { ok: false, code, message, details } : { ok: false, code, message };
}

/** A failure that names the request field at fault. */
export function failAt(code: ResultCode, path: string, message: string): Failure {
  return { ok: false, code, message, details: [{ path, message }] };
}

export function notFound(what: string, path?: string): Failure {
  const message = `${what} not found`;
  return path ? failAt('not_found', path, message) : fail('not_found', message);
}

/** Unwraps a result for callers that treat a failure as a bug (tests, seeding). */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result.value;
}
