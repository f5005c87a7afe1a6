// Running a command as one atomic write: a refused command (a failure result) rolls back
// whatever it wrote, and a unique constraint that another writer hit first becomes a
// `conflict` instead of a crash.
import { UniqueViolation, type Store, type Writer } from './ports.js';
import { fail, type Failure, type Result } from './result.js';

class Refusal extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

export async function runCommand<T>(store: Store, work: (tx: Writer) => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await store.write(async (tx) => {
      const result = await work(tx);
      if (!result.ok) throw new Refusal(result);
      return result;
    });
  } catch (e) {
    if (e instanceof Refusal) return e.failure;
    if (e instanceof UniqueViolation) return fail('conflict', `a concurrent request created the same record: ${e.message}`);
    throw e;
  }
}
