// The growth benchmark's HTTP load client, run as its own process so it does not share an
// event loop with the benchmark or the server:
//
//   node --import tsx bench/growth-load.ts '<json LoadSpec>'
//
// `concurrency` workers, each on its own keep-alive connection, send POST /v1/inventory/moves
// back to back (one unit of an item between two random bins; items skewed as in the fill).
// Requests finished during the warm-up are not counted; the rate is 201s completed in the
// measured window over its length; latencies are those of the requests that finished in it.
// Prints one JSON LoadResult on stdout.
import http from 'node:http';
import { pickBins, pickItem, prng } from './growth-workload.js';

export interface LoadSpec {
  url: string;
  token: string;
  itemIds: string[];
  binIds: string[];
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  seed: number;
}

export interface LoadResult {
  /** 201s completed inside the measured window. */
  completed: number;
  /** Non-201 answers and transport errors anywhere in the run (warm-up included), by status. */
  errors: Record<string, number>;
  errorSamples: string[];
  /** Every request sent, warm-up included, and how many of them got a 201. */
  sent: number;
  created: number;
  windowMs: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  /** Latencies of the measured window's 201s in ms (0.01 ms steps), for merging several runs. */
  latencies: number[];
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const target = new URL('/v1/inventory/moves', spec.url);
  const random = prng(spec.seed);
  const errors: Record<string, number> = {};
  const errorSamples: string[] = [];
  const latencies: number[] = [];
  let sent = 0;
  let created = 0;
  let completed = 0;
  const start = performance.now();
  const windowStart = start + spec.warmupMs;
  const end = windowStart + spec.durationMs;

  const fail = (what: string, sample: string) => {
    errors[what] = (errors[what] ?? 0) + 1;
    if (errorSamples.length < 5) errorSamples.push(sample.slice(0, 300));
  };

  const once = (body: string) => new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(target, {
      method: 'POST',
      agent,
      headers: {
        authorization: `Bearer ${spec.token}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });

  const worker = async () => {
    while (performance.now() < end) {
      const item = pickItem(random, spec.itemIds.length);
      const [a, b] = pickBins(random, spec.binIds.length);
      const body = JSON.stringify({
        itemId: spec.itemIds[item], fromLocationId: spec.binIds[a], toLocationId: spec.binIds[b], qty: 1, reason: 'growth: load',
      });
      const t0 = performance.now();
      sent++;
      try {
        const r = await once(body);
        const t1 = performance.now();
        if (r.status === 201) {
          created++;
          if (t1 >= windowStart && t1 <= end) {
            completed++;
            latencies.push(t1 - t0);
          }
        } else {
          fail(String(r.status), r.text);
        }
      } catch (e) {
        fail('transport', String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  agent.destroy();
  latencies.sort((x, y) => x - y);
  const windowMs = spec.durationMs;
  return {
    completed,
    errors,
    errorSamples,
    sent,
    created,
    windowMs,
    opsPerSec: (completed * 1000) / windowMs,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    meanMs: latencies.reduce((s, x) => s + x, 0) / Math.max(1, latencies.length),
    maxMs: latencies.at(-1) ?? NaN,
    latencies: latencies.map((x) => Math.round(x * 100) / 100),
  };
}

// The spec is the first argument (growth.ts only imports this file's types).
runLoad(JSON.parse(process.argv[2] ?? '') as LoadSpec).then(
  (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
