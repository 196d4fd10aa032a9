import { Ajv, type ErrorObject, type FormatDefinition, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Two validators: bodies are strict (no type coercion, unknown fields rejected where the schema
 * says additionalProperties: false, every error listed); query strings, params and headers are
 * coerced from text, as they can only arrive as text.
 */
function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
  });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  // A date or time the format allows but Date or PostgreSQL cannot hold (a leap second, which Date
  // reads as Invalid Date; year 0) is refused here rather than failing in SQL. Years 1000 to 9000
  // leave the routes' date arithmetic (ranges, defaults a month back) far from either limit.
  storable(ajv, 'date-time', (text) => yearOf(new Date(text)));
  storable(ajv, 'date', (text) => yearOf(new Date(`${text}T00:00:00Z`)));
  return ajv;
}

function yearOf(date: Date): number {
  return date.getUTCFullYear();
}

function storable(ajv: Ajv, name: 'date-time' | 'date', year: (text: string) => number): void {
  const format = ajv.formats[name] as FormatDefinition<string> | ((text: string) => boolean) | undefined;
  if (!format) return;
  const check = typeof format === 'function' ? format : (format.validate as (text: string) => boolean);
  const validate = (text: string) => check(text) && year(text) >= 1000 && year(text) <= 9000;
  ajv.addFormat(name, typeof format === 'function' ? validate : { ...format, validate });
}

const bodyAjv = makeAjv(false);
const textAjv = makeAjv(true);

/** PostgreSQL text cannot hold U+0000: a request with one anywhere (a value or a key) is refused. */
function nulAt(data: unknown): string | undefined {
  const stack: [unknown, string][] = [[data, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key.includes('\u0000')) return path;
        stack.push([inner, `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`]);
      }
    }
  }
  return undefined;
}

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  const validate = ajv.compile(schema as object);
  const checked = ((data: unknown) => {
    const at = nulAt(data);
    if (at !== undefined) {
      const error: ErrorObject = {
        instancePath: at,
        schemaPath: '#',
        keyword: 'nul',
        params: {},
        message: 'must not contain the NUL character (U+0000)',
      };
      checked.errors = [error];
      return false;
    }
    const valid = validate(data);
    checked.errors = validate.errors;
    return valid;
  }) as ValidateFunction;
  return checked;
};
