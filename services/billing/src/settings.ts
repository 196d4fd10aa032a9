import { loadConfig, type Static, Type } from '@easypark/platform';

/** The Billing service's settings, from the environment. */
export const BillingSettingsSchema = Type.Object({
  BILLING_PAYMENT_TERMS_DAYS: Type.Integer({ minimum: 0, maximum: 120, default: 14 }),
  BILLING_VISIT_WAIT_MINUTES: Type.Integer({ minimum: 1, maximum: 10_080, default: 60 }),
  BILLING_SWEEP_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
  BILLING_PAYMENT_PROCESSOR: Type.Enum(['sandbox'], { type: 'string', default: 'sandbox' }),
});

export interface BillingSettings {
  /** Days from issue to due date, unless a customer's account says otherwise. */
  paymentTermsDays: number;
  /** How long a visit's invoice waits for its charging sessions to finish before it is issued anyway. */
  visitWaitMinutes: number;
  sweepSeconds: number;
  paymentProcessor: 'sandbox';
}

export function billingSettings(env: Record<string, string | undefined> = process.env): BillingSettings {
  const c: Static<typeof BillingSettingsSchema> = loadConfig(BillingSettingsSchema, env);
  return {
    paymentTermsDays: c.BILLING_PAYMENT_TERMS_DAYS,
    visitWaitMinutes: c.BILLING_VISIT_WAIT_MINUTES,
    sweepSeconds: c.BILLING_SWEEP_SECONDS,
    paymentProcessor: c.BILLING_PAYMENT_PROCESSOR as 'sandbox',
  };
}
