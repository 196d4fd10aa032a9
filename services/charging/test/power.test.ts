import type { ChargePoint } from '@easypark/simulator/chargepoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChargingWorld, eventually, startChargingWorld } from './world.ts';

let w: ChargingWorld;
beforeAll(async () => {
  w = await startChargingWorld();
});
afterAll(() => w.stop());

/** The limit (W) a command gives a station: a charging profile's first period, or none. */
function limitIn(method: string, p: any): number | undefined {
  const profile =
    method === 'SetChargingProfile'
      ? (p.csChargingProfiles ?? p.chargingProfile)
      : method.endsWith('StartTransaction')
        ? p.chargingProfile
        : undefined;
  if (!profile) return undefined;
  const schedule = Array.isArray(profile.chargingSchedule)
    ? profile.chargingSchedule[0]
    : profile.chargingSchedule;
  return schedule.chargingSchedulePeriod[0].limit;
}

/**
 * Watches every command the central system sends and keeps the limit each station holds after
 * each accepted one, so the test can check the facility's limit at every step, not just at the end.
 */
function watchLimits() {
  const held = new Map<string, number>();
  let highest = 0;
  const original = w.central.call;
  w.central.call = async (stationId, method, params) => {
    const answer = await original(stationId, method, params);
    const limit = limitIn(method, params as any);
    if (limit !== undefined && answer.status === 'Accepted') {
      held.set(stationId, limit);
      const sum = [...held.values()].reduce((a, b) => a + b, 0);
      highest = Math.max(highest, sum);
    }
    if (
      (method === 'RemoteStopTransaction' || method === 'RequestStopTransaction') &&
      answer.status === 'Accepted'
    )
      held.delete(stationId);
    return answer;
  };
  return {
    held,
    highest: () => highest,
    restore: () => {
      w.central.call = original;
    },
  };
}

describe('a facility power limit', () => {
  it('twenty stations charging at once never exceed it, and none exceeds its rating', async () => {
    const limitKw = 150;
    const put = await w.api('PUT', `/facilities/${w.facilityId}/power-limit`, w.acme.adminToken, {
      max_power_kw: limitKw,
    });
    expect(put.status).toBe(200);
    const watch = watchLimits();
    try {
      const stations: Array<{ station_id: string; cp: ChargePoint; sessionId: string }> = [];
      for (let i = 0; i < 20; i += 1) {
        const station = await w.station({ power_rating_kw: i % 2 === 0 ? 22 : 11 });
        const cp = await w.connect(station, i % 2 === 0 ? 'ocpp1.6' : 'ocpp2.0.1', i % 2 === 0 ? 22 : 11);
        const car = await w.park(`PWR ${i}`);
        await cp.plugIn({ idTag: `PWR${i}`, batteryKwh: 80, socPercent: 10 });
        const started = await w.api('POST', '/sessions/start', w.driver.token, {
          vehicle_id: car.vehicle_id,
          parking_session_id: car.session_id,
          station_id: station.station_id,
          target_charge_percent: 100,
        });
        expect(started.status).toBe(201);
        await eventually(() => cp.state.transactionId !== null);
        stations.push({ station_id: station.station_id, cp, sessionId: started.body.charging_session_id });
        expect(watch.highest()).toBeLessThanOrEqual(limitKw * 1000);
      }
      await eventually(async () => {
        const view = await w.api('GET', `/facilities/${w.facilityId}/power-limit`, w.acme.operatorToken);
        return view.body.allocated_kw === limitKw;
      }, 'the power to be shared');

      // Twenty cars at once: 10 × 22 + 10 × 11 = 330 kW wanted, 150 kW there: 7.5 kW each.
      for (const { cp } of stations) expect(cp.state.limitW).toBe(7500);
      await Promise.all(stations.map(({ cp }) => cp.advance(120)));
      const drawn = stations.reduce((sum, { cp }) => sum + cp.state.powerKw, 0);
      expect(drawn).toBeLessThanOrEqual(limitKw);
      expect(drawn).toBeGreaterThan(limitKw * 0.99);
      expect(watch.highest()).toBeLessThanOrEqual(limitKw * 1000);

      // Raising the limit shares more, but never above a station's rating.
      await w.api('PUT', `/facilities/${w.facilityId}/power-limit`, w.acme.adminToken, { max_power_kw: 300 });
      for (const [i, { cp }] of stations.entries()) {
        await eventually(() => cp.state.limitW === (i % 2 === 0 ? 19_000 : 11_000), 'the new shares');
      }
      expect(watch.highest()).toBeLessThanOrEqual(300_000);

      // Lowering it again lowers every station before anyone is raised.
      await w.api('PUT', `/facilities/${w.facilityId}/power-limit`, w.acme.adminToken, { max_power_kw: 100 });
      for (const { cp } of stations) await eventually(() => cp.state.limitW === 5000, 'the lower shares');

      // A car that stops frees its share for the others.
      const first = stations.shift()!;
      const stopped = await w.api('POST', `/sessions/${first.sessionId}/stop`, w.driver.token, {});
      expect(stopped.body.status).toBe('COMPLETED');
      // 100 kW among 19: 5263 W each, the odd watts to the last (limits are whole watts).
      for (const { cp } of stations)
        await eventually(() => cp.state.limitW === 5263 || cp.state.limitW === 5264, 'the freed share');
      expect(stations.reduce((sum, { cp }) => sum + cp.state.limitW!, 0)).toBe(100_000);
      expect(watch.highest()).toBeLessThanOrEqual(300_000);
      for (const { sessionId } of stations)
        await w.api('POST', `/sessions/${sessionId}/stop`, w.driver.token, {});
    } finally {
      watch.restore();
      await w.api('PUT', `/facilities/${w.facilityId}/power-limit`, w.acme.adminToken, {
        max_power_kw: null,
      });
    }
  }, 120_000);

  it('a paused session gets nothing and its share goes to the others until it resumes', async () => {
    await w.api('PUT', `/facilities/${w.facilityId}/power-limit`, w.acme.adminToken, { max_power_kw: 30 });
    try {
      const runs = [];
      for (let i = 0; i < 2; i += 1) {
        const station = await w.station();
        const cp = await w.connect(station);
        const car = await w.park(`PAU ${i}`);
        await cp.plugIn({ idTag: `PAU${i}`, batteryKwh: 60, socPercent: 10 });
        const started = await w.api('POST', '/sessions/start', w.driver.token, {
          vehicle_id: car.vehicle_id,
          parking_session_id: car.session_id,
          station_id: station.station_id,
          target_charge_percent: 100,
        });
        expect(started.status).toBe(201);
        await eventually(() => cp.state.transactionId !== null);
        runs.push({ cp, id: started.body.charging_session_id as string });
      }
      const [a, b] = runs as [(typeof runs)[0], (typeof runs)[0]];
      await eventually(() => a.cp.state.limitW === 15_000 && b.cp.state.limitW === 15_000, 'equal shares');
      const paused = await w.api('POST', `/sessions/${a.id}/pause`, w.driver.token);
      expect(paused.body).toMatchObject({ status: 'PAUSED', pause_count: 1 });
      await eventually(() => a.cp.state.limitW === 0 && b.cp.state.limitW === 22_000, 'the pause');
      await a.cp.advance(60);
      expect(a.cp.state.powerKw).toBe(0);
      expect((await w.api('POST', `/sessions/${a.id}/pause`, w.driver.token)).body.pause_count).toBe(1);
      const resumed = await w.api('POST', `/sessions/${a.id}/resume`, w.driver.token);
      expect(resumed.body).toMatchObject({ status: 'ACTIVE', pause_count: 1 });
      await eventually(() => a.cp.state.limitW === 15_000 && b.cp.state.limitW === 15_000, 'the resume');
      const again = await w.api('POST', `/sessions/${a.id}/resume`, w.driver.token);
      expect(again.body.status).toBe('ACTIVE');
      for (const run of runs) await w.api('POST', `/sessions/${run.id}/stop`, w.driver.token, {});
      const done = await w.api('POST', `/sessions/${a.id}/pause`, w.driver.token);
      expect(done.status).toBe(409);
      expect(done.body.code).toBe('SESSION_NOT_ACTIVE');
    } finally {
      await w.api('PUT', `/facilities/${w.facilityId}/power-limit`, w.acme.adminToken, {
        max_power_kw: null,
      });
    }
  });
});
