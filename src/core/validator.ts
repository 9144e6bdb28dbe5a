/**
 * Request validation with Ajv, in two flavours. Query strings and path parameters are text, so they are
 * converted to the schema's types (Fastify's default, `coerceTypes: 'array'`). JSON bodies are validated as
 * sent: `"username": 123` or `"last_name": ["x"]` is refused, never stored as "123" or "x" (DRF refuses them too).
 * Form bodies are converted by http-contract.ts before they reach here. Unknown body fields are dropped
 * (`removeAdditional`), as DRF ignores them; every error is reported (`allErrors`) in French
 * (validation-messages.ts, with a schema's own `x-message`).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import fastUri from 'fast-uri';

// ajv-formats is CommonJS with a default export that ESM type resolution does not see as callable.
const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: Ajv) => Ajv;

function makeAjv(coerceTypes: false | 'array'): Ajv {
  const ajv = new Ajv({
    coerceTypes,
    useDefaults: true,
    removeAdditional: true,
    uriResolver: fastUri,
    addUsedSchema: false,
    allErrors: true,
    verbose: true,
    keywords: ['x-message'],
  });
  addFormats(ajv);
  return ajv;
}

export function validatorCompiler(): (route: { schema: object; httpPart?: string }) => ValidateFunction {
  const strict = makeAjv(false);
  const coercing = makeAjv('array');
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    const id = (schema as { $id?: string }).$id;
    if (id) {
      const known = ajv.getSchema(id);
      if (known) return known;
    }
    return ajv.compile(schema);
  };
}
