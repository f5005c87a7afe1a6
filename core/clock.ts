// Timestamps are ISO 8601 UTC with milliseconds. Commands take `now` from their caller so a
// decision is a pure function of its inputs and tests can pin the time.

/** The last millisecond formatted, and its text. */
let lastMs = NaN;
let lastIso = '';

export function nowIso(): string {
  // A busy server asks several times per millisecond (each request, each log line), and
  // formatting a date costs more than reading the clock.
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether a string is a real calendar date `YYYY-MM-DD` (not just the right shape). */
export function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}
