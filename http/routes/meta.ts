import { openApiDocument } from '../openapi.js';
import type { Route } from '../route.js';
import { VERSION } from '../version.js';

/** Health and the OpenAPI document: open, no token. `all` gives the finished route table. */
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
  ];
}
