// Everything an embedder may import from the core.
export * from './result.js';
export * from './quantity.js';
export * from './ports.js';
export * from './page.js';
export type * from './ledger.js';
export { TRANSACTION_TYPES } from './ledger.js';
export type { Item, ItemInput, ItemPatch, ItemFilter, Identifier, UomConversion } from './item.js';
export type { Uom, UomInput } from './uom.js';
export type { Facility, FacilityInput, FacilityFilter } from './facility.js';
export type { Location, LocationInput, LocationFilter } from './location.js';
export type { StockStatus } from './status.js';
export type { ApiToken, TokenInput } from './token.js';
export type { AdjustmentInput } from './adjustment.js';
export type { MoveInput } from './move.js';
export type { ReversalInput } from './reversal.js';
export type { Drift } from './verify.js';
export { decidePosting, post, type PostingRequest, type PostingLine, type PostingSnapshot } from './posting.js';
export { Ims } from './ims.js';
