// Structured logs: one JSON object per line on stdout, filtered by LOG_LEVEL.

export const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type Level = (typeof LEVELS)[number];

export interface Logger {
  log(level: Exclude<Level, 'silent'>, msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: Level = 'info', write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const min = LEVELS.indexOf(level);
  return {
    log(l, msg, fields = {}) {
      if (LEVELS.indexOf(l) < min) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level: l, msg, ...fields })}\n`);
    },
  };
}

export function parseLevel(value: string | undefined): Level {
  if (value === undefined || value === '') return 'info';
  if ((LEVELS as readonly string[]).includes(value)) return value as Level;
  throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(', ')}`);
}
