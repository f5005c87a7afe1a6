import { createToken, publicToken, revokeToken, tokenInputSchema } from '../../core/token.js';
import { listQuery } from '../../core/schema.js';
import type { Route } from '../route.js';

export const authRoutes: Route[] = [
  {
    kind: 'list', method: 'GET', path: '/v1/auth/tokens', permission: 'admin:read', tag: 'Auth',
    summary: 'List API tokens (never their secret)', query: listQuery({}),
    run: async (r, { query }) => {
      const page = await r.tokens.listTokens(query as never);
      return { items: page.items.map(publicToken), total: page.total };
    },
  },
  {
    kind: 'write', method: 'POST', path: '/v1/auth/tokens', permission: 'admin:write', tag: 'Auth', status: 201,
    summary: 'Create an API token; the clear token is in this response only', body: tokenInputSchema,
    run: (tx, { body }, ctx) => createToken(tx, body, ctx.now),
    // The clear token is shown once; a replay under the same Idempotency-Key answers without it.
    redact: ({ token: _secret, ...rest }) => ({ ...rest, token: null }),
  },
  {
    kind: 'write', method: 'DELETE', path: '/v1/auth/tokens/{tokenId}', permission: 'admin:write', tag: 'Auth',
    summary: 'Revoke an API token',
    run: (tx, { params }, ctx) => revokeToken(tx, params.tokenId!, ctx.now),
  },
];

