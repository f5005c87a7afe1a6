import { openApiDocument } from '../openapi.js';
import type { Route } from '../route.js';
import { VERSION } from '../version.js';

/**
 * Health, the OpenAPI document and the metrics: open, no token (a Prometheus scraper sends
 * none, and none of them tells anything about the stock). `all` gives the finished route table.
 */
export function metaRoutes(all: () => readonly Route[]): Route[] {
  let document: unknown = null;
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
      run: async () => ({ status: 200, body: (document ??= openApiDocument(all())) }),
    },
    {
      kind: 'raw', method: 'GET', path: '/metrics', permission: 'public', tag: 'Meta',
      summary: 'Prometheus metrics: requests by route and status, latency, postings, commit batch sizes, database errors',
      run: async (_, ctx) => ({ status: 200, body: ctx.metrics.render(), contentType: 'text/plain; version=0.0.4; charset=utf-8' }),
    },
  ];
}
