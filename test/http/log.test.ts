// The structured log (http/log.ts): one JSON object per line, filtered by level, and lines
// gathered into one write to stdout at most every 10 ms.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../http/log.js';

/** What process.stdout.write was handed while `work` ran and for `ms` after. */
async function stdoutWrites(work: () => void | Promise<void>, ms: number): Promise<{ writes: string[] }> {
  const writes: string[] = [];
  const original = process.stdout.write;
  process.stdout.write = ((chunk: string) => writes.push(String(chunk)) > 0) as typeof process.stdout.write;
  try {
    await work();
    await new Promise((r) => setTimeout(r, ms));
    return { writes };
  } finally {
    process.stdout.write = original;
  }
}

test('lines logged over several turns of the event loop reach stdout together, soon after, each a JSON object', async () => {
  const logger = createLogger('info');
  const { writes } = await stdoutWrites(async () => {
    for (let i = 0; i < 50; i++) {
      logger.log('info', 'request', { i });
      if (i % 10 === 9) await new Promise((r) => setImmediate(r));
    }
  }, 40);
  // One write, or two if a turn of this process took over 10 ms; a write per turn would be 5.
  assert.ok(writes.length <= 2, `${writes.length} writes`);
  const lines = writes.join('').trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.map((l) => l.i), Array.from({ length: 50 }, (_, i) => i));
  assert.ok(lines.every((l) => l.level === 'info' && l.msg === 'request' && typeof l.time === 'string'));
});

test('lines below the level are not written', async () => {
  const logger = createLogger('warn');
  const { writes } = await stdoutWrites(() => {
    logger.log('info', 'quiet');
    logger.log('error', 'loud');
  }, 40);
  assert.is(writes.join('').trimEnd().split('\n').length, 1);
  assert.is(JSON.parse(writes[0]!).msg, 'loud');
});

test.run();
