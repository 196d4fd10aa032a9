import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TenantFixture, type TestPlatform } from '../../../test/support/platform.ts';
import { facilityClient } from '../src/client.ts';

let t: TestPlatform;
let acme: TenantFixture;
let other: TenantFixture;

beforeAll(async () => {
  t = await startTestPlatform();
  acme = await t.createTenant('Acme Parking');
  other = await t.createTenant('Other Parking');
});
afterAll(() => t?.stop());

const validFacility = {
  name: 'Central',
  address: {
    line1: '1 High St',
    city: 'Leeds',
    postal_code: 'LS1 1AA',
    country: 'GB',
    latitude: 53.8,
    longitude: -1.55,
  },
  capacity_breakdown: { compact: 5, standard: 40, large: 5 },
  pricing_strategy: 'PEAK_HOUR',
  timezone: 'Europe/London',
  currency: 'GBP',
  opening_time: '06:00',
  closing_time: '23:30',
  operating_days: ['SAT', 'MON', 'TUE'],
};

describe('register', () => {
  it('registers a facility for the caller’s tenant and answers the seed’s fields', async () => {
    const res = await t.request('POST', '/api/v1/facilities/register', {
      token: acme.adminToken,
      body: validFacility,
    });
    expect(res.status).toBe(201);
    expect(res.body.facility_id).toMatch(/^fac_[0-9a-f]{32}$/);
    expect(res.body).toMatchObject({
      status: 'ACTIVE',
      tenant_id: acme.tenant_id,
      capacity: { compact: 5, standard: 40, large: 5, total: 50 },
      operating_hours: {
        opening_time: '06:00',
        closing_time: '23:30',
        operating_days: ['MON', 'TUE', 'SAT'],
      },
      timezone: 'Europe/London',
      currency: 'GBP',
    });
    expect(res.headers.location).toBe(`/api/v1/facilities/${res.body.facility_id}`);
  });

  it.each([
    [{ timezone: 'Mars/Olympus' }, 'INVALID_TIMEZONE', 400],
    [{ currency: 'XXY' }, 'INVALID_CURRENCY', 400],
    [{ capacity_breakdown: { compact: 0, standard: 0, large: 0 } }, 'INVALID_CAPACITY', 400],
    [{ opening_time: '08:00', closing_time: null }, 'INVALID_OPERATING_HOURS', 400],
    [{ opening_time: '25:00', closing_time: '08:00' }, 'VALIDATION_FAILED', 400],
    [{ pricing_strategy: 'FREE' }, 'VALIDATION_FAILED', 400],
    [{ surprise: true }, 'VALIDATION_FAILED', 400],
  ])('refuses %j with %s', async (override, code, status) => {
    const res = await t.request('POST', '/api/v1/facilities/register', {
      token: acme.adminToken,
      body: { ...validFacility, name: `Bad ${code} ${Math.random()}`, ...override },
    });
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe(code);
  });

  it('lists every bad field in one 400', async () => {
    const res = await t.request('POST', '/api/v1/facilities/register', {
      token: acme.adminToken,
      body: {
        name: '',
        address: { city: 'X', country: 'gb' },
        capacity_breakdown: { compact: -1, standard: 1, large: 1 },
      },
    });
    expect(res.status).toBe(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'name',
        'address.line1',
        'address.country',
        'capacity_breakdown.compact',
        'pricing_strategy',
        'timezone',
        'currency',
      ]),
    );
  });

  it('refuses a second facility of the same name in a tenant, allows it in another', async () => {
    const name = `Twin ${Date.now()}`;
    expect(
      (
        await t.request('POST', '/api/v1/facilities/register', {
          token: acme.adminToken,
          body: { ...validFacility, name },
        })
      ).status,
    ).toBe(201);
    const again = await t.request('POST', '/api/v1/facilities/register', {
      token: acme.adminToken,
      body: { ...validFacility, name },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('FACILITY_NAME_TAKEN');
    expect(
      (
        await t.request('POST', '/api/v1/facilities/register', {
          token: other.adminToken,
          body: { ...validFacility, name },
        })
      ).status,
    ).toBe(201);
  });

  it('lets only admins register, and a tenant admin only for their own tenant', async () => {
    const byOperator = await t.request('POST', '/api/v1/facilities/register', {
      token: acme.operatorToken,
      body: validFacility,
    });
    expect(byOperator.status).toBe(403);
    const driver = await t.createDriver();
    expect(
      (await t.request('POST', '/api/v1/facilities/register', { token: driver.token, body: validFacility }))
        .status,
    ).toBe(403);
    const crossTenant = await t.request('POST', '/api/v1/facilities/register', {
      token: acme.adminToken,
      body: { ...validFacility, name: 'Sneaky', tenant_id: other.tenant_id },
    });
    expect(crossTenant.status).toBe(403);
    const platformAdmin = await t.request('POST', '/api/v1/facilities/register', {
      token: t.adminToken,
      body: { ...validFacility, name: 'By the platform', tenant_id: other.tenant_id },
    });
    expect(platformAdmin.status).toBe(201);
    expect(platformAdmin.body.tenant_id).toBe(other.tenant_id);
    const unknownTenant = await t.request('POST', '/api/v1/facilities/register', {
      token: t.adminToken,
      body: { ...validFacility, tenant_id: `ten_${'0'.repeat(32)}` },
    });
    expect(unknownTenant.status).toBe(404);
    expect(unknownTenant.body.code).toBe('TENANT_NOT_FOUND');
    expect((await t.request('POST', '/api/v1/facilities/register', { body: validFacility })).status).toBe(
      401,
    );
  });
});

describe('reservation policy', () => {
  it('defaults, takes fees in the facility currency, and merges a PATCH into what is set', async () => {
    const plain = await t.request('POST', '/api/v1/facilities/register', {
      token: acme.adminToken,
      body: { ...validFacility, name: 'Policy default' },
    });
    expect(plain.body.reservation_policy).toEqual({
      free_cancellation_minutes: 60,
      cancellation_fee: 0,
      no_show_fee: 0,
      arrival_grace_early_minutes: 15,
      arrival_grace_late_minutes: 30,
      max_advance_days: 90,
    });
    const tokyo = await t.request('POST', '/api/v1/facilities/register', {
      token: acme.adminToken,
      body: {
        ...validFacility,
        name: 'Policy Tokyo',
        timezone: 'Asia/Tokyo',
        currency: 'JPY',
        reservation_policy: { cancellation_fee: 500, no_show_fee: 1500, free_cancellation_minutes: 120 },
      },
    });
    expect(tokyo.status).toBe(201);
    expect(tokyo.body.reservation_policy).toMatchObject({ cancellation_fee: 500, no_show_fee: 1500 });
    const fractionalYen = await t.request('PATCH', `/api/v1/facilities/${tokyo.body.facility_id}`, {
      token: acme.adminToken,
      body: { reservation_policy: { no_show_fee: 10.5 } },
    });
    expect(fractionalYen.status).toBe(400);
    expect(fractionalYen.body.code).toBe('INVALID_PRICE');
    const patched = await t.request('PATCH', `/api/v1/facilities/${tokyo.body.facility_id}`, {
      token: acme.adminToken,
      body: { reservation_policy: { arrival_grace_late_minutes: 10 } },
    });
    expect(patched.body.reservation_policy).toEqual({
      free_cancellation_minutes: 120,
      cancellation_fee: 500,
      no_show_fee: 1500,
      arrival_grace_early_minutes: 15,
      arrival_grace_late_minutes: 10,
      max_advance_days: 90,
    });
  });
});

describe('read', () => {
  it('shows a tenant only its own facilities; another tenant gets 404', async () => {
    const mine = await t.registerFacility(acme.adminToken);
    const got = await t.request('GET', `/api/v1/facilities/${mine.facility_id}`, {
      token: acme.operatorToken,
    });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      facility_id: mine.facility_id,
      current_occupancy: { occupied_spaces: 0, occupancy_rate: 0 },
      pricing: [],
    });
    const theirs = await t.request('GET', `/api/v1/facilities/${mine.facility_id}`, {
      token: other.adminToken,
    });
    expect(theirs.status).toBe(404);
    expect(theirs.body.code).toBe('FACILITY_NOT_FOUND');
    const list = await t.request('GET', '/api/v1/facilities', { token: other.operatorToken });
    expect(list.body.every((f: { tenant_id: string }) => f.tenant_id === other.tenant_id)).toBe(true);
  });

  it('pages through a list with limit, cursor and a Link header', async () => {
    const tenant = await t.createTenant();
    for (let i = 0; i < 5; i++) await t.registerFacility(tenant.adminToken);
    const seen: string[] = [];
    let url: string | null = '/api/v1/facilities?limit=2';
    while (url) {
      const page = await t.request<any[]>('GET', url, { token: tenant.adminToken });
      expect(page.status).toBe(200);
      expect(page.body.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.map((f: { facility_id: string }) => f.facility_id));
      const link = page.headers.link as string | undefined;
      url = link ? /<([^>]+)>; rel="next"/.exec(link)![1]! : null;
      if (url) expect(url.startsWith('/api/v1/facilities?')).toBe(true);
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it('lets drivers find active facilities but not inactive ones or operations', async () => {
    const facility = await t.registerFacility(acme.adminToken);
    const driver = await t.createDriver();
    expect(
      (await t.request('GET', `/api/v1/facilities/${facility.facility_id}`, { token: driver.token })).status,
    ).toBe(200);
    expect(
      (
        await t.request('GET', `/api/v1/facilities/${facility.facility_id}/operations-summary`, {
          token: driver.token,
        })
      ).status,
    ).toBe(403);
    const patched = await t.request('PATCH', `/api/v1/facilities/${facility.facility_id}`, {
      token: acme.adminToken,
      body: { status: 'INACTIVE' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.status).toBe('INACTIVE');
    expect(
      (await t.request('GET', `/api/v1/facilities/${facility.facility_id}`, { token: driver.token })).status,
    ).toBe(404);
  });
});

describe('pricing', () => {
  it('sets a price per vehicle type in the facility currency and shows it', async () => {
    const facility = await t.registerFacility(acme.adminToken);
    const put = await t.request('PUT', `/api/v1/facilities/${facility.facility_id}/pricing`, {
      token: acme.adminToken,
      body: {
        vehicle_type: 'CAR',
        hourly_rate: 2.5,
        daily_max: 15,
        peak_hour_multiplier: 1.5,
        peak_start_time: '08:00',
        peak_end_time: '10:00',
        ev_charging_rate_per_kwh: 0.35,
        reservation_fee: 1,
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.pricing_config).toMatchObject({
      vehicle_type: 'CAR',
      hourly_rate: 2.5,
      daily_max: 15,
      currency: 'GBP',
      effective_to: null,
      peak_start_time: '08:00',
    });
    const current = await t.request('GET', `/api/v1/facilities/${facility.facility_id}/pricing`, {
      token: acme.operatorToken,
    });
    expect(current.body).toHaveLength(1);
    expect(current.body[0].hourly_rate).toBe(2.5);
  });

  it('keeps history: a scheduled change closes the old period and prices at any instant are unambiguous', async () => {
    const facility = await t.registerFacility(acme.adminToken);
    const url = `/api/v1/facilities/${facility.facility_id}/pricing`;
    const first = await t.request('PUT', url, {
      token: acme.adminToken,
      body: { vehicle_type: 'CAR', hourly_rate: 2 },
    });
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const second = await t.request('PUT', url, {
      token: acme.adminToken,
      body: { vehicle_type: 'CAR', hourly_rate: 3, effective_from: later },
    });
    expect(second.status).toBe(200);
    const now = await t.request('GET', url, { token: acme.adminToken });
    expect(now.body[0].hourly_rate).toBe(2);
    const tomorrow = await t.request('GET', url, {
      token: acme.adminToken,
      query: { at: new Date(Date.now() + 2 * 86_400_000).toISOString() },
    });
    expect(tomorrow.body[0].hourly_rate).toBe(3);
    const history = await t.request('GET', url, { token: acme.adminToken, query: { history: true } });
    expect(history.body).toHaveLength(2);
    expect(history.body[0].config_id).toBe(first.body.pricing_config.config_id);
    expect(history.body[0].effective_to).toBe(new Date(later).toISOString());
    const clash = await t.request('PUT', url, {
      token: acme.adminToken,
      body: { vehicle_type: 'CAR', hourly_rate: 4, effective_from: later },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('PRICING_SCHEDULE_CONFLICT');
    const past = await t.request('PUT', url, {
      token: acme.adminToken,
      body: { vehicle_type: 'CAR', hourly_rate: 4, effective_from: '2020-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(409);
    expect(past.body.code).toBe('PRICING_IN_THE_PAST');
  });

  it('carries the EV idle fee and its grace through, defaulting to no fee and 10 minutes', async () => {
    const facility = await t.registerFacility(acme.adminToken, { pricing_strategy: 'EV_OPTIMIZED' });
    const url = `/api/v1/facilities/${facility.facility_id}/pricing`;
    const plain = await t.request('PUT', url, {
      token: acme.adminToken,
      body: { vehicle_type: 'CAR', hourly_rate: 2 },
    });
    expect(plain.status).toBe(200);
    expect(plain.body.pricing_config).toMatchObject({ idle_fee_per_hour: null, idle_grace_minutes: 10 });
    const truck = await t.request('PUT', url, {
      token: acme.adminToken,
      body: { vehicle_type: 'TRUCK', hourly_rate: 4, idle_fee_per_hour: 12.6, idle_grace_minutes: 0 },
    });
    expect(truck.status).toBe(200);
    expect(truck.body.pricing_config).toMatchObject({ idle_fee_per_hour: 12.6, idle_grace_minutes: 0 });
    const shown = await t.request('GET', url, { token: acme.operatorToken });
    expect(shown.body.map((p: any) => [p.vehicle_type, p.idle_fee_per_hour, p.idle_grace_minutes])).toEqual([
      ['CAR', null, 10],
      ['TRUCK', 12.6, 0],
    ]);
    const client = facilityClient(t.platform.services.get('parking')!.runtime.client('facility'));
    const internal = await client.pricingStrategy(facility.facility_id);
    expect(internal.configurations.find((c) => c.vehicle_type === 'TRUCK')).toMatchObject({
      idle_fee_per_hour: 12.6,
      idle_grace_minutes: 0,
      currency: 'GBP',
    });

    const yen = await t.registerFacility(acme.adminToken, { currency: 'JPY', timezone: 'Asia/Tokyo' });
    const yenUrl = `/api/v1/facilities/${yen.facility_id}/pricing`;
    const fractional = await t.request('PUT', yenUrl, {
      token: acme.adminToken,
      body: { vehicle_type: 'CAR', hourly_rate: 300, idle_fee_per_hour: 600.5 },
    });
    expect(fractional.status).toBe(400);
    expect(fractional.body.code).toBe('INVALID_PRICE');
    const tooLong = await t.request('PUT', yenUrl, {
      token: acme.adminToken,
      body: { vehicle_type: 'CAR', hourly_rate: 300, idle_grace_minutes: 1441 },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe('VALIDATION_FAILED');
    const negative = await t.request('PUT', yenUrl, {
      token: acme.adminToken,
      body: { vehicle_type: 'CAR', hourly_rate: 300, idle_fee_per_hour: -1 },
    });
    expect(negative.status).toBe(400);
    const yenOk = await t.request('PUT', yenUrl, {
      token: acme.adminToken,
      body: { vehicle_type: 'CAR', hourly_rate: 300, idle_fee_per_hour: 600, idle_grace_minutes: 1440 },
    });
    expect(yenOk.body.pricing_config).toMatchObject({
      currency: 'JPY',
      idle_fee_per_hour: 600,
      idle_grace_minutes: 1440,
    });
  });

  it('refuses prices finer than the currency allows, and lets only admins set them', async () => {
    const yen = await t.registerFacility(acme.adminToken, { currency: 'JPY', timezone: 'Asia/Tokyo' });
    const url = `/api/v1/facilities/${yen.facility_id}/pricing`;
    const bad = await t.request('PUT', url, {
      token: acme.adminToken,
      body: { vehicle_type: 'CAR', hourly_rate: 300.5 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_PRICE');
    const ok = await t.request('PUT', url, {
      token: acme.adminToken,
      body: { vehicle_type: 'CAR', hourly_rate: 300 },
    });
    expect(ok.body.pricing_config.hourly_rate).toBe(300);
    expect(
      (
        await t.request('PUT', url, {
          token: acme.operatorToken,
          body: { vehicle_type: 'CAR', hourly_rate: 1 },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.request('PUT', url, {
          token: other.adminToken,
          body: { vehicle_type: 'CAR', hourly_rate: 1 },
        })
      ).status,
    ).toBe(404);
  });
});

describe('status and operations', () => {
  it('starts empty and validates the date range', async () => {
    const facility = await t.registerFacility(acme.adminToken);
    const status = await t.request('GET', `/api/v1/facilities/${facility.facility_id}/status`, {
      token: acme.operatorToken,
    });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      facility_id: facility.facility_id,
      occupancy_rate: 0,
      available_spaces: 35,
      total_spaces: 35,
    });
    const summary = await t.request('GET', `/api/v1/facilities/${facility.facility_id}/operations-summary`, {
      token: acme.operatorToken,
      query: { start_date: '2026-01-01', end_date: '2026-01-31' },
    });
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({
      total_transactions: 0,
      total_revenue: 0,
      currency: 'GBP',
      days: [],
    });
    const backwards = await t.request(
      'GET',
      `/api/v1/facilities/${facility.facility_id}/operations-summary`,
      {
        token: acme.operatorToken,
        query: { start_date: '2026-02-01', end_date: '2026-01-01' },
      },
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.code).toBe('INVALID_DATE_RANGE');
  });
});

describe('internal routes', () => {
  it('are not reachable through the gateway', async () => {
    const facility = await t.registerFacility(acme.adminToken);
    const res = await t.request('GET', `/api/v1/facilities/internal/${facility.facility_id}/config`, {
      token: t.adminToken,
    });
    expect(res.status).toBe(404);
  });

  it('answer other services with the facility’s configuration and prices in force', async () => {
    const facility = await t.registerFacility(acme.adminToken);
    await t.request('PUT', `/api/v1/facilities/${facility.facility_id}/pricing`, {
      token: acme.adminToken,
      body: { vehicle_type: 'BUS', hourly_rate: 9 },
    });
    const facilityApp = t.platform.services.get('facility')!.app;
    const client = t.platform.services.get('parking')!.runtime.client('facility');
    const config = await client.get<any>(`/facilities/internal/${facility.facility_id}/config`);
    expect(config).toMatchObject({
      facility_id: facility.facility_id,
      tenant_id: acme.tenant_id,
      capacity: { total: 35 },
      currency: 'GBP',
    });
    const pricing = await client.get<any>(`/facilities/internal/${facility.facility_id}/pricing-strategy`);
    expect(pricing.configurations.map((c: { vehicle_type: string }) => c.vehicle_type)).toEqual(['BUS']);
    const asUser = await facilityApp.inject({
      method: 'GET',
      url: `/facilities/internal/${facility.facility_id}/config`,
      headers: { authorization: `Bearer ${acme.adminToken}` },
    });
    expect(asUser.statusCode).toBe(403);
  });

  it('answer the price periods of every vehicle type overlapping [at, until)', async () => {
    const facility = await t.registerFacility(acme.adminToken);
    const url = `/api/v1/facilities/${facility.facility_id}/pricing`;
    const hour = 3_600_000;
    // Whole minutes from a little ahead, so the first period is in force at `base` and later
    // ones are never in the past.
    const base = Math.ceil((Date.now() + 60_000) / 60_000) * 60_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const put = async (body: Record<string, unknown>) => {
      const res = await t.request('PUT', url, { token: acme.adminToken, body });
      expect(res.status).toBe(200);
      return res.body.pricing_config;
    };
    const car1 = await put({ vehicle_type: 'CAR', hourly_rate: 2, effective_from: iso(base) });
    const car2 = await put({ vehicle_type: 'CAR', hourly_rate: 3, effective_from: iso(base + 24 * hour) });
    const car3 = await put({ vehicle_type: 'CAR', hourly_rate: 4, effective_from: iso(base + 48 * hour) });
    const bus = await put({ vehicle_type: 'BUS', hourly_rate: 9, effective_from: iso(base + 30 * hour) });
    const raw = t.platform.services.get('reservation')!.runtime.client('facility');
    const client = facilityClient(raw);
    const ids = (answer: { configurations: { config_id: string }[] }) =>
      answer.configurations.map((c) => c.config_id);

    const range = await client.pricingStrategy(
      facility.facility_id,
      new Date(base + 12 * hour),
      new Date(base + 36 * hour),
    );
    expect(range).toMatchObject({
      facility_id: facility.facility_id,
      pricing_strategy: 'BASIC',
      currency: 'GBP',
      timezone: 'Europe/London',
      at: iso(base + 12 * hour),
      until: iso(base + 36 * hour),
    });
    expect(ids(range)).toEqual([bus.config_id, car1.config_id, car2.config_id]);
    expect(range.configurations.map((c) => [c.hourly_rate, c.effective_from, c.effective_to])).toEqual([
      [9, iso(base + 30 * hour), null],
      [2, iso(base), iso(base + 24 * hour)],
      [3, iso(base + 24 * hour), iso(base + 48 * hour)],
    ]);

    // Half-open at both ends: a period starting at `until` or ending at `at` does not overlap.
    const upToChange = await client.pricingStrategy(
      facility.facility_id,
      new Date(base + 12 * hour),
      new Date(base + 24 * hour),
    );
    expect(ids(upToChange)).toEqual([car1.config_id]);
    const fromChange = await client.pricingStrategy(
      facility.facility_id,
      new Date(base + 24 * hour),
      new Date(base + 24 * hour + 1),
    );
    expect(ids(fromChange)).toEqual([car2.config_id]);
    const everything = await client.pricingStrategy(
      facility.facility_id,
      new Date(base - 24 * hour),
      new Date(base + 100 * hour),
    );
    expect(ids(everything)).toEqual([bus.config_id, car1.config_id, car2.config_id, car3.config_id]);
    const beforeAny = await client.pricingStrategy(
      facility.facility_id,
      new Date(base - 24 * hour),
      new Date(base),
    );
    expect(beforeAny.configurations).toEqual([]);

    // Without until: only what is in force at `at`, as before.
    const inForce = await client.pricingStrategy(facility.facility_id, new Date(base + 36 * hour));
    expect(inForce.until).toBeUndefined();
    expect(ids(inForce)).toEqual([bus.config_id, car2.config_id]);

    for (const until of [base + 12 * hour, base + 6 * hour]) {
      await expect(
        client.pricingStrategy(facility.facility_id, new Date(base + 12 * hour), new Date(until)),
      ).rejects.toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    }
    await expect(
      raw.get(`/facilities/internal/${facility.facility_id}/pricing-strategy`, { until: 'tomorrow' }),
    ).rejects.toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });
});
