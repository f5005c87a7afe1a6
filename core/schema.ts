// JSON Schemas of every command input. They are data, so the same object validates a
// request in the HTTP host, validates an embedder's call, and is published in the OpenAPI
// document. Every object schema is closed: an unknown field is an error, never dropped.

export type Schema = Record<string, unknown>;

export const MAX_LINES = 1000;

export function object(properties: Record<string, Schema>, required: string[] = []): Schema {
  return { type: 'object', properties, required, additionalProperties: false };
}

/**
 * No string holds U+0000: PostgreSQL cannot store it, and no legitimate value needs it, so it
 * is a 400 on every adapter rather than a difference between them.
 */
export const NO_NUL = '^[^\\u0000]*$';

export function string(minLength = 1, maxLength = 200, extra: Schema = {}): Schema {
  return { type: 'string', minLength, maxLength, pattern: NO_NUL, ...extra };
}

export function nullable(schema: Schema): Schema {
  return { anyOf: [schema, { type: 'null' }] };
}

export function oneOf<T extends string>(values: readonly T[]): Schema {
  return { type: 'string', enum: [...values] };
}

export function array(items: Schema, maxItems = MAX_LINES, minItems = 0): Schema {
  return { type: 'array', items, minItems, maxItems };
}

export const id: Schema = { type: 'string', format: 'uuid' };
export const date: Schema = { type: 'string', format: 'date' };
export const timestamp: Schema = { type: 'string', format: 'date-time' };
export const boolean: Schema = { type: 'boolean' };

/** A code: letters, digits and `-_.`, no spaces or slashes (they build location paths). */
export const code: Schema = string(1, 64, { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });

/** An exact quantity: at most six decimals, |q| ≤ 1e9 (checked by the `x-quantity` keyword). */
export const quantity: Schema = { type: 'number', 'x-quantity': true };
export const positiveQuantity: Schema = { type: 'number', exclusiveMinimum: 0, 'x-quantity': true };
export const nonZeroQuantity: Schema = { type: 'number', not: { const: 0 }, 'x-quantity': true };
export const nonNegativeQuantity: Schema = { type: 'number', minimum: 0, 'x-quantity': true };

/** `limit` and `offset` of every list, with the reference's defaults. */
export const pageQuery: Record<string, Schema> = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
  offset: { type: 'integer', minimum: 0, default: 0 },
};

export function listQuery(filters: Record<string, Schema>): Schema {
  return object({ ...pageQuery, ...filters });
}
