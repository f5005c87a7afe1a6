import { DOCS_CSP, DOCS_CSS, DOCS_HTML, DOCS_SCRIPT } from '../docs-page.js';
import { openApiDocument } from '../openapi.js';
import type { Route } from '../route.js';
import { VERSION } from '../version.js';

/**
 * Health, the OpenAPI document and the metrics: open, no token (a Prometheus scraper sends
 * none, and none of them tells anything about the stock). `all` gives the finished route table.
 */
export function metaRoutes(all: () => readonly Route[]): Route[] {
  // Built once per currency: hosts of one process may serve different installations.
  const documents = new Map<string, unknown>();
  return [
    {
      kind: 'raw', method: 'GET', path: '/health', permission: 'public', tag: 'Meta',
      summary: 'Service health: 200 healthy, or 503 unhealthy when the database does not answer',
      run: async (_, ctx) => {
        let healthy = true;
        try {
          await ctx.store.ping();
        } catch {
          healthy = false;
        }
        return {
          status: healthy ? 200 : 503,
          body: { service: 'ims-api', status: healthy ? 'healthy' : 'unhealthy', version: VERSION, timestamp: ctx.now },
        };
      },
    },
    {
      kind: 'raw', method: 'GET', path: '/v1/openapi.json', permission: 'public', tag: 'Meta',
      summary: 'This OpenAPI 3.1 document',
      run: async (_input, ctx) => {
        if (!documents.has(ctx.currency)) documents.set(ctx.currency, openApiDocument(all(), ctx.currency));
        return { status: 200, body: documents.get(ctx.currency) };
      },
    },
    ...docsRoutes(),
    {
      kind: 'raw', method: 'GET', path: '/metrics', permission: 'public', tag: 'Meta',
      summary: 'Prometheus metrics: requests by route and status, latency, postings, commit batch sizes, database errors',
      run: async (_, ctx) => ({ status: 200, body: ctx.metrics.render(), contentType: 'text/plain; version=0.0.4; charset=utf-8' }),
    },
  ];
}

/** The docs page and its two assets, each with the page's Content-Security-Policy. */
function docsRoutes(): Route[] {
  const asset = (path: string, summary: string, body: string, contentType: string): Route => ({
    kind: 'raw', method: 'GET', path, permission: 'public', tag: 'Meta', summary,
    run: async () => ({
      status: 200, body, contentType, headers: { 'content-security-policy': DOCS_CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' },
    }),
  });
  return [
    asset('/docs', 'API documentation: a page that renders /v1/openapi.json (HTML)', DOCS_HTML, 'text/html; charset=utf-8'),
    asset('/docs/docs.js', 'The docs page\'s script', DOCS_SCRIPT, 'text/javascript; charset=utf-8'),
    asset('/docs/docs.css', 'The docs page\'s style sheet', DOCS_CSS, 'text/css; charset=utf-8'),
  ];
}
