// Cycle counts. (Filled in by the cycle-count work: see API.md "Cycle counts".)

export interface CountReader {}

export interface CountWriter extends CountReader {}
