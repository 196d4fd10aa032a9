import { createChargePoint, type OcppVersion } from '@easypark/simulator/chargepoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChargingWorld, eventually, startChargingWorld } from './world.ts';

let w: ChargingWorld;
beforeAll(async () => {
  w = await startChargingWorld();
});
afterAll(() => w.stop());

const price = 0.45;
/** What the facility charges for the energy a station metered, rounded half up to a penny. */
const costOf = (wh: number) => Math.round((wh * price * 100) / 1000) / 100;

describe.each<OcppVersion>(['ocpp1.6', 'ocpp2.0.1'])('a full session over %s', (protocol) => {
  const tag = protocol === 'ocpp1.6' ? 'A' : 'B';

  it('starts remotely from the API, meters, and stops remotely: energy and cost are what the station metered', async () => {
    const station = await w.station();
    const cp = await w.connect(station, protocol);
    expect((await w.api('GET', `/stations/${station.station_id}`, w.acme.operatorToken)).body).toMatchObject({
      status: 'AVAILABLE',
      connected: true,
      ocpp_protocol: protocol,
    });
    const car = await w.park(`EV${tag}1 REM`);
    await cp.plugIn({ idTag: `EV${tag}1REM`, batteryKwh: 60, socPercent: 30 });

    const started = await w.api('POST', '/sessions/start', w.driver.token, {
      vehicle_id: car.vehicle_id,
      parking_session_id: car.session_id,
      station_id: station.station_id,
      target_charge_percent: 80,
      current_charge_percent: 30,
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'ACTIVE', station_id: station.station_id });
    expect(started.body.estimated_duration).toBeGreaterThan(60);
    const id = started.body.charging_session_id as string;
    await eventually(() => cp.state.transactionId !== null, 'the station to start');

    await cp.advance(45 * 60);
    const meteredWh = cp.state.energyWh - 1_000_000;
    expect(meteredWh).toBeGreaterThan(15_000);
    await eventually(async () => {
      const live = await w.api('GET', `/sessions/${id}`, w.driver.token);
      return live.body.energy_delivered_kwh === meteredWh / 1000;
    }, 'the meter values to arrive');
    const live = (await w.api('GET', `/sessions/${id}`, w.driver.token)).body;
    expect(live.current_rate_kw).toBe(22);
    expect(live.time_remaining).toBeGreaterThan(0);
    expect(live.estimated_cost).toBeGreaterThan(costOf(meteredWh));

    const stopped = await w.api('POST', `/sessions/${id}/stop`, w.driver.token, { reason: 'Driver done' });
    expect(stopped.status).toBe(200);
    const finalWh = cp.state.energyWh - 1_000_000;
    expect(stopped.body).toEqual({
      session_id: id,
      status: 'COMPLETED',
      energy_delivered_kwh: finalWh / 1000,
      total_cost: costOf(finalWh),
      currency: 'GBP',
      stop_time: expect.any(String),
    });
    expect(cp.state.transactionId).toBeNull();

    await w.t.drainEvents();
    const completed = (await w.events('charging.session.completed')).filter(
      (e) => e.data.charging_session_id === id,
    );
    expect(completed).toHaveLength(1);
    expect(completed[0]!.data).toMatchObject({
      energy_delivered_kwh: finalWh / 1000,
      total_cost: costOf(finalWh),
    });
    expect((await w.events('charging.session.started')).some((e) => e.data.charging_session_id === id)).toBe(
      true,
    );
    expect((await w.events('charging.session.updated')).some((e) => e.data.charging_session_id === id)).toBe(
      true,
    );

    await cp.unplug();
    await eventually(async () => {
      const view = await w.api('GET', `/stations/${station.station_id}`, w.acme.operatorToken);
      return view.body.status === 'AVAILABLE';
    });
  });

  it('starts at the station with the car’s tag (its plate) and stops there', async () => {
    const station = await w.station();
    const cp = await w.connect(station, protocol);
    const car = await w.park(`EV${tag}2 LOC`);
    await cp.plugIn({ idTag: `EV${tag}2LOC`, batteryKwh: 60, socPercent: 50 });
    await cp.startFromStation();
    let sessionId = '';
    await eventually(async () => {
      const list = await w.api('GET', `/sessions?vehicle_id=${car.vehicle_id}`, w.driver.token);
      sessionId = list.body[0]?.charging_session_id ?? '';
      return sessionId !== '';
    }, 'the station’s session');
    await cp.advance(20 * 60);
    await cp.stopFromStation();
    const meteredWh = cp.state.energyWh - 1_000_000;
    await eventually(async () => {
      const view = await w.api('GET', `/sessions/${sessionId}`, w.driver.token);
      return view.body.status === 'COMPLETED';
    }, 'the session to end');
    const view = (await w.api('GET', `/sessions/${sessionId}`, w.driver.token)).body;
    expect(view).toMatchObject({
      started_by: 'STATION',
      vehicle_id: car.vehicle_id,
      parking_session_id: car.session_id,
      energy_delivered_kwh: meteredWh / 1000,
      total_cost: costOf(meteredWh),
    });
    expect(meteredWh).toBeGreaterThan(5000);
  });

  it('refuses a tag it does not know, and a car without an open parking session', async () => {
    const station = await w.station();
    const cp = await w.connect(station, protocol);
    expect(await cp.authorize('NOSUCHCAR')).toBe('Invalid');
    await cp.plugIn({ idTag: 'NOSUCHCAR', batteryKwh: 40, socPercent: 20 });
    await expect(cp.startFromStation()).rejects.toThrow();
    const list = await w.api(
      'GET',
      `/sessions?facility_id=${w.facilityId}&status=ACTIVE`,
      w.acme.operatorToken,
    );
    expect(list.body.filter((s: any) => s.station_id === station.station_id)).toEqual([]);
  });

  it('marks the session INTERRUPTED, keeping the energy so far, when the station drops mid-charge', async () => {
    const station = await w.station();
    const cp = await w.connect(station, protocol);
    const car = await w.park(`EV${tag}3 DRP`);
    await cp.plugIn({ idTag: `EV${tag}3DRP`, batteryKwh: 60, socPercent: 20 });
    const started = await w.api('POST', '/sessions/start', w.driver.token, {
      vehicle_id: car.vehicle_id,
      parking_session_id: car.session_id,
      station_id: station.station_id,
      target_charge_percent: 90,
    });
    expect(started.status).toBe(201);
    await eventually(() => cp.state.transactionId !== null);
    await cp.advance(10 * 60);
    const meteredWh = cp.state.energyWh - 1_000_000;
    const id = started.body.charging_session_id;
    await eventually(
      async () => (await w.api('GET', `/sessions/${id}`, w.driver.token)).body.energy_delivered_kwh > 0,
    );
    await cp.drop();
    await eventually(
      async () => (await w.api('GET', `/sessions/${id}`, w.driver.token)).body.status === 'INTERRUPTED',
    );
    const view = (await w.api('GET', `/sessions/${id}`, w.driver.token)).body;
    expect(view.energy_delivered_kwh).toBe(meteredWh / 1000);
    expect(view.total_cost).toBe(costOf(meteredWh));
    expect(view.stop_reason).toBe('STATION_OFFLINE');
    const stationView = (await w.api('GET', `/stations/${station.station_id}`, w.acme.operatorToken)).body;
    expect(stationView).toMatchObject({ status: 'OFFLINE', connected: false });
    await w.t.drainEvents();
    const changes = (await w.events('charging.station.status.changed')).filter(
      (e) => e.data.station_id === station.station_id,
    );
    expect(changes.at(-1)!.data).toMatchObject({ current_status: 'OFFLINE' });
  });
});

describe('the OCPP endpoint', () => {
  it('refuses a wrong password and an unknown station', async () => {
    const station = await w.station();
    const wrong = createChargePoint({
      endpoint: w.endpoint,
      stationId: station.station_id,
      password: 'f'.repeat(40),
      protocol: 'ocpp1.6',
      maxPowerKw: 22,
    });
    await expect(wrong.connect()).rejects.toThrow(/401/);
    const unknown = createChargePoint({
      endpoint: w.endpoint,
      stationId: 'stn_00000000000000000000000000000000',
      password: station.ocpp_password,
      protocol: 'ocpp2.0.1',
      maxPowerKw: 22,
    });
    await expect(unknown.connect()).rejects.toThrow(/401/);
    const view = await w.api('GET', `/stations/${station.station_id}`, w.acme.operatorToken);
    expect(view.body).toMatchObject({ status: 'OFFLINE', connected: false });
  });

  it('answers the station’s password once, 40 hex characters, and keeps only its hash', async () => {
    const station = await w.station();
    expect(station.ocpp_password).toMatch(/^[0-9a-f]{40}$/);
    const view = await w.api('GET', `/stations/${station.station_id}`, w.acme.operatorToken);
    expect(JSON.stringify(view.body)).not.toContain(station.ocpp_password);
    const { rows } = await w.t.platform.pools
      .get('charging')!
      .query('SELECT ocpp_password_hash FROM charging_stations WHERE station_id = $1', [station.station_id]);
    expect(rows[0].ocpp_password_hash).not.toContain(station.ocpp_password);
  });

  it('a station silent for too long is OFFLINE and its connection closed', async () => {
    const station = await w.station();
    const cp = await w.connect(station, 'ocpp2.0.1');
    await w.t.platform.pools
      .get('charging')!
      .query("UPDATE charging_stations SET last_seen_at = now() - interval '1 hour' WHERE station_id = $1", [
        station.station_id,
      ]);
    await w.sweep();
    await eventually(() => !cp.state.connected, 'the connection to close');
    const view = await w.api('GET', `/stations/${station.station_id}`, w.acme.operatorToken);
    expect(view.body).toMatchObject({ status: 'OFFLINE', connected: false });
  });

  it('a new password disconnects the station and only the new one works', async () => {
    const station = await w.station();
    const cp = await w.connect(station);
    const rotated = await w.api('POST', `/stations/${station.station_id}/password`, w.acme.adminToken);
    expect(rotated.body.ocpp_password).toMatch(/^[0-9a-f]{40}$/);
    await eventually(() => !cp.state.connected, 'the disconnect');
    const old = createChargePoint({
      endpoint: w.endpoint,
      stationId: station.station_id,
      password: station.ocpp_password,
      protocol: 'ocpp1.6',
      maxPowerKw: 22,
    });
    await expect(old.connect()).rejects.toThrow(/401/);
    await w.connect({ station_id: station.station_id, ocpp_password: rotated.body.ocpp_password });
    expect((await w.api('POST', `/stations/${station.station_id}/password`, w.other.adminToken)).status).toBe(
      404,
    );
  });
});
