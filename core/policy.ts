// Reorder policies and replenishment. (Filled in by the replenishment work: see API.md.)

export interface PolicyReader {}

export interface PolicyWriter extends PolicyReader {}
