// Structured logs: one JSON object per line on stdout, filtered by LOG_LEVEL.
import { nowIso } from '../core/clock.js';

export const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type Level = (typeof LEVELS)[number];

export interface Logger {
  log(level: Exclude<Level, 'silent'>, msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: Level = 'info', write: (text: string) => void = toStdout): Logger {
  const min = LEVELS.indexOf(level);
  return {
    log(l, msg, fields = {}) {
      if (LEVELS.indexOf(l) < min) return;
      write(`${JSON.stringify({ time: nowIso(), level: l, msg, ...fields })}\n`);
    },
  };
}

/**
 * Lines are written to stdout at most every 10 ms rather than one write each: under load a
 * server answers dozens of requests in that time, and a write to a file or pipe is a system
 * call (once per turn of the event loop was still 4 % of a server answering cached reads).
 * What is pending is written at exit.
 */
let pending: string[] = [];

function flush(): void {
  if (pending.length === 0) return;
  const text = pending.join('');
  pending = [];
  process.stdout.write(text);
}

process.once('exit', flush);

function toStdout(text: string): void {
  if (pending.push(text) === 1) setTimeout(flush, 10).unref();
}

export function parseLevel(value: string | undefined): Level {
  if (value === undefined || value === '') return 'info';
  if ((LEVELS as readonly string[]).includes(value)) return value as Level;
  throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(', ')}`);
}
