// The options every benchmark takes: --quick (a short smoke run), --json (the report as JSON
// on stdout instead of tables) and --json-out=<file> (the JSON report to a file as well, for
// bench/index.ts, which runs them all and sums up their targets).
import { writeFileSync } from 'node:fs';

export interface BenchArgs {
  quick: boolean;
  asJson: boolean;
  jsonOut: string | null;
}

export function benchArgs(script: string): BenchArgs {
  const out: BenchArgs = { quick: false, asJson: false, jsonOut: null };
  for (const a of process.argv.slice(2)) {
    if (a === '--quick') out.quick = true;
    else if (a === '--json') out.asJson = true;
    else if (a.startsWith('--json-out=')) out.jsonOut = a.slice('--json-out='.length);
    else {
      console.error(`unknown argument ${a}; usage: node --import tsx bench/${script} [--quick] [--json] [--json-out=<file>]`);
      process.exit(2);
    }
  }
  return out;
}

/** The number a `--name=<n>` argument gives, else `fallback` (for the diagnostic scripts outside `npm run bench`). */
export function numberOption(name: string, fallback: number): number {
  const prefix = `--${name}=`;
  return Number(process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback);
}

/**
 * Whether the baselines (raw, minimal-gc) give each posting a savepoint, as the targets
 * define the limit; IMS_BENCH_SAVEPOINTS=0 leaves them out, as the product's store runs its
 * units while none fails.
 */
export const BASELINE_SAVEPOINTS = process.env.IMS_BENCH_SAVEPOINTS !== '0';

/** Writes the report where the options say; returns whether the caller should print tables. */
export function emitReport(args: BenchArgs, report: unknown): boolean {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  if (args.jsonOut) writeFileSync(args.jsonOut, text);
  if (args.asJson) process.stdout.write(text);
  return !args.asJson;
}
