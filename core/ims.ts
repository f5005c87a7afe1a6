// The core's API for embedders: every command validated against the same JSON Schema the
// HTTP host uses and run as one atomic write; every query reads committed state. Results are
// values: `{ ok: true, value }` or `{ ok: false, code, message, details }`.
import type { EventType } from './event.js';
import { adjustmentInputSchema, postAdjustment, type AdjustmentInput } from './adjustment.js';
import { listAvailability, listBalances, type AvailabilityGrouping } from './balance.js';
import { nowIso } from './clock.js';
import { runCommand } from './command.js';
import { createFacility, facilityInputSchema, type FacilityFilter, type FacilityInput } from './facility.js';
import { createItem, itemInputSchema, itemPatchSchema, updateItem, type ItemFilter, type ItemInput, type ItemPatch } from './item.js';
import type { AvailabilityFilter, BalanceFilter, TransactionFilter } from './ledger.js';
import { createLocation, locationInputSchema, type LocationFilter, type LocationInput } from './location.js';
import { moveInputSchema, postMove, type MoveInput } from './move.js';
import { pageRequest, type PageRequest } from './page.js';
import type { Store, Writer } from './ports.js';
import { notFound, ok, type Result } from './result.js';
import { reversalInputSchema, reverseTransaction, type ReversalInput } from './reversal.js';
import {
  cancelSalesOrder, createSalesOrder, getSalesOrder, listSalesOrders, openSalesOrder, patchSalesOrder, salesOrderInputSchema,
  salesOrderPatchSchema, salesShipInputSchema, shipSalesOrder, type SalesOrderInput, type SalesOrderPatch, type SalesShipInput,
} from './sales-order.js';
import type { SalesOrderFilter } from './sales.js';
import {
  allocateInputSchema, allocateReservation, createReservation, endReservation, fulfillInputSchema, fulfillReservation,
  patchReservation, reservationInputSchema, reservationPatchSchema, reservationView,
  type AllocateInput, type AllocationFilter, type FulfillInput, type ReservationFilter, type ReservationInput, type ReservationPatch,
} from './reservation.js';
import type { Actor } from './document.js';
import {
  createParty, getParty, partyView, PARTY_SCHEMAS, updateParty, type PartyFilter, type PartyInput, type PartyKind, type PartyPatch,
} from './party.js';
import type { Schema } from './schema.js';
import {
  cancelCountSession, createCountSession, getCountSession, listCountSessions, postCountSession, recordCounts,
} from './count-session.js';
import { countInputSchema, countSessionInputSchema, type CountInput, type CountSessionFilter, type CountSessionInput } from './count.js';
import {
  createPolicy, patchPolicy, policyInputSchema, policyPatchSchema, policyView, type PolicyFilter, type PolicyInput, type PolicyPatch,
} from './policy.js';
import { listReplenishment } from './replenishment.js';
import {
  approvePurchaseOrder, cancelPurchaseOrder, createPurchaseOrder, getPurchaseOrder, listPurchaseOrders, patchPurchaseOrder,
  purchaseOrderInputSchema, purchaseOrderPatchSchema, sendPurchaseOrder, submitPurchaseOrder, type PurchaseOrderInput, type PurchaseOrderPatch,
} from './purchase-order.js';
import type { PurchaseOrderFilter, RequisitionFilter } from './purchasing.js';
import { listReceipts, receiptInputSchema, receivePurchaseOrder, type ReceiptInput } from './receipt.js';
import {
  approveRequisition, cancelRequisition, convertRequisition, createRequisition, getRequisition, listRequisitions, patchRequisition,
  rejectRequisition, replenishmentRequisitionSchema, requisitionInputSchema, requisitionPatchSchema, requisitionsFromReplenishment,
  submitRequisition, type ReplenishmentRequisitionInput, type RequisitionInput, type RequisitionPatch,
} from './requisition.js';
import {
  activateBom, bomInputSchema, bomPatchSchema, createBom, explodeBom, explosionQuerySchema, getBom, listBoms, patchBom,
  type BomFilter, type BomInput, type BomPatch, type ExplosionQuery,
} from './bom.js';
import {
  cancelWorkOrder, completeInputSchema, completeWorkOrder, createWorkOrder, getProductionLot, getWorkOrder, listWorkOrders,
  releaseWorkOrder, workOrderInputSchema, type CompleteInput, type WorkOrderFilter, type WorkOrderInput,
} from './work-order.js';
import {
  cancelTransfer, createTransfer, getTransfer, listTransfers, receiveInputSchema, receiveTransfer, releaseTransfer, shipInputSchema,
  shipTransfer, transferInputSchema, type ReceiveInput, type ShipInput, type TransferFilter, type TransferInput,
} from './transfer.js';
import { createToken, publicToken, revokeToken, tokenInputSchema, type TokenInput } from './token.js';
import { getTransaction, listTransactions } from './transaction.js';
import { createUom, uomInputSchema, type UomInput } from './uom.js';
import { validator } from './validate.js';
import { verifyBalances } from './verify.js';
import { assert } from './assert.js';
import { DEFAULT_CURRENCY, isCurrencyCode } from './money.js';
import { listStockValue, type StockValueFilter } from './stock-value.js';

const orNotFound = <T>(what: string) => (value: T | null): Result<T> => (value ? ok(value) : notFound(what));

export interface ImsOptions {
  /** The clock (tests pin it). */
  now?: () => string;
  /** Who makes the changes, for document histories: e.g. the embedding app's user. */
  actor?: string;
  /** The one currency every money amount is in (ISO 4217); USD when not given. */
  currency?: string;
}

export class Ims {
  private readonly now: () => string;
  /** Recorded as `by` in the status history of the documents this instance changes. */
  private readonly actor: Actor | null;
  /** Every money amount's currency. */
  readonly currency: string;

  constructor(readonly store: Store, options: ImsOptions = {}) {
    this.now = options.now ?? nowIso;
    this.currency = options.currency ?? DEFAULT_CURRENCY;
    assert(isCurrencyCode(this.currency), `currency ${this.currency} is an ISO 4217 code`);
    this.actor = options.actor ? { tokenId: null, name: options.actor } : null;
  }

  /** A validated command run in its own write unit. */
  private command<I, T>(schema: Schema, run: (tx: Writer, input: I, now: string) => Promise<Result<T>>) {
    const validate = validator<I>(schema);
    return (input: I): Promise<Result<T>> => {
      const checked = validate(structuredClone(input));
      if (!checked.ok) return Promise.resolve(checked);
      return runCommand(this.store, (tx) => run(tx, checked.value, this.now()));
    };
  }

  private page(p?: Partial<PageRequest>): PageRequest {
    return pageRequest(p?.limit, p?.offset);
  }

  readonly uoms = {
    create: this.command<UomInput, unknown>(uomInputSchema, createUom),
    get: (id: string) => this.store.read.catalog.getUom(id).then(orNotFound('UOM')),
    list: (p?: Partial<PageRequest>) => this.store.read.catalog.listUoms(this.page(p)),
  };

  readonly items = {
    create: this.command<ItemInput, unknown>(itemInputSchema, createItem),
    update: (id: string, patch: ItemPatch, ifMatch?: number) =>
      this.command<ItemPatch, unknown>(itemPatchSchema, (tx, input, now) => updateItem(tx, id, input, now, ifMatch))(patch),
    get: (id: string) => this.store.read.catalog.getItem(id).then(orNotFound('item')),
    list: (filter: ItemFilter = {}, p?: Partial<PageRequest>) => this.store.read.catalog.listItems(filter, this.page(p)),
  };

  readonly facilities = {
    create: this.command<FacilityInput, unknown>(facilityInputSchema, createFacility),
    get: (id: string) => this.store.read.facilities.getFacility(id).then(orNotFound('facility')),
    list: (filter: FacilityFilter = {}, p?: Partial<PageRequest>) => this.store.read.facilities.listFacilities(filter, this.page(p)),
  };

  readonly locations = {
    create: (facilityId: string, input: LocationInput) =>
      this.command<LocationInput, unknown>(locationInputSchema, (tx, i, now) => createLocation(tx, facilityId, i, now))(input),
    get: (id: string) => this.store.read.facilities.getLocation(id).then(orNotFound('location')),
    list: (facilityId: string, filter: LocationFilter = {}, p?: Partial<PageRequest>) =>
      this.store.read.facilities.listLocations(facilityId, filter, this.page(p)),
  };

  readonly inventory = {
    adjust: this.command<AdjustmentInput, unknown>(adjustmentInputSchema, postAdjustment),
    move: this.command<MoveInput, unknown>(moveInputSchema, postMove),
    reverse: (transactionId: string, input: ReversalInput = {}) =>
      this.command<ReversalInput, unknown>(reversalInputSchema, (tx, i, now) => reverseTransaction(tx, transactionId, i, now))(input),
    statuses: () => this.store.read.facilities.listStatuses(),
    transaction: (id: string) => getTransaction(this.store.read, id),
    transactions: (filter: TransactionFilter = {}, p?: Partial<PageRequest>) => listTransactions(this.store.read, filter, this.page(p)),
    balances: (filter: BalanceFilter = {}, p?: Partial<PageRequest>) => listBalances(this.store.read, filter, this.page(p)),
    /** Stock value per item and facility (or per item, or per facility), now or as of an instant. */
    valuation: (filter: StockValueFilter = {}, p?: Partial<PageRequest>) => listStockValue(this.store.read, filter, this.page(p), this.currency),
    availability: (filter: AvailabilityFilter = {}, groupBy: AvailabilityGrouping = 'location', p?: Partial<PageRequest>) =>
      listAvailability(this.store.read, filter, groupBy, this.page(p), this.now()),
    verify: () => verifyBalances(this.store.read),
  };

  readonly reservations = {
    create: this.command<ReservationInput, unknown>(reservationInputSchema, createReservation),
    update: (id: string, patch: ReservationPatch, ifMatch?: number) =>
      this.command<ReservationPatch, unknown>(reservationPatchSchema, (tx, input, now) => patchReservation(tx, id, input, now, ifMatch))(patch),
    allocate: (id: string, input: AllocateInput = {}) =>
      this.command<AllocateInput, unknown>(allocateInputSchema, (tx, i, now) => allocateReservation(tx, id, i, now))(input),
    fulfill: (id: string, input: FulfillInput = {}) =>
      this.command<FulfillInput, unknown>(fulfillInputSchema, (tx, i, now) => fulfillReservation(tx, id, i, now))(input),
    release: (id: string) => runCommand(this.store, (tx) => endReservation(tx, id, 'release', this.now())),
    cancel: (id: string) => runCommand(this.store, (tx) => endReservation(tx, id, 'cancel', this.now())),
    get: async (id: string) => {
      const r = await this.store.read.reservations.getReservation(id);
      return r ? ok(reservationView(r, this.now())) : notFound('reservation');
    },
    list: async (filter: ReservationFilter = {}, p?: Partial<PageRequest>) => {
      const now = this.now();
      const page = await this.store.read.reservations.listReservations(filter, this.page(p), now);
      return { items: page.items.map((r) => reservationView(r, now)), total: page.total };
    },
    allocations: (filter: AllocationFilter = {}, p?: Partial<PageRequest>) =>
      this.store.read.reservations.listAllocations(filter, this.page(p), this.now()),
  };

  readonly transfers = {
    create: this.command<TransferInput, unknown>(transferInputSchema, (tx, i, now) => createTransfer(tx, i, now, this.actor)),
    release: (id: string) => runCommand(this.store, (tx) => releaseTransfer(tx, id, this.now(), this.actor)),
    ship: (id: string, input: ShipInput) =>
      this.command<ShipInput, unknown>(shipInputSchema, (tx, i, now) => shipTransfer(tx, id, i, now, this.actor))(input),
    receive: (id: string, input: ReceiveInput) =>
      this.command<ReceiveInput, unknown>(receiveInputSchema, (tx, i, now) => receiveTransfer(tx, id, i, now, this.actor))(input),
    cancel: (id: string) => runCommand(this.store, (tx) => cancelTransfer(tx, id, this.now(), this.actor)),
    get: (id: string) => getTransfer(this.store.read, id),
    list: (filter: TransferFilter = {}, p?: Partial<PageRequest>) => listTransfers(this.store.read, filter, this.page(p)),
  };

  readonly counts = {
    create: this.command<CountSessionInput, unknown>(countSessionInputSchema, (tx, i, now) => createCountSession(tx, i, now, this.actor)),
    record: (id: string, input: CountInput) =>
      this.command<CountInput, unknown>(countInputSchema, (tx, i, now) => recordCounts(tx, id, i, now))(input),
    post: (id: string) => runCommand(this.store, (tx) => postCountSession(tx, id, this.now(), this.actor)),
    cancel: (id: string) => runCommand(this.store, (tx) => cancelCountSession(tx, id, this.now(), this.actor)),
    get: (id: string) => getCountSession(this.store.read, id),
    list: (filter: CountSessionFilter = {}, p?: Partial<PageRequest>) => listCountSessions(this.store.read, filter, this.page(p)),
  };

  readonly policies = {
    create: this.command<PolicyInput, unknown>(policyInputSchema, createPolicy),
    update: (id: string, patch: PolicyPatch, ifMatch?: number) =>
      this.command<PolicyPatch, unknown>(policyPatchSchema, (tx, input, now) => patchPolicy(tx, id, input, now, ifMatch))(patch),
    get: async (id: string) => {
      const found = await this.store.read.policies.getPolicy(id);
      return found ? ok(policyView(found)) : notFound('reorder policy');
    },
    list: async (filter: PolicyFilter = {}, p?: Partial<PageRequest>) => {
      const page = await this.store.read.policies.listPolicies(filter, this.page(p));
      return { items: page.items.map(policyView), total: page.total };
    },
    replenishment: (filter: { facilityId?: string } = {}, p?: Partial<PageRequest>) =>
      listReplenishment(this.store.read, filter, this.page(p), this.now()),
  };

  private parties(kind: PartyKind) {
    return {
      create: this.command<PartyInput, unknown>(PARTY_SCHEMAS[kind].input, (tx, i, now) => createParty(tx, kind, i, now)),
      update: (id: string, patch: PartyPatch, ifMatch?: number) =>
        this.command<PartyPatch, unknown>(PARTY_SCHEMAS[kind].patch, (tx, i, now) => updateParty(tx, kind, id, i, now, ifMatch))(patch),
      get: (id: string) => getParty(this.store.read, kind, id),
      list: async (filter: PartyFilter = {}, p?: Partial<PageRequest>) => {
        const page = await this.store.read.parties.listParties(kind, filter, this.page(p));
        return { items: page.items.map(partyView), total: page.total };
      },
    };
  }

  readonly suppliers = this.parties('supplier');
  readonly customers = this.parties('customer');

  readonly requisitions = {
    create: this.command<RequisitionInput, unknown>(requisitionInputSchema, (tx, i, now) => createRequisition(tx, i, now, this.actor)),
    update: (id: string, patch: RequisitionPatch, ifMatch?: number) =>
      this.command<RequisitionPatch, unknown>(requisitionPatchSchema, (tx, i, now) => patchRequisition(tx, id, i, now, ifMatch))(patch),
    submit: (id: string) => runCommand(this.store, (tx) => submitRequisition(tx, id, this.now(), this.actor)),
    approve: (id: string) => runCommand(this.store, (tx) => approveRequisition(tx, id, this.now(), this.actor)),
    reject: (id: string) => runCommand(this.store, (tx) => rejectRequisition(tx, id, this.now(), this.actor)),
    cancel: (id: string) => runCommand(this.store, (tx) => cancelRequisition(tx, id, this.now(), this.actor)),
    /** Draft purchase orders, one per supplier; the requisition becomes ordered. */
    convert: (id: string) => runCommand(this.store, (tx) => convertRequisition(tx, id, this.now(), this.actor)),
    /** Draft requisitions from the current replenishment suggestions, one per facility. */
    fromReplenishment: (input: ReplenishmentRequisitionInput = {}) =>
      this.command<ReplenishmentRequisitionInput, unknown>(replenishmentRequisitionSchema, (tx, i, now) => requisitionsFromReplenishment(tx, i, now, this.actor))(input),
    get: (id: string) => getRequisition(this.store.read, id),
    list: (filter: RequisitionFilter = {}, p?: Partial<PageRequest>) => listRequisitions(this.store.read, filter, this.page(p)),
  };

  readonly purchaseOrders = {
    create: this.command<PurchaseOrderInput, unknown>(purchaseOrderInputSchema, (tx, i, now) => createPurchaseOrder(tx, i, now, this.actor)),
    update: (id: string, patch: PurchaseOrderPatch, ifMatch?: number) =>
      this.command<PurchaseOrderPatch, unknown>(purchaseOrderPatchSchema, (tx, i, now) => patchPurchaseOrder(tx, id, i, now, ifMatch))(patch),
    submit: (id: string) => runCommand(this.store, (tx) => submitPurchaseOrder(tx, id, this.now(), this.actor)),
    approve: (id: string) => runCommand(this.store, (tx) => approvePurchaseOrder(tx, id, this.now(), this.actor)),
    send: (id: string) => runCommand(this.store, (tx) => sendPurchaseOrder(tx, id, this.now(), this.actor)),
    cancel: (id: string) => runCommand(this.store, (tx) => cancelPurchaseOrder(tx, id, this.now(), this.actor)),
    /** Records a goods receipt: one `receipt` transaction referencing the order. */
    receive: (id: string, input: ReceiptInput) =>
      this.command<ReceiptInput, unknown>(receiptInputSchema, (tx, i, now) => receivePurchaseOrder(tx, id, i, now, this.actor))(input),
    receipts: (id: string, p?: Partial<PageRequest>) => listReceipts(this.store.read, id, this.page(p)),
    get: (id: string) => getPurchaseOrder(this.store.read, id),
    list: (filter: PurchaseOrderFilter = {}, p?: Partial<PageRequest>) => listPurchaseOrders(this.store.read, filter, this.page(p)),
  };

  readonly salesOrders = {
    create: this.command<SalesOrderInput, unknown>(salesOrderInputSchema, (tx, i, now) => createSalesOrder(tx, i, now, this.actor)),
    update: (id: string, patch: SalesOrderPatch, ifMatch?: number) =>
      this.command<SalesOrderPatch, unknown>(salesOrderPatchSchema, (tx, i, now) => patchSalesOrder(tx, id, i, now, ifMatch))(patch),
    open: (id: string) => runCommand(this.store, (tx) => openSalesOrder(tx, id, this.now(), this.actor)),
    ship: (id: string, input: SalesShipInput) =>
      this.command<SalesShipInput, unknown>(salesShipInputSchema, (tx, i, now) => shipSalesOrder(tx, id, i, now, this.actor))(input),
    cancel: (id: string) => runCommand(this.store, (tx) => cancelSalesOrder(tx, id, this.now(), this.actor)),
    get: (id: string) => getSalesOrder(this.store.read, id),
    list: (filter: SalesOrderFilter = {}, p?: Partial<PageRequest>) => listSalesOrders(this.store.read, filter, this.page(p)),
  };

  readonly production = {
    boms: {
      create: this.command<BomInput, unknown>(bomInputSchema, (tx, i, now) => createBom(tx, i, now, this.actor)),
      /** `ifMatch` is the BOM's revision (its `version` is the version number). */
      update: (id: string, patch: BomPatch, ifMatch?: number) =>
        this.command<BomPatch, unknown>(bomPatchSchema, (tx, input, now) => patchBom(tx, id, input, now, ifMatch))(patch),
      activate: (id: string) => runCommand(this.store, (tx) => activateBom(tx, id, this.now(), this.actor)),
      get: (id: string) => getBom(this.store.read, id),
      list: (filter: BomFilter = {}, p?: Partial<PageRequest>) => listBoms(this.store.read, filter, this.page(p)),
      explode: (id: string, query: ExplosionQuery = {}) => {
        const checked = validator<ExplosionQuery>(explosionQuerySchema)(structuredClone(query));
        return checked.ok ? explodeBom(this.store.read, id, checked.value, this.now()) : Promise.resolve(checked);
      },
    },
    workOrders: {
      create: this.command<WorkOrderInput, unknown>(workOrderInputSchema, (tx, i, now) => createWorkOrder(tx, i, now, this.actor)),
      release: (id: string) => runCommand(this.store, (tx) => releaseWorkOrder(tx, id, this.now(), this.actor)),
      complete: (id: string, input: CompleteInput = {}) =>
        this.command<CompleteInput, unknown>(completeInputSchema, (tx, i, now) => completeWorkOrder(tx, id, i, now, this.actor))(input),
      cancel: (id: string) => runCommand(this.store, (tx) => cancelWorkOrder(tx, id, this.now(), this.actor)),
      get: (id: string) => getWorkOrder(this.store.read, id),
      list: (filter: WorkOrderFilter = {}, p?: Partial<PageRequest>) => listWorkOrders(this.store.read, filter, this.page(p)),
    },
    /** A lot and the work order and BOM version that produced it. */
    lot: (lotId: string) => getProductionLot(this.store.read, lotId),
  };

  readonly tokens = {
    create: this.command<TokenInput, unknown>(tokenInputSchema, createToken),
    revoke: (id: string) => runCommand(this.store, (tx) => revokeToken(tx, id, this.now())),
    list: async (p?: Partial<PageRequest>) => {
      const page = await this.store.read.tokens.listTokens(this.page(p));
      return { items: page.items.map(publicToken), total: page.total };
    },
  };

  /** The events outbox, oldest first after `after` (a seq; 0 for the first): the same feed as GET /v1/events. */
  readonly events = {
    list: (filter: { after?: number; types?: readonly EventType[] } = {}, p?: Partial<PageRequest>) =>
      this.store.read.events.listEvents({ after: filter.after ?? 0, types: filter.types }, this.page(p)),
  };

  close(): Promise<void> {
    return this.store.close();
  }
}
