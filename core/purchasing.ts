// Purchasing: requisitions, purchase orders and receipts. (Filled in by the procurement work.)

export interface PurchasingReader {}

export interface PurchasingWriter extends PurchasingReader {}
