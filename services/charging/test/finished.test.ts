import { manualClock } from '@easypark/kernel';
import type { ChargePoint, OcppVersion } from '@easypark/simulator/chargepoint';
import { RPCClient } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargingFinishedAt, lastIncreaseAfter, readMeter } from '../src/domain/meter.ts';
import { type ChargingWorld, eventually, startChargingWorld } from './world.ts';

/**
 * When charging finished: the last time the meter rose, which billing's idle fee (EV_OPTIMIZED
 * facilities) counts from. The platform and the simulated stations share one manual clock, moved
 * together, so the stations' timestamps are the platform's time.
 */

const at = (iso: string) => new Date(iso);

describe('the last rise of the meter (pure)', () => {
  it('readMeter says when the energy register was read', () => {
    const reading = readMeter([
      { timestamp: '2026-03-10T09:02:00Z', sampledValue: [{ value: '1500', unit: 'Wh' }] },
      { timestamp: '2026-03-10T09:01:00Z', sampledValue: [{ value: '1400', unit: 'Wh' }] },
      {
        timestamp: '2026-03-10T09:03:00Z',
        sampledValue: [{ value: 7000, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } }],
      },
    ]);
    expect(reading).toMatchObject({ energyWh: 1500, powerW: 7000 });
    expect(reading.energyAt).toEqual(at('2026-03-10T09:02:00Z'));
    expect(readMeter([]).energyAt).toBeUndefined();
  });

  it('moves to a reading above the previous one, and only then; never back in time', () => {
    const before = { wh: 1000, at: at('2026-03-10T09:00:00Z') };
    const later = at('2026-03-10T09:05:00Z');
    expect(lastIncreaseAfter(before, { wh: 1001, at: later })).toEqual(later);
    expect(lastIncreaseAfter(before, { wh: 1000, at: later })).toBe(before.at);
    expect(lastIncreaseAfter(before, { wh: 900, at: later })).toBe(before.at);
    expect(lastIncreaseAfter(before, { wh: undefined, at: later })).toBe(before.at);
    expect(lastIncreaseAfter({ wh: null, at: null }, { wh: 5000, at: later })).toBeNull();
    expect(lastIncreaseAfter({ wh: 1000, at: null }, { wh: 2000, at: later })).toEqual(later);
    expect(lastIncreaseAfter({ wh: 1000, at: later }, { wh: 2000, at: before.at })).toBe(later);
  });

  it('a finished session: the last rise, else its start, within its start and stop; null if open or ended paused', () => {
    const session = {
      status: 'COMPLETED',
      start_time: at('2026-03-10T09:00:00Z'),
      stop_time: at('2026-03-10T10:00:00Z'),
      energy_increased_at: at('2026-03-10T09:30:00Z'),
      ended_paused: false,
    };
    expect(chargingFinishedAt(session)).toEqual(at('2026-03-10T09:30:00Z'));
    expect(chargingFinishedAt({ ...session, status: 'INTERRUPTED' })).toEqual(at('2026-03-10T09:30:00Z'));
    expect(chargingFinishedAt({ ...session, energy_increased_at: null })).toEqual(session.start_time);
    expect(chargingFinishedAt({ ...session, ended_paused: true })).toBeNull();
    expect(chargingFinishedAt({ ...session, status: 'ACTIVE', stop_time: null })).toBeNull();
    // A station clock running ahead or behind cannot put it outside the session.
    expect(chargingFinishedAt({ ...session, energy_increased_at: at('2026-03-10T11:00:00Z') })).toEqual(
      session.stop_time,
    );
    expect(chargingFinishedAt({ ...session, energy_increased_at: at('2026-03-10T08:00:00Z') })).toEqual(
      session.start_time,
    );
  });
});

const clock = manualClock(new Date());
let w: ChargingWorld;
beforeAll(async () => {
  w = await startChargingWorld({ clock });
});
afterAll(() => w.stop());

const SAMPLE_SECONDS = 60;
let plates = 0;

/** Moves the platform's clock and the station's simulated time together, one meter sample at a time. */
async function tick(cp: ChargePoint, samples: number): Promise<void> {
  for (let i = 0; i < samples; i += 1) {
    clock.advance(SAMPLE_SECONDS * 1000);
    await cp.advance(SAMPLE_SECONDS);
  }
}

/** A car plugged into a connected station and a session started for it through the API. */
async function charging(protocol: OcppVersion, car: { socPercent: number; targetPercent: number }) {
  const station = await w.station();
  const cp = await w.connect(station, protocol);
  const parked = await w.park(`FIN ${++plates}`);
  await cp.plugIn({ idTag: parked.plate.replace(' ', ''), batteryKwh: 60, ...car });
  const started = await w.api('POST', '/sessions/start', w.driver.token, {
    vehicle_id: parked.vehicle_id,
    parking_session_id: parked.session_id,
    station_id: station.station_id,
    target_charge_percent: car.targetPercent,
  });
  expect(started.status).toBe(201);
  await eventually(() => cp.state.transactionId !== null, 'the transaction');
  return { cp, id: started.body.charging_session_id as string };
}

const energyOf = (id: string) =>
  w.t.platform.services
    .get('facility')!
    .runtime.client('charging')
    .get<any>(`/charging/internal/sessions/${id}/energy`);

async function completedEvent(id: string) {
  await w.t.drainEvents();
  const events = await w.events('charging.session.completed');
  return events.find((e) => e.data.charging_session_id === id)?.data;
}

describe.each(['ocpp1.6', 'ocpp2.0.1'] as const)('when charging finished, over %s', (protocol) => {
  it('is the last rise of the meter, before a later stop; billing and the completed event see it', async () => {
    // 40 % to 45 % of 60 kWh at 22 kW: about 8 minutes of charging, then the car sits full.
    const { cp, id } = await charging(protocol, { socPercent: 40, targetPercent: 45 });
    let lastRiseAt: Date | null = null;
    let drawingBefore = false;
    for (let sample = 0; sample < 20; sample += 1) {
      const drawing = cp.state.powerKw > 0;
      const wh = cp.state.energyWh;
      await tick(cp, 1);
      if (cp.state.energyWh > wh) {
        lastRiseAt = clock.now();
        drawingBefore = drawing;
      }
    }
    expect(lastRiseAt).not.toBeNull();
    // The car was still drawing at the sample before: the real end lies within one sample before this.
    expect(drawingBefore).toBe(true);
    expect(cp.state.powerKw).toBe(0);
    expect(clock.now().getTime() - lastRiseAt!.getTime()).toBeGreaterThanOrEqual(10 * SAMPLE_SECONDS * 1000);

    const open = await energyOf(id);
    expect(open).toMatchObject({ status: 'ACTIVE', charging_finished_at: null });

    const stopped = await w.api('POST', `/sessions/${id}/stop`, w.driver.token, {});
    expect(stopped.body.status).toBe('COMPLETED');
    const energy = await energyOf(id);
    expect(energy.charging_finished_at).toBe(lastRiseAt!.toISOString());
    expect(Date.parse(energy.charging_finished_at)).toBeLessThan(Date.parse(energy.stop_time));
    expect(Date.parse(energy.charging_finished_at)).toBeGreaterThan(Date.parse(energy.start_time));
    expect(energy.energy_delivered_kwh).toBeGreaterThan(0);

    expect(await completedEvent(id)).toMatchObject({
      charging_finished_at: lastRiseAt!.toISOString(),
      stop_time: energy.stop_time,
    });
  });

  it('is the start when no energy flowed (the car was already at its target)', async () => {
    const { cp, id } = await charging(protocol, { socPercent: 80, targetPercent: 80 });
    await tick(cp, 5);
    await w.api('POST', `/sessions/${id}/stop`, w.driver.token, {});
    const energy = await energyOf(id);
    expect(energy).toMatchObject({ status: 'COMPLETED', energy_delivered_kwh: 0 });
    expect(energy.charging_finished_at).toBe(energy.start_time);
    expect((await completedEvent(id)).charging_finished_at).toBe(energy.start_time);
  });

  it('is null when the session ended PAUSED: an operator pause is not the driver idling', async () => {
    const { cp, id } = await charging(protocol, { socPercent: 40, targetPercent: 90 });
    await tick(cp, 3);
    expect(cp.state.energyWh).toBeGreaterThan(1_000_000);
    const paused = await w.api('POST', `/sessions/${id}/pause`, w.acme.operatorToken);
    expect(paused.body.status).toBe('PAUSED');
    await eventually(() => cp.state.limitW === 0, 'the pause');
    await tick(cp, 3);
    await w.api('POST', `/sessions/${id}/stop`, w.acme.operatorToken, {});
    const energy = await energyOf(id);
    expect(energy).toMatchObject({ status: 'COMPLETED', charging_finished_at: null });
    expect(energy.energy_delivered_kwh).toBeGreaterThan(0);
    expect((await completedEvent(id)).charging_finished_at).toBeNull();
  });
});

/** A bare station (no simulator): sends exactly the messages given, with the timestamps given. */
async function bareStation(protocol: OcppVersion) {
  const station = await w.station();
  const rpc = new RPCClient({
    endpoint: w.endpoint,
    identity: station.station_id,
    password: station.ocpp_password,
    protocols: [protocol],
    reconnect: false,
  } as ConstructorParameters<typeof RPCClient>[0]);
  await rpc.connect();
  closing.push(() => rpc.close({ force: true }));
  const call = (method: string, params: object) => rpc.call(method, params) as Promise<any>;
  await call(
    'BootNotification',
    protocol === 'ocpp1.6'
      ? { chargePointVendor: 'Bare', chargePointModel: 'Bare' }
      : { reason: 'PowerUp', chargingStation: { vendorName: 'Bare', model: 'Bare' } },
  );
  return call;
}

const closing: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closing) await close().catch(() => {});
});

const iso = (ms: number) => new Date(ms).toISOString();

describe.each(['ocpp1.6', 'ocpp2.0.1'] as const)('the final reading, over %s', (protocol) => {
  it('a rise in the stop’s reading counts, at the time the station read it', async () => {
    const call = await bareStation(protocol);
    const parked = await w.park(`FIN ${++plates}`);
    const idTag = parked.plate.replace(' ', '');
    const t0 = clock.now().getTime();
    const energy16 = (wh: number, time: number) => [
      {
        timestamp: iso(time),
        sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
      },
    ];
    const energy201 = (wh: number, time: number) => [
      {
        timestamp: iso(time),
        sampledValue: [
          { value: wh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } },
        ],
      },
    ];
    const transactionId = 'tx-' + plates;
    let txId: number | string = transactionId;
    if (protocol === 'ocpp1.6') {
      const started = await call('StartTransaction', {
        connectorId: 1,
        idTag,
        meterStart: 1_000_000,
        timestamp: iso(t0),
      });
      expect(started.idTagInfo.status).toBe('Accepted');
      txId = started.transactionId;
    } else {
      const started = await call('TransactionEvent', {
        eventType: 'Started',
        timestamp: iso(t0),
        triggerReason: 'Authorized',
        seqNo: 0,
        transactionInfo: { transactionId, chargingState: 'Charging' },
        idToken: { idToken: idTag, type: 'ISO14443' },
        evse: { id: 1, connectorId: 1 },
        meterValue: energy201(1_000_000, t0),
      });
      expect(started.idTokenInfo.status).toBe('Accepted');
    }

    clock.advance(60_000);
    const t1 = clock.now().getTime();
    if (protocol === 'ocpp1.6')
      await call('MeterValues', { connectorId: 1, transactionId: txId, meterValue: energy16(1_000_400, t1) });
    else
      await call('TransactionEvent', {
        eventType: 'Updated',
        timestamp: iso(t1),
        triggerReason: 'MeterValuePeriodic',
        seqNo: 1,
        transactionInfo: { transactionId, chargingState: 'Charging' },
        meterValue: energy201(1_000_400, t1),
      });

    // The stop's reading was taken a minute before it reached us, and is above the last sample.
    clock.advance(120_000);
    const t2 = t1 + 60_000;
    if (protocol === 'ocpp1.6')
      await call('StopTransaction', {
        transactionId: txId,
        meterStop: 1_000_700,
        timestamp: iso(t2),
        reason: 'Local',
      });
    else
      await call('TransactionEvent', {
        eventType: 'Ended',
        timestamp: iso(t2),
        triggerReason: 'StopAuthorized',
        seqNo: 2,
        transactionInfo: { transactionId, chargingState: 'EVConnected', stoppedReason: 'Local' },
        evse: { id: 1, connectorId: 1 },
        meterValue: energy201(1_000_700, t2),
      });

    const sessions = await w.t.platform.services
      .get('facility')!
      .runtime.client('charging')
      .get<any[]>(`/charging/internal/parking-sessions/${parked.session_id}/sessions`);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({
      status: 'COMPLETED',
      meter_stop_wh: 1_000_700,
      energy_delivered_kwh: 0.7,
      charging_finished_at: iso(t2),
      stop_time: iso(t1 + 120_000),
    });
    expect((await completedEvent(sessions[0].charging_session_id)).charging_finished_at).toBe(iso(t2));
  });
});
