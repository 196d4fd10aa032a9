import { describe, expect, it } from 'vitest';
import { currencyDigits, formatMoney, moneyStep, parseMoney } from '../src/lib/money.ts';
import { sumAmounts } from '../src/pages/facility/revenue.ts';

describe('money in the facility’s currency', () => {
  it('knows how many decimals each currency has, as the platform counts them', () => {
    expect(currencyDigits('GBP')).toBe(2);
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('KRW')).toBe(0);
    expect(currencyDigits('BHD')).toBe(3);
    // ISO 4217 says 3 where the browser's currency data says 0.
    expect(currencyDigits('IQD')).toBe(3);
  });

  it('formats an amount with its currency and all its decimals', () => {
    expect(formatMoney(12.5, 'GBP', 'en-GB')).toBe('£12.50');
    expect(formatMoney(1200, 'JPY', 'en-GB')).toBe('JP¥1,200');
    expect(formatMoney(1200, 'JPY', 'ja-JP')).toBe('￥1,200');
    expect(formatMoney(3.2, 'USD', 'en-US')).toBe('$3.20');
    expect(formatMoney(1.5, 'BHD', 'en-GB')).toBe('BHD\u00a01.500');
    expect(formatMoney(0, 'EUR', 'de-DE')).toBe('0,00\u00a0€');
  });

  it('rounds to the currency’s minor unit, and still shows a currency the browser does not know', () => {
    expect(formatMoney(0.125, 'GBP', 'en-GB')).toBe('£0.13');
    expect(formatMoney(600.4, 'JPY', 'en-US')).toBe('¥600');
    expect(formatMoney(5, 'not a currency', 'en-GB')).toBe('5.00 not a currency');
  });

  it('gives number inputs the step of the currency', () => {
    expect(moneyStep('GBP')).toBe('0.01');
    expect(moneyStep('JPY')).toBe('1');
    expect(moneyStep('BHD')).toBe('0.001');
  });

  it('reads typed amounts, refusing more decimals than the currency has and negative ones', () => {
    expect(parseMoney('12.50', 'GBP')).toEqual({ amount: 12.5 });
    expect(parseMoney(' 3 ', 'GBP')).toEqual({ amount: 3 });
    expect(parseMoney('12.500', 'GBP')).toEqual({ amount: 12.5 });
    expect(parseMoney('12.505', 'GBP')).toEqual({ error: 'must have at most 2 decimals in GBP' });
    expect(parseMoney('1200', 'JPY')).toEqual({ amount: 1200 });
    expect(parseMoney('1200.5', 'JPY')).toEqual({ error: 'must be a whole number of JPY' });
    expect(parseMoney('-1', 'GBP')).toHaveProperty('error');
    expect(parseMoney('abc', 'GBP')).toHaveProperty('error');
    expect(parseMoney('', 'GBP')).toHaveProperty('error');
  });

  it('adds amounts without floating-point dust', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumAmounts([0.1, 0.2], 2)).toBe(0.3);
    expect(sumAmounts([19.99, 0.01, 5.55], 2)).toBe(25.55);
    expect(sumAmounts([], 2)).toBe(0);
    expect(sumAmounts([1200, 800], 0)).toBe(2000);
  });
});
