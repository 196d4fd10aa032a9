import { fromMajor, type IdKind, idPatternFor } from '@easypark/kernel';
import { Type } from '@easypark/platform';
import { problem } from '../errors.ts';

/** Schemas shared by several routes. Route-specific bodies live next to their routes. */

export const IdOf = (kind: IdKind, description: string) =>
  Type.String({ pattern: idPatternFor(kind), description });
export const FacilityId = IdOf('facility', 'Facility id (fac_…)');
export const CustomerId = IdOf('customer', 'Customer id (cus_…)');
export const InvoiceId = IdOf('invoice', 'Invoice id (inv_…)');
export const PaymentId = IdOf('payment', 'Payment id (pay_…)');
export const ChargeId = IdOf('charge', 'Charge id (chg_…)');
export const ParkingSessionId = IdOf('parkingSession', 'Parking session id (pks_…)');
export const ChargingSessionId = IdOf('chargingSession', 'Charging session id (chs_…)');
export const PromoId = IdOf('promoCode', 'Promo code id (pro_…)');
export const LocalDate = (description: string) => Type.String({ format: 'date', description });
export const DateTime = (description: string) => Type.String({ format: 'date-time', description });
export const Amount = (description: string) =>
  Type.Number({
    exclusiveMinimum: 0,
    maximum: 100_000_000,
    description: `${description}, in major units of the currency`,
  });
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Retries with the same key get the first answer',
    }),
  ),
});

/** Major units in, minor units out; more decimals than the currency has is refused, not rounded. */
export function minorOf(amount: number, currency: string, field: string): number {
  try {
    return fromMajor(amount, currency).amount;
  } catch {
    throw problem('INVALID_AMOUNT', `${field} has more decimals than ${currency} allows`, {
      errors: [{ field, message: `at most the minor unit of ${currency}` }],
    });
  }
}
