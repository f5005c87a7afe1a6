import type { Route } from '../route.js';

export const countRoutes: Route[] = [];
