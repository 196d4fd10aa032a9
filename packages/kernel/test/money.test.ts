import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add, fromMajor, minorUnits, multiply, sum, toMajor } from '../src/money.ts';

describe('money', () => {
  it('knows currencies without two decimals', () => {
    expect(minorUnits('GBP')).toBe(2);
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('KWD')).toBe(3);
  });

  it('parses decimals into minor units and refuses more decimals than the currency has', () => {
    expect(fromMajor(12.5, 'GBP').amount).toBe(1250);
    expect(fromMajor('0.1', 'USD').amount).toBe(10);
    expect(fromMajor(600, 'JPY').amount).toBe(600);
    expect(fromMajor('1.234', 'KWD').amount).toBe(1234);
    expect(() => fromMajor(1.005, 'GBP')).toThrow(/2 decimal places/);
    expect(() => fromMajor(0.5, 'JPY')).toThrow(/0 decimal places/);
    expect(() => fromMajor('abc', 'GBP')).toThrow();
  });

  it('round-trips every amount of minor units through JSON decimals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.constantFrom('GBP', 'JPY', 'KWD', 'USD'),
        (amount, currency) => {
          expect(fromMajor(toMajor({ amount, currency }), currency).amount).toBe(amount);
        },
      ),
    );
  });

  it('multiplies by rationals with half-away-from-zero rounding and no float error', () => {
    expect(multiply({ amount: 100, currency: 'GBP' }, 3, 2).amount).toBe(150);
    expect(multiply({ amount: 5, currency: 'GBP' }, 1, 2).amount).toBe(3); // 2.5 → 3
    expect(multiply({ amount: -5, currency: 'GBP' }, 1, 2).amount).toBe(-3);
    expect(multiply({ amount: 2 ** 50, currency: 'GBP' }, 3, 3).amount).toBe(2 ** 50);
  });

  it('never mixes currencies', () => {
    expect(() => add({ amount: 1, currency: 'GBP' }, { amount: 1, currency: 'USD' })).toThrow(/mix/);
    expect(
      sum(
        [
          { amount: 1, currency: 'EUR' },
          { amount: 2, currency: 'EUR' },
        ],
        'EUR',
      ).amount,
    ).toBe(3);
  });
});
