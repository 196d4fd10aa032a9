/**
 * A simulated charging station that speaks OCPP 1.6 or 2.0.1 to a central system, with one EVSE and
 * one connector. Time is simulated: nothing happens between calls, and `advance(seconds)` moves the
 * clock, lets energy flow along the vehicle's charging curve and sends the meter reports a real
 * station would have sent in that time.
 */
import { randomUUID } from 'node:crypto';
import { createRPCError, RPCClient } from 'ocpp-rpc';
import { acceptanceKw, chargeFor } from './battery.ts';

export type OcppVersion = 'ocpp1.6' | 'ocpp2.0.1';

export interface ChargePointOptions {
  /** e.g. 'ws://localhost:8080/ocpp'; ocpp-rpc appends '/<stationId>'. */
  endpoint: string;
  /** The OCPP identity, also the HTTP Basic user. */
  stationId: string;
  /** HTTP Basic password (OCPP security profile 1). */
  password: string;
  protocol: OcppVersion;
  /** The station's rating. */
  maxPowerKw: number;
  /** Simulated seconds between meter reports while charging; default 60. */
  meterIntervalSeconds?: number;
  /** The energy register's initial value; default 0. */
  meterStartWh?: number;
  /** Where simulated time starts at connect; default () => new Date(). */
  now?: () => Date;
  vendor?: string;
  model?: string;
  /** Failures of work done after replying to the central system (remote start/stop); default console.error. */
  onError?: (error: Error) => void;
}

export interface Vehicle {
  idTag: string;
  batteryKwh: number;
  socPercent: number;
  /** Charging stops here; default 100. */
  targetPercent?: number;
  /** The most the vehicle accepts; default the station's maxPowerKw. */
  maxAcceptKw?: number;
}

/** Stop reasons valid in both OCPP 1.6 (StopTransaction.reason) and 2.0.1 (stoppedReason). */
export type StopReason =
  | 'Local'
  | 'Remote'
  | 'EVDisconnected'
  | 'DeAuthorized'
  | 'EmergencyStop'
  | 'PowerLoss'
  | 'Reboot'
  | 'Other';

type ChargingState = 'Charging' | 'SuspendedEV' | 'SuspendedEVSE';

/**
 * The connector as the station sees it, named as in OCPP 1.6 for both protocols (2.0.1 reports only
 * Available/Occupied as connector status and the rest as the transaction's chargingState).
 */
export type ConnectorStatus = 'Unavailable' | 'Available' | 'Preparing' | ChargingState | 'Finishing';

export interface ChargePointState {
  connected: boolean;
  transactionId: number | string | null;
  /** The energy register: whole Wh, cumulative, never decreasing. */
  energyWh: number;
  powerKw: number;
  socPercent: number | null;
  status: ConnectorStatus;
  /** The charging profile limit in force, null when none. */
  limitW: number | null;
}

export interface ProfileRecord {
  /** Simulated time the profile arrived. */
  at: string;
  limitW: number;
  purpose: string;
  transactionId?: number | string;
}

export interface ChargePoint {
  /** Connects, sends BootNotification and reports the connector Available. */
  connect(): Promise<void>;
  /** Sends a Heartbeat; returns the central system's currentTime. */
  heartbeat(): Promise<string>;
  /** Sends Authorize; returns the status ('Accepted', 'Invalid', ...). */
  authorize(idTag: string): Promise<string>;
  plugIn(vehicle: Vehicle): Promise<void>;
  /** The driver taps the plugged-in vehicle's card: Authorize, then start. Returns the transaction id. */
  startFromStation(): Promise<number | string>;
  advance(seconds: number): Promise<void>;
  stopFromStation(reason?: StopReason): Promise<void>;
  unplug(): Promise<void>;
  /** A clean WebSocket close. */
  disconnect(): Promise<void>;
  /** Terminates the socket abruptly, as a station losing power would. */
  drop(): Promise<void>;
  readonly state: ChargePointState;
  /** Every SetChargingProfile received, in order. */
  readonly profiles: readonly ProfileRecord[];
  /** OCPP calls sent and received. */
  readonly counters: { readonly sent: number; readonly received: number };
}

interface Transaction {
  id: number | string;
  /** The next 2.0.1 TransactionEvent sequence number. */
  seqNo: number;
  /** The charging state last reported to the central system. */
  chargingState: ChargingState;
  secondsSinceMeterReport: number;
  lastReportedWh: number;
}

interface ChargingSchedule {
  chargingRateUnit: 'A' | 'W';
  chargingSchedulePeriod: Array<{ startPeriod: number; limit: number; numberPhases?: number }>;
}

/** What a remote start request brings (2.0.1 only: its id and the token's type). */
interface RemoteStart {
  remoteStartId?: number;
  tokenType?: string;
}

interface Sample {
  measurand: string;
  unit: string;
  value: number;
}

const CALL_TIMEOUT_MS = 10_000;
const VOLTS_PER_PHASE = 230;
const DEFAULT_PHASES = 3;
/** Floating-point slack when comparing simulated seconds. */
const EPSILON_SECONDS = 1e-6;

const STOP_TRIGGER_REASONS: Record<StopReason, string> = {
  Local: 'StopAuthorized',
  Remote: 'RemoteStop',
  EVDisconnected: 'EVDeparted',
  DeAuthorized: 'Deauthorized',
  EmergencyStop: 'AbnormalCondition',
  PowerLoss: 'AbnormalCondition',
  Reboot: 'ResetCommand',
  Other: 'AbnormalCondition',
};

export function createChargePoint(options: ChargePointOptions): ChargePoint {
  const is16 = options.protocol === 'ocpp1.6';
  const meterIntervalSeconds = options.meterIntervalSeconds ?? 60;
  const now = options.now ?? (() => new Date());
  const reportError = options.onError ?? ((error: Error) => console.error(`[${options.stationId}]`, error));

  const rpc = new RPCClient({
    endpoint: options.endpoint,
    identity: options.stationId,
    password: options.password,
    protocols: [options.protocol],
    strictMode: true,
    reconnect: false,
    callTimeoutMs: CALL_TIMEOUT_MS,
  } as ConstructorParameters<typeof RPCClient>[0]);

  let clockMs = now().getTime();
  let connected = false;
  let status: ConnectorStatus = 'Unavailable';
  /** Exact energy; the register shows it in whole Wh. */
  let meterWh = options.meterStartWh ?? 0;
  let limitW: number | null = null;
  let vehicle: Required<Vehicle> | null = null;
  let transaction: Transaction | null = null;
  /** A start is on its way (authorizing, or accepted remotely and not yet sent). */
  let startPending = false;
  const profiles: ProfileRecord[] = [];
  const counters = { sent: 0, received: 0 };

  rpc.on('call', ({ outbound }: { outbound: boolean }) => {
    if (outbound) counters.sent++;
    else counters.received++;
  });
  rpc.on('disconnect', () => {
    connected = false;
  });
  rpc.on(
    'strictValidationFailure',
    ({ error, outbound, isCall }: { error: Error; outbound: boolean; isCall: boolean }) => {
      // Our own replies that fail the schema are otherwise silently replaced by an InternalError.
      if (outbound && !isCall) reportError(error);
    },
  );
  registerHandlers();

  // Station actions run one at a time, in the order they were asked for, so that messages about
  // one transaction never overtake each other (e.g. a remote stop and an advance).
  let queue: Promise<unknown> = Promise.resolve();
  function serially<T>(task: () => Promise<T>): Promise<T> {
    const result = queue.then(task);
    queue = result.catch(() => undefined);
    return result;
  }

  /** Work triggered by an incoming call, started only once our reply has gone out. */
  function afterReply(task: () => Promise<unknown>): void {
    setImmediate(() => {
      serially(task).catch(reportError);
    });
  }

  // ---- Time, energy and power

  const timestamp = () => new Date(Math.round(clockMs)).toISOString();
  const registerWh = () => Math.round(meterWh);

  /** What the station offers: its rating, capped by the charging profile. */
  function offeredKw(): number {
    return limitW === null ? options.maxPowerKw : Math.min(options.maxPowerKw, limitW / 1000);
  }

  function chargingStateNow(): ChargingState {
    if (offeredKw() <= 0) return 'SuspendedEVSE';
    if (vehicle && vehicle.socPercent >= vehicle.targetPercent) return 'SuspendedEV';
    return 'Charging';
  }

  function powerKwNow(): number {
    if (!transaction || !vehicle || chargingStateNow() !== 'Charging') return 0;
    return Math.min(offeredKw(), acceptanceKw(vehicle.socPercent, vehicle.maxAcceptKw));
  }

  /** Lets energy flow for up to `seconds`; returns the seconds simulated, fewer if the vehicle just got full. */
  function deliverEnergy(seconds: number): number {
    if (!vehicle || chargingStateNow() !== 'Charging') return seconds;
    const result = chargeFor(vehicle, offeredKw(), seconds);
    meterWh += result.energyKwh * 1000;
    vehicle.socPercent = result.socPercent;
    // Stop at the moment the vehicle is full, so that SuspendedEV is reported with that time.
    return result.reachedTarget ? result.chargingSeconds : seconds;
  }

  async function advanceTime(seconds: number): Promise<void> {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`Cannot advance ${seconds} seconds`);
    let remaining = seconds;
    await reportChargingStateChange();
    while (transaction && remaining > EPSILON_SECONDS) {
      const tx = transaction;
      const step = Math.min(remaining, meterIntervalSeconds - tx.secondsSinceMeterReport);
      const elapsed = deliverEnergy(step);
      clockMs += elapsed * 1000;
      remaining -= elapsed;
      tx.secondsSinceMeterReport += elapsed;
      await reportChargingStateChange();
      if (tx.secondsSinceMeterReport >= meterIntervalSeconds - EPSILON_SECONDS) {
        await sendMeterReport();
        tx.secondsSinceMeterReport = 0;
      }
    }
    clockMs += Math.max(0, remaining) * 1000;
    if (transaction && registerWh() !== transaction.lastReportedWh) await sendMeterReport();
  }

  // ---- Outgoing messages

  async function call<T = Record<string, unknown>>(method: string, params: object): Promise<T> {
    return (await rpc.call(method, params)) as T;
  }

  function energySample(): Sample {
    return { measurand: 'Energy.Active.Import.Register', unit: 'Wh', value: registerWh() };
  }

  function periodicSamples(): Sample[] {
    const samples = [
      energySample(),
      { measurand: 'Power.Active.Import', unit: 'W', value: Math.round(powerKwNow() * 1000) },
    ];
    if (vehicle) {
      samples.push({ measurand: 'SoC', unit: 'Percent', value: Math.round(vehicle.socPercent * 10) / 10 });
    }
    return samples;
  }

  /** A one-element meterValue array; 1.6 carries values as strings, 2.0.1 as numbers. */
  function meterValue(context: string, samples: Sample[]) {
    const sampledValue = samples.map(({ measurand, unit, value }) =>
      is16
        ? { value: String(value), context, measurand, unit }
        : { value, context, measurand, unitOfMeasure: { unit } },
    );
    return [{ timestamp: timestamp(), sampledValue }];
  }

  function idToken(idTag: string, type = 'ISO14443') {
    return { idToken: idTag, type };
  }

  /** In 2.0.1 only Available/Occupied is a connector status; charging states travel in TransactionEvents. */
  async function notifyStatus(next: ConnectorStatus): Promise<void> {
    status = next;
    if (is16) {
      await call('StatusNotification', {
        connectorId: 1,
        errorCode: 'NoError',
        status: next,
        timestamp: timestamp(),
      });
    } else if (next === 'Available' || next === 'Preparing') {
      const connectorStatus = next === 'Available' ? 'Available' : 'Occupied';
      await call('StatusNotification', {
        timestamp: timestamp(),
        connectorStatus,
        evseId: 1,
        connectorId: 1,
      });
    }
  }

  async function bootAndReportAvailable(): Promise<void> {
    const boot = is16
      ? await call<{ status: string }>('BootNotification', {
          chargePointVendor: options.vendor ?? 'EasyParkPlus',
          chargePointModel: options.model ?? 'SimCharger',
        })
      : await call<{ status: string }>('BootNotification', {
          reason: 'PowerUp',
          chargingStation: {
            model: options.model ?? 'SimCharger',
            vendorName: options.vendor ?? 'EasyParkPlus',
          },
        });
    if (boot.status !== 'Accepted') {
      await rpc.close({ code: 1000, reason: 'Boot not accepted' });
      connected = false;
      throw new Error(`${options.stationId}: BootNotification ${boot.status}`);
    }
    if (is16) {
      await call('StatusNotification', {
        connectorId: 0,
        errorCode: 'NoError',
        status: 'Available',
        timestamp: timestamp(),
      });
    }
    await notifyStatus('Available');
  }

  async function authorizeToken(idTag: string): Promise<string> {
    if (is16) {
      const conf = await call<{ idTagInfo: { status: string } }>('Authorize', { idTag });
      return conf.idTagInfo.status;
    }
    const conf = await call<{ idTokenInfo: { status: string } }>('Authorize', { idToken: idToken(idTag) });
    return conf.idTokenInfo.status;
  }

  /** Starts the transaction; if the central system does not accept the token, ends it again and throws. */
  async function beginTransaction(idTag: string, remote?: RemoteStart): Promise<number | string> {
    const chargingState = chargingStateNow();
    let id: number | string;
    let tokenStatus: string;
    if (is16) {
      const conf = await call<{ transactionId: number; idTagInfo: { status: string } }>('StartTransaction', {
        connectorId: 1,
        idTag,
        meterStart: registerWh(),
        timestamp: timestamp(),
      });
      id = conf.transactionId;
      tokenStatus = conf.idTagInfo.status;
    } else {
      id = randomUUID();
      const conf = await call<{ idTokenInfo?: { status: string } }>('TransactionEvent', {
        eventType: 'Started',
        timestamp: timestamp(),
        triggerReason: remote ? 'RemoteStart' : 'Authorized',
        seqNo: 0,
        transactionInfo: {
          transactionId: id,
          chargingState,
          ...(remote?.remoteStartId !== undefined && { remoteStartId: remote.remoteStartId }),
        },
        idToken: idToken(idTag, remote?.tokenType),
        evse: { id: 1, connectorId: 1 },
        meterValue: meterValue('Transaction.Begin', [energySample()]),
      });
      tokenStatus = conf.idTokenInfo?.status ?? 'Accepted';
    }
    transaction = {
      id,
      seqNo: 1,
      chargingState,
      secondsSinceMeterReport: 0,
      lastReportedWh: registerWh(),
    };
    if (tokenStatus !== 'Accepted') {
      // The central system already knows the transaction: close it instead of charging.
      await endTransaction('DeAuthorized');
      await notifyStatus('Finishing');
      throw new Error(`${options.stationId}: ${idTag} not accepted for a transaction (${tokenStatus})`);
    }
    await notifyStatus(chargingState);
    return id;
  }

  async function sendMeterReport(): Promise<void> {
    const tx = transaction!;
    tx.lastReportedWh = registerWh();
    if (is16) {
      await call('MeterValues', {
        connectorId: 1,
        transactionId: tx.id,
        meterValue: meterValue('Sample.Periodic', periodicSamples()),
      });
    } else {
      await call('TransactionEvent', {
        eventType: 'Updated',
        timestamp: timestamp(),
        triggerReason: 'MeterValuePeriodic',
        seqNo: tx.seqNo++,
        transactionInfo: { transactionId: tx.id, chargingState: tx.chargingState },
        meterValue: meterValue('Sample.Periodic', periodicSamples()),
      });
    }
  }

  /** Tells the central system when charging pauses or resumes (profile limit 0, vehicle full). */
  async function reportChargingStateChange(): Promise<void> {
    const tx = transaction;
    const next = chargingStateNow();
    if (!tx || next === tx.chargingState) return;
    tx.chargingState = next;
    if (is16) {
      await notifyStatus(next);
      return;
    }
    status = next;
    await call('TransactionEvent', {
      eventType: 'Updated',
      timestamp: timestamp(),
      triggerReason: 'ChargingStateChanged',
      seqNo: tx.seqNo++,
      transactionInfo: { transactionId: tx.id, chargingState: next },
    });
  }

  /** Sends the transaction's end; the connector status afterwards is up to the caller. */
  async function endTransaction(reason: StopReason): Promise<void> {
    const tx = transaction;
    if (!tx) return;
    // The station stops delivering energy whether or not the message gets through.
    transaction = null;
    if (is16) {
      await call('StopTransaction', {
        transactionId: tx.id,
        meterStop: registerWh(),
        timestamp: timestamp(),
        reason,
      });
    } else {
      await call('TransactionEvent', {
        eventType: 'Ended',
        timestamp: timestamp(),
        triggerReason: STOP_TRIGGER_REASONS[reason],
        seqNo: tx.seqNo++,
        transactionInfo: {
          transactionId: tx.id,
          chargingState: reason === 'EVDisconnected' ? 'Idle' : 'EVConnected',
          stoppedReason: reason,
        },
        evse: { id: 1, connectorId: 1 },
        meterValue: meterValue('Transaction.End', [energySample()]),
      });
    }
  }

  async function stopTransaction(reason: StopReason): Promise<void> {
    await endTransaction(reason);
    await notifyStatus('Finishing');
  }

  // ---- Incoming calls

  function limitWattsOf(schedule: ChargingSchedule): number | null {
    const first = schedule.chargingSchedulePeriod[0];
    if (!first) return null;
    if (schedule.chargingRateUnit === 'W') return first.limit;
    return first.limit * VOLTS_PER_PHASE * (first.numberPhases ?? DEFAULT_PHASES);
  }

  function canStartRemotely(): boolean {
    return connected && vehicle !== null && transaction === null && !startPending;
  }

  function acceptRemoteStart(idTag: string, remote: RemoteStart, schedule?: ChargingSchedule): string {
    if (!canStartRemotely()) return 'Rejected';
    startPending = true;
    const profileLimitW = schedule ? limitWattsOf(schedule) : null;
    if (profileLimitW !== null) limitW = profileLimitW;
    afterReply(async () => {
      try {
        if (vehicle && !transaction) await beginTransaction(idTag, remote);
      } finally {
        startPending = false;
      }
    });
    return 'Accepted';
  }

  function acceptRemoteStop(transactionId: number | string): string {
    if (!transaction || transaction.id !== transactionId) return 'Rejected';
    afterReply(async () => {
      if (transaction?.id === transactionId) await stopTransaction('Remote');
    });
    return 'Accepted';
  }

  /** Applies the first period's limit from now on; stack levels and later periods are not simulated. */
  function applyProfile(
    purpose: string,
    schedule: ChargingSchedule,
    transactionId?: number | string,
  ): string {
    const profileLimitW = limitWattsOf(schedule);
    if (profileLimitW === null) return 'Rejected';
    limitW = profileLimitW;
    profiles.push({
      at: timestamp(),
      limitW: profileLimitW,
      purpose,
      ...(transactionId !== undefined && { transactionId }),
    });
    afterReply(reportChargingStateChange);
    return 'Accepted';
  }

  function clearProfiles(): string {
    limitW = null;
    afterReply(reportChargingStateChange);
    return 'Accepted';
  }

  function registerHandlers(): void {
    // biome-ignore lint/suspicious/noExplicitAny: the schema (strict mode) has validated params before they get here
    type Params = any;
    const handle = (method: string, reply: (params: Params) => Record<string, unknown>) =>
      rpc.handle(method, async ({ params }) => reply(params));

    if (is16) {
      handle('RemoteStartTransaction', (p) => ({
        status: acceptRemoteStart(p.idTag, {}, p.chargingProfile?.chargingSchedule),
      }));
      handle('RemoteStopTransaction', (p) => ({ status: acceptRemoteStop(p.transactionId) }));
      handle('SetChargingProfile', (p) => ({
        status: applyProfile(
          p.csChargingProfiles.chargingProfilePurpose,
          p.csChargingProfiles.chargingSchedule,
          p.csChargingProfiles.transactionId,
        ),
      }));
    } else {
      handle('RequestStartTransaction', (p) => ({
        status: acceptRemoteStart(
          p.idToken.idToken,
          { remoteStartId: p.remoteStartId, tokenType: p.idToken.type },
          p.chargingProfile?.chargingSchedule[0],
        ),
      }));
      handle('RequestStopTransaction', (p) => ({ status: acceptRemoteStop(p.transactionId) }));
      handle('SetChargingProfile', (p) => ({
        status: applyProfile(
          p.chargingProfile.chargingProfilePurpose,
          p.chargingProfile.chargingSchedule[0],
          p.chargingProfile.transactionId,
        ),
      }));
    }
    handle('ClearChargingProfile', () => ({ status: clearProfiles() }));
    handle('ChangeAvailability', () => ({ status: 'Accepted' }));
    handle('Reset', () => ({ status: 'Accepted' }));
    rpc.handle(async ({ method }) => {
      throw createRPCError('NotImplemented', `${method} is not implemented by this simulator`);
    });
  }

  // ---- Station actions

  function requireVehicle(): Required<Vehicle> {
    if (!vehicle) throw new Error(`${options.stationId}: no vehicle is plugged in`);
    return vehicle;
  }

  async function connect(): Promise<void> {
    clockMs = now().getTime();
    try {
      await rpc.connect();
    } catch (error) {
      const why = describeFailure(error);
      throw new Error(`${options.stationId} could not connect to ${options.endpoint}: ${why}`, {
        cause: error,
      });
    }
    connected = true;
    await bootAndReportAvailable();
  }

  async function plugIn(arriving: Vehicle): Promise<void> {
    if (vehicle) throw new Error(`${options.stationId}: a vehicle is already plugged in`);
    vehicle = {
      ...arriving,
      targetPercent: arriving.targetPercent ?? 100,
      maxAcceptKw: arriving.maxAcceptKw ?? options.maxPowerKw,
    };
    await notifyStatus('Preparing');
  }

  async function startFromStation(): Promise<number | string> {
    const { idTag } = requireVehicle();
    if (transaction || startPending) {
      throw new Error(`${options.stationId}: a transaction is already running`);
    }
    startPending = true;
    try {
      const tokenStatus = await authorizeToken(idTag);
      if (tokenStatus !== 'Accepted') {
        throw new Error(`${options.stationId}: ${idTag} not authorized (${tokenStatus})`);
      }
      return await beginTransaction(idTag);
    } finally {
      startPending = false;
    }
  }

  async function stopFromStation(reason: StopReason): Promise<void> {
    if (!transaction) throw new Error(`${options.stationId}: no transaction is running`);
    await stopTransaction(reason);
  }

  async function unplug(): Promise<void> {
    requireVehicle();
    await endTransaction('EVDisconnected');
    vehicle = null;
    await notifyStatus('Available');
  }

  return {
    connect: () => serially(connect),
    heartbeat: () => serially(async () => (await call<{ currentTime: string }>('Heartbeat', {})).currentTime),
    authorize: (idTag) => serially(() => authorizeToken(idTag)),
    plugIn: (arriving) => serially(() => plugIn(arriving)),
    startFromStation: () => serially(startFromStation),
    advance: (seconds) => serially(() => advanceTime(seconds)),
    stopFromStation: (reason = 'Local') => serially(() => stopFromStation(reason)),
    unplug: () => serially(unplug),
    disconnect: () =>
      serially(async () => {
        await rpc.close({ code: 1000, reason: 'Station shutting down' });
        connected = false;
      }),
    drop: async () => {
      await rpc.close({ force: true });
      connected = false;
    },
    get state(): ChargePointState {
      return {
        connected,
        transactionId: transaction?.id ?? null,
        energyWh: registerWh(),
        powerKw: powerKwNow(),
        socPercent: vehicle?.socPercent ?? null,
        status,
        limitW,
      };
    },
    profiles,
    counters,
  };
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const httpStatus = (error as Error & { code?: unknown }).code;
    return typeof httpStatus === 'number' ? `HTTP ${httpStatus} ${error.message}`.trim() : error.message;
  }
  return String(error);
}
