// Suppliers and customers: the parties documents are made with. One record shape for both,
// told apart by `kind`; each kind shows the fields that mean something for it.
import { newId } from './id.js';
import type { Page, PageRequest } from './page.js';
import type { Reader, Writer } from './ports.js';
import { fail, failAt, notFound, ok, type Result } from './result.js';
import { boolean, code, nullable, object, string, type Schema } from './schema.js';

export const PARTY_KINDS = ['supplier', 'customer'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

export interface PartyRecord {
  id: string;
  kind: PartyKind;
  code: string;
  name: string;
  email: string | null;
  phone: string | null;
  currency: string | null;
  leadTimeDays: number | null;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type Supplier = Omit<PartyRecord, 'kind'>;
export type Customer = Omit<PartyRecord, 'kind' | 'currency' | 'leadTimeDays'>;
export type Party = Supplier | Customer;

export interface PartyInput {
  code: string;
  name: string;
  email?: string | null;
  phone?: string | null;
  currency?: string | null;
  leadTimeDays?: number | null;
  isActive?: boolean;
}

export type PartyPatch = Partial<PartyInput>;

export interface PartyFilter {
  q?: string;
  isActive?: boolean;
}

export interface PartyReader {
  getParty(kind: PartyKind, id: string): Promise<PartyRecord | null>;
  findPartyByCode(kind: PartyKind, code: string): Promise<PartyRecord | null>;
  /** By code; `q` is a substring of the code or the name, in any case. */
  listParties(kind: PartyKind, filter: PartyFilter, page: PageRequest): Promise<Page<PartyRecord>>;
}

export interface PartyWriter extends PartyReader {
  insertParty(party: PartyRecord): Promise<void>;
  updateParty(party: PartyRecord): Promise<void>;
}

const contact = { email: nullable(string(3, 254, { pattern: '^[^\\s@\\u0000]+@[^\\s@\\u0000]+$' })), phone: nullable(string(1, 50)) };
const supplierFields: Record<string, Schema> = {
  code,
  name: string(1, 200),
  ...contact,
  currency: nullable(string(3, 3, { pattern: '^[A-Z]{3}$' })),
  leadTimeDays: nullable({ type: 'integer', minimum: 0, maximum: 3650 }),
  isActive: boolean,
};
const customerFields: Record<string, Schema> = { code, name: string(1, 200), ...contact, isActive: boolean };

export const PARTY_SCHEMAS: Record<PartyKind, { input: Schema; patch: Schema }> = {
  supplier: { input: object(supplierFields, ['code', 'name']), patch: { ...object(supplierFields), minProperties: 1 } },
  customer: { input: object(customerFields, ['code', 'name']), patch: { ...object(customerFields), minProperties: 1 } },
};

export function partyView(p: PartyRecord): Party {
  const { kind, ...rest } = p;
  if (kind === 'supplier') return rest;
  const { currency: _currency, leadTimeDays: _lead, ...customer } = rest;
  return customer;
}

export async function createParty(tx: Writer, kind: PartyKind, input: PartyInput, now: string): Promise<Result<Party>> {
  if (await tx.parties.findPartyByCode(kind, input.code)) return failAt('conflict', '/code', `a ${kind} with code ${input.code} already exists`);
  const party: PartyRecord = {
    id: newId(),
    kind,
    code: input.code,
    name: input.name,
    email: input.email ?? null,
    phone: input.phone ?? null,
    currency: input.currency ?? null,
    leadTimeDays: input.leadTimeDays ?? null,
    isActive: input.isActive ?? true,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await tx.parties.insertParty(party);
  return ok(partyView(party));
}

export async function updateParty(
  tx: Writer, kind: PartyKind, id: string, patch: PartyPatch, now: string, ifMatch?: number,
): Promise<Result<Party>> {
  const current = await tx.parties.getParty(kind, id);
  if (!current) return notFound(kind);
  if (ifMatch !== undefined && ifMatch !== current.version) return fail('conflict', `${kind} is at version ${current.version}, not ${ifMatch}`);
  if (patch.code !== undefined && patch.code !== current.code && (await tx.parties.findPartyByCode(kind, patch.code))) {
    return failAt('conflict', '/code', `a ${kind} with code ${patch.code} already exists`);
  }
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const next: PartyRecord = { ...current, ...defined, updatedAt: now, version: current.version + 1 };
  await tx.parties.updateParty(next);
  return ok(partyView(next));
}

export async function getParty(r: Reader, kind: PartyKind, id: string): Promise<Result<Party>> {
  const p = await r.parties.getParty(kind, id);
  return p ? ok(partyView(p)) : notFound(kind);
}
