// Webhook subscriptions on SQLite. The lease columns let one delivery worker at a time work
// on a subscription; with one process per database file that is always this one, but the
// same rule as on PostgreSQL keeps the worker's code the same.
import type { Page, PageRequest } from '../../core/page.js';
import type { DeliveryState, WebhookRecord, WebhookWriter } from '../../core/webhook.js';
import type { Statements } from './database.js';
import { page } from './sql.js';

interface WebhookRow {
  id: string;
  url: string;
  description: string | null;
  event_types: string | null;
  is_active: number;
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

const WEBHOOK = `SELECT id, url, description, event_types, is_active, secret, cursor, failures, next_attempt_at,
  last_attempt_at, last_status, last_error, last_delivered_at, created_at, updated_at, version`;

const toWebhook = (r: WebhookRow): WebhookRecord => ({
  id: r.id,
  url: r.url,
  description: r.description,
  eventTypes: r.event_types === null ? null : JSON.parse(r.event_types),
  isActive: r.is_active === 1,
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

export class SqliteWebhooks implements WebhookWriter {
  constructor(private readonly sql: Statements) {}

  async getWebhook(id: string): Promise<WebhookRecord | null> {
    const row = this.sql.get(`${WEBHOOK} FROM webhooks WHERE id = ?`).get(id) as WebhookRow | undefined;
    return row ? toWebhook(row) : null;
  }

  async listWebhooks(p: PageRequest): Promise<Page<WebhookRecord>> {
    const r = await page<WebhookRow>(this.sql, WEBHOOK, 'FROM webhooks', '', [], 'created_at, id', p);
    return { items: r.items.map(toWebhook), total: r.total };
  }

  async dueWebhooks(now: string, limit: number): Promise<string[]> {
    return this.sql.get(`SELECT id FROM webhooks w WHERE is_active = 1 AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
      AND (lease_until IS NULL OR lease_until <= ?) AND EXISTS (SELECT 1 FROM events e WHERE e.seq > w.cursor)
      ORDER BY id LIMIT ?`).values(now, now, limit) as string[];
  }

  async insertWebhook(w: WebhookRecord): Promise<void> {
    const d = w.delivery;
    this.sql.get(`INSERT INTO webhooks (id, url, description, event_types, is_active, secret, cursor, failures, next_attempt_at,
        last_attempt_at, last_status, last_error, last_delivered_at, created_at, updated_at, version)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      w.id, w.url, w.description, types(w), w.isActive ? 1 : 0, w.secret, d.cursor, d.failures, d.nextAttemptAt,
      d.lastAttemptAt, d.lastStatus, d.lastError, d.lastDeliveredAt, w.createdAt, w.updatedAt, w.version,
    );
  }

  async updateWebhook(w: WebhookRecord): Promise<void> {
    // Re-activating a subscription makes it due now, whatever its backoff said.
    this.sql.get(`UPDATE webhooks SET url = ?, description = ?, event_types = ?,
        next_attempt_at = CASE WHEN ? = 1 AND is_active = 0 THEN NULL ELSE next_attempt_at END, is_active = ?,
        updated_at = ?, version = ? WHERE id = ?`)
      .run(w.url, w.description, types(w), w.isActive ? 1 : 0, w.isActive ? 1 : 0, w.updatedAt, w.version, w.id);
  }

  async deleteWebhook(id: string): Promise<void> {
    this.sql.get('DELETE FROM webhooks WHERE id = ?').run(id);
  }

  async claimWebhook(id: string, owner: string, now: string, until: string): Promise<WebhookRecord | null> {
    const row = this.sql.get(`UPDATE webhooks SET lease_owner = ?, lease_until = ?
      WHERE id = ? AND is_active = 1 AND (next_attempt_at IS NULL OR next_attempt_at <= ?) AND (lease_until IS NULL OR lease_until <= ?)
      RETURNING id, url, description, event_types, is_active, secret, cursor, failures, next_attempt_at, last_attempt_at,
        last_status, last_error, last_delivered_at, created_at, updated_at, version`).get(owner, until, id, now, now) as WebhookRow | undefined;
    return row ? toWebhook(row) : null;
  }

  async saveDelivery(id: string, owner: string, s: DeliveryState, until: string): Promise<boolean> {
    const r = this.sql.get(`UPDATE webhooks SET cursor = ?, failures = ?, next_attempt_at = ?, last_attempt_at = ?, last_status = ?,
        last_error = ?, last_delivered_at = ?, lease_until = ? WHERE id = ? AND lease_owner = ?`)
      .run(s.cursor, s.failures, s.nextAttemptAt, s.lastAttemptAt, s.lastStatus, s.lastError, s.lastDeliveredAt, until, id, owner);
    return r.changes === 1;
  }

  async releaseWebhook(id: string, owner: string): Promise<void> {
    this.sql.get('UPDATE webhooks SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?').run(id, owner);
  }
}
