// Every error the API can answer, and its HTTP status, in one table.
import type { Detail, Failure, ResultCode } from '../core/result.js';

export type ErrorCode =
  | ResultCode
  | 'unauthorized'
  | 'forbidden'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'service_unavailable'
  | 'internal';

export const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  insufficient_stock: 409,
  invalid_state: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  internal: 500,
  service_unavailable: 503,
};

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  status: number;
  details?: Detail[];
}

export function errorBody(code: ErrorCode, message: string, details?: Detail[]): ErrorBody {
  const body: ErrorBody = { error: code, message, status: STATUS[code] };
  if (details && details.length) body.details = details;
  return body;
}

export function failureBody(f: Failure): ErrorBody {
  return errorBody(f.code, f.message, f.details);
}

/** An error raised while handling a request that should answer with its own code. */
export class HttpError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly details?: Detail[]) {
    super(message);
  }
}
