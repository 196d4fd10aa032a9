/**
 * The payment port: billing takes and refunds card payments through a PaymentProcessor, which the
 * run modes swap (a real processor's adapter in production; the sandbox below when embedded and in
 * tests). Billing only ever holds a processor's token for a card, never the card number: anything
 * that looks like one (looksLikeCardNumber) must not be stored or logged.
 *
 * The sandbox behaves like card processors' test modes: a fixed set of test tokens (sandboxTokens)
 * succeed, decline or fail transiently; any other token is declined as invalid_token. It keeps its
 * memory in the process (bounded), so it forgets charges when restarted: a refund of a charge it does
 * not know still succeeds.
 *
 * Amounts are integer minor units, > 0. Retrying with the same idempotency_key answers the first
 * result again and never charges or refunds twice; a transient error is not remembered, so a retry
 * with the same key really tries again.
 */
import { randomBytes } from 'node:crypto';

export interface ChargeRequest {
  /** minor units, > 0 */
  amount: number;
  currency: string;
  token: string;
  idempotency_key: string;
  description: string;
}

export type ChargeResult =
  | { outcome: 'succeeded'; processor_id: string; card_brand: string; last4: string }
  | { outcome: 'declined'; decline_code: string; message: string }
  /** transient: try again later */
  | { outcome: 'error'; message: string };

export interface RefundRequest {
  processor_id: string;
  amount: number;
  currency: string;
  idempotency_key: string;
}

export type RefundResult =
  | { outcome: 'succeeded'; processor_id: string }
  | { outcome: 'error'; message: string };

export interface PaymentProcessor {
  name: string;
  charge(r: ChargeRequest): Promise<ChargeResult>;
  refund(r: RefundRequest): Promise<RefundResult>;
}

type Behaviour =
  | { outcome: 'succeeded'; card_brand: string; last4: string }
  | { outcome: 'declined'; decline_code: string; message: string }
  | { outcome: 'error'; message: string };

/** What each sandbox token does. */
const behaviours: Record<string, Behaviour> = {
  tok_visa: { outcome: 'succeeded', card_brand: 'visa', last4: '4242' },
  tok_visa_debit: { outcome: 'succeeded', card_brand: 'visa', last4: '5556' },
  tok_mastercard: { outcome: 'succeeded', card_brand: 'mastercard', last4: '4444' },
  tok_amex: { outcome: 'succeeded', card_brand: 'amex', last4: '8431' },
  tok_chargeDeclined: {
    outcome: 'declined',
    decline_code: 'card_declined',
    message: 'The card was declined.',
  },
  tok_chargeDeclinedInsufficientFunds: {
    outcome: 'declined',
    decline_code: 'insufficient_funds',
    message: 'The card has insufficient funds.',
  },
  tok_chargeDeclinedExpiredCard: {
    outcome: 'declined',
    decline_code: 'expired_card',
    message: 'The card has expired.',
  },
  tok_processingError: {
    outcome: 'error',
    message: 'The processor could not take the payment just now; try again later.',
  },
};

/**
 * The sandbox's test tokens:
 * - tok_visa (visa 4242), tok_visa_debit (visa 5556), tok_mastercard (mastercard 4444),
 *   tok_amex (amex 8431): succeed;
 * - tok_chargeDeclined: declined, card_declined;
 * - tok_chargeDeclinedInsufficientFunds: declined, insufficient_funds;
 * - tok_chargeDeclinedExpiredCard: declined, expired_card;
 * - tok_processingError: a transient error (try again later).
 * Any other token is declined with invalid_token.
 */
export const sandboxTokens: readonly string[] = Object.freeze(Object.keys(behaviours));

/** How many idempotency keys (and charges, for refund limits) the sandbox remembers. */
const REMEMBERED = 10_000;

/** A Map that forgets its oldest entries beyond `limit`. */
function boundedMap<K, V>(limit: number) {
  const map = new Map<K, V>();
  return {
    get: (key: K) => map.get(key),
    set(key: K, value: V) {
      map.delete(key);
      map.set(key, value);
      while (map.size > limit) map.delete(map.keys().next().value as K);
    },
  };
}

const hex = () => randomBytes(12).toString('hex');

function requireAmount(amount: number, what: string): void {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new RangeError(`${what} must be a whole number of minor units above 0, not ${amount}`);
}

export function sandboxProcessor(): PaymentProcessor {
  const charges = boundedMap<string, ChargeResult>(REMEMBERED);
  const refunds = boundedMap<string, RefundResult>(REMEMBERED);
  /** What each successful charge took and what has been refunded of it. */
  const taken = boundedMap<string, { amount: number; currency: string; refunded: number }>(REMEMBERED);

  return {
    name: 'sandbox',

    async charge(r) {
      requireAmount(r.amount, 'A charge');
      const seen = charges.get(r.idempotency_key);
      if (seen) return seen;
      const behaviour: Behaviour = Object.hasOwn(behaviours, r.token)
        ? behaviours[r.token]!
        : // Never echo the token: it may be a card number typed in the wrong place.
          { outcome: 'declined', decline_code: 'invalid_token', message: 'The payment token is not valid.' };
      if (behaviour.outcome === 'error') return { ...behaviour };
      const result: ChargeResult =
        behaviour.outcome === 'succeeded'
          ? { ...behaviour, processor_id: `ch_sandbox_${hex()}` }
          : { ...behaviour };
      if (result.outcome === 'succeeded')
        taken.set(result.processor_id, { amount: r.amount, currency: r.currency, refunded: 0 });
      charges.set(r.idempotency_key, result);
      return result;
    },

    async refund(r) {
      requireAmount(r.amount, 'A refund');
      const seen = refunds.get(r.idempotency_key);
      if (seen) return seen;
      const charge = taken.get(r.processor_id);
      if (charge) {
        if (charge.currency !== r.currency)
          throw new RangeError(`Charge ${r.processor_id} was in ${charge.currency}, not ${r.currency}`);
        const left = charge.amount - charge.refunded;
        if (r.amount > left)
          throw new RangeError(`Charge ${r.processor_id} has ${left} left to refund, less than ${r.amount}`);
        charge.refunded += r.amount;
      }
      const result: RefundResult = { outcome: 'succeeded', processor_id: `re_sandbox_${hex()}` };
      refunds.set(r.idempotency_key, result);
      return result;
    },
  };
}

/** True for text that looks like a card number (12–19 digits, spaces/dashes allowed, Luhn-valid): never store or log it. */
export function looksLikeCardNumber(text: string): boolean {
  const trimmed = text.trim();
  if (!/^\d(?:[ -]*\d)*$/.test(trimmed)) return false;
  const digits = trimmed.replace(/[ -]/g, '');
  if (digits.length < 12 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
