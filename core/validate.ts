// One ajv instance (the 2020-12 build, the dialect of OpenAPI 3.1) compiles every schema
// once. Errors come back as result details that name the field at fault.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { isDate } from './clock.js';
import { isUuid } from './id.js';
import { isExactQuantity } from './quantity.js';
import { fail, ok, type Detail, type Result } from './result.js';
import type { Schema } from './schema.js';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function makeAjv(coerceTypes: boolean) {
  const ajv = new Ajv2020({ allErrors: false, coerceTypes, useDefaults: true, strict: true });
  ajv.addFormat('uuid', { type: 'string', validate: isUuid });
  ajv.addFormat('date', { type: 'string', validate: isDate });
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (s: string) => TIMESTAMP.test(s) && !Number.isNaN(Date.parse(s)),
  });
  ajv.addKeyword({
    keyword: 'x-quantity',
    type: 'number',
    schemaType: 'boolean',
    errors: true,
    validate: function quantity(_: boolean, data: number) {
      const ok = isExactQuantity(data);
      if (!ok) {
        (quantity as unknown as { errors: Partial<ErrorObject>[] }).errors = [
          { keyword: 'x-quantity', message: 'must be an exact quantity: at most 6 decimal places and at most 1e9', params: {} },
        ];
      }
      return ok;
    },
  });
  return ajv;
}

// Bodies are taken as sent; query strings and path parameters arrive as text and are coerced.
const strictAjv = makeAjv(false);
const coercingAjv = makeAjv(true);

export type Validator<T> = (input: unknown) => Result<T>;

const cache = new WeakMap<Schema, { strict?: ValidateFunction; coercing?: ValidateFunction }>();

export function validator<T>(schema: Schema, options: { coerce?: boolean } = {}): Validator<T> {
  const entry = cache.get(schema) ?? {};
  cache.set(schema, entry);
  const which = options.coerce ? 'coercing' : 'strict';
  const fn = (entry[which] ??= (options.coerce ? coercingAjv : strictAjv).compile(schema));
  return (input: unknown) => {
    if (fn(input)) return ok(input as T);
    const details = (fn.errors ?? []).map(toDetail);
    return fail('bad_request', details.map((d: Detail) => `${d.path || '/'} ${d.message}`).join('; '), details);
  };
}

function toDetail(e: ErrorObject): Detail {
  let path = e.instancePath;
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    path = `${path}/${extra}`;
    message = 'is not a known field';
  } else if (e.keyword === 'required') {
    path = `${path}/${(e.params as { missingProperty: string }).missingProperty}`;
    message = 'is required';
  } else if (e.keyword === 'enum') {
    message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  }
  return { path, message };
}
