/**
 * Idempotency keys for the POSTs that create something or move money (a reservation, a payment).
 * One key per attempt: a retry of the same request whose outcome is unknown (the network dropped,
 * the server failed before answering) sends the same key, so the server does it at most once; a
 * request that got a definite answer, or a changed request, is a new attempt with a new key.
 */

export interface Attempt<Body> {
  key: string;
  body: Body;
  /** True once the server gave a definite answer: a retry is then a new attempt. */
  settled: boolean;
}

const sameBody = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The attempt to send now: the previous one again if its outcome is unknown and the body is the same. */
export function attemptFor<Body>(
  previous: Attempt<Body> | null,
  body: Body,
  newKey: () => string,
): Attempt<Body> {
  if (previous && !previous.settled && sameBody(previous.body, body)) return previous;
  return { key: newKey(), body, settled: false };
}

/**
 * Whether a failed call may or may not have taken effect, so its retry must carry the same key:
 * no answer at all (status 0), a payment still being processed, or a server error other than the
 * payment processor's definite failure (PAYMENT_PROCESSOR_UNAVAILABLE records a failed payment;
 * the API asks for a new key after it, as after a decline).
 */
export function outcomeUnknown(failure: { status: number; code?: string | undefined }): boolean {
  if (failure.status === 0) return true;
  if (failure.code === 'PAYMENT_IN_PROGRESS') return true;
  if (failure.code === 'PAYMENT_PROCESSOR_UNAVAILABLE') return false;
  return failure.status >= 500 || failure.status === 429;
}

/** Sandbox test cards: processor tokens the billing service's sandbox knows, never card numbers. */
export interface SandboxCard {
  token: string;
  label: string;
  /** What the sandbox does with it, said beside the label. */
  outcome: string;
  method: 'CREDIT_CARD' | 'DEBIT_CARD';
}

export const sandboxCards: SandboxCard[] = [
  { token: 'tok_visa', label: 'Visa ending 4242', outcome: 'pays', method: 'CREDIT_CARD' },
  { token: 'tok_mastercard', label: 'Mastercard ending 4444', outcome: 'pays', method: 'CREDIT_CARD' },
  { token: 'tok_visa_debit', label: 'Visa debit ending 5556', outcome: 'pays', method: 'DEBIT_CARD' },
  { token: 'tok_amex', label: 'American Express ending 8431', outcome: 'pays', method: 'CREDIT_CARD' },
  { token: 'tok_chargeDeclined', label: 'Declined card', outcome: 'is declined', method: 'CREDIT_CARD' },
  {
    token: 'tok_chargeDeclinedInsufficientFunds',
    label: 'Card without enough funds',
    outcome: 'is declined',
    method: 'DEBIT_CARD',
  },
  {
    token: 'tok_chargeDeclinedExpiredCard',
    label: 'Expired card',
    outcome: 'is declined',
    method: 'CREDIT_CARD',
  },
  {
    token: 'tok_processingError',
    label: 'Card the processor fails on',
    outcome: 'fails for a moment',
    method: 'CREDIT_CARD',
  },
];
