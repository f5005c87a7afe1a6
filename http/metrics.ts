// The host's metrics, kept in memory and served as Prometheus text (exposition format
// 0.0.4) at GET /metrics. Counters live here, in the HTTP host, so the core stays free of
// I/O and of any metrics library: postings and commit batch sizes are what the store's
// optional observer is told at each commit.
import { StoreUnavailable, type PostingCount, type Store, type StoreObserver, type Writer } from '../core/ports.js';

/** Request latency buckets, in seconds: from a cached read to a slow batch under load. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Write units per commit: powers of two up to the SQLite store's largest batch. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    // Buckets are cumulative in the exposition; here each value counts once, in its own.
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) this.counts[i]!++;
  }

  lines(name: string, labels: string): string[] {
    const out: string[] = [];
    let running = 0;
    this.buckets.forEach((b, i) => {
      running += this.counts[i]!;
      out.push(`${name}_bucket{${join(labels, `le="${b}"`)}} ${running}`);
    });
    out.push(`${name}_bucket{${join(labels, 'le="+Inf"')}} ${this.count}`);
    out.push(`${name}_sum${labels ? `{${labels}}` : ''} ${round(this.sum)}`);
    out.push(`${name}_count${labels ? `{${labels}}` : ''} ${this.count}`);
    return out;
  }
}

const join = (a: string, b: string) => (a ? `${a},${b}` : b);
const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** A label value with backslash, quote and newline escaped, as the format requires. */
export function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The requests of one method and route: their count by status, and their latency. */
interface RouteRequests {
  labels: string;
  statuses: Map<number, number>;
  latency: Histogram;
}

export class Metrics {
  /** By method, then route template: both strings come from fixed tables, so looking them up is cheap on every request. */
  private readonly requests = new Map<string, Map<string, RouteRequests>>();
  private readonly batches = new Histogram(BATCH_BUCKETS);
  private readonly databaseErrors = new Map<string, number>();
  private postings = 0;
  private postingLines = 0;
  private readonly started = Date.now();

  /** One answered request: `route` is the route table's path template, never the raw URL. */
  request(method: string, route: string, status: number, seconds: number): void {
    let routes = this.requests.get(method);
    if (!routes) this.requests.set(method, (routes = new Map()));
    let r = routes.get(route);
    if (!r) {
      r = { labels: `method="${labelValue(method)}",route="${labelValue(route)}"`, statuses: new Map(), latency: new Histogram(LATENCY_BUCKETS) };
      routes.set(route, r);
    }
    r.statuses.set(status, (r.statuses.get(status) ?? 0) + 1);
    r.latency.observe(seconds);
  }

  /** Committed postings (ledger transactions) and their lines. */
  private posted(transactions: number, lines: number): void {
    this.postings += transactions;
    this.postingLines += lines;
  }

  /** A commit: its write units, and the postings among them. */
  committed(units: number, postings: PostingCount): void {
    this.batches.observe(units);
    this.posted(postings.transactions, postings.lines);
  }

  /** A request or health check the database failed: `kind` is `unavailable` or `internal`. */
  databaseError(kind: string): void {
    this.databaseErrors.set(kind, (this.databaseErrors.get(kind) ?? 0) + 1);
  }

  /** Wraps a store so what it commits and its failed health checks are counted; pass the wrapped one to the routes. */
  instrument(store: Store): Store {
    const observer: StoreObserver = { committed: (units, postings) => this.committed(units, postings) };
    store.observe?.(observer);
    return {
      kind: store.kind,
      read: store.read,
      close: () => store.close(),
      ping: () => store.ping().catch((e) => {
        this.databaseError(e instanceof StoreUnavailable ? 'unavailable' : 'internal');
        throw e;
      }),
      write: <T>(work: (tx: Writer) => Promise<T>): Promise<T> => store.write(work),
    };
  }

  render(): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    family('ims_http_requests_total', 'counter', 'HTTP requests answered, by method, route template and status.');
    const routes = [...this.requests.values()].flatMap((m) => [...m.values()]).sort((a, b) => (a.labels < b.labels ? -1 : 1));
    for (const r of routes) {
      for (const [status, n] of [...r.statuses].sort()) out.push(`ims_http_requests_total{${r.labels},status="${status}"} ${n}`);
    }
    family('ims_http_request_duration_seconds', 'histogram', 'Time from a request\'s arrival to its answer, by method and route template.');
    for (const r of routes) out.push(...r.latency.lines('ims_http_request_duration_seconds', r.labels));
    family('ims_postings_total', 'counter', 'Ledger transactions committed through this host.');
    out.push(`ims_postings_total ${this.postings}`);
    family('ims_posting_lines_total', 'counter', 'Ledger lines committed through this host.');
    out.push(`ims_posting_lines_total ${this.postingLines}`);
    family('ims_commit_batch_size', 'histogram', 'Write units carried by one database commit (group commit on SQLite).');
    out.push(...this.batches.lines('ims_commit_batch_size', ''));
    family('ims_database_errors_total', 'counter', 'Requests and health checks that failed in the database, by kind.');
    for (const kind of ['unavailable', 'internal']) out.push(`ims_database_errors_total{kind="${kind}"} ${this.databaseErrors.get(kind) ?? 0}`);
    family('ims_process_uptime_seconds', 'gauge', 'Seconds since this host started.');
    out.push(`ims_process_uptime_seconds ${round((Date.now() - this.started) / 1000)}`);
    return out.join('\n') + '\n';
  }
}
