import type { Route } from '../route.js';
import { authRoutes } from './auth.js';
import { catalogRoutes } from './catalog.js';
import { eventRoutes } from './events.js';
import { facilityRoutes } from './facilities.js';
import { inventoryRoutes } from './inventory.js';
import { metaRoutes } from './meta.js';
import { countRoutes } from './counts.js';
import { customerRoutes, supplierRoutes } from './parties.js';
import { policyRoutes } from './policies.js';
import { purchasingRoutes } from './purchasing.js';
import { salesRoutes } from './sales.js';
import { productionRoutes } from './production.js';
import { reservationRoutes } from './reservations.js';
import { transferRoutes } from './transfers.js';

/** The route table: the router, the permission checks and the OpenAPI document all read it. */
export const routes: readonly Route[] = [
  ...metaRoutes(() => routes),
  ...catalogRoutes,
  ...facilityRoutes,
  ...inventoryRoutes,
  ...reservationRoutes,
  ...transferRoutes,
  ...countRoutes,
  ...policyRoutes,
  ...productionRoutes,
  ...supplierRoutes,
  ...customerRoutes,
  ...purchasingRoutes,
  ...salesRoutes,
  ...authRoutes,
  ...eventRoutes,
];
