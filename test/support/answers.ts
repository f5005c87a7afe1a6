// Checks an answer the server gave against what the OpenAPI document says that route answers:
// the HTTP test harness runs every 2xx JSON answer through it, so every HTTP test also checks
// the documented response schemas against the real server.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { answerSchema, RECORDS } from '../../http/responses.js';
import { routes } from '../../http/routes/index.js';
import { Router } from '../../http/router.js';

const router = new Router(routes);
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
for (const [name, schema] of Object.entries(RECORDS)) ajv.addSchema(schema, `#/components/schemas/${name}`);
const compiled = new Map<string, ValidateFunction>();

/** Null when the answer matches its documented schema (or is not a documented 2xx JSON answer); else why not. */
export function answerProblem(method: string, url: string, status: number, contentType: string, body: unknown): string | null {
  if (status < 200 || status >= 300 || !contentType.startsWith('application/json')) return null;
  const match = router.match(method, new URL(url, 'http://localhost').pathname);
  if (match.kind !== 'found') return null;
  const key = `${match.route.method} ${match.route.path}`;
  let validate = compiled.get(key);
  if (!validate) {
    const schema = answerSchema(match.route);
    if (!schema) return `${key} has no documented answer`;
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  if (validate(body)) return null;
  return `${key} answered ${status} with a body its documented schema refuses: ${ajv.errorsText(validate.errors, { separator: '; ' })}`;
}
