import type { Route } from '../route.js';

export const purchasingRoutes: Route[] = [];
