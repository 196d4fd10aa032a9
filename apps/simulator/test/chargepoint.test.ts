import type { AddressInfo } from 'node:net';
import { RPCServer } from 'ocpp-rpc';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ChargePoint,
  type ChargePointOptions,
  createChargePoint,
  type OcppVersion,
} from '../src/chargepoint.ts';

const PASSWORD = 'station-secret';
const START = new Date('2025-03-01T08:00:00.000Z');
const SERVER_TIME = '2025-03-01T07:59:00.000Z';

const at = (seconds: number) => new Date(START.getTime() + seconds * 1000).toISOString();

/** Polls until something the station does in the background has reached the central system. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 2000; attempt++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Never happened: ${what}`);
}

interface Logged {
  /** A call from the station, or `reply:<Method>` for the station's reply to one of ours. */
  method: string;
  params: any;
  station: string;
}

interface MeterReport {
  at: string;
  energyWh: number;
  powerW: number;
  socPercent: number;
}

/**
 * A minimal central system: accepts stations with the right password, answers their calls and
 * logs everything in the order it crossed the wire.
 */
async function startCentralSystem(protocol: OcppVersion) {
  const is16 = protocol === 'ocpp1.6';
  const server = new RPCServer({ protocols: [protocol], strictMode: true });
  const log: Logged[] = [];
  const identities: string[] = [];
  const closeCodes = new Map<string, number>();
  const stations = new Map<string, any>();
  const authorizeStatus = new Map<string, string>();
  const startStatus = new Map<string, string>();
  let nextTransactionId = 100;

  server.auth((accept, reject, handshake) => {
    identities.push(handshake.identity);
    if (handshake.password?.toString('utf8') === PASSWORD) accept({});
    else reject(401, 'Unauthorized');
  });

  server.on('client', (client: any) => {
    const identity: string = client.identity;
    stations.set(identity, client);
    const ourCalls = new Map<string, string>();
    client.on('call', ({ outbound, payload }: any) => {
      const [, messageId, method, params] = payload;
      if (outbound) ourCalls.set(messageId, method);
      else log.push({ method, params, station: identity });
    });
    client.on('response', ({ outbound, payload }: any) => {
      if (outbound) return;
      const [, messageId, result] = payload;
      log.push({ method: `reply:${ourCalls.get(messageId)}`, params: result, station: identity });
    });
    client.on('close', ({ code }: any) => closeCodes.set(identity, code));

    const answer = (method: string, respond: (params: any) => object) =>
      client.handle(method, async ({ params }: any) => respond(params));
    answer('BootNotification', () => ({ status: 'Accepted', currentTime: SERVER_TIME, interval: 300 }));
    answer('Heartbeat', () => ({ currentTime: SERVER_TIME }));
    answer('StatusNotification', () => ({}));
    if (is16) {
      answer('Authorize', (p) => ({ idTagInfo: { status: authorizeStatus.get(p.idTag) ?? 'Accepted' } }));
      answer('StartTransaction', (p) => ({
        transactionId: nextTransactionId++,
        idTagInfo: { status: startStatus.get(p.idTag) ?? 'Accepted' },
      }));
      answer('MeterValues', () => ({}));
      answer('StopTransaction', () => ({}));
    } else {
      answer('Authorize', (p) => ({
        idTokenInfo: { status: authorizeStatus.get(p.idToken.idToken) ?? 'Accepted' },
      }));
      answer('TransactionEvent', (p) =>
        p.eventType === 'Started'
          ? { idTokenInfo: { status: startStatus.get(p.idToken.idToken) ?? 'Accepted' } }
          : {},
      );
    }
  });

  const http = await server.listen(0, '127.0.0.1');
  const { port } = http.address() as AddressInfo;

  const calls = (method: string) =>
    log.filter((entry) => entry.method === method).map((entry) => entry.params);
  const transactionEvents = (eventType: string) =>
    calls('TransactionEvent').filter((event) => event.eventType === eventType);

  function toMeterReport(meterValue: any): MeterReport {
    const value = (measurand: string) =>
      Number(meterValue.sampledValue.find((sample: any) => sample.measurand === measurand).value);
    return {
      at: meterValue.timestamp,
      energyWh: value('Energy.Active.Import.Register'),
      powerW: value('Power.Active.Import'),
      socPercent: value('SoC'),
    };
  }

  return {
    endpoint: `ws://127.0.0.1:${port}/ocpp`,
    log,
    identities,
    closeCodes,
    authorizeStatus,
    startStatus,
    calls,
    methods: () => log.map((entry) => entry.method),
    /** Position in the log of the first entry with this method (and matching params). */
    indexOf: (method: string, matches: (params: any) => boolean = () => true) =>
      log.findIndex((entry) => entry.method === method && matches(entry.params)),
    connectorStatuses: (): string[] =>
      is16
        ? calls('StatusNotification')
            .filter((p) => p.connectorId === 1)
            .map((p) => p.status)
        : calls('StatusNotification').map((p) => p.connectorStatus),
    starts: (): any[] => (is16 ? calls('StartTransaction') : transactionEvents('Started')),
    ends: (): any[] => (is16 ? calls('StopTransaction') : transactionEvents('Ended')),
    /** The energy register at each transaction end. */
    endEnergies: (): number[] =>
      is16
        ? calls('StopTransaction').map((p) => p.meterStop)
        : transactionEvents('Ended').map((p) => p.meterValue[0].sampledValue[0].value),
    meterReports: (): MeterReport[] =>
      (is16
        ? calls('MeterValues')
        : transactionEvents('Updated').filter((event) => event.triggerReason === 'MeterValuePeriodic')
      ).map((p) => toMeterReport(p.meterValue[0])),
    /** Charging, SuspendedEV, SuspendedEVSE as reported: 1.6 connector status, 2.0.1 transaction chargingState. */
    chargingStates: (): string[] =>
      is16
        ? calls('StatusNotification')
            .filter((p) => ['Charging', 'SuspendedEV', 'SuspendedEVSE'].includes(p.status))
            .map((p) => p.status)
        : calls('TransactionEvent')
            .filter(
              (event) => event.eventType === 'Started' || event.triggerReason === 'ChargingStateChanged',
            )
            .map((event) => event.transactionInfo.chargingState),
    /** The server-side connection of a station, to call it. */
    station: (identity = 'CP-1') => {
      const client = stations.get(identity);
      if (!client) throw new Error(`${identity} is not connected`);
      return client as { call(method: string, params: object): Promise<any> };
    },
    close: () => server.close({ force: true }),
  };
}

type CentralSystem = Awaited<ReturnType<typeof startCentralSystem>>;

const centralSystems: CentralSystem[] = [];
const chargePoints: ChargePoint[] = [];
/** Failures of work a station did after replying; every test expects none. */
let backgroundErrors: Error[] = [];

afterEach(async () => {
  const errors = backgroundErrors;
  backgroundErrors = [];
  await Promise.allSettled(chargePoints.splice(0).map((cp) => cp.drop()));
  await Promise.allSettled(centralSystems.splice(0).map((cs) => cs.close()));
  expect(errors).toEqual([]);
});

describe.each<OcppVersion>(['ocpp1.6', 'ocpp2.0.1'])('charge point over %s', (protocol) => {
  const is16 = protocol === 'ocpp1.6';

  async function setUp(overrides: Partial<ChargePointOptions> = {}) {
    const cs = await startCentralSystem(protocol);
    centralSystems.push(cs);
    const cp = createChargePoint({
      endpoint: cs.endpoint,
      stationId: 'CP-1',
      password: PASSWORD,
      protocol,
      maxPowerKw: 11,
      meterStartWh: 1000,
      now: () => START,
      onError: (error) => backgroundErrors.push(error),
      ...overrides,
    });
    chargePoints.push(cp);
    return { cs, cp };
  }

  async function connectedStation(overrides: Partial<ChargePointOptions> = {}) {
    const { cs, cp } = await setUp(overrides);
    await cp.connect();
    return { cs, cp };
  }

  // ---- What the central system sends, per protocol

  function profileRequest(limit: number, unit: 'A' | 'W', purpose: string, transactionId?: number | string) {
    const period = { startPeriod: 0, limit };
    const txId = transactionId === undefined ? {} : { transactionId };
    return is16
      ? {
          connectorId: 1,
          csChargingProfiles: {
            chargingProfileId: 7,
            stackLevel: 0,
            chargingProfilePurpose: purpose,
            chargingProfileKind: 'Absolute',
            ...txId,
            chargingSchedule: { chargingRateUnit: unit, chargingSchedulePeriod: [period] },
          },
        }
      : {
          evseId: 1,
          chargingProfile: {
            id: 7,
            stackLevel: 0,
            chargingProfilePurpose: purpose,
            chargingProfileKind: 'Absolute',
            ...txId,
            chargingSchedule: [{ id: 1, chargingRateUnit: unit, chargingSchedulePeriod: [period] }],
          },
        };
  }

  function setProfile(
    cs: CentralSystem,
    limit: number,
    unit: 'A' | 'W',
    purpose: string,
    transactionId?: number | string,
  ) {
    return cs.station().call('SetChargingProfile', profileRequest(limit, unit, purpose, transactionId));
  }

  function remoteStart(cs: CentralSystem, idTag: string, limitW?: number) {
    if (is16) {
      const profile =
        limitW === undefined
          ? {}
          : { chargingProfile: profileRequest(limitW, 'W', 'TxProfile').csChargingProfiles };
      return cs.station().call('RemoteStartTransaction', { connectorId: 1, idTag, ...profile });
    }
    const profile =
      limitW === undefined
        ? {}
        : { chargingProfile: profileRequest(limitW, 'W', 'TxProfile').chargingProfile };
    return cs.station().call('RequestStartTransaction', {
      idToken: { idToken: idTag, type: 'Central' },
      remoteStartId: 42,
      evseId: 1,
      ...profile,
    });
  }

  function remoteStop(cs: CentralSystem, transactionId: number | string) {
    return cs.station().call(is16 ? 'RemoteStopTransaction' : 'RequestStopTransaction', { transactionId });
  }

  const remoteStartMethod = is16 ? 'RemoteStartTransaction' : 'RequestStartTransaction';
  const remoteStopMethod = is16 ? 'RemoteStopTransaction' : 'RequestStopTransaction';
  const startMethod = is16 ? 'StartTransaction' : 'TransactionEvent';
  const stopMethod = is16 ? 'StopTransaction' : 'TransactionEvent';
  const isStart = (p: any) => is16 || p.eventType === 'Started';
  const isEnd = (p: any) => is16 || p.eventType === 'Ended';
  const vehicle = { idTag: 'TAG-1', batteryKwh: 60, socPercent: 20, maxAcceptKw: 50 };

  /** 2.0.1: one transaction's events are numbered 0, 1, 2, ... without gaps. */
  function expectConsecutiveSeqNos(cs: CentralSystem) {
    if (is16) return;
    const seqNos = cs.calls('TransactionEvent').map((event) => event.seqNo);
    expect(seqNos.length).toBeGreaterThan(1);
    expect(seqNos).toEqual(seqNos.map((_, index) => index));
  }

  it('connects with HTTP Basic auth, boots and reports the connector Available', async () => {
    const { cs, cp } = await connectedStation({ vendor: 'Acme', model: 'Wallbox 11' });

    expect(cs.identities).toEqual(['CP-1']);
    if (is16) {
      expect(cs.methods()).toEqual(['BootNotification', 'StatusNotification', 'StatusNotification']);
      expect(cs.calls('BootNotification')).toEqual([
        { chargePointVendor: 'Acme', chargePointModel: 'Wallbox 11' },
      ]);
      expect(cs.calls('StatusNotification')).toEqual([
        { connectorId: 0, errorCode: 'NoError', status: 'Available', timestamp: START.toISOString() },
        { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: START.toISOString() },
      ]);
    } else {
      expect(cs.methods()).toEqual(['BootNotification', 'StatusNotification']);
      expect(cs.calls('BootNotification')).toEqual([
        { reason: 'PowerUp', chargingStation: { model: 'Wallbox 11', vendorName: 'Acme' } },
      ]);
      expect(cs.calls('StatusNotification')).toEqual([
        { timestamp: START.toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 },
      ]);
    }
    expect(cp.state).toEqual({
      connected: true,
      transactionId: null,
      energyWh: 1000,
      powerKw: 0,
      socPercent: null,
      status: 'Available',
      limitW: null,
    });
    expect(cp.counters).toEqual({ sent: is16 ? 3 : 2, received: 0 });
  });

  it('is refused with a wrong password', async () => {
    const { cs, cp } = await setUp({ password: 'wrong' });

    await expect(cp.connect()).rejects.toThrow(/CP-1 could not connect .*401/);
    expect(cs.identities).toEqual(['CP-1']);
    expect(cs.log).toEqual([]);
    expect(cp.state.connected).toBe(false);
    expect(cp.counters.sent).toBe(0);
  });

  it('sends Heartbeat and Authorize and returns what the central system answered', async () => {
    const { cs, cp } = await connectedStation();
    cs.authorizeStatus.set('BLOCKED-1', 'Blocked');

    expect(await cp.heartbeat()).toBe(SERVER_TIME);
    expect(await cp.authorize('BLOCKED-1')).toBe('Blocked');
    expect(await cp.authorize('TAG-1')).toBe('Accepted');
    expect(cs.calls('Authorize')).toEqual(
      is16
        ? [{ idTag: 'BLOCKED-1' }, { idTag: 'TAG-1' }]
        : [
            { idToken: { idToken: 'BLOCKED-1', type: 'ISO14443' } },
            { idToken: { idToken: 'TAG-1', type: 'ISO14443' } },
          ],
    );
    expect(cs.calls('Heartbeat')).toEqual([{}]);
  });

  it('charges a session started and stopped at the station, reporting meter values every interval', async () => {
    const { cs, cp } = await connectedStation();

    await cp.plugIn(vehicle);
    expect(cs.connectorStatuses()).toEqual(['Available', is16 ? 'Preparing' : 'Occupied']);
    expect(cp.state.status).toBe('Preparing');
    expect(cp.state.socPercent).toBe(20);

    const transactionId = await cp.startFromStation();
    const start = cs.starts()[0];
    if (is16) {
      expect(transactionId).toBe(100);
      expect(start).toEqual({ connectorId: 1, idTag: 'TAG-1', meterStart: 1000, timestamp: at(0) });
      expect(cs.methods().slice(-3)).toEqual(['Authorize', 'StartTransaction', 'StatusNotification']);
      expect(cs.connectorStatuses().at(-1)).toBe('Charging');
    } else {
      expect(typeof transactionId).toBe('string');
      expect(start).toEqual({
        eventType: 'Started',
        timestamp: at(0),
        triggerReason: 'Authorized',
        seqNo: 0,
        transactionInfo: { transactionId, chargingState: 'Charging' },
        idToken: { idToken: 'TAG-1', type: 'ISO14443' },
        evse: { id: 1, connectorId: 1 },
        meterValue: [
          {
            timestamp: at(0),
            sampledValue: [
              {
                value: 1000,
                context: 'Transaction.Begin',
                measurand: 'Energy.Active.Import.Register',
                unitOfMeasure: { unit: 'Wh' },
              },
            ],
          },
        ],
      });
      expect(cs.methods().slice(-2)).toEqual(['Authorize', 'TransactionEvent']);
    }
    expect(cp.state).toMatchObject({ transactionId, status: 'Charging', powerKw: 11 });

    await cp.advance(3600);

    // 11 kW for an hour, sampled every minute: 183⅓ Wh a minute on top of the 1000 Wh start.
    const reports = cs.meterReports();
    expect(reports).toHaveLength(60);
    reports.forEach((report, index) => {
      const minute = index + 1;
      expect(report).toEqual({
        at: at(minute * 60),
        energyWh: 1000 + Math.round((11000 * minute) / 60),
        powerW: 11000,
        socPercent: Math.round((20 + ((11 * minute) / 60 / 60) * 100) * 10) / 10,
      });
    });
    const firstReport = is16 ? cs.calls('MeterValues')[0] : cs.calls('TransactionEvent')[1];
    if (is16) {
      expect(firstReport).toEqual({
        connectorId: 1,
        transactionId,
        meterValue: [
          {
            timestamp: at(60),
            sampledValue: [
              {
                value: '1183',
                context: 'Sample.Periodic',
                measurand: 'Energy.Active.Import.Register',
                unit: 'Wh',
              },
              { value: '11000', context: 'Sample.Periodic', measurand: 'Power.Active.Import', unit: 'W' },
              { value: '20.3', context: 'Sample.Periodic', measurand: 'SoC', unit: 'Percent' },
            ],
          },
        ],
      });
    } else {
      expect(firstReport).toEqual({
        eventType: 'Updated',
        timestamp: at(60),
        triggerReason: 'MeterValuePeriodic',
        seqNo: 1,
        transactionInfo: { transactionId, chargingState: 'Charging' },
        meterValue: [
          {
            timestamp: at(60),
            sampledValue: [
              {
                value: 1183,
                context: 'Sample.Periodic',
                measurand: 'Energy.Active.Import.Register',
                unitOfMeasure: { unit: 'Wh' },
              },
              {
                value: 11000,
                context: 'Sample.Periodic',
                measurand: 'Power.Active.Import',
                unitOfMeasure: { unit: 'W' },
              },
              {
                value: 20.3,
                context: 'Sample.Periodic',
                measurand: 'SoC',
                unitOfMeasure: { unit: 'Percent' },
              },
            ],
          },
        ],
      });
    }
    expect(cp.state.energyWh).toBe(12000);
    expect(cp.state.socPercent).toBeCloseTo(20 + (11 / 60) * 100, 6);

    await cp.stopFromStation();
    const end = cs.ends()[0];
    if (is16) {
      expect(end).toEqual({ transactionId, meterStop: 12000, timestamp: at(3600), reason: 'Local' });
      expect(cs.methods().slice(-2)).toEqual(['StopTransaction', 'StatusNotification']);
      expect(cs.connectorStatuses().at(-1)).toBe('Finishing');
    } else {
      expect(end).toEqual({
        eventType: 'Ended',
        timestamp: at(3600),
        triggerReason: 'StopAuthorized',
        seqNo: 61,
        transactionInfo: { transactionId, chargingState: 'EVConnected', stoppedReason: 'Local' },
        evse: { id: 1, connectorId: 1 },
        meterValue: [
          {
            timestamp: at(3600),
            sampledValue: [
              {
                value: 12000,
                context: 'Transaction.End',
                measurand: 'Energy.Active.Import.Register',
                unitOfMeasure: { unit: 'Wh' },
              },
            ],
          },
        ],
      });
      expectConsecutiveSeqNos(cs);
    }
    expect(cp.state).toMatchObject({ transactionId: null, powerKw: 0, status: 'Finishing', energyWh: 12000 });

    await cp.unplug();
    expect(cs.connectorStatuses().at(-1)).toBe('Available');
    expect(cp.state).toMatchObject({ status: 'Available', socPercent: null });
    expect(cs.ends()).toHaveLength(1);
  });

  it('moves simulated time with every advance and reports at boundaries and at the end of an advance', async () => {
    const { cs, cp } = await connectedStation();
    await cp.plugIn(vehicle);

    await cp.advance(600); // no transaction: nothing to report, but time passes
    expect(cs.meterReports()).toEqual([]);
    await cp.startFromStation();
    expect(cs.starts()[0].timestamp).toBe(at(600));

    await cp.advance(90); // boundary at +60, end of advance at +90
    await cp.advance(30); // boundary at +120 is also the end: one report
    await cp.advance(0);
    const reports = cs.meterReports();
    expect(reports.map((report) => report.at)).toEqual([at(660), at(690), at(720)]);
    expect(reports.map((report) => report.energyWh)).toEqual([1183, 1275, 1367]);

    await cp.stopFromStation();
    expect(cs.ends()[0].timestamp).toBe(at(720));
  });

  it('tapers above 80 % and reports SuspendedEV when the vehicle reaches its target', async () => {
    const { cs, cp } = await connectedStation({ maxPowerKw: 50 });
    await cp.plugIn({ idTag: 'TAG-1', batteryKwh: 40, socPercent: 70, targetPercent: 90, maxAcceptKw: 50 });
    await cp.startFromStation();

    await cp.advance(1800);

    // 4 kWh at 50 kW to 80 % (288 s), then 4 kWh along the taper (≈ 391 s): full after ≈ 679 s.
    const reports = cs.meterReports();
    expect(reports).toHaveLength(30);
    expect(reports.at(-1)).toMatchObject({ energyWh: 9000, powerW: 0, socPercent: 90 });
    const charging = reports.filter((report) => report.powerW > 0);
    expect(charging.map((report) => report.at)).toEqual(
      Array.from({ length: 11 }, (_, i) => at((i + 1) * 60)),
    );
    expect(charging.slice(0, 4).every((report) => report.powerW === 50_000)).toBe(true);
    for (let i = 5; i < charging.length; i++) {
      expect(charging[i]!.powerW).toBeLessThan(charging[i - 1]!.powerW);
    }
    expect(charging.at(-1)!.powerW).toBeGreaterThan(26_250); // not yet down to the 90 % acceptance
    expect(reports.slice(11).every((report) => report.energyWh === 9000)).toBe(true);
    for (let i = 1; i < reports.length; i++) {
      expect(Number.isInteger(reports[i]!.energyWh)).toBe(true);
      expect(reports[i]!.energyWh).toBeGreaterThanOrEqual(reports[i - 1]!.energyWh);
    }

    expect(cs.chargingStates()).toEqual(['Charging', 'SuspendedEV']);
    const suspended = is16
      ? cs.calls('StatusNotification').find((p) => p.status === 'SuspendedEV')
      : cs.calls('TransactionEvent').find((p) => p.triggerReason === 'ChargingStateChanged');
    expect(Date.parse(suspended.timestamp) - START.getTime()).toBeGreaterThan(672_000);
    expect(Date.parse(suspended.timestamp) - START.getTime()).toBeLessThan(686_000);
    if (!is16) {
      expect(suspended.transactionInfo.chargingState).toBe('SuspendedEV');
      const lastPeriodic = cs.calls('TransactionEvent').at(-1);
      expect(lastPeriodic.transactionInfo.chargingState).toBe('SuspendedEV');
      expectConsecutiveSeqNos(cs);
    }
    expect(cp.state).toMatchObject({ status: 'SuspendedEV', powerKw: 0, socPercent: 90, energyWh: 9000 });
  });

  it('does not start when the token is not authorized', async () => {
    const { cs, cp } = await connectedStation();
    cs.authorizeStatus.set('STOLEN', 'Blocked');
    await expect(cp.startFromStation()).rejects.toThrow(/no vehicle is plugged in/);
    await cp.plugIn({ ...vehicle, idTag: 'STOLEN' });

    await expect(cp.startFromStation()).rejects.toThrow(/STOLEN not authorized \(Blocked\)/);
    await cp.advance(600);

    expect(cs.methods().at(-1)).toBe('Authorize');
    expect(cs.starts()).toEqual([]);
    expect(cs.meterReports()).toEqual([]);
    expect(cp.state).toMatchObject({ transactionId: null, energyWh: 1000, status: 'Preparing', powerKw: 0 });
  });

  it('ends the transaction at once when the central system refuses the token at the start', async () => {
    const { cs, cp } = await connectedStation();
    cs.startStatus.set('EXPIRED', 'Expired');
    await cp.plugIn({ ...vehicle, idTag: 'EXPIRED' });

    await expect(cp.startFromStation()).rejects.toThrow(/EXPIRED not accepted .*Expired/);
    await cp.advance(600);

    expect(cs.starts()).toHaveLength(1);
    const end = cs.ends()[0];
    if (is16) {
      expect(end).toEqual({ transactionId: 100, meterStop: 1000, timestamp: at(0), reason: 'DeAuthorized' });
    } else {
      expect(end).toMatchObject({
        triggerReason: 'Deauthorized',
        transactionInfo: {
          transactionId: cs.starts()[0].transactionInfo.transactionId,
          stoppedReason: 'DeAuthorized',
        },
      });
      expect(end.meterValue[0].sampledValue[0].value).toBe(1000);
    }
    expect(cs.chargingStates()).toEqual(is16 ? [] : ['Charging']); // 2.0.1 announced it in Started
    expect(cs.connectorStatuses()).not.toContain('Charging');
    expect(cs.meterReports()).toEqual([]);
    expect(cp.state).toMatchObject({ transactionId: null, energyWh: 1000, powerKw: 0 });
  });

  it('starts remotely only with a vehicle plugged in, after replying, with the request’s token and limit', async () => {
    const { cs, cp } = await connectedStation();

    expect(await remoteStart(cs, 'REMOTE-1')).toEqual({ status: 'Rejected' });
    await cp.plugIn(vehicle);
    expect(await remoteStart(cs, 'REMOTE-1', 3700)).toEqual({ status: 'Accepted' });
    await until(() => cp.state.transactionId !== null, 'the remote start');

    expect(cs.starts()).toHaveLength(1);
    const start = cs.starts()[0];
    expect(cs.indexOf(`reply:${remoteStartMethod}`, (r) => r.status === 'Accepted')).toBeLessThan(
      cs.indexOf(startMethod, isStart),
    );
    expect(cs.calls('Authorize')).toEqual([]);
    if (is16) {
      expect(start).toMatchObject({ connectorId: 1, idTag: 'REMOTE-1', meterStart: 1000 });
      expect(cp.state.transactionId).toBe(100);
    } else {
      expect(start).toMatchObject({
        triggerReason: 'RemoteStart',
        idToken: { idToken: 'REMOTE-1', type: 'Central' },
        transactionInfo: {
          transactionId: cp.state.transactionId,
          chargingState: 'Charging',
          remoteStartId: 42,
        },
      });
    }
    expect(await remoteStart(cs, 'REMOTE-2')).toEqual({ status: 'Rejected' });

    await cp.advance(600);
    expect(cs.chargingStates()).toEqual(['Charging']);
    expect(cp.state).toMatchObject({
      limitW: 3700,
      status: 'Charging',
      energyWh: 1000 + Math.round((3700 * 600) / 3600),
    });
    expect(cs.meterReports().map((report) => report.powerW)).toEqual(Array(10).fill(3700));
    expect(cp.profiles).toEqual([]); // only SetChargingProfile is recorded
    expect(cs.starts()).toHaveLength(1);
  });

  it('stops remotely only the running transaction, after replying', async () => {
    const { cs, cp } = await connectedStation();
    await cp.plugIn(vehicle);
    const transactionId = await cp.startFromStation();
    await cp.advance(120);

    expect(await remoteStop(cs, is16 ? 999 : 'not-this-one')).toEqual({ status: 'Rejected' });
    expect(await remoteStop(cs, transactionId)).toEqual({ status: 'Accepted' });
    await until(() => cs.ends().length === 1, 'the remote stop');

    expect(cs.indexOf(`reply:${remoteStopMethod}`, (r) => r.status === 'Accepted')).toBeLessThan(
      cs.indexOf(stopMethod, isEnd),
    );
    const end = cs.ends()[0];
    if (is16) {
      expect(end).toEqual({ transactionId, meterStop: 1367, timestamp: at(120), reason: 'Remote' });
      await until(() => cs.connectorStatuses().at(-1) === 'Finishing', 'Finishing');
    } else {
      expect(end).toMatchObject({
        triggerReason: 'RemoteStop',
        transactionInfo: { transactionId, stoppedReason: 'Remote' },
      });
      expect(cs.endEnergies()).toEqual([1367]);
    }
    await cp.advance(600);
    expect(cp.state).toMatchObject({ transactionId: null, energyWh: 1367, status: 'Finishing' });
    expect(await remoteStop(cs, transactionId)).toEqual({ status: 'Rejected' });
  });

  it('follows charging profiles in W and A, pauses at 0 and resumes when they are cleared', async () => {
    const { cs, cp } = await connectedStation({ maxPowerKw: 22 });
    await cp.plugIn({ idTag: 'TAG-1', batteryKwh: 100, socPercent: 10, maxAcceptKw: 22 });
    const transactionId = await cp.startFromStation();

    expect(await setProfile(cs, 7000, 'W', 'TxProfile', transactionId)).toEqual({ status: 'Accepted' });
    expect(cp.state).toMatchObject({ limitW: 7000, powerKw: 7 });
    await cp.advance(3600);
    expect(cp.state.energyWh).toBe(8000);

    expect(await setProfile(cs, 10, 'A', 'TxDefaultProfile')).toEqual({ status: 'Accepted' }); // 10 A × 230 V × 3
    await cp.advance(600);
    expect(cp.state).toMatchObject({ limitW: 6900, energyWh: 8000 + 1150 });

    expect(await setProfile(cs, 0, 'W', 'TxDefaultProfile')).toEqual({ status: 'Accepted' });
    await until(() => cs.chargingStates().at(-1) === 'SuspendedEVSE', 'SuspendedEVSE');
    const reportsBeforePause = cs.meterReports().length;
    await cp.advance(600);
    expect(cp.state).toMatchObject({ status: 'SuspendedEVSE', powerKw: 0, energyWh: 9150 });
    const pausedReports = cs.meterReports().slice(reportsBeforePause);
    expect(pausedReports).toHaveLength(10); // the periodic reports go on, without energy
    expect(pausedReports.every((report) => report.energyWh === 9150 && report.powerW === 0)).toBe(true);

    expect(await cs.station().call('ClearChargingProfile', {})).toEqual({ status: 'Accepted' });
    await until(() => cs.chargingStates().at(-1) === 'Charging', 'Charging again');
    expect(cp.state).toMatchObject({ limitW: null, powerKw: 22, status: 'Charging' });
    await cp.advance(60);
    expect(cp.state.energyWh).toBe(9150 + Math.round(22000 / 60));

    const maxProfile = is16 ? 'ChargePointMaxProfile' : 'ChargingStationMaxProfile';
    expect(await setProfile(cs, 50_000, 'W', maxProfile)).toEqual({ status: 'Accepted' });
    expect(cp.state).toMatchObject({ limitW: 50_000, powerKw: 22 }); // never above the station's rating

    expect(cs.chargingStates()).toEqual(['Charging', 'SuspendedEVSE', 'Charging']);
    const stateChange = is16
      ? cs.calls('StatusNotification').find((p) => p.status === 'SuspendedEVSE')
      : cs.calls('TransactionEvent').find((p) => p.triggerReason === 'ChargingStateChanged');
    expect(stateChange.timestamp).toBe(at(4200));
    expectConsecutiveSeqNos(cs);
    expect(cp.profiles).toEqual([
      { at: at(0), limitW: 7000, purpose: 'TxProfile', transactionId },
      { at: at(3600), limitW: 6900, purpose: 'TxDefaultProfile' },
      { at: at(4200), limitW: 0, purpose: 'TxDefaultProfile' },
      { at: at(4860), limitW: 50_000, purpose: maxProfile },
    ]);
  });

  it('accepts ChangeAvailability and Reset and refuses what it does not implement', async () => {
    const { cs, cp } = await connectedStation();
    const station = cs.station();

    const availability = is16
      ? { connectorId: 0, type: 'Inoperative' }
      : { operationalStatus: 'Inoperative' };
    expect(await station.call('ChangeAvailability', availability)).toEqual({ status: 'Accepted' });
    expect(await station.call('Reset', { type: is16 ? 'Soft' : 'OnIdle' })).toEqual({ status: 'Accepted' });
    await expect(station.call('ClearCache', {})).rejects.toMatchObject({ rpcErrorCode: 'NotImplemented' });

    expect(cp.counters).toEqual({ sent: is16 ? 3 : 2, received: 3 });
    expect(cp.state.connected).toBe(true);
  });

  it('stops with EVDisconnected when the vehicle is unplugged mid-session, then reports Available', async () => {
    const { cs, cp } = await connectedStation();
    await cp.plugIn(vehicle);
    const transactionId = await cp.startFromStation();
    await cp.advance(60);

    await cp.unplug();

    const end = cs.ends()[0];
    if (is16) {
      expect(end).toEqual({ transactionId, meterStop: 1183, timestamp: at(60), reason: 'EVDisconnected' });
      expect(cs.methods().slice(-2)).toEqual(['StopTransaction', 'StatusNotification']);
    } else {
      expect(end).toMatchObject({
        triggerReason: 'EVDeparted',
        transactionInfo: { transactionId, chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
      });
      expect(cs.methods().slice(-2)).toEqual(['TransactionEvent', 'StatusNotification']);
    }
    expect(cs.connectorStatuses().slice(-2)).toEqual(
      is16 ? ['Charging', 'Available'] : ['Occupied', 'Available'],
    );
    expect(cp.state).toMatchObject({
      transactionId: null,
      status: 'Available',
      socPercent: null,
      energyWh: 1183,
    });
  });

  it('closes cleanly on disconnect and abruptly on drop', async () => {
    const { cs, cp } = await connectedStation();
    const other = createChargePoint({
      endpoint: cs.endpoint,
      stationId: 'CP-2',
      password: PASSWORD,
      protocol,
      maxPowerKw: 11,
    });
    chargePoints.push(other);
    await other.connect();

    await cp.disconnect();
    await other.drop();
    await until(() => cs.closeCodes.size === 2, 'both connections closed');

    expect(cs.closeCodes.get('CP-1')).toBe(1000);
    expect(cs.closeCodes.get('CP-2')).toBe(1006);
    expect(cp.state.connected).toBe(false);
    expect(other.state.connected).toBe(false);
  });

  it('notices when the central system goes away', async () => {
    const { cs, cp } = await connectedStation();

    await cs.close();
    await until(() => !cp.state.connected, 'the station to notice');

    await expect(cp.heartbeat()).rejects.toThrow();
  });
});
