/**
 * Fuzzing the public API from its own OpenAPI document.
 *
 * For every operation the gateway's merged document lists (GET /api/v1/openapi.json), fast-check
 * builds malformed requests: bodies with wrong JSON types, missing required and unknown extra
 * properties, huge strings and arrays, deep nesting, invalid JSON text and wrong content types;
 * strings seeded with injection payloads (SQL, NoSQL, path traversal, NUL, templates, HTML, odd
 * Unicode, odd numbers); bad path ids (those payloads URL-encoded, ids of the wrong kind); and bad
 * or awkward values for the declared query parameters. Each request is sent as the platform admin
 * or as a tenant admin whose tenant has one facility, whose real id goes into facility_id
 * parameters now and then so that handlers get past their lookups.
 *
 * Every answer must be below 500; every 4xx must be application/problem+json with type, title,
 * status and a code from the platform's problem catalogue; no answer may carry a stack trace, SQL
 * text or a database driver's error. And no stored data may change: every service database is
 * hashed table by table before and after each operation's fuzzing.
 *
 * Only malformed requests are sent: a state-changing request always has a bad path id or a body
 * the operation's own schema rejects (checked here with the same Ajv settings the services use),
 * or a body that cannot be parsed at all. So any change to stored data is a defect.
 *
 * FUZZ_SEED replays a run (each operation uses FUZZ_SEED + its index); FUZZ_RUNS sets the runs
 * per operation.
 */
import { idPrefixes } from '@easypark/kernel';
import { validatorCompiler } from '@easypark/platform';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestPlatform } from '../support/platform.ts';

type Schema = Record<string, any>;

const runs = Number(process.env.FUZZ_RUNS ?? 120);
const baseSeed =
  process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

/**
 * Tables a rejected request may legitimately change; every other table of every service database
 * must be exactly as it was. Idempotency records, outboxes and inboxes are compared too: they are
 * written in the request's own transaction (or by the events a change emits), so a rejected
 * request leaves none.
 */
const unchecked: Record<string, string> = {
  'gateway.audit_log':
    'the audit trail records every state-changing call through the gateway, rejected ones too (FAILED/DENIED)',
};

// ---------------------------------------------------------------------------------------------
// What an answer must never contain.

const leaks: [string, RegExp][] = [
  ['a stack frame', /\bat (?:async )?[\w$.<>[\] ]*\(?(?:file:\/\/)?\/[^\s)"]+:\d+(?::\d+)?/],
  ['a source position', /\.(?:ts|js|mjs|cjs):\d+/],
  ['node_modules', /node_modules/],
  ['SQL text', /\bSELECT\s|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\bRETURNING\b/],
  [
    'a database error',
    /syntax error|violates|relation "|column "|\bpg_|invalid input (?:syntax|value)|duplicate key|out of range for type|\bSQLSTATE\b|ERROR: /i,
  ],
  ['a JavaScript error', /\b(?:TypeError|ReferenceError|RangeError|SyntaxError): /],
];

function leakIn(text: string): string | undefined {
  return leaks.find(([, pattern]) => pattern.test(text))?.[0];
}

// ---------------------------------------------------------------------------------------------
// Hostile values.

const payloads = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '1; DROP TABLE facilities',
  '$1',
  '$1::text',
  '{"$gt":""}',
  '{"$ne":null}',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd%00',
  'a\u0000b',
  '\u0000',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell-style payload, literally
  '${jndi:ldap://x}',
  '#{7*7}',
  '<%= 7*7 %>',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '\u202Eevil\u202C',
  '\uD800',
  'x\uDC00y',
  '😀🚗⚡',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  '\uFEFF',
  '\r\nX-Injected: 1',
  '123456789012345678901234567890123456789',
  '-123456789012345678901234567890',
  'NaN',
  '-0',
  '1e309',
  '-1e309',
  'Infinity',
  '0x10',
  '1.5',
  '-1',
  '0',
  '',
  ' ',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '%',
  '%00',
  '\\',
  '*',
  '_',
  '%_%',
];

const fillers = ['A', "' OR '1'='1", '\u0000', '😀', '\u202E', 'é'];
const hexDigits = '0123456789abcdef';

/**
 * Big or deep values are kept out of the counterexamples fast-check prints: a plan holds a short
 * marker (`\u0001HUGE:100000:2`) that is expanded only when the request is built.
 */
const marker = (kind: string, ...args: number[]) => `\u0001${kind}:${args.join(':')}`;

function expand(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith('\u0001')) {
    const [kind, a = 0, b = 0] = value.slice(1).split(':') as [string, string?, string?];
    const n = Number(a);
    if (kind === 'HUGE') return fillers[Number(b) % fillers.length]!.repeat(n).slice(0, n);
    if (kind === 'ARRAY') return Array.from({ length: n }, (_, i) => (Number(b) % 2 ? i : 'x'));
    if (kind === 'DEEP') {
      let deep: unknown = 'bottom';
      for (let i = 0; i < n; i++) deep = Number(b) % 2 ? [deep] : { a: deep };
      return deep;
    }
    return value;
  }
  if (Array.isArray(value)) return value.map(expand);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) setOwn(out, key, expand(inner));
    return out;
  }
  return value;
}

/** `__proto__` and friends as plain own keys, as JSON.parse would make them. */
/** A deep copy that survives the deepest bodies sent here (structuredClone recurses less far). */
function copy<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const cleanString = (maxLength = 12) =>
  fc.string({ maxLength, unit: 'binary' }).filter((s) => leakIn(s) === undefined);

const bigValue = fc.oneof(
  fc.nat({ max: fillers.length - 1 }).map((f) => marker('HUGE', 100_000, f)),
  fc.integer({ min: 10_000, max: 60_000 }).chain((n) => fc.nat(1).map((f) => marker('ARRAY', n, f))),
  fc.integer({ min: 50, max: 3000 }).chain((n) => fc.nat(1).map((f) => marker('DEEP', n, f))),
);

const scalarGarbage: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...payloads) },
  { weight: 2, arbitrary: cleanString() },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      0,
      -1,
      1.5,
      2 ** 53 + 2,
      1e308,
      -1e308,
      Number.MIN_VALUE,
      2 ** 31,
      -(2 ** 31) - 1,
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>({ $gt: '' }, { $ne: null }, [], {}, [null], ['']) },
  { weight: 1, arbitrary: bigValue },
);

const keyArb = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', '$where', '$gt', 'tenant_id', 'id', ...payloads),
  cleanString(8),
);

const garbage: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarGarbage,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(keyArb, tie('value')), { maxLength: 4 }).map((entries) => {
      const object: Record<string, unknown> = {};
      for (const [key, value] of entries) setOwn(object, key, value);
      return object;
    }),
  ),
})).value;

// ---------------------------------------------------------------------------------------------
// Values a schema accepts, awkward ones included (boundaries, leap seconds, year 0, 9999, ...).

const awkwardDateTimes = [
  '2016-12-31T23:59:60Z',
  '2024-06-30T23:59:60Z',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '1000-01-01T00:00:00Z',
  '9000-12-31T23:59:59Z',
  '1969-12-31T23:59:59.999999999Z',
  '2024-02-29T12:00:00+23:59',
  '2024-03-31T01:30:00-23:59',
  '1970-01-01T00:00:00Z',
];
const awkwardDates = [
  '0000-01-01',
  '0001-01-01',
  '1000-01-01',
  '9000-12-31',
  '9999-12-31',
  '2024-02-29',
  '1970-01-01',
  '2000-02-29',
];

function validArb(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches)) return fc.oneof(...branches.map((b: Schema) => validArb(b, depth)));
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => validArb({ ...schema, type }, depth)));
  switch (types[0]) {
    case 'string':
      return stringArb(schema);
    case 'integer': {
      const min = schema.minimum ?? (schema.exclusiveMinimum ?? -(2 ** 31)) + 1;
      const max = schema.maximum ?? (schema.exclusiveMaximum ?? 2 ** 31) - 1;
      return fc.oneof(
        fc.integer({ min, max }),
        fc.constant(min),
        fc.constant(max),
        fc.constant(schema.maximum === undefined ? Number.MAX_SAFE_INTEGER : max),
      );
    }
    case 'number': {
      const min = schema.minimum ?? schema.exclusiveMinimum ?? -1e308;
      const max = schema.maximum ?? schema.exclusiveMaximum ?? 1e308;
      const step = schema.multipleOf;
      const base = fc.oneof(
        fc.double({
          min,
          max,
          noNaN: true,
          noDefaultInfinity: true,
          minExcluded: schema.exclusiveMinimum !== undefined,
          maxExcluded: schema.exclusiveMaximum !== undefined,
        }),
        fc.constantFrom(min, max, 0, -0, Number.MIN_VALUE).filter((x) => x >= min && x <= max),
      );
      return step ? base.map((x) => Math.round(x / step) * step) : base;
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      return fc.array(validArb(schema.items ?? {}, depth + 1), {
        minLength,
        maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)),
      });
    }
    case 'object': {
      const properties: Record<string, Schema> = schema.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, inner] of Object.entries(properties)) model[name] = validArb(inner, depth + 1);
      return fc.record(model, { requiredKeys: (schema.required ?? []) as string[] });
    }
    default:
      return depth > 2 ? scalarGarbage : garbage;
  }
}

function stringArb(schema: Schema): fc.Arbitrary<string> {
  const minLength: number = schema.minLength ?? 0;
  const maxLength: number = schema.maxLength ?? 10_000;
  const fits = (s: string) => s.length >= minLength && s.length <= maxLength;
  if (schema.format === 'date-time')
    return fc.oneof(
      fc
        .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc.constantFrom(...awkwardDateTimes),
    );
  if (schema.format === 'date')
    return fc.oneof(
      fc
        .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      fc.constantFrom(...awkwardDates),
    );
  if (schema.format === 'email')
    return fc.oneof(fc.constant('fuzz@example.com'), fc.constant("o'hara+1@example.com")).filter(fits);
  if (typeof schema.pattern === 'string') {
    const matching = fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
    // Ids: the facility's real one now and then is decided by the caller; here any well-formed one.
    return matching;
  }
  return fc.oneof(
    cleanString(Math.min(maxLength, 30)).filter(fits),
    fc.constantFrom(...payloads.filter(fits)),
    fc.constant('x'.repeat(Math.min(maxLength, 5000))).filter(fits),
  );
}

// ---------------------------------------------------------------------------------------------
// The services' own body validator (strict, the platform's formats and checks), so that a body
// called invalid here is one the service refuses too.

const validatorOf = (schema: Schema) =>
  validatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '/' }) as (data: unknown) => boolean;

// ---------------------------------------------------------------------------------------------
// The operations, from the document.

interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  schema: Schema;
  required: boolean;
}

interface Operation {
  method: string;
  template: string;
  params: Param[];
  body: Schema | undefined;
  validBody: ((data: unknown) => boolean) | undefined;
}

function operationsOf(doc: any): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries<Record<string, any>>(doc.paths)) {
    if (!template.startsWith('/api/v1/')) continue;
    for (const [method, operation] of Object.entries<any>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params: Param[] = (operation.parameters ?? []).map((p: any) => ({
        name: p.name,
        in: p.in,
        schema: p.schema ?? {},
        required: Boolean(p.required),
      }));
      const body: Schema | undefined = operation.requestBody?.content?.['application/json']?.schema;
      operations.push({
        method: method.toUpperCase(),
        template,
        params,
        body,
        validBody: body ? validatorOf(body) : undefined,
      });
    }
  }
  return operations;
}

// ---------------------------------------------------------------------------------------------
// Request plans: small, printable descriptions of one request.

type PathValue = { real: true } | { text: string; raw?: boolean };
type QueryValue = string | string[] | { raw: string } | { real: true };

type Encoding =
  | { kind: 'json' }
  | { kind: 'json-charset' }
  | { kind: 'literal'; literal: string; at: number }
  | { kind: 'invalid'; variant: number; cut: number }
  | { kind: 'text' }
  | { kind: 'form' }
  | { kind: 'unsupported'; type: string }
  | { kind: 'none' }
  | { kind: 'no-content-type' }
  | { kind: 'bom' };

interface Mutation {
  kind: 'wrong-type' | 'drop' | 'extra' | 'huge' | 'inject' | 'root';
  at: number;
  key: string;
  with: unknown;
}

interface Plan {
  caller: 'platform admin' | 'tenant admin';
  path: Record<string, PathValue>;
  query: [string, QueryValue][];
  idempotencyKey: string | undefined;
  accept: string | undefined;
  body: { base: unknown; mutations: Mutation[]; encoding: Encoding } | undefined;
}

const rawQueryValues = [
  '%ZZ',
  '%',
  '%E0%A4%A',
  '%ED%A0%80',
  '%00',
  '%C0%AE%C0%AE%2F',
  '+',
  '==',
  '&&',
  '%26%3D',
];

function expectedPrefixes(schema: Schema): string[] {
  return [...String(schema.pattern ?? '').matchAll(/\^([a-z]{3})_/g)].map((m) => m[1]!);
}

const hex32 = fc.string({ unit: fc.constantFrom(...hexDigits), minLength: 32, maxLength: 32 });

function pathValueArb(op: Operation, param: Param, facilityId: string): fc.Arbitrary<PathValue> {
  const own = expectedPrefixes(param.schema);
  const others = Object.values(idPrefixes).filter((p) => !own.includes(p));
  const prefix = own[0] ?? 'fac';
  const isFacility = param.name === 'facility_id';
  const streams = op.template.endsWith('/stream');
  const options: fc.WeightedArbitrary<PathValue>[] = [
    { weight: 4, arbitrary: fc.constantFrom(...payloads).map((text) => ({ text })) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...others), hex32)
        .map(([other, hex]) => ({ text: `${other}_${hex}` })),
    },
    { weight: 1, arbitrary: fc.constant({ text: isFacility ? `stn_${facilityId.slice(4)}` : facilityId }) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        hex32.map((hex) => ({ text: `${prefix}_${hex.slice(1)}` })),
        hex32.map((hex) => ({ text: `${prefix}_${hex.toUpperCase()}` })),
        hex32.map((hex) => ({ text: `${prefix.toUpperCase()}_${hex}` })),
        hex32.map((hex) => ({ text: ` ${prefix}_${hex}` })),
        hex32.map((hex) => ({ text: `${prefix}_${hex}\n` })),
        hex32.map((hex) => ({ text: `${prefix}_${hex}' OR '1'='1` })),
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(...rawQueryValues).map((text) => ({ text, raw: true })) },
    { weight: 1, arbitrary: fc.integer({ min: 300, max: 5000 }).map((n) => ({ text: 'a'.repeat(n) })) },
  ];
  if (isFacility && !streams) options.push({ weight: 5, arbitrary: fc.constant({ real: true as const }) });
  return fc.oneof(...options);
}

function wrongTextArb(schema: Schema): fc.Arbitrary<string> {
  const type = schema.type ?? (schema.anyOf ? 'string' : undefined);
  const common = ['', ' ', 'null', '[]', '{}', '-0', 'NaN', '1e309', '-1e309', 'Infinity'];
  if (type === 'integer' || type === 'number')
    return fc.constantFrom(
      ...common,
      'abc',
      '1.5',
      '-1',
      '0',
      '99999999999999999999',
      '-99999999999999999999',
      '0x10',
      '1_000',
      '２',
      '1e3',
      '1,2',
    );
  if (type === 'boolean') return fc.constantFrom(...common, 'maybe', '2', 'TRUE', 'yes', 'on', '1', '0');
  if (schema.format === 'date-time' || schema.format === 'date' || schema.pattern)
    return fc.constantFrom(
      ...common,
      '2024-13-45',
      '2024-02-30',
      '0000-00-00',
      '2024-00-10T00:00:00Z',
      '2024-01-01T25:61:61Z',
      '2024-01-01T00:00:00',
      '9999-99-99T99:99',
      '+275760-09-13T00:00:00Z',
      '-271821-04-20T00:00:00Z',
      'yesterday',
      '1700000000',
      '2024-01-01 00:00',
      '2024-W01',
    );
  return fc.constantFrom(...common, 'x'.repeat(400), 'lower', 'Mixed_Case', 'ACTIVE ', ' ACTIVE');
}

function queryValueArb(param: Param, facilityId: string): fc.Arbitrary<QueryValue> {
  const valid = validArb(param.schema).map((v) => String(v));
  const options: fc.WeightedArbitrary<QueryValue>[] = [
    { weight: 3, arbitrary: valid },
    { weight: 3, arbitrary: fc.constantFrom(...payloads) },
    { weight: 3, arbitrary: wrongTextArb(param.schema) },
    { weight: 1, arbitrary: fc.integer({ min: 1000, max: 6000 }).map((n) => 'q'.repeat(n)) },
    { weight: 1, arbitrary: fc.tuple(valid, fc.constantFrom(...payloads)).map(([a, b]) => [a, b]) },
    { weight: 1, arbitrary: fc.constantFrom(...rawQueryValues).map((raw) => ({ raw })) },
  ];
  if (param.name === 'cursor') {
    // Well-formed cursors (base64url JSON, as the API hands them out) of the wrong shape.
    const forged = fc
      .oneof(
        garbage,
        fc.constantFrom<unknown>(null, 0, -1, 1e308, 2 ** 63, '', 'fac_x', { at: 'x', id: 1 }, [1, 2], {
          $gt: '',
        }),
        // Near the shapes the lists hand out: an id; [instant, id]; [floor, aisle, number]; a bigint.
        fc.constantFrom(...payloads),
        fc.tuple(fc.constantFrom(...payloads, ...awkwardDateTimes), fc.constantFrom(...payloads)),
        fc.tuple(
          fc.constantFrom(1e308, 2 ** 31, -(2 ** 53), 1.5, 0),
          fc.constantFrom(...payloads),
          fc.constantFrom(2 ** 31, 1e10, -1),
        ),
        fc.constantFrom('99999999999999999999999', '-1', '1e3', 2 ** 62),
      )
      .map((value) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url'))
      .filter((cursor) => cursor.length <= 200);
    options.push({ weight: 6, arbitrary: forged });
  }
  if (param.name === 'facility_id') {
    options.push({ weight: 4, arbitrary: fc.constant({ real: true as const }) });
    options.push({ weight: 1, arbitrary: fc.constant(`stn_${facilityId.slice(4)}`) });
  }
  return fc.oneof(...options);
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<Mutation['kind']>(
    'wrong-type',
    'wrong-type',
    'drop',
    'extra',
    'huge',
    'inject',
    'root',
  ),
  at: fc.nat(),
  key: keyArb,
  with: garbage,
});

const encodingArb: fc.Arbitrary<Encoding> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({ kind: 'json' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'json-charset' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('literal' as const),
      literal: fc.constantFrom(
        '1e309',
        '-1e309',
        '-0',
        '123456789012345678901234567890123456789',
        '0.1e-400',
        'NaN',
        'Infinity',
        '01',
        '1.',
        '.5',
        '+1',
        '"\\ud800"',
        '"\\u0000"',
        '"\\uDFFF\\uD800"',
      ),
      at: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('invalid' as const), variant: fc.nat(9), cut: fc.nat() }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'text' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'form' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('unsupported' as const),
      type: fc.constantFrom(
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/octet-stream',
        'image/png',
        'application/x-yaml',
        'application/jsonp',
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'no-content-type' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bom' as const }) },
);

function planArb(op: Operation, facilityId: string): fc.Arbitrary<Plan> {
  const path: Record<string, fc.Arbitrary<PathValue>> = {};
  for (const p of op.params.filter((p) => p.in === 'path')) path[p.name] = pathValueArb(op, p, facilityId);
  const declared: Record<string, fc.Arbitrary<QueryValue | undefined>> = {};
  for (const p of op.params.filter((p) => p.in === 'query'))
    declared[p.name] = fc.option(queryValueArb(p, facilityId), { nil: undefined, freq: 3 });
  const query = fc
    .record({
      declared: fc.record(declared),
      extra: fc.array(fc.tuple(keyArb, fc.constantFrom(...payloads)), { maxLength: 2 }),
    })
    .map(({ declared, extra }) => [
      ...Object.entries(declared).filter((e): e is [string, QueryValue] => e[1] !== undefined),
      ...extra,
    ]);
  const printable = fc.constantFrom(...payloads.filter((s) => /^[\x20-\x7e]*$/.test(s)));
  const takesBody = op.method !== 'GET';
  return fc.record({
    caller: fc.constantFrom<Plan['caller']>('platform admin', 'tenant admin'),
    path: fc.record(path),
    query,
    idempotencyKey: op.params.some((p) => p.in === 'header' && p.name === 'idempotency-key')
      ? fc.option(fc.oneof(printable, fc.constant(''), fc.constant('k'.repeat(201))), { nil: undefined })
      : fc.constant(undefined),
    accept: fc.option(
      fc.constantFrom('application/xml', 'text/event-stream', '*/*', 'application/problem+json', 'text/html'),
      { nil: undefined, freq: 3 },
    ),
    body: takesBody
      ? fc.record({
          base: op.body ? validArb(op.body) : garbage,
          mutations: fc.array(mutationArb, { minLength: op.body ? 1 : 0, maxLength: 3 }),
          encoding: encodingArb,
        })
      : fc.constant(undefined),
  });
}

// ---------------------------------------------------------------------------------------------
// From a plan to a request.

interface Slot {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
}

/** Every place in a value a mutation can hit (iteratively: bodies here nest thousands deep). */
function slotsOf(value: unknown): Slot[] {
  const out: Slot[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) {
      current.forEach((inner, i) => {
        out.push({ parent: current, key: i });
        stack.push(inner);
      });
    } else if (current && typeof current === 'object') {
      for (const [key, inner] of Object.entries(current)) {
        out.push({ parent: current as Record<string, unknown>, key });
        stack.push(inner);
      }
    }
  }
  return out;
}

function objectsOf(value: unknown): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) for (const inner of current) stack.push(inner);
    else if (current && typeof current === 'object') {
      objects.push(current as Record<string, unknown>);
      for (const inner of Object.values(current)) stack.push(inner);
    }
  }
  return objects;
}

function put(slot: Slot, value: unknown) {
  if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = value;
  else setOwn(slot.parent, slot.key as string, value);
}

function mutate(base: unknown, mutations: Mutation[]): unknown {
  let body = copy(base);
  for (const m of mutations) {
    const slots = slotsOf(body);
    const slot = slots.length > 0 ? slots[m.at % slots.length] : undefined;
    switch (m.kind) {
      case 'wrong-type':
        // Copies: the plan's own values stay as generated (fast-check shrinks them), and acyclic.
        if (slot) put(slot, copy(m.with));
        else body = copy(m.with);
        break;
      case 'drop': {
        const keyed = slots.filter((s) => !Array.isArray(s.parent));
        const victim = keyed[m.at % Math.max(keyed.length, 1)];
        if (victim) delete (victim.parent as Record<string, unknown>)[victim.key as string];
        break;
      }
      case 'extra': {
        const objects = objectsOf(body);
        const target = objects[m.at % Math.max(objects.length, 1)];
        if (target) setOwn(target, m.key, copy(m.with));
        else body = copy(m.with);
        break;
      }
      case 'huge':
        if (slot) put(slot, marker('HUGE', 100_000, m.at % fillers.length));
        else body = marker('HUGE', 100_000, m.at % fillers.length);
        break;
      case 'inject':
        if (slot) put(slot, payloads[m.at % payloads.length]);
        break;
      case 'root':
        body = m.at % 3 === 0 ? [body] : m.at % 3 === 1 ? JSON.stringify(body) : copy(m.with);
        break;
    }
  }
  return expand(body);
}

/** What the server will see: a parsed value, or nothing it can parse ('rejected'), or unsure. */
type Seen = { value: unknown } | 'rejected' | 'unsure';

interface Built {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: string | Buffer | undefined;
  summary: string;
}

function encodeText(text: string): string {
  // encodeURIComponent refuses lone surrogates; send them as the (invalid) UTF-8 of the code unit.
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff)
      out +=
        `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase();
    else out += encodeURIComponent(char);
  }
  return out;
}

function parses(text: string): Seen {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return 'rejected';
  }
}

function encodeBody(value: unknown, encoding: Encoding): Pick<Built, 'headers' | 'payload'> & { seen: Seen } {
  const json = value === undefined ? undefined : JSON.stringify(value);
  const jsonHeaders = { 'content-type': 'application/json' };
  switch (encoding.kind) {
    case 'json':
      return json === undefined
        ? { headers: {}, payload: undefined, seen: { value: undefined } }
        : { headers: jsonHeaders, payload: json, seen: { value: JSON.parse(json) } };
    case 'json-charset':
      return {
        headers: { 'content-type': 'application/json; charset=utf-8' },
        payload: json ?? '',
        seen: json === undefined ? 'rejected' : { value: JSON.parse(json) },
      };
    case 'literal': {
      const slots = slotsOf(value);
      let text: string;
      if (slots.length === 0) text = encoding.literal;
      else {
        const clone = copy(value);
        const slot = slotsOf(clone)[encoding.at % slots.length]!;
        put(slot, '\u0002LITERAL\u0002');
        text = JSON.stringify(clone).replace('"\u0002LITERAL\u0002"', encoding.literal);
      }
      return { headers: jsonHeaders, payload: text, seen: parses(text) };
    }
    case 'invalid': {
      const text = json ?? '{}';
      const variants: (string | Buffer)[] = [
        text + '{',
        text.slice(0, encoding.cut % Math.max(text.length, 1)),
        `{'single': 'quotes'}`,
        '{"a":1,}',
        `${text}${text}`,
        'undefined',
        '',
        Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d]),
        '{"a":"\\x41"}',
        '\u0000',
      ];
      const payload = variants[encoding.variant % variants.length]!;
      const seen = Buffer.isBuffer(payload) ? 'rejected' : parses(payload);
      return { headers: jsonHeaders, payload, seen };
    }
    case 'text':
      return {
        headers: { 'content-type': 'text/plain' },
        payload: json ?? 'garbage',
        seen: { value: json ?? 'garbage' },
      };
    case 'form': {
      const flat =
        value && typeof value === 'object' && !Array.isArray(value)
          ? Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')])
          : [['value', String(json)]];
      return {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: flat.map(([k, v]) => `${encodeText(k!)}=${encodeText(v!)}`).join('&'),
        seen: 'unsure',
      };
    }
    case 'unsupported':
      return { headers: { 'content-type': encoding.type }, payload: json ?? '<x/>', seen: 'rejected' };
    case 'none':
      return { headers: {}, payload: undefined, seen: { value: undefined } };
    case 'no-content-type':
      return { headers: {}, payload: json ?? 'garbage', seen: 'unsure' };
    case 'bom':
      return { headers: jsonHeaders, payload: `\uFEFF${json ?? '{}'}`, seen: 'unsure' };
  }
}

/**
 * The occupancy import reads CSV, or with a JSON content type a JSON array of rows (a JSON string body
 * is read as the file's text). Neither a JSON non-array nor a CSV without a known header is one.
 */
function notAnImport(seen: Seen, headers: Record<string, string>): boolean {
  if (seen === 'rejected') return true;
  if (seen === 'unsure') return false;
  const type = headers['content-type'] ?? '';
  const text = typeof seen.value === 'string' ? seen.value : JSON.stringify(seen.value ?? null);
  if (type.includes('json')) {
    try {
      return !Array.isArray(JSON.parse(text));
    } catch {
      return true;
    }
  }
  const header = (text.split('\n')[0] ?? '').toLowerCase();
  return !header.includes('timestamp') && !header.includes('lastupdated');
}

function build(op: Operation, plan: Plan, facilityId: string): Built {
  let badPath = false;
  let url = op.template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = plan.path[name]!;
    if ('real' in value) return facilityId;
    badPath = true;
    let segment = value.raw ? value.text : encodeText(value.text);
    // A state-changing request must stay on its own route: no empty or dot segments.
    if (op.method !== 'GET' && /^(?:\.|%2e)*$/i.test(segment)) segment = `${segment}x`;
    return segment;
  });
  const query = plan.query.flatMap(([name, value]) => {
    const key = encodeText(name);
    if (typeof value === 'string') return [`${key}=${encodeText(value)}`];
    if (Array.isArray(value)) return value.map((v) => `${key}=${encodeText(v)}`);
    if ('real' in value) return [`${key}=${facilityId}`];
    return [`${key}=${value.raw}`];
  });
  if (query.length > 0) url += `?${query.join('&')}`;

  const headers: Record<string, string> = {};
  if (plan.idempotencyKey !== undefined) headers['idempotency-key'] = plan.idempotencyKey;
  if (plan.accept !== undefined && !op.template.endsWith('/stream')) headers.accept = plan.accept;

  let payload: string | Buffer | undefined;
  if (plan.body) {
    const value = mutate(plan.body.base, plan.body.mutations);
    let encoded = encodeBody(value, plan.body.encoding);
    // The one rule that keeps this test honest: a state-changing request that could be valid is
    // made unparseable. So nothing sent here may legitimately change stored data.
    const surelyRejected =
      badPath ||
      encoded.seen === 'rejected' ||
      (op.validBody && encoded.seen !== 'unsure' && !op.validBody(copy(encoded.seen.value))) ||
      (op.template.endsWith('/import') && notAnImport(encoded.seen, encoded.headers));
    if (!surelyRejected) encoded = encodeBody(value, { kind: 'invalid', variant: 0, cut: 0 });
    Object.assign(headers, encoded.headers);
    payload = encoded.payload;
  }
  const summary = `${op.method} ${url.length > 300 ? `${url.slice(0, 300)}…` : url} as ${plan.caller}${
    payload === undefined
      ? ''
      : ` with ${headers['content-type'] ?? 'no content type'} body of ${payload.length} (${String(payload).slice(0, 200)})`
  }`;
  return { method: op.method, url, headers, payload, summary };
}

// ---------------------------------------------------------------------------------------------
// The platform under test.

const platform = await startTestPlatform();
afterAll(() => platform.stop());
const tenant = await platform.createTenant();
const facility = await platform.registerFacility(tenant.adminToken);
const facilityId: string = facility.facility_id;
await platform.drainEvents();
// The clock's work (samples, rollups, sweeps) writes on its own timers; it is no request's doing.
for (const service of platform.platform.services.values()) await service.background?.stop();

const tokens = { 'platform admin': platform.adminToken, 'tenant admin': tenant.adminToken };
const app = platform.platform.gateway.app;

const openapi = await platform.request('GET', '/api/v1/openapi.json', { token: platform.adminToken });
if (openapi.status !== 200) throw new Error(`no OpenAPI document: ${openapi.status}`);
const operations = operationsOf(openapi.body);
const problemCodes = new Set<string>(
  ((await platform.request('GET', '/problems')).body as { code: string }[]).map((p) => p.code),
);

// Services keep local copies of other services' data, filled on first use by reads as well (billing's
// billing_facilities): one valid read of each facility-scoped operation fills them before the baseline.
for (const op of operations) {
  const path = op.params.filter((p) => p.in === 'path');
  if (op.method !== 'GET' || op.template.endsWith('/stream') || path.some((p) => p.name !== 'facility_id'))
    continue;
  for (const token of Object.values(tokens))
    await app.inject({
      method: 'GET',
      url: op.template.replace('{facility_id}', facilityId),
      headers: { authorization: `Bearer ${token}` },
    });
}
await platform.drainEvents();

const tables = new Map<string, string[]>();
for (const [service, pool] of platform.platform.pools) {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  tables.set(
    service,
    rows.map((r) => r.name).filter((name) => unchecked[`${service}.${name}`] === undefined),
  );
}

/** Per table of every service database: its row count and an md5 of its rows in order. */
async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await Promise.all(
    [...platform.platform.pools].map(async ([service, pool]) => {
      const names = tables.get(service) ?? [];
      if (names.length === 0) return;
      const sql = names
        .map(
          (name) =>
            `SELECT '${name}' AS name, count(*)::text AS n,
               md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) AS h FROM "${name}" x`,
        )
        .join(' UNION ALL ');
      const { rows } = await pool.query<{ name: string; n: string; h: string }>(sql);
      for (const row of rows) out[`${service}.${row.name}`] = `${row.n} rows, md5 ${row.h}`;
    }),
  );
  return out;
}

function differences(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after })
    .filter((table) => before[table] !== after[table])
    .map((table) => `${table}: ${before[table]} → ${after[table]}`);
}

/**
 * A path with a malformed %-escape is refused by the gateway's router before any route (and so
 * before the audit hook, which runs on routed requests only): such calls are not in the audit trail.
 */
function refusedByRouter(body: string): boolean {
  return body.includes('"detail":"The path has a malformed %-escape"');
}

/** The audit trail's length: every state-changing call through the gateway adds a row, rejected or not. */
async function auditRows(): Promise<number> {
  const { rows } = await platform.platform.pools
    .get('gateway')!
    .query<{ n: string }>('SELECT count(*) AS n FROM audit_log');
  return Number(rows[0]!.n);
}

async function send(built: Built, token: string) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within 20 s: ${built.summary}`)), 20_000);
  });
  try {
    return await Promise.race([
      app.inject({
        method: built.method as 'GET',
        url: built.url,
        headers: { authorization: `Bearer ${token}`, ...built.headers },
        ...(built.payload !== undefined ? { payload: built.payload } : {}),
      }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function checkAnswer(built: Built, status: number, type: string, text: string) {
  const where = () => `${built.summary}\n  → ${status} ${type}: ${text.slice(0, 600)}`;
  if (status >= 500) throw new Error(`server error ${status} for ${where()}`);
  if (built.method !== 'GET' && status < 400) throw new Error(`a malformed request was accepted: ${where()}`);
  const leak = leakIn(text);
  if (leak) throw new Error(`the answer shows ${leak}: ${where()}`);
  if (status >= 400) {
    if (!type.startsWith('application/problem+json'))
      throw new Error(`a ${status} that is not problem+json: ${where()}`);
    let problem: any;
    try {
      problem = JSON.parse(text);
    } catch {
      throw new Error(`a problem+json that is not JSON: ${where()}`);
    }
    const slug = typeof problem.code === 'string' ? problem.code.toLowerCase().replaceAll('_', '-') : '';
    if (
      typeof problem.title !== 'string' ||
      problem.status !== status ||
      typeof problem.code !== 'string' ||
      !problemCodes.has(problem.code) ||
      problem.type !== `/problems/${slug}`
    )
      throw new Error(`a problem without type, title, status and a catalogued code: ${where()}`);
  }
}

const initial = await snapshot();
/** How the requests were answered, printed at the end: a run where nothing got past validation is no fuzz. */
const statuses = new Map<number, number>();
afterAll(() => {
  const tally = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`);
  console.log(`fuzz: answers ${tally.join(', ')}`);
});

console.log(
  `fuzz: ${operations.length} operations, ${runs} runs each, seed ${baseSeed} (FUZZ_SEED=${baseSeed} replays)`,
);

describe('every operation of the public OpenAPI document, fuzzed', () => {
  it('lists the public operations', () => {
    expect(operations.length).toBeGreaterThan(50);
    expect([...tables.values()].flat().length).toBeGreaterThan(40);
  });

  operations.forEach((op, index) => {
    it(`${op.method} ${op.template}`, { timeout: 120_000 }, async () => {
      const before = await snapshot();
      const auditBefore = await auditRows();
      let audited = 0;
      await fc.assert(
        fc.asyncProperty(planArb(op, facilityId), async (plan) => {
          const built = build(op, plan, facilityId);
          const answer = await send(built, tokens[plan.caller]);
          if (!refusedByRouter(answer.body)) audited += 1;
          statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
          checkAnswer(built, answer.statusCode, String(answer.headers['content-type'] ?? ''), answer.body);
        }),
        { numRuns: runs, seed: baseSeed + index },
      );
      expect(differences(before, await snapshot()), 'stored data changed by rejected requests').toEqual([]);
      if (op.method !== 'GET') {
        // The audit rows are written just after each answer.
        await expect.poll(async () => (await auditRows()) - auditBefore).toBe(audited);
      }
    });
  });

  it('left every table as it was', async () => {
    await platform.drainEvents();
    expect(differences(initial, await snapshot())).toEqual([]);
  });
});
