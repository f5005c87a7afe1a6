// Transfers between facilities. (Filled in by the transfers work: see API.md "Transfers".)

export interface TransferReader {}

export interface TransferWriter extends TransferReader {}
