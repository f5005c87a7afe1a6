// Examples for the OpenAPI document, made from the schemas themselves, so there is one for
// every request body and every answer and none can disagree with its schema (the OpenAPI test
// validates each against its schema). Values come, in order, from the schema's own `examples`,
// `default`, `const` or first `enum` value, a realistic value for a well-known field name, or
// the smallest value of the type that meets the schema's bounds.
import type { Schema } from '../core/schema.js';

const FIXED_ID = '0190f2a4-8c1e-7b3d-9a52-4e6f1c2d3b4a';

/** Values a reader recognises, for fields whose names say what they hold. */
const BY_NAME: Record<string, unknown> = {
  code: 'WH1', itemNo: 'TBL-NOTE-08', name: 'Notebook A5', description: 'A5, 80 sheets, lined', currency: 'EUR',
  email: 'orders@example.com', phone: '+49 30 1234567', lotNo: 'L-2026-11', serialNos: ['SN-0001'], reason: 'opening stock',
  notes: 'Deliver to dock 2', path: 'A/01', poNo: 'PO-000001', orderNo: 'SO-000001', transferNo: 'TR-000001', sessionNo: 'CC-000001',
  requisitionNo: 'RQ-000001', workOrderNo: 'WO-000001', statusId: 'available', token: 'ims_3q2x...shown-once', value: '4006381333931',
  service: 'ims-api', version: 1, url: 'https://erp.example.com/hooks/ims', qty: 10, qtyDelta: 10, unitPrice: 1.25, factor: 12, decimals: 0,
};

function resolve(schema: Schema, components: Record<string, Schema>): Schema {
  const ref = schema.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
    return components[ref.slice('#/components/schemas/'.length)] ?? schema;
  }
  return schema;
}

function typeOf(schema: Schema): string | undefined {
  const t = schema.type;
  return Array.isArray(t) ? (t.find((x) => x !== 'null') as string | undefined) : (t as string | undefined);
}

function matches(schema: Schema, value: unknown): boolean {
  if (typeof value !== 'string') return true;
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) return false;
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) return false;
  if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return false;
  return !(Array.isArray(schema.enum) && !schema.enum.includes(value));
}

function number(schema: Schema, integer: boolean, hint: unknown): number {
  const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 0;
  const max = typeof schema.maximum === 'number' ? schema.maximum : Infinity;
  const candidate = typeof hint === 'number' ? hint : integer ? Math.max(min, 1) : Math.max(min, 10);
  return Math.min(Math.max(candidate, min), max);
}

/** An example value that `schema` accepts; `name` is the field's name, for a realistic value. */
export function exampleOf(schema: Schema, components: Record<string, Schema>, name = '', depth = 0): unknown {
  schema = resolve(schema, components);
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (branches) {
    const first = branches.find((b) => typeOf(resolve(b, components)) !== 'null') ?? branches[0]!;
    return exampleOf(first, components, name, depth);
  }
  const hint = BY_NAME[name];
  switch (typeOf(schema)) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      // A patch requires nothing but at least one field: it shows the first.
      const wanted = Object.keys(props).filter((k, i) => required.has(k) || (required.size === 0 && i === 0 && schema.minProperties));
      return Object.fromEntries(wanted.map((k) => [k, exampleOf(props[k]!, components, k, depth + 1)]));
    }
    case 'array': {
      if (hint !== undefined && Array.isArray(hint)) return hint;
      // Recursive records (a BOM explosion's tree) stop nesting after a few levels.
      if (depth > 5) return [];
      const n = Math.max(1, (schema.minItems as number | undefined) ?? 1);
      const item = exampleOf((schema.items ?? {}) as Schema, components, name, depth + 1);
      return Array.from({ length: n }, () => item);
    }
    case 'string': {
      if (schema.format === 'uuid') return FIXED_ID;
      if (schema.format === 'date') return '2026-11-30';
      if (schema.format === 'date-time') return '2026-11-26T10:00:00.000Z';
      if (typeof hint === 'string' && matches(schema, hint)) return hint;
      for (const candidate of ['A-1', 'example', 'EXAMPLE']) if (matches(schema, candidate)) return candidate;
      return 'x'.repeat(Math.max(1, (schema.minLength as number | undefined) ?? 1));
    }
    case 'integer':
      return number(schema, true, hint);
    case 'number':
      return number(schema, false, hint);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return {};
  }
}
