import { describe, expect, it } from 'vitest';
import { type Attempt, attemptFor, outcomeUnknown, sandboxCards } from '../src/pages/driver/attempts.ts';

function keys() {
  let n = 0;
  return () => `key-${++n}`;
}

describe('attemptFor', () => {
  const body = { invoice_id: 'inv_1', payment_token: 'tok_visa' };

  it('starts a new attempt with a fresh key', () => {
    expect(attemptFor(null, body, keys())).toEqual({ key: 'key-1', body, settled: false });
  });

  it('sends the same key again when the same request’s outcome is unknown', () => {
    const newKey = keys();
    const first = attemptFor(null, body, newKey);
    expect(attemptFor(first, { ...body }, newKey).key).toBe('key-1');
  });

  it('uses a new key once the server answered, or when the request changed', () => {
    const newKey = keys();
    const first = attemptFor(null, body, newKey);
    const settled: Attempt<typeof body> = { ...first, settled: true };
    expect(attemptFor(settled, body, newKey).key).toBe('key-2');
    expect(attemptFor(first, { ...body, payment_token: 'tok_mastercard' }, newKey).key).toBe('key-3');
  });
});

describe('outcomeUnknown', () => {
  it('is unknown without an answer, while processing, and on server errors', () => {
    expect(outcomeUnknown({ status: 0, code: 'NETWORK_ERROR' })).toBe(true);
    expect(outcomeUnknown({ status: 409, code: 'PAYMENT_IN_PROGRESS' })).toBe(true);
    expect(outcomeUnknown({ status: 502, code: 'UPSTREAM_FAILED' })).toBe(true);
    expect(outcomeUnknown({ status: 504 })).toBe(true);
    expect(outcomeUnknown({ status: 429, code: 'RATE_LIMITED' })).toBe(true);
  });

  it('is known after a decline, a processor failure the API recorded, or any other refusal', () => {
    expect(outcomeUnknown({ status: 402, code: 'PAYMENT_DECLINED' })).toBe(false);
    expect(outcomeUnknown({ status: 503, code: 'PAYMENT_PROCESSOR_UNAVAILABLE' })).toBe(false);
    expect(outcomeUnknown({ status: 409, code: 'INVOICE_ALREADY_PAID' })).toBe(false);
    expect(outcomeUnknown({ status: 409, code: 'NO_SPACE_AVAILABLE' })).toBe(false);
    expect(outcomeUnknown({ status: 400, code: 'VALIDATION_FAILED' })).toBe(false);
  });
});

describe('sandboxCards', () => {
  it('offers processor tokens only, never anything like a card number', () => {
    expect(sandboxCards.length).toBeGreaterThan(3);
    for (const card of sandboxCards) {
      expect(card.token).toMatch(/^tok_[A-Za-z_]+$/);
      expect(card.label).not.toMatch(/\d{5,}/);
    }
    expect(sandboxCards[0]?.token).toBe('tok_visa');
    expect(sandboxCards.map((c) => c.token)).toEqual(
      expect.arrayContaining(['tok_chargeDeclined', 'tok_processingError']),
    );
  });
});
