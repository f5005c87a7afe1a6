// Which locks a unit of work holds, seen from outside: a first unit runs `hold` and keeps its
// transaction open for 300 ms; a second unit, started once the first holds, runs `other`. The
// order they finish in tells whether the second waited for the first's locks:
// ['first done', 'second went on'] when it did, the other way round when it did not.
// (PostgreSQL only: SQLite runs units one at a time, so there the question does not arise.)
import type { Store, Writer } from '../../core/ports.js';

export const WAITED = ['first done', 'second went on'];
export const WENT_ON = ['second went on', 'first done'];

export async function finishOrder(
  store: Store, hold: (tx: Writer) => Promise<unknown>, other: (tx: Writer) => Promise<unknown>,
): Promise<string[]> {
  const events: string[] = [];
  let holding!: () => void;
  const held = new Promise<void>((r) => (holding = r));
  const first = store.write(async (tx) => {
    await hold(tx);
    holding();
    await new Promise((r) => setTimeout(r, 300));
    events.push('first done');
  });
  await held;
  const second = store.write(async (tx) => {
    await other(tx);
    events.push('second went on');
  });
  await Promise.all([first, second]);
  return events;
}
