/**
 * Errors that reach a client are RFC 9457 problem details with a stable machine `code`.
 * Each service declares its own codes with `problemCatalog`; the common ones live here.
 */
export interface ProblemKind {
  readonly status: number;
  readonly title: string;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = 'AppError';
  }
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  [extension: string]: unknown;
}

export const commonProblems = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  INVALID_CREDENTIALS: { status: 401, title: 'The credentials are not valid' },
  FORBIDDEN: { status: 403, title: 'You may not do this' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed on this route' },
  CONFLICT: { status: 409, title: 'The request conflicts with the current state' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, title: 'The idempotency key was used with a different request' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The content type is not supported' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL_ERROR: { status: 500, title: 'Something went wrong on our side' },
  UPSTREAM_FAILED: { status: 502, title: 'A service this request depends on failed' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'The service is not available right now' },
  UPSTREAM_TIMEOUT: { status: 504, title: 'A service this request depends on did not answer in time' },
} as const satisfies Record<string, ProblemKind>;

export type CommonProblemCode = keyof typeof commonProblems;

/** Builds a service's `problem(code, detail)` function over the common codes and its own. */
export function problemCatalog<T extends Record<string, ProblemKind>>(own: T) {
  const catalog = { ...commonProblems, ...own };
  type Code = keyof typeof catalog & string;
  function problem(code: Code, detail?: string, extensions?: Record<string, unknown>): AppError {
    const kind = catalog[code] as ProblemKind;
    return new AppError(code, kind.status, kind.title, detail, extensions);
  }
  return { catalog, problem };
}

export const { problem: commonProblem } = problemCatalog({});

export function problemTypeUri(code: string): string {
  return `/problems/${code.toLowerCase().replaceAll('_', '-')}`;
}

export function toProblemDocument(error: AppError, instance?: string): ProblemDocument {
  const doc: ProblemDocument = {
    ...error.extensions,
    type: problemTypeUri(error.code),
    title: error.title,
    status: error.status,
    code: error.code,
  };
  if (error.detail !== undefined) doc.detail = error.detail;
  if (instance !== undefined) doc.instance = instance;
  return doc;
}

/** Rebuilds an AppError from a problem document another service answered with. */
export function fromProblemDocument(doc: Partial<ProblemDocument>, fallbackStatus: number): AppError {
  const { type: _type, title, status, detail, code, instance: _instance, ...extensions } = doc;
  return new AppError(
    typeof code === 'string' ? code : 'UPSTREAM_FAILED',
    typeof status === 'number' ? status : fallbackStatus,
    typeof title === 'string' ? title : 'A service this request depends on failed',
    typeof detail === 'string' ? detail : undefined,
    extensions,
  );
}
