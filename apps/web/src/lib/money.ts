import { minorUnits } from '@easypark/kernel/money';

/**
 * Money as the API carries it: a decimal in the major units of the facility's currency (12.5 is
 * £12.50, 1200 is ¥1,200), rounded to the currency's minor unit.
 */

/** How many decimals the currency has (GBP 2, JPY 0, BHD 3). */
export function currencyDigits(currency: string): number {
  return minorUnits(currency);
}

/**
 * The amount in the reader's own notation, with the currency's symbol and all its decimals
 * (£7.90, ¥3,000, BHD 1.500); a code the browser does not know is written after the number.
 */
export function formatMoney(amount: number, currency: string, locale?: string): string {
  const digits = currencyDigits(currency);
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(amount);
  } catch {
    return `${amount.toFixed(digits)} ${currency}`;
  }
}

/** The `step` of a number input for amounts of the currency: `0.01`, `1`, `0.001`. */
export function moneyStep(currency: string): string {
  const digits = currencyDigits(currency);
  return digits === 0 ? '1' : `0.${'0'.repeat(digits - 1)}1`;
}

/**
 * An amount typed in a form: a plain decimal with at most the currency's decimals, not negative.
 * Answers the number, or why it is not one.
 */
export function parseMoney(text: string, currency: string): { amount: number } | { error: string } {
  const trimmed = text.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return { error: 'must be an amount like 12.50, not negative' };
  const digits = currencyDigits(currency);
  const decimals = (trimmed.split('.')[1] ?? '').replace(/0+$/, '').length;
  if (decimals > digits)
    return {
      error:
        digits === 0
          ? `must be a whole number of ${currency}`
          : `must have at most ${digits} decimals in ${currency}`,
    };
  return { amount: Number(trimmed) };
}
