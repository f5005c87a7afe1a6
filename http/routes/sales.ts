import type { Route } from '../route.js';

export const salesRoutes: Route[] = [];
