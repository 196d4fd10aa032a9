/** Every API error is RFC 9457 problem+json with a stable `code`; this turns one into plain words. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

export interface ProblemWords {
  /** One sentence for the person in front of the screen. */
  message: string;
  /** Per-field messages of a VALIDATION_FAILED, by field name. */
  fields: Record<string, string>;
  code: string | undefined;
}

const plainWords: Record<string, string> = {
  INVALID_CREDENTIALS: 'The email or password is not right. Check them and try again.',
  RATE_LIMITED: 'Too many requests in a short time. Wait a moment and try again.',
  LOGIN_THROTTLED: 'Too many failed sign-ins for this account. Wait a little before trying again.',
  VALIDATION_FAILED: 'Some of the details are not valid. Check the highlighted fields.',
  FORBIDDEN: 'Your account is not allowed to do this.',
  UNAUTHENTICATED: 'Your session has ended. Sign in again.',
  SIGNED_OUT: 'You have been signed out. Sign in again.',
  INVALID_GRANT: 'Your session has ended. Sign in again.',
  EMAIL_TAKEN: 'An account with this email already exists. Sign in instead.',
  DUPLICATE_REGISTRATION: 'A vehicle with this registration number is already registered.',
  INVALID_REGISTRATION: 'That registration number is not valid.',
  SERVICE_UNAVAILABLE: 'The service is not available right now. Try again in a moment.',
  NETWORK_ERROR: 'The server cannot be reached. Check your connection and try again.',
};

/** Whether a parsed body looks like a problem document. */
export function isProblem(body: unknown): body is Problem {
  return (
    typeof body === 'object' &&
    body !== null &&
    (typeof (body as Problem).code === 'string' || typeof (body as Problem).title === 'string')
  );
}

/** Field names as a person reads them: `registration_number` → `registration number`. */
function fieldLabel(field: string): string {
  return field.replace(/^\//, '').replaceAll('/', ' ').replaceAll('_', ' ');
}

export function problemToWords(problem: Problem | null | undefined, status?: number): ProblemWords {
  const code = problem?.code;
  const fields: Record<string, string> = {};
  for (const error of Array.isArray(problem?.errors) ? problem.errors : []) {
    if (error && typeof error.field === 'string' && typeof error.message === 'string') {
      const field = error.field.replace(/^\//, '');
      fields[field] = fields[field] ? `${fields[field]}; ${error.message}` : error.message;
    }
  }
  let message = code ? plainWords[code] : undefined;
  if (code === 'VALIDATION_FAILED') {
    const names = Object.keys(fields);
    if (names.length === 0) message = problem?.detail ?? message;
    else
      message = `Some of the details are not valid: ${names
        .map((name) => `${fieldLabel(name)} ${fields[name]}`)
        .join('; ')}.`;
  }
  if (!message) message = problem?.detail ?? problem?.title ?? fallback(status ?? problem?.status);
  return { message, fields, code };
}

function fallback(status: number | undefined): string {
  if (status === undefined) return 'Something went wrong. Try again.';
  if (status >= 500) return `The server had a problem (${status}). Try again in a moment.`;
  return `The request was refused (${status}).`;
}
