import type { Route } from '../route.js';

export const productionRoutes: Route[] = [];
