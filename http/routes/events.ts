import { EVENT_TYPES } from '../../core/event.js';
import { listQuery, oneOf } from '../../core/schema.js';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, patchWebhook, webhookInputSchema, webhookPatchSchema } from '../../core/webhook.js';
import type { Route } from '../route.js';

const WEBHOOK = '/v1/webhooks/{webhookId}';

export const eventRoutes: Route[] = [
  {
    kind: 'list', method: 'GET', path: '/v1/events', permission: 'admin:read', tag: 'Events',
    summary: 'The events outbox, oldest first: every posting and document status change after the cursor `after` (a seq)',
    query: listQuery({ after: { type: 'integer', minimum: 0, default: 0 }, type: oneOf(EVENT_TYPES) }),
    run: (r, { query: { limit, offset, after, type } }) => r.events.listEvents({ after, types: type ? [type] : undefined }, { limit, offset }),
  },
  {
    kind: 'list', method: 'GET', path: '/v1/webhooks', permission: 'admin:read', tag: 'Events',
    summary: 'List webhook subscriptions (never their secret)', query: listQuery({}),
    run: (r, { query }) => listWebhooks(r, query as never),
  },
  {
    kind: 'write', method: 'POST', path: '/v1/webhooks', permission: 'admin:write', tag: 'Events', status: 201,
    summary: 'Subscribe a URL to events; the signing secret is in this response only', body: webhookInputSchema,
    run: (tx, { body }, ctx) => createWebhook(tx, body, ctx.now),
    // The secret is shown once; a replay under the same Idempotency-Key answers without it.
    redact: ({ secret: _secret, ...rest }) => ({ ...rest, secret: null }),
  },
  {
    kind: 'read', method: 'GET', path: WEBHOOK, permission: 'admin:read', tag: 'Events',
    summary: 'Get a webhook subscription with its delivery state',
    run: (r, { params }) => getWebhook(r, params.webhookId!),
  },
  {
    kind: 'write', method: 'PATCH', path: WEBHOOK, permission: 'admin:write', tag: 'Events',
    summary: 'Change a webhook subscription (If-Match: version)', body: webhookPatchSchema,
    run: (tx, { params, body }, ctx) => patchWebhook(tx, params.webhookId!, body, ctx.now, ctx.ifMatch),
  },
  {
    kind: 'write', method: 'DELETE', path: WEBHOOK, permission: 'admin:write', tag: 'Events',
    summary: 'Delete a webhook subscription; nothing more is delivered to it',
    run: (tx, { params }) => deleteWebhook(tx, params.webhookId!),
  },
];
