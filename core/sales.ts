// Sales orders and shipments. (Filled in by the sales work.)

export interface SalesReader {}

export interface SalesWriter extends SalesReader {}
