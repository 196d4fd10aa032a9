import { type Problem, problemToWords } from '../../lib/problems.ts';

/**
 * The API's refusals on the driver's pages in words a driver understands. The services' `detail`
 * often names ids (`There is no invoice inv_…`); these say what happened and what to do instead.
 * Codes not listed here fall back to the app's common words (lib/problems.ts).
 */
const driverWords: Record<string, string | ((problem: Problem) => string)> = {
  // Searching and reserving
  NO_SPACE_AVAILABLE: 'No space of that size is free for the whole time. Try other times or another size.',
  RESERVATION_OVERLAP: 'That space was just reserved by someone else. Search again for another.',
  RESERVATION_IN_THE_PAST: 'That arrival time has already passed. Choose a later time.',
  TOO_FAR_AHEAD: (p) => {
    const days = /up to (\d+) days/.exec(p.detail ?? '')?.[1];
    return days
      ? `This car park takes reservations up to ${days} days ahead.`
      : 'This car park does not take reservations that far ahead.';
  },
  OUTSIDE_OPERATING_HOURS: (p) => {
    // The detail ends with the opening hours: "(08:00–18:00 on MON, TUE, Europe/London)".
    const hours = /\(([^)]*)\)\s*$/.exec(p.detail ?? '')?.[1];
    const closed = 'This car park is closed for part of that time.';
    return hours ? `${closed} Its opening hours: ${hours}.` : closed;
  },
  INVALID_RESERVATION_WINDOW: (p) =>
    /at most/.test(p.detail ?? '') ? (p.detail as string) : 'Leaving must be after arriving.',
  FACILITY_NOT_ACTIVE: 'This car park is not taking reservations at the moment.',
  FACILITY_NOT_FOUND: 'This car park is no longer listed.',
  SPACE_NOT_RESERVABLE: 'That space cannot be reserved right now. Search again for another.',
  // Confirming and cancelling
  RESERVATION_NOT_FOUND: 'This reservation no longer exists.',
  RESERVATION_EXPIRED: 'The hold on this space ran out before it was confirmed. Search again to reserve.',
  RESERVATION_CANCELLED: 'This reservation was cancelled.',
  RESERVATION_NOT_PENDING: 'This reservation can no longer be confirmed.',
  RESERVATION_NOT_CANCELLABLE: 'This reservation can no longer be cancelled: it has been used or has ended.',
  IDEMPOTENCY_KEY_REUSED: 'That request was already sent with different details. Try again.',
  // Parking and charging
  SESSION_NOT_FOUND: 'This visit is not on your account.',
  CHARGING_SESSION_NOT_FOUND: 'This charging session is not on your account.',
  SESSION_ENDED: 'Charging has already ended.',
  STATION_NOT_RESPONDING: 'The charger did not answer in time. Try again in a moment.',
  STATION_REJECTED: 'The charger refused. Check the cable, or ask the staff on site.',
  // Paying
  INVOICE_NOT_FOUND: 'This invoice is not on your account.',
  INVOICE_ALREADY_PAID: 'This invoice is already paid.',
  INVOICE_CLOSED: 'This invoice was cancelled; there is nothing to pay.',
  INVOICE_NOT_ISSUED: 'This invoice is still being prepared. Try again later.',
  AMOUNT_EXCEEDS_BALANCE: 'That is more than what is left to pay.',
  INVALID_PAYMENT_TOKEN: 'The card was not accepted. Choose another card.',
  PAYMENT_DECLINED: (p) => {
    const why: Record<string, string> = {
      insufficient_funds: 'The card was declined: there are not enough funds. Choose another card.',
      expired_card: 'The card was declined: it has expired. Choose another card.',
      invalid_token: 'The card was not accepted. Choose another card.',
    };
    const code = typeof p.decline_code === 'string' ? p.decline_code : '';
    return why[code] ?? 'The card was declined. Choose another card.';
  },
  PAYMENT_PROCESSOR_UNAVAILABLE:
    'The payment could not be processed just now, and you were not charged. Try again.',
  PAYMENT_IN_PROGRESS: 'This payment is still being processed. Wait a moment, then check again.',
  PRICING_NOT_SET: 'This car park has not set a price for this yet.',
};

/** One sentence for a refusal on a driver's page. */
export function driverProblemWords(problem: Problem | null | undefined, status?: number): string {
  const words = problem?.code ? driverWords[problem.code] : undefined;
  if (typeof words === 'string') return words;
  if (words && problem) return words(problem);
  return problemToWords(problem, status).message;
}

/** After a failure whose outcome is unknown: a retry sends the same idempotency key. */
export const safeRetryWords = 'Trying again is safe: it will not be done twice.';
