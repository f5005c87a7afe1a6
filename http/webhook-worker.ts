// The webhook delivery worker, run by each HTTP host beside its server. Every `pollMs` it
// looks for subscriptions that are due (active, past their backoff, with events after their
// cursor, not leased by another host), leases each one, and POSTs the events after its
// cursor to its URL one at a time, in seq order. A 2xx moves the durable cursor past the
// event; anything else (another status, a refused connection, a timeout) keeps the cursor
// where it is and backs off, exponentially, before the next attempt. Since the cursor moves
// only after the receiver acknowledged, an event is delivered at least once, across failures
// and restarts; a receiver that loses the acknowledgement sees the event again, and tells by
// its `id`. The lease keeps two hosts from delivering one subscription at once; one that ran
// out (a host stopped mid-delivery) is taken over from the cursor.
import { createHmac, randomUUID } from 'node:crypto';
import { nowIso } from '../core/clock.js';
import type { StoredEvent } from '../core/event.js';
import type { Store } from '../core/ports.js';
import { delivered, failed, skipped, wants, type Backoff, type DeliveryState, type WebhookRecord } from '../core/webhook.js';
import type { Logger } from './log.js';
import { VERSION } from './version.js';

export interface WebhookWorkerOptions {
  store: Store;
  logger: Logger;
  /** How often due subscriptions are looked for (default 1000 ms). */
  pollMs?: number;
  /** The first retry's wait and the longest (default 1 s and 1 h). */
  backoff?: Backoff;
  /** How long a receiver may take to answer (default 10 s). */
  timeoutMs?: number;
  /**
   * How long a lease lasts without progress (default twice timeoutMs and 5 s more): every
   * attempt extends it, and one attempt takes timeoutMs at most, so a live worker never loses
   * it, while a host that died holding it blocks its subscription for no longer than this.
   */
  leaseMs?: number;
  /** Events read per pass over one subscription (default 100). */
  batch?: number;
}

export interface WebhookWorker {
  /** Runs one pass now (tests, and after a change that should not wait for the next poll). */
  runOnce(): Promise<void>;
  /** Stops polling, aborts a delivery in flight (its event is delivered again later), releases leases. */
  stop(): Promise<void>;
}

/** The signature header's value: HMAC-SHA256 of the raw body under the subscription's secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

type Attempt = { ok: true; status: number } | { ok: false; status: number | null; error: string };

export function startWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { store, logger } = options;
  const pollMs = options.pollMs ?? 1000;
  const backoff = options.backoff ?? { baseMs: 1000, maxMs: 60 * 60 * 1000 };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = Math.max(options.leaseMs ?? 0, timeoutMs * 2 + 5000);
  const batch = options.batch ?? 100;
  // Each worker leases under a name of its own: a restarted host is a new owner.
  const owner = randomUUID();
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const leaseEnd = () => new Date(Date.now() + leaseMs).toISOString();

  async function send(w: WebhookRecord, event: StoredEvent, attempt: number): Promise<Attempt> {
    const body = JSON.stringify(event);
    try {
      const r = await fetch(w.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(timeoutMs)]),
        headers: {
          'content-type': 'application/json',
          'user-agent': `ims/${VERSION}`,
          'x-ims-event-id': event.id,
          'x-ims-event-type': event.type,
          'x-ims-event-seq': String(event.seq),
          'x-ims-delivery-attempt': String(attempt),
          'x-ims-signature': signature(w.secret, body),
        },
      });
      await r.body?.cancel().catch(() => {});
      return r.status >= 200 && r.status < 300 ? { ok: true, status: r.status } : { ok: false, status: r.status, error: `answered ${r.status}` };
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      return { ok: false, status: null, error: `${(e as Error).name}: ${(e as Error).message}${cause ? ` (${cause})` : ''}` };
    }
  }

  /** Saves progress while the lease holds; false when another worker has taken it over. */
  const save = (w: WebhookRecord, state: DeliveryState) => store.write((tx) => tx.webhooks.saveDelivery(w.id, owner, state, leaseEnd()));

  /** Delivers what is after the cursor, until a failure or the end of one batch. */
  async function deliver(w: WebhookRecord): Promise<void> {
    let state = w.delivery;
    let unsaved = false;
    const events = (await store.read.events.listEvents({ after: state.cursor }, { limit: batch, offset: 0 })).items;
    for (const event of events) {
      if (stopping.signal.aborted) break;
      if (!wants(w, event.type)) {
        state = skipped(state, event.seq);
        unsaved = true;
        continue;
      }
      const outcome = await send(w, event, state.failures + 1);
      if (stopping.signal.aborted && !outcome.ok) break; // aborted by stop(): not the receiver's failure
      state = outcome.ok ? delivered(state, event.seq, outcome.status, nowIso()) : failed(state, outcome.status, outcome.error, nowIso(), backoff);
      unsaved = false;
      if (!(await save(w, state))) return;
      if (!outcome.ok) {
        logger.log('warn', 'webhook delivery failed', { webhookId: w.id, eventSeq: event.seq, failures: state.failures, error: state.lastError, nextAttemptAt: state.nextAttemptAt });
        return;
      }
    }
    if (unsaved) await save(w, state);
  }

  /** Leases one subscription, delivers to it, and lets it go. */
  async function serve(id: string): Promise<void> {
    if (stopping.signal.aborted) return;
    const w = await store.write((tx) => tx.webhooks.claimWebhook(id, owner, nowIso(), leaseEnd()));
    if (!w) return;
    try {
      await deliver(w);
    } finally {
      await store.write((tx) => tx.webhooks.releaseWebhook(w.id, owner));
    }
  }

  /** Serves every due subscription side by side: a slow receiver does not hold up the others. */
  async function pass(): Promise<void> {
    const ids = await store.read.webhooks.dueWebhooks(nowIso(), 100);
    const outcomes = await Promise.allSettled(ids.map(serve));
    for (const o of outcomes) if (o.status === 'rejected') throw o.reason;
  }

  function runOnce(): Promise<void> {
    running ??= pass()
      .catch((e) => logger.log('warn', 'webhook delivery pass failed', { error: (e as Error)?.message ?? String(e) }))
      .finally(() => (running = null));
    return running;
  }

  function schedule(): void {
    if (stopping.signal.aborted) return;
    timer = setTimeout(() => void runOnce().then(schedule), pollMs);
    // The server keeps the process alive; a worker alone should not.
    timer.unref();
  }

  schedule();
  return {
    runOnce,
    async stop() {
      stopping.abort();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
