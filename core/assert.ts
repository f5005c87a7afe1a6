// Assertions guard invariants that no request can break; a failed one is a bug, and the
// process should say so loudly rather than write a wrong ledger.

export class InvariantError extends Error {
  override name = 'InvariantError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}
