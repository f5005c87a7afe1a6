// The reader thread itself (see reader-thread.ts): a read-only connection of its own, the same
// areas as the writer's, and one call at a time, each inside one read transaction so that a
// method's statements (a page and its count, say) see one snapshot while the writer commits.
import { parentPort, workerData } from 'node:worker_threads';
import { areas, forgetCached } from './areas.js';
import type { DriverName } from './driver.js';
import { chooseDriver } from './drivers.js';

export interface Call {
  id: number;
  area: string;
  method: string;
  args: unknown[];
}

export type Answer = { id: number; value: unknown } | { id: number; error: { message: string; code?: string } };

const { file, driver } = workerData as { file: string; driver: DriverName };
const port = parentPort!;
const db = chooseDriver(driver).open(file);
db.exec('PRAGMA busy_timeout = 5000');
db.exec('PRAGMA query_only = 1');
db.exec('PRAGMA cache_size = -16384');
const all = areas(db) as unknown as Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>;
// The writer commits on another connection: its records in our caches may be stale then.
const version = db.prepare('PRAGMA data_version');
let seen = version.value();

port.on('message', async (m: Call | 'close') => {
  if (m === 'close') {
    db.close();
    process.exit(0);
  }
  let answer: Answer;
  try {
    const now = version.value();
    if (now !== seen) {
      seen = now;
      forgetCached(all as never);
    }
    db.exec('BEGIN');
    try {
      answer = { id: m.id, value: await all[m.area]![m.method]!(...m.args) };
    } finally {
      db.exec('COMMIT');
    }
  } catch (e) {
    answer = { id: m.id, error: { message: (e as Error)?.message ?? String(e), code: (e as { code?: string })?.code } };
  }
  port.postMessage(answer);
});
port.postMessage('ready');
