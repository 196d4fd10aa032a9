import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChargeRequest,
  looksLikeCardNumber,
  sandboxProcessor,
  sandboxTokens,
} from '../src/payments/processor.ts';

let keys = 0;
const charge = (token: string, fields: Partial<ChargeRequest> = {}): ChargeRequest => ({
  amount: 1250,
  currency: 'GBP',
  token,
  idempotency_key: `key-${++keys}`,
  description: 'Invoice inv_1',
  ...fields,
});

describe('the sandbox processor: test tokens', () => {
  it.each([
    ['tok_visa', 'visa', '4242'],
    ['tok_visa_debit', 'visa', '5556'],
    ['tok_mastercard', 'mastercard', '4444'],
    ['tok_amex', 'amex', '8431'],
  ])('%s succeeds as %s ending %s', async (token, brand, last4) => {
    const result = await sandboxProcessor().charge(charge(token));
    expect(result).toEqual({
      outcome: 'succeeded',
      processor_id: expect.stringMatching(/^ch_sandbox_[0-9a-f]{24}$/),
      card_brand: brand,
      last4,
    });
  });

  it.each([
    ['tok_chargeDeclined', 'card_declined'],
    ['tok_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
    ['tok_chargeDeclinedExpiredCard', 'expired_card'],
    ['tok_unknown', 'invalid_token'],
    ['', 'invalid_token'],
    ['toString', 'invalid_token'],
    ['__proto__', 'invalid_token'],
  ])('%s is declined: %s', async (token, code) => {
    const result = await sandboxProcessor().charge(charge(token));
    expect(result).toEqual({ outcome: 'declined', decline_code: code, message: expect.any(String) });
  });

  it('tok_processingError is a transient error', async () => {
    expect(await sandboxProcessor().charge(charge('tok_processingError'))).toEqual({
      outcome: 'error',
      message: expect.any(String),
    });
  });

  it('never repeats a token in a decline (it may be a card number typed in the wrong place)', async () => {
    const result = await sandboxProcessor().charge(charge('4242 4242 4242 4242'));
    expect(result).toMatchObject({ outcome: 'declined', decline_code: 'invalid_token' });
    expect(JSON.stringify(result)).not.toContain('4242');
  });

  it('documents exactly the tokens it knows', () => {
    expect([...sandboxTokens].sort()).toEqual(
      [
        'tok_visa',
        'tok_visa_debit',
        'tok_mastercard',
        'tok_amex',
        'tok_chargeDeclined',
        'tok_chargeDeclinedInsufficientFunds',
        'tok_chargeDeclinedExpiredCard',
        'tok_processingError',
      ].sort(),
    );
    expect(Object.isFrozen(sandboxTokens)).toBe(true);
  });

  it('refuses amounts that are not whole minor units above 0 (the caller guarantees them)', async () => {
    const sandbox = sandboxProcessor();
    for (const amount of [0, -5, 12.5, Number.NaN])
      await expect(sandbox.charge(charge('tok_visa', { amount }))).rejects.toThrow(RangeError);
  });
});

describe('the sandbox processor: idempotency', () => {
  it('the same key answers the same charge, once', async () => {
    const sandbox = sandboxProcessor();
    const first = await sandbox.charge(charge('tok_visa', { idempotency_key: 'pay-1' }));
    const again = await sandbox.charge(charge('tok_visa', { idempotency_key: 'pay-1' }));
    const other = await sandbox.charge(charge('tok_visa', { idempotency_key: 'pay-2' }));
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    const declined = await sandbox.charge(charge('tok_chargeDeclined', { idempotency_key: 'pay-3' }));
    expect(await sandbox.charge(charge('tok_chargeDeclined', { idempotency_key: 'pay-3' }))).toEqual(
      declined,
    );
  });

  it('concurrent retries with one key get one charge', async () => {
    const sandbox = sandboxProcessor();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => sandbox.charge(charge('tok_visa', { idempotency_key: 'burst' }))),
    );
    expect(new Set(results.map((r) => (r.outcome === 'succeeded' ? r.processor_id : r.outcome))).size).toBe(
      1,
    );
  });

  it('remembers the last 10,000 keys and forgets older ones', async () => {
    const sandbox = sandboxProcessor();
    const first = await sandbox.charge(charge('tok_visa', { idempotency_key: 'k0' }));
    for (let i = 1; i <= 10_000; i += 1)
      await sandbox.charge(charge('tok_chargeDeclined', { idempotency_key: `k${i}` }));
    expect(await sandbox.charge(charge('tok_chargeDeclined', { idempotency_key: 'k1' }))).toMatchObject({
      outcome: 'declined',
    });
    const later = await sandbox.charge(charge('tok_visa', { idempotency_key: 'k0' }));
    expect(later).toMatchObject({ outcome: 'succeeded' });
    expect(later).not.toEqual(first);
  });
});

describe('the sandbox processor: refunds', () => {
  async function charged(amount = 1000) {
    const sandbox = sandboxProcessor();
    const result = await sandbox.charge(charge('tok_visa', { amount }));
    if (result.outcome !== 'succeeded') throw new Error('the charge failed');
    return { sandbox, id: result.processor_id };
  }
  const refund = (processor_id: string, amount: number, idempotency_key = `ref-${++keys}`) => ({
    processor_id,
    amount,
    currency: 'GBP',
    idempotency_key,
  });

  it('refunds in parts up to what the charge took, never more', async () => {
    const { sandbox, id } = await charged(1000);
    const part = await sandbox.refund(refund(id, 600));
    expect(part).toEqual({
      outcome: 'succeeded',
      processor_id: expect.stringMatching(/^re_sandbox_[0-9a-f]{24}$/),
    });
    await expect(sandbox.refund(refund(id, 401))).rejects.toThrow(RangeError);
    expect((await sandbox.refund(refund(id, 400))).outcome).toBe('succeeded');
    await expect(sandbox.refund(refund(id, 1))).rejects.toThrow(RangeError);
  });

  it('the same key answers the same refund and refunds once', async () => {
    const { sandbox, id } = await charged(1000);
    const first = await sandbox.refund(refund(id, 1000, 'ref-once'));
    expect(await sandbox.refund(refund(id, 1000, 'ref-once'))).toEqual(first);
    await expect(sandbox.refund(refund(id, 1))).rejects.toThrow(RangeError);
  });

  it('a refund in another currency than the charge is refused', async () => {
    const { sandbox, id } = await charged(1000);
    await expect(sandbox.refund({ ...refund(id, 100), currency: 'EUR' })).rejects.toThrow(RangeError);
  });

  it('a charge it does not know (a sandbox restarted) is refunded', async () => {
    const { id } = await charged(1000);
    const restarted = sandboxProcessor();
    expect((await restarted.refund(refund(id, 5000))).outcome).toBe('succeeded');
  });

  it('refuses amounts that are not whole minor units above 0', async () => {
    const { sandbox, id } = await charged(1000);
    for (const amount of [0, -1, 0.5])
      await expect(sandbox.refund(refund(id, amount))).rejects.toThrow(RangeError);
  });
});

/** Appends the Luhn check digit to a digit string. */
function withCheckDigit(body: string): string {
  for (let check = 0; check <= 9; check += 1) if (luhn(body + check)) return body + check;
  throw new Error('unreachable');
}
function luhn(digits: string): boolean {
  let sum = 0;
  [...digits].reverse().forEach((d, i) => {
    const n = Number(d) * (i % 2 === 1 ? 2 : 1);
    sum += n > 9 ? n - 9 : n;
  });
  return sum % 10 === 0;
}

describe('looksLikeCardNumber', () => {
  it.each([
    '4242424242424242',
    '4242 4242 4242 4242',
    '4242-4242-4242-4242',
    ' 4000 0566 5566 5556 ',
    '378282246310005',
    '3782 822463 10005',
    '5555555555554444',
  ])('%s looks like a card number', (text) => {
    expect(looksLikeCardNumber(text)).toBe(true);
  });

  it.each([
    '4242424242424241', // fails the Luhn check
    '4242 4242 4242 4243',
    '378282246310006',
    '42424242424', // 11 digits
    '42424242424242424242', // 20 digits
    'tok_visa',
    'tok_4242424242424242',
    '4242424242424242x',
    '4242.4242.4242.4242',
    '-4242424242424242',
    '',
    'inv_01JQ7ZCP3M',
  ])('%s does not', (text) => {
    expect(looksLikeCardNumber(text)).toBe(false);
  });

  it('property: any Luhn-valid 12–19 digits, however grouped, look like one; one digit changed does not', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 11, maxLength: 18 }),
        fc.array(fc.constantFrom('', ' ', '-'), { minLength: 19, maxLength: 19 }),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (body, separators, position, shift) => {
          const number = withCheckDigit(body);
          const grouped = [...number].map((d, i) => (i === 0 ? d : separators[i]! + d)).join('');
          expect(looksLikeCardNumber(grouped)).toBe(true);
          const at = position % number.length;
          const changed = number.slice(0, at) + ((Number(number[at]) + shift) % 10) + number.slice(at + 1);
          expect(looksLikeCardNumber(changed)).toBe(false);
        },
      ),
    );
  });
});
