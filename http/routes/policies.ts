import type { Route } from '../route.js';

export const policyRoutes: Route[] = [];
