// Webhook subscriptions on PostgreSQL. Several hosts run a delivery worker each; a worker
// leases a subscription with a conditional UPDATE (the row lock makes a second host's UPDATE
// wait, then re-check the lease and find it taken), so one host at a time delivers it. A
// host that dies mid-delivery leaves a lease that runs out, and another host takes over
// from the durable cursor: deliveries are at least once.
import type { Page, PageRequest } from '../../core/page.js';
import type { DeliveryState, WebhookRecord, WebhookWriter } from '../../core/webhook.js';
import { page, type Sql } from './sql.js';

interface WebhookRow {
  id: string;
  url: string;
  description: string | null;
  event_types: string | null;
  is_active: boolean;
  secret: string;
  cursor: number;
  failures: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  last_delivered_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

const COLUMNS = `id, url, description, event_types, is_active, secret, cursor, failures, next_attempt_at,
  last_attempt_at, last_status, last_error, last_delivered_at, created_at, updated_at, version`;

const toWebhook = (r: WebhookRow): WebhookRecord => ({
  id: r.id,
  url: r.url,
  description: r.description,
  eventTypes: r.event_types === null ? null : JSON.parse(r.event_types),
  isActive: r.is_active,
  secret: r.secret,
  delivery: {
    cursor: r.cursor, failures: r.failures, nextAttemptAt: r.next_attempt_at, lastAttemptAt: r.last_attempt_at,
    lastStatus: r.last_status, lastError: r.last_error, lastDeliveredAt: r.last_delivered_at,
  },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: r.version,
});

const types = (w: WebhookRecord) => (w.eventTypes === null ? null : JSON.stringify(w.eventTypes));

export class PgWebhooks implements WebhookWriter {
  constructor(private readonly sql: Sql) {}

  /** Inside a write unit the row is locked FOR UPDATE (a change reads it to change it). */
  async getWebhook(id: string): Promise<WebhookRecord | null> {
    const lock = this.sql.unit ? ' FOR UPDATE' : '';
    const row = (await this.sql.rows<WebhookRow>(`SELECT ${COLUMNS} FROM webhooks WHERE id = ?${lock}`, [id]))[0];
    return row ? toWebhook(row) : null;
  }

  async listWebhooks(p: PageRequest): Promise<Page<WebhookRecord>> {
    const r = await page<WebhookRow>(this.sql, `SELECT ${COLUMNS}`, 'FROM webhooks', '', [], 'created_at, id', p);
    return { items: r.items.map(toWebhook), total: r.total };
  }

  async dueWebhooks(now: string, limit: number): Promise<string[]> {
    const rows = await this.sql.rows<{ id: string }>(`SELECT id FROM webhooks w WHERE is_active
      AND (next_attempt_at IS NULL OR next_attempt_at <= ?) AND (lease_until IS NULL OR lease_until <= ?)
      AND EXISTS (SELECT 1 FROM events e WHERE e.seq > w.cursor) ORDER BY id LIMIT ?`, [now, now, limit]);
    return rows.map((r) => r.id);
  }

  async insertWebhook(w: WebhookRecord): Promise<void> {
    const d = w.delivery;
    await this.sql.rows(`INSERT INTO webhooks (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      w.id, w.url, w.description, types(w), w.isActive, w.secret, d.cursor, d.failures, d.nextAttemptAt,
      d.lastAttemptAt, d.lastStatus, d.lastError, d.lastDeliveredAt, w.createdAt, w.updatedAt, w.version,
    ]);
  }

  async updateWebhook(w: WebhookRecord): Promise<void> {
    // Re-activating a subscription makes it due now, whatever its backoff said.
    await this.sql.rows(`UPDATE webhooks SET url = ?, description = ?, event_types = ?,
        next_attempt_at = CASE WHEN ?::boolean AND NOT is_active THEN NULL ELSE next_attempt_at END, is_active = ?,
        updated_at = ?, version = ? WHERE id = ?`,
    [w.url, w.description, types(w), w.isActive, w.isActive, w.updatedAt, w.version, w.id]);
  }

  async deleteWebhook(id: string): Promise<void> {
    await this.sql.rows('DELETE FROM webhooks WHERE id = ?', [id]);
  }

  async claimWebhook(id: string, owner: string, now: string, until: string): Promise<WebhookRecord | null> {
    const row = (await this.sql.rows<WebhookRow>(`UPDATE webhooks SET lease_owner = ?, lease_until = ?
      WHERE id = ? AND is_active AND (next_attempt_at IS NULL OR next_attempt_at <= ?) AND (lease_until IS NULL OR lease_until <= ?)
      RETURNING ${COLUMNS}`, [owner, until, id, now, now]))[0];
    return row ? toWebhook(row) : null;
  }

  async saveDelivery(id: string, owner: string, s: DeliveryState, until: string): Promise<boolean> {
    const rows = await this.sql.rows(`UPDATE webhooks SET cursor = ?, failures = ?, next_attempt_at = ?, last_attempt_at = ?,
        last_status = ?, last_error = ?, last_delivered_at = ?, lease_until = ? WHERE id = ? AND lease_owner = ? RETURNING id`,
    [s.cursor, s.failures, s.nextAttemptAt, s.lastAttemptAt, s.lastStatus, s.lastError, s.lastDeliveredAt, until, id, owner]);
    return rows.length === 1;
  }

  async releaseWebhook(id: string, owner: string): Promise<void> {
    await this.sql.rows('UPDATE webhooks SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?', [id, owner]);
  }
}
