import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChargingWorld, eventually, startChargingWorld } from './world.ts';

let w: ChargingWorld;
beforeAll(async () => {
  w = await startChargingWorld();
});
afterAll(() => w.stop());

let plates = 0;
const nextPlate = () => `SES ${++plates}`;

/** A connected station with a parked car plugged in, ready to start. */
async function ready(fields: Record<string, unknown> = {}, vehicle: Record<string, unknown> = {}) {
  const station = await w.station(fields);
  const cp = await w.connect(station);
  const car = await w.park(nextPlate(), vehicle);
  await cp.plugIn({ idTag: car.plate.replace(' ', ''), batteryKwh: 60, socPercent: 40 });
  const body = {
    vehicle_id: car.vehicle_id,
    parking_session_id: car.session_id,
    station_id: station.station_id,
    target_charge_percent: 80,
  };
  return { station, cp, car, body };
}

const start = (body: unknown, token = w.driver.token) => w.api('POST', '/sessions/start', token, body);

describe('starting a session: the Charging aggregate’s invariants', () => {
  it('one session per station at a time: a second car is refused', async () => {
    const { station, body } = await ready();
    expect((await start(body)).status).toBe(201);
    const other = await w.park(nextPlate());
    const second = await start({
      ...body,
      vehicle_id: other.vehicle_id,
      parking_session_id: other.session_id,
    });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('STATION_BUSY');
    const { rows } = await w.t.platform.pools
      .get('charging')!
      .query(
        "SELECT count(*)::int AS n FROM charging_sessions WHERE station_id = $1 AND status IN ('ACTIVE', 'PAUSED')",
        [station.station_id],
      );
    expect(rows[0].n).toBe(1);
  });

  it('the database refuses a second open session on a station, whatever the code does', async () => {
    const { body } = await ready();
    const first = await start(body);
    const pool = w.t.platform.pools.get('charging')!;
    const copy = `INSERT INTO charging_sessions
      SELECT 'chs_' || md5(random()::text), tenant_id, facility_id, parking_session_id, station_id, $2, customer_id,
             registration_number, vehicle_type, battery_capacity_kwh, id_tag, NULL, NULL, started_by,
             target_charge_percent, start_soc_percent, soc_percent, start_time, stop_time, pause_count,
             total_pause_duration, paused_at, meter_start_wh, meter_last_wh, energy_delivered_kwh, current_rate_kw,
             allocated_kw, currency, price_per_kwh, cost, status, stop_reason, stop_requested_at, created_at, updated_at
        FROM charging_sessions WHERE charging_session_id = $1`;
    await expect(pool.query(copy, [first.body.charging_session_id, 'veh_other'])).rejects.toMatchObject({
      code: '23505',
      constraint: 'charging_sessions_one_per_station',
    });
  });

  it('a vehicle charges at one station at a time', async () => {
    const { body } = await ready();
    expect((await start(body)).status).toBe(201);
    const station = await w.station();
    await w.connect(station);
    const again = await start({ ...body, station_id: station.station_id });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('VEHICLE_ALREADY_CHARGING');
  });

  it('the connector must fit the car', async () => {
    const { body } = await ready({ connector_type: 'CCS', charger_level: 'DCFC', power_rating_kw: 150 });
    const refused = await start(body);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CONNECTOR_MISMATCH');
  });

  it('only electric cars with a known inlet charge', async () => {
    const station = await w.station();
    await w.connect(station);
    const petrol = await w.park(nextPlate(), {
      is_electric: false,
      battery_capacity_kwh: undefined,
      connector_type: undefined,
    });
    const refused = await start({
      vehicle_id: petrol.vehicle_id,
      parking_session_id: petrol.session_id,
      station_id: station.station_id,
      target_charge_percent: 80,
    });
    expect(refused.body.code).toBe('VEHICLE_NOT_ELECTRIC');
    const unknownInlet = await w.park(nextPlate(), { connector_type: undefined });
    const unknown = await start({
      vehicle_id: unknownInlet.vehicle_id,
      parking_session_id: unknownInlet.session_id,
      station_id: station.station_id,
      target_charge_percent: 80,
    });
    expect(unknown.status).toBe(409);
    expect(unknown.body.code).toBe('CONNECTOR_UNKNOWN');
  });

  it('no charging on an offline station or one in maintenance', async () => {
    const offline = await w.station();
    const car = await w.park(nextPlate());
    const body = {
      vehicle_id: car.vehicle_id,
      parking_session_id: car.session_id,
      station_id: offline.station_id,
      target_charge_percent: 80,
    };
    const refused = await start(body);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('STATION_OFFLINE');

    const { station, body: ready2 } = await ready();
    const maintenance = await w.api(
      'POST',
      `/stations/${station.station_id}/maintenance`,
      w.acme.operatorToken,
      {
        reason: 'Cable worn',
      },
    );
    expect(maintenance.status).toBe(201);
    expect((await w.api('GET', `/stations/${station.station_id}`, w.acme.operatorToken)).body.status).toBe(
      'MAINTENANCE',
    );
    const inMaintenance = await start(ready2);
    expect(inMaintenance.body.code).toBe('STATION_IN_MAINTENANCE');
    const ended = await w.api(
      'POST',
      `/stations/${station.station_id}/maintenance/end`,
      w.acme.operatorToken,
      {
        notes: 'Cable replaced',
      },
    );
    expect(ended.status).toBe(200);
    const history = await w.api('GET', `/stations/${station.station_id}/maintenance`, w.acme.operatorToken);
    expect(history.body).toEqual([
      expect.objectContaining({ reason: 'Cable worn', ended_at: expect.any(String) }),
    ]);
    expect((await start(ready2)).status).toBe(201);
  });

  it('a station that refuses to start (no cable) leaves nothing behind', async () => {
    const station = await w.station();
    const cp = await w.connect(station);
    const car = await w.park(nextPlate());
    const refused = await start({
      vehicle_id: car.vehicle_id,
      parking_session_id: car.session_id,
      station_id: station.station_id,
      target_charge_percent: 80,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('STATION_REJECTED');
    expect(cp.state.transactionId).toBeNull();
    const list = await w.api('GET', `/sessions?vehicle_id=${car.vehicle_id}`, w.driver.token);
    expect(list.body).toEqual([]);
    expect((await w.api('GET', `/stations/${station.station_id}`, w.acme.operatorToken)).body.status).toBe(
      'AVAILABLE',
    );
  });

  it('the parking session must be open, the car’s, and at the station’s facility', async () => {
    const { body, car } = await ready();
    const other = await w.park(nextPlate());
    const mismatch = await start({ ...body, vehicle_id: other.vehicle_id });
    expect(mismatch.body.code).toBe('VEHICLE_MISMATCH');
    const exit = await w.t.request('POST', `/api/v1/parking/sessions/${car.session_id}/exit`, {
      token: w.acme.operatorToken,
      body: {},
    });
    expect(exit.status).toBe(200);
    const closed = await start(body);
    expect(closed.body.code).toBe('PARKING_SESSION_CLOSED');
  });

  it('a repeated start with the same Idempotency-Key answers the same session once', async () => {
    const { body } = await ready();
    const headers = { 'idempotency-key': 'start-once' };
    const first = await w.t.request('POST', '/api/v1/charging/sessions/start', {
      token: w.driver.token,
      body,
      headers,
    });
    const second = await w.t.request('POST', '/api/v1/charging/sessions/start', {
      token: w.driver.token,
      body,
      headers,
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body.charging_session_id).toBe(first.body.charging_session_id);
  });
});

describe('sessions in their lifetime', () => {
  it('a car that leaves the facility has its charging stopped', async () => {
    const { body, car, cp } = await ready();
    const started = await start(body);
    await eventually(() => cp.state.transactionId !== null);
    await cp.advance(600);
    const exit = await w.t.request('POST', `/api/v1/parking/sessions/${car.session_id}/exit`, {
      token: w.acme.operatorToken,
      body: {},
    });
    expect(exit.status).toBe(200);
    await w.t.drainEvents();
    await w.sweep();
    const view = await w.api('GET', `/sessions/${started.body.charging_session_id}`, w.driver.token);
    expect(view.body).toMatchObject({ status: 'COMPLETED', stop_reason: 'VEHICLE_LEFT' });
    expect(view.body.energy_delivered_kwh).toBe((cp.state.energyWh - 1_000_000) / 1000);
    expect(cp.state.transactionId).toBeNull();
  });

  it('stopping twice answers the same result; another tenant and another driver see nothing', async () => {
    const { body } = await ready();
    const started = await start(body);
    const id = started.body.charging_session_id;
    const first = await w.api('POST', `/sessions/${id}/stop`, w.driver.token, {});
    const second = await w.api('POST', `/sessions/${id}/stop`, w.driver.token, {});
    expect(second.body).toEqual(first.body);
    const stranger = await w.t.createDriver();
    for (const token of [w.other.adminToken, w.other.operatorToken, stranger.token]) {
      expect((await w.api('GET', `/sessions/${id}`, token)).status).toBe(404);
      expect((await w.api('POST', `/sessions/${id}/stop`, token, {})).status).toBe(404);
    }
    expect((await w.api('GET', `/stations/${body.station_id}`, w.other.operatorToken)).status).toBe(404);
    expect((await w.api('GET', `/stations/${w.facilityId}`, w.other.operatorToken)).status).toBe(404);
  });

  it('billing can read a session’s energy and validate it once it has ended', async () => {
    const { body, cp } = await ready();
    const started = await start(body);
    const id = started.body.charging_session_id;
    await eventually(() => cp.state.transactionId !== null);
    await cp.advance(900);
    const billing = w.t.platform.services.get('facility')!.runtime.client('charging');
    const during = await billing.post<any>('/charging/internal/sessions/validate', {
      charging_session_id: id,
    });
    expect(during).toMatchObject({ valid: false, reason: 'STILL_CHARGING' });
    await w.api('POST', `/sessions/${id}/stop`, w.driver.token, {});
    const energy = await billing.get<any>(`/charging/internal/sessions/${id}/energy`);
    const wh = cp.state.energyWh - 1_000_000;
    expect(energy).toMatchObject({
      status: 'COMPLETED',
      energy_delivered_kwh: wh / 1000,
      meter_start_wh: 1_000_000,
      meter_stop_wh: cp.state.energyWh,
      price_per_kwh: 0.45,
      currency: 'GBP',
      total_cost: Math.round((wh * 45) / 1000) / 100,
    });
    const after = await billing.post<any>('/charging/internal/sessions/validate', {
      charging_session_id: id,
      parking_session_id: body.parking_session_id,
    });
    expect(after).toMatchObject({ valid: true, reason: null });
    const gateway = await w.t.request('GET', `/api/v1/charging/internal/sessions/${id}/energy`, {
      token: w.acme.adminToken,
    });
    expect(gateway.status).toBe(404);
  });
});

describe('the queue', () => {
  it('a car waits when no fitting station is free, and is offered the one that frees up', async () => {
    const facility = await w.t.registerFacility(w.acme.adminToken, {
      capacity_breakdown: { compact: 0, standard: 5, large: 0 },
    });
    const facilityId = facility.facility_id;
    await w.t.request('POST', '/api/v1/parking/spaces/bulk', {
      token: w.acme.adminToken,
      body: { facility_id: facilityId, size: 'STANDARD', floor: 0, aisle: 'Q', count: 5 },
    });
    const register = await w.api('POST', '/stations', w.acme.operatorToken, {
      facility_id: facilityId,
      charger_level: 'DCFC',
      connector_type: 'CCS',
      power_rating_kw: 50,
    });
    const station = register.body;
    const cp = await w.connect(station, 'ocpp2.0.1', 50);
    const parkHere = async (plate: string) => {
      const v = await w.t.request('POST', '/api/v1/parking/vehicles', {
        token: w.driver.token,
        body: {
          registration_number: plate,
          vehicle_type: 'CAR',
          is_electric: true,
          battery_capacity_kwh: 60,
          connector_type: 'CCS',
        },
      });
      const e = await w.t.request('POST', '/api/v1/parking/sessions/entry', {
        token: w.acme.operatorToken,
        body: { facility_id: facilityId, registration_number: plate },
      });
      return { vehicle_id: v.body.vehicle_id, session_id: e.body.session_id };
    };
    const first = await parkHere('QUE 1');
    const waiting = await parkHere('QUE 2');
    const third = await parkHere('QUE 3');

    const early = await w.api('POST', '/queue', w.driver.token, {
      facility_id: facilityId,
      vehicle_id: first.vehicle_id,
      parking_session_id: first.session_id,
    });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'STATION_AVAILABLE_NOW', station_id: station.station_id });

    await cp.plugIn({ idTag: 'QUE1', batteryKwh: 60, socPercent: 20 });
    const started = await start({
      vehicle_id: first.vehicle_id,
      parking_session_id: first.session_id,
      station_id: station.station_id,
      target_charge_percent: 80,
      current_charge_percent: 20,
    });
    expect(started.status).toBe(201);
    await eventually(() => cp.state.transactionId !== null);

    // 36 kWh at 50 kW: 44 minutes (43.2 rounded up).
    const availability = await w.api('GET', `/availability?facility_id=${facilityId}`, w.driver.token);
    expect(availability.body).toEqual([
      expect.objectContaining({ station_id: station.station_id, wait_time: 44, available_now: false }),
    ]);

    const joined = await w.api('POST', '/queue', w.driver.token, {
      facility_id: facilityId,
      vehicle_id: waiting.vehicle_id,
      parking_session_id: waiting.session_id,
    });
    expect(joined.status).toBe(201);
    expect(joined.body).toMatchObject({ status: 'WAITING', queue_position: 1, estimated_wait_time: 44 });
    const behind = await w.api('POST', '/queue', w.driver.token, {
      facility_id: facilityId,
      vehicle_id: third.vehicle_id,
      parking_session_id: third.session_id,
      desired_capacity_kwh: 20,
    });
    expect(behind.body.queue_position).toBe(2);
    expect(behind.body.estimated_wait_time).toBeGreaterThan(44);
    const twice = await w.api('POST', '/queue', w.driver.token, {
      facility_id: facilityId,
      vehicle_id: waiting.vehicle_id,
      parking_session_id: waiting.session_id,
    });
    expect(twice.body.code).toBe('VEHICLE_ALREADY_QUEUED');

    // The first car finishes and leaves the station: it goes to the first in line and is held for it.
    await w.api('POST', `/sessions/${started.body.charging_session_id}/stop`, w.driver.token, {});
    await cp.unplug();
    await eventually(async () => {
      const entry = await w.api('GET', `/queue/${joined.body.queue_id}`, w.driver.token);
      return entry.body.offered_station_id === station.station_id;
    }, 'the offer');
    const offered = (await w.api('GET', `/queue/${joined.body.queue_id}`, w.driver.token)).body;
    expect(offered).toMatchObject({ queue_position: 0, estimated_wait_time: 0 });
    expect((await w.api('GET', `/queue/${behind.body.queue_id}`, w.driver.token)).body.queue_position).toBe(
      1,
    );
    await w.t.drainEvents();
    const moves = (await w.events('charging.queue.position.changed')).map((e) => e.data);
    expect(moves).toContainEqual(
      expect.objectContaining({
        vehicle_id: waiting.vehicle_id,
        queue_position: 0,
        station_id: station.station_id,
      }),
    );
    expect(moves).toContainEqual(
      expect.objectContaining({ vehicle_id: third.vehicle_id, queue_position: 1 }),
    );

    // Held for the first in line: the third car cannot take it.
    await cp.plugIn({ idTag: 'QUE3', batteryKwh: 60, socPercent: 20 });
    const jump = await start({
      vehicle_id: third.vehicle_id,
      parking_session_id: third.session_id,
      station_id: station.station_id,
      target_charge_percent: 80,
    });
    expect(jump.body.code).toBe('STATION_HELD');
    const mine = await start({
      vehicle_id: waiting.vehicle_id,
      parking_session_id: waiting.session_id,
      station_id: station.station_id,
      target_charge_percent: 80,
    });
    expect(mine.status).toBe(201);
    expect((await w.api('GET', `/queue/${joined.body.queue_id}`, w.driver.token)).body.status).toBe(
      'CHARGING',
    );

    const left = await w.api('DELETE', `/queue/${behind.body.queue_id}`, w.driver.token);
    expect(left.body.status).toBe('CANCELLED');

    // A car that drives away while waiting leaves the queue.
    const fourth = await parkHere('QUE 4');
    const queued = await w.api('POST', '/queue', w.driver.token, {
      facility_id: facilityId,
      vehicle_id: fourth.vehicle_id,
      parking_session_id: fourth.session_id,
    });
    expect(queued.body.status).toBe('WAITING');
    const exit = await w.t.request('POST', `/api/v1/parking/sessions/${fourth.session_id}/exit`, {
      token: w.acme.operatorToken,
      body: {},
    });
    expect(exit.status).toBe(200);
    await w.t.drainEvents();
    expect((await w.api('GET', `/queue/${queued.body.queue_id}`, w.driver.token)).body.status).toBe(
      'CANCELLED',
    );
  });
});
