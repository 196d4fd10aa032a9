import { describe, expect, it } from 'vitest';
import { driverProblemWords } from '../src/pages/driver/words.ts';

describe('driverProblemWords', () => {
  it('says what happened without ids', () => {
    const words = driverProblemWords({
      code: 'INVOICE_NOT_FOUND',
      detail: 'There is no invoice inv_01a20dc2b6b970009bf6033bc7261216',
    });
    expect(words).toBe('This invoice is not on your account.');
    expect(driverProblemWords({ code: 'NO_SPACE_AVAILABLE' })).toMatch(/No space of that size is free/);
  });

  it('tells a declined card’s reason from its decline code', () => {
    expect(driverProblemWords({ code: 'PAYMENT_DECLINED', decline_code: 'insufficient_funds' })).toBe(
      'The card was declined: there are not enough funds. Choose another card.',
    );
    expect(driverProblemWords({ code: 'PAYMENT_DECLINED', decline_code: 'expired_card' })).toMatch(/expired/);
    expect(driverProblemWords({ code: 'PAYMENT_DECLINED', decline_code: 'card_declined' })).toBe(
      'The card was declined. Choose another card.',
    );
  });

  it('keeps the opening hours from a closed-facility refusal', () => {
    expect(
      driverProblemWords({
        code: 'OUTSIDE_OPERATING_HOURS',
        detail: 'The facility is not open for the whole window (08:00–18:00 on MON, TUE, Europe/London)',
      }),
    ).toBe(
      'This car park is closed for part of that time. Its opening hours: 08:00–18:00 on MON, TUE, Europe/London.',
    );
    expect(driverProblemWords({ code: 'OUTSIDE_OPERATING_HOURS' })).toBe(
      'This car park is closed for part of that time.',
    );
  });

  it('says how far ahead a car park takes reservations', () => {
    expect(
      driverProblemWords({
        code: 'TOO_FAR_AHEAD',
        detail: 'The facility takes bookings up to 90 days ahead',
      }),
    ).toBe('This car park takes reservations up to 90 days ahead.');
  });

  it('falls back to the app’s common words and then to the API’s detail', () => {
    expect(driverProblemWords({ code: 'RATE_LIMITED' })).toMatch(/Too many requests/);
    expect(driverProblemWords({ code: 'NETWORK_ERROR' }, 0)).toMatch(/cannot be reached/);
    expect(driverProblemWords({ code: 'SOMETHING_NEW', detail: 'A sentence from the API' })).toBe(
      'A sentence from the API',
    );
    expect(driverProblemWords(null, 500)).toMatch(/server had a problem \(500\)/);
  });
});
