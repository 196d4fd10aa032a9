import { readFileSync } from 'node:fs';
import { addDays, localParts } from '@easypark/kernel';
import type { App } from '@easypark/platform';

/**
 * The demo tenant a newcomer finds after `npm start`: three facilities in different time zones
 * and currencies, with spaces and prices, created through the public API like any client would.
 */
export const demoTenantName = 'EasyPark Demo';
export const demoPassword = 'easypark-demo';

interface DemoFacility {
  name: string;
  address: Record<string, unknown>;
  timezone: string;
  currency: string;
  pricing_strategy: string;
  capacity_breakdown: { compact: number; standard: number; large: number };
  levels: number;
  prices: Record<string, unknown>[];
  /** Charging stations, and the most power they may draw together (kW). */
  chargers: { charger_level: string; connector_type: string; power_rating_kw: number; count: number }[];
  maxChargingKw: number;
  /** The Birmingham car park whose October–November 2016 occupancy becomes its history. */
  history: string;
}

const facilities: DemoFacility[] = [
  {
    name: 'Birmingham Bull Ring',
    address: {
      line1: 'Moor Street Queensway',
      city: 'Birmingham',
      postal_code: 'B5 4BS',
      country: 'GB',
      latitude: 52.4776,
      longitude: -1.8937,
    },
    timezone: 'Europe/London',
    currency: 'GBP',
    pricing_strategy: 'PEAK_HOUR',
    capacity_breakdown: { compact: 20, standard: 120, large: 10 },
    levels: 3,
    prices: [
      {
        vehicle_type: 'CAR',
        hourly_rate: 3.2,
        daily_max: 18,
        peak_hour_multiplier: 1.5,
        peak_start_time: '08:00',
        peak_end_time: '10:00',
        night_rate_multiplier: 0.5,
        night_start_time: '22:00',
        night_end_time: '06:00',
        ev_charging_rate_per_kwh: 0.45,
        reservation_fee: 1.5,
        billing_increment_minutes: 15,
        grace_period_minutes: 10,
      },
      { vehicle_type: 'MOTORCYCLE', hourly_rate: 1, daily_max: 6 },
      { vehicle_type: 'TRUCK', hourly_rate: 6, daily_max: 40 },
    ],
    chargers: [
      { charger_level: 'LEVEL2', connector_type: 'TYPE2', power_rating_kw: 22, count: 6 },
      { charger_level: 'DCFC', connector_type: 'CCS', power_rating_kw: 150, count: 2 },
    ],
    maxChargingKw: 250,
    history: 'Bull Ring',
  },
  {
    name: 'Manhattan Midtown Garage',
    address: {
      line1: '350 W 42nd St',
      city: 'New York',
      state: 'NY',
      postal_code: '10036',
      country: 'US',
      latitude: 40.7577,
      longitude: -73.9918,
    },
    timezone: 'America/New_York',
    currency: 'USD',
    pricing_strategy: 'EV_OPTIMIZED',
    capacity_breakdown: { compact: 10, standard: 80, large: 10 },
    levels: 2,
    prices: [
      {
        vehicle_type: 'CAR',
        hourly_rate: 12.5,
        daily_max: 65,
        ev_charging_rate_per_kwh: 0.38,
        reservation_fee: 5,
        billing_increment_minutes: 30,
      },
      { vehicle_type: 'MOTORCYCLE', hourly_rate: 5, daily_max: 25 },
      { vehicle_type: 'TRUCK', hourly_rate: 25, daily_max: 120 },
    ],
    chargers: [
      { charger_level: 'LEVEL2', connector_type: 'J1772', power_rating_kw: 11.5, count: 8 },
      { charger_level: 'DCFC', connector_type: 'CCS', power_rating_kw: 50, count: 2 },
      { charger_level: 'DCFC', connector_type: 'TESLA', power_rating_kw: 250, count: 2 },
    ],
    maxChargingKw: 400,
    history: 'BHMBCCMKT01',
  },
  {
    name: 'Shinjuku Station Parking',
    address: {
      line1: '3-38-1 Shinjuku',
      city: 'Tokyo',
      postal_code: '160-0022',
      country: 'JP',
      latitude: 35.6896,
      longitude: 139.7006,
    },
    timezone: 'Asia/Tokyo',
    currency: 'JPY',
    pricing_strategy: 'BASIC',
    capacity_breakdown: { compact: 20, standard: 60, large: 0 },
    levels: 2,
    prices: [
      {
        vehicle_type: 'CAR',
        hourly_rate: 600,
        daily_max: 3000,
        ev_charging_rate_per_kwh: 40,
        reservation_fee: 300,
        billing_increment_minutes: 30,
      },
      { vehicle_type: 'MOTORCYCLE', hourly_rate: 200, daily_max: 1000 },
    ],
    chargers: [
      { charger_level: 'LEVEL2', connector_type: 'J1772', power_rating_kw: 6, count: 4 },
      { charger_level: 'DCFC', connector_type: 'CHADEMO', power_rating_kw: 50, count: 2 },
    ],
    maxChargingKw: 100,
    history: 'Shopping',
  },
];

export async function seedDemo(
  gateway: App,
  admin: { email: string; password: string },
): Promise<{ seeded: boolean }> {
  const call = async (method: string, url: string, token: string | null, payload?: unknown) => {
    const response = await gateway.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(typeof payload === 'string' ? { 'content-type': 'text/csv' } : {}),
      },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    if (response.statusCode >= 400)
      throw new Error(`demo seed: ${method} ${url} answered ${response.statusCode} ${response.body}`);
    return response.json();
  };
  const token = async (email: string, password: string) =>
    (await call('POST', '/api/v1/auth/token', null, { grant_type: 'password', username: email, password }))
      .access_token as string;

  const adminToken = await token(admin.email, admin.password);
  const tenants = (await call('GET', '/api/v1/tenants', adminToken)) as { name: string }[];
  if (tenants.some((t) => t.name === demoTenantName)) return { seeded: false };

  const tenant = await call('POST', '/api/v1/tenants', adminToken, { name: demoTenantName });
  await call('POST', '/api/v1/users', adminToken, {
    email: 'manager@demo.easypark.local',
    password: demoPassword,
    name: 'Demo manager',
    role: 'tenant_admin',
    tenant_id: tenant.tenant_id,
  });
  await call('POST', '/api/v1/users', adminToken, {
    email: 'operator@demo.easypark.local',
    password: demoPassword,
    name: 'Demo operator',
    role: 'operator',
    tenant_id: tenant.tenant_id,
  });
  await call('POST', '/api/v1/auth/register', null, {
    email: 'driver@demo.easypark.local',
    password: demoPassword,
    name: 'Demo driver',
  });
  const managerToken = await token('manager@demo.easypark.local', demoPassword);

  for (const demo of facilities) {
    const { levels, prices, chargers, maxChargingKw, history, ...registration } = demo;
    const facility = await call('POST', '/api/v1/facilities/register', managerToken, registration);
    for (const price of prices)
      await call('PUT', `/api/v1/facilities/${facility.facility_id}/pricing`, managerToken, price);
    for (const [size, count] of Object.entries(demo.capacity_breakdown)) {
      const perLevel = Math.ceil(count / levels);
      for (let level = 0, left = count; left > 0; level++, left -= perLevel) {
        await call('POST', '/api/v1/parking/spaces/bulk', managerToken, {
          facility_id: facility.facility_id,
          size: size.toUpperCase(),
          floor: level,
          aisle: size[0]!.toUpperCase(),
          count: Math.min(perLevel, left),
          start_number: 1,
        });
      }
    }
    // Stations are OFFLINE until they connect over OCPP (the simulator's do).
    for (const { count, ...station } of chargers)
      for (let i = 1; i <= count; i++)
        await call('POST', '/api/v1/charging/stations', managerToken, {
          facility_id: facility.facility_id,
          name: `${station.connector_type} ${i}`,
          ...station,
        });
    await call('PUT', `/api/v1/charging/facilities/${facility.facility_id}/power-limit`, managerToken, {
      max_power_kw: maxChargingKw,
    });
    const capacity = Object.values(demo.capacity_breakdown).reduce((a, b) => a + b, 0);
    await call(
      'POST',
      `/api/v1/analytics/occupancy/${facility.facility_id}/import`,
      managerToken,
      demoHistory(history, capacity, demo.timezone, new Date()),
    );
  }
  return { seeded: true };
}

/**
 * A history for a demo facility, so its dashboard, peak hours and forecast mean something on
 * day one: a real Birmingham car park's eight weeks, moved forward by whole weeks to end before
 * today (weekdays stay weekdays), scaled to the facility's capacity, at the same local times.
 */
export function demoHistory(carPark: string, capacity: number, timezone: string, now: Date): string {
  const file = readFileSync(
    new URL('../../../datasets/birmingham-parking-2016-10-04_2016-11-30.csv', import.meta.url),
    'utf8',
  );
  const today = localParts(now, timezone).date;
  const lastDay = '2016-11-30';
  // Whole weeks forward, so that the last day of the data falls before today.
  let days = Math.floor((Date.parse(today) - Date.parse(lastDay)) / (7 * 86_400_000)) * 7;
  if (addDays(lastDay, days) >= today) days -= 7;
  const lines = ['timestamp,occupied_spaces,capacity'];
  for (const line of file.split('\n')) {
    const [name, total, occupied, at] = line.split(',');
    if (name !== carPark || !at) continue;
    const scaled = Math.round((Number(occupied) * capacity) / Number(total));
    lines.push(`${addDays(at.slice(0, 10), days)} ${at.slice(11).trim()},${scaled},${capacity}`);
  }
  return lines.join('\n');
}
