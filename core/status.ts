// Stock statuses. Stock in a status that counts as available can be reserved and shipped;
// quarantined or damaged stock stays on hand but is not available. The ids are the codes,
// so a client can write `"statusId": "quarantine"` without looking anything up.

export interface StockStatus {
  id: string;
  name: string;
  isAvailable: boolean;
}

export const AVAILABLE = 'available';

export const SEEDED_STATUSES: readonly StockStatus[] = [
  { id: AVAILABLE, name: 'Available', isAvailable: true },
  { id: 'quarantine', name: 'Quarantine', isAvailable: false },
  { id: 'damaged', name: 'Damaged', isAvailable: false },
];
