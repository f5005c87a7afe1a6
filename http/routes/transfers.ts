import type { Route } from '../route.js';

export const transferRoutes: Route[] = [];
