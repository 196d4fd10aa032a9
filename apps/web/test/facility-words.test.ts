import { describe, expect, it } from 'vitest';
import { facilityProblemWords, sizeName } from '../src/pages/facility/words.ts';

describe('the facility page’s refusals in words', () => {
  it('says how much room is left when a facility is full', () => {
    const full = facilityProblemWords(
      {
        code: 'FACILITY_CAPACITY_EXCEEDED',
        status: 409,
        detail: 'The facility has room for 20 COMPACT spaces; 20 exist, 1 more requested',
        capacity: 20,
        existing: 20,
        requested: 1,
      },
      409,
    );
    expect(full.message).toBe(
      'The facility already has all 20 spaces of this size it has room for. A manager can raise its capacity first.',
    );
    const some = facilityProblemWords(
      { code: 'FACILITY_CAPACITY_EXCEEDED', capacity: 20, existing: 17, requested: 5 },
      409,
    );
    expect(some.message).toMatch(/room for only 3 more spaces of this size/);
    const one = facilityProblemWords(
      { code: 'FACILITY_CAPACITY_EXCEEDED', capacity: 20, existing: 19, requested: 5 },
      409,
    );
    expect(one.message).toMatch(/only 1 more space of/);
  });

  it('explains the refusals of the page’s actions and what to do', () => {
    expect(facilityProblemWords({ code: 'STATION_BUSY', detail: 'x' }, 409).message).toMatch(
      /charging a car\. Stop that charging session first/,
    );
    expect(facilityProblemWords({ code: 'PRICING_IN_THE_PAST' }, 409).message).toMatch(
      /cannot start in the past/,
    );
    expect(facilityProblemWords({ code: 'ALERT_ALREADY_ACKNOWLEDGED' }, 409).message).toBe(
      'Someone has already acknowledged this alert.',
    );
    expect(
      facilityProblemWords(
        { code: 'FORBIDDEN', detail: 'This needs one of the roles: platform_admin, tenant_admin' },
        403,
      ).message,
    ).toBe('Your account is not allowed to do this. Ask a manager (a tenant admin) to do it.');
    expect(
      facilityProblemWords(
        { code: 'INVALID_PRICE', detail: 'daily_max is below one hour at hourly_rate' },
        400,
      ).message,
    ).toBe('A price is not valid: daily_max is below one hour at hourly_rate.');
  });

  it('names invalid fields as the form labels them, and keeps them for the form', () => {
    const words = facilityProblemWords(
      {
        code: 'VALIDATION_FAILED',
        errors: [
          { field: 'power_rating_kw', message: 'must be > 0' },
          { field: 'location.aisle', message: 'must NOT have fewer than 1 characters' },
        ],
      },
      400,
      { power_rating_kw: 'Power rating (kW)' },
    );
    expect(words.message).toBe(
      'Some details are not right: Power rating (kW): must be > 0; location.aisle: must NOT have fewer than 1 characters.',
    );
    expect(words.fields).toEqual({
      power_rating_kw: 'must be > 0',
      'location.aisle': 'must NOT have fewer than 1 characters',
    });
  });

  it('falls back to the app’s general words, and to a sentence by status', () => {
    expect(facilityProblemWords({ code: 'RATE_LIMITED' }, 429).message).toMatch(/Too many requests/);
    expect(facilityProblemWords({ code: 'NETWORK_ERROR' }, 0).message).toMatch(/cannot be reached/);
    expect(facilityProblemWords({ code: 'SOMETHING_NEW', detail: 'A new refusal' }, 409).message).toBe(
      'A new refusal',
    );
    expect(facilityProblemWords(null, 502).message).toBe(
      'The server had a problem (502). Try again in a moment.',
    );
  });

  it('names sizes in lower case', () => {
    expect(sizeName('COMPACT')).toBe('compact');
    expect(sizeName('LARGE')).toBe('large');
  });
});
