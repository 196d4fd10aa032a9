import { facilityClient } from '@easypark/facility/client';
import { AppError, fromMajor, newId, type Principal } from '@easypark/kernel';
import { type ParkingSession, parkingClient } from '@easypark/parking/client';
import { type Emit, pgConstraint, type ServiceRuntime, type Tx } from '@easypark/platform';
import { canSeeCharging } from './access.ts';
import { energyCost } from './domain/estimates.ts';
import { lastIncreaseAfter, type MeterReading } from './domain/meter.ts';
import { orderedChanges, sharePower } from './domain/power.ts';
import {
  type ConnectorType,
  cannotStartOn,
  connectorFits,
  idTagOf,
  stationStatus,
} from './domain/stations.ts';
import { problem } from './errors.ts';
import { emitCompleted, emitStarted, emitStationStatus, emitUpdated } from './events.ts';
import type { CentralSystem, OcppProtocol } from './ocpp/central.ts';
import { accepted, remoteStart, remoteStop, setLimit } from './ocpp/messages.ts';
import { offerFreedStations } from './queue.ts';
import type { ChargingSettings } from './settings.ts';
import * as store from './store.ts';

/**
 * What charging does, whoever asks: the API (start, stop, pause, resume), the stations over OCPP
 * (transactions, meter values, status), the bus (a car left) and the clock (silent stations).
 * Every change is a transaction; commands to stations are sent outside transactions.
 */

export type StationLink = Pick<CentralSystem, 'isConnected' | 'protocolOf' | 'call'>;

export interface StartRequest {
  vehicle_id: string;
  parking_session_id: string;
  station_id: string;
  target_charge_percent: number;
  current_charge_percent?: number;
}

export type Charging = ReturnType<typeof chargingOperations>;

/** A parked car that may charge: electric, with a known inlet. */
export type ChargeableCar = ParkingSession & { connector_type: ConnectorType };

/** A new session of this car on this station; `how` says how it was started. */
function newSession(
  station: store.StationRow,
  car: ChargeableCar,
  price: { currency: string; price: number },
  at: Date,
  how: Pick<
    store.NewSession,
    | 'id_tag'
    | 'remote_start_id'
    | 'ocpp_transaction_id'
    | 'started_by'
    | 'target_charge_percent'
    | 'start_soc_percent'
    | 'meter_start_wh'
  >,
): store.NewSession {
  return {
    charging_session_id: newId('chargingSession'),
    tenant_id: station.tenant_id,
    facility_id: station.facility_id,
    parking_session_id: car.session_id,
    station_id: station.station_id,
    vehicle_id: car.vehicle_id,
    customer_id: car.customer_id,
    registration_number: car.registration_number,
    vehicle_type: car.vehicle_type,
    battery_capacity_kwh: car.battery_capacity_kwh,
    ...how,
    start_time: at,
    meter_last_wh: how.meter_start_wh,
    allocated_kw: null,
    currency: price.currency,
    price_per_kwh: price.price,
    created_at: at,
    updated_at: at,
  };
}

/** Whether an open parking session's car may charge at this facility, on this connector (null: any). */
function mayChargeHere(
  session: ParkingSession,
  facilityId: string,
  connector: ConnectorType | null,
): ChargeableCar {
  if (session.facility_id !== facilityId)
    throw problem('STATION_NOT_AT_FACILITY', 'The station is at another facility than the parked car');
  if (!session.is_electric) throw problem('VEHICLE_NOT_ELECTRIC', 'The vehicle is not electric');
  const inlet = session.connector_type;
  if (!inlet)
    throw problem('CONNECTOR_UNKNOWN', 'Record the vehicle’s connector_type before charging it', {
      vehicle_id: session.vehicle_id,
    });
  if (connector && !connectorFits(inlet, connector))
    throw problem('CONNECTOR_MISMATCH', `The vehicle takes ${inlet}; this station has ${connector}`);
  return { ...session, connector_type: inlet };
}

export function chargingOperations(runtime: ServiceRuntime, settings: ChargingSettings, link: StationLink) {
  const facility = facilityClient(runtime.client('facility'));
  const parking = parkingClient(runtime.client('parking'));
  const now = () => runtime.clock.now();
  const log = runtime.logger;

  // One power decision at a time per facility, in this process.
  const siteTurns = new Map<string, Promise<unknown>>();
  function oneAtATime<T>(facilityId: string, work: () => Promise<T>): Promise<T> {
    const previous = siteTurns.get(facilityId) ?? Promise.resolve();
    const turn = previous.catch(() => {}).then(work);
    siteTurns.set(facilityId, turn);
    const forget = () => {
      if (siteTurns.get(facilityId) === turn) siteTurns.delete(facilityId);
    };
    turn.then(forget, forget);
    return turn;
  }

  // Callers waiting for a station to confirm a session ended (a remote stop).
  const endWaiters = new Map<string, Set<() => void>>();
  function waitForEnd(sessionId: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiters = endWaiters.get(sessionId) ?? new Set();
      const done = (ended: boolean) => {
        clearTimeout(timer);
        waiters.delete(onEnd);
        resolve(ended);
      };
      const onEnd = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      waiters.add(onEnd);
      endWaiters.set(sessionId, waiters);
    });
  }

  async function refreshStation(tx: Tx, emit: Emit, stationId: string): Promise<store.StationRow> {
    const station = (await store.lockStation(tx, stationId))!;
    const open = await store.openSessionOnStation(tx, stationId);
    const status = stationStatus(station, open !== null);
    if (status === station.status) return station;
    const updated = await store.updateStation(tx, stationId, { status, updated_at: now() });
    emitStationStatus(emit, updated, station.status);
    return updated;
  }

  async function pricePerKwh(facilityId: string, vehicleType: string) {
    const answer = await facility.pricingStrategy(facilityId, now());
    const config = answer.configurations.find((c) => c.vehicle_type === vehicleType);
    const rate = config?.ev_charging_rate_per_kwh ?? 0;
    return { currency: answer.currency, price: fromMajor(rate, answer.currency).amount };
  }

  /** Sends a command; a station that is gone or silent is a clear problem, not a crash. */
  async function command(
    stationId: string,
    build: (protocol: OcppProtocol) => { method: string; params: object },
  ) {
    const protocol = link.protocolOf(stationId);
    if (!protocol || !link.isConnected(stationId))
      throw problem('STATION_OFFLINE', `Station ${stationId} is not connected`);
    const { method, params } = build(protocol);
    try {
      return await link.call(stationId, method, params);
    } catch (error) {
      // ocpp-rpc's TimeoutError is not a named export Node's ESM loader can see.
      if ((error as Error)?.constructor?.name === 'TimeoutError')
        throw problem('STATION_NOT_RESPONDING', `Station ${stationId} did not answer ${method}`);
      throw problem(
        'STATION_OFFLINE',
        `Station ${stationId} could not take ${method}: ${(error as Error).message}`,
      );
    }
  }

  // Power

  /**
   * Shares the facility's power among its open sessions and tells the stations, lowering limits
   * before raising any, so the sum the stations hold never exceeds the facility's limit. A session
   * being started gets its limit with the start command, after the lowering. If a station cannot
   * be lowered, nobody is raised.
   */
  async function allocate(
    facilityId: string,
    starting?: { sessionId: string; start: (limitW: number | null) => Promise<void> },
  ): Promise<void> {
    const sessions = await store.openSessionsAtFacility(runtime.pool, facilityId);
    const limitKw = await store.siteLimitKw(runtime.pool, facilityId);
    const next = sharePower(
      limitKw,
      sessions.map((s) => ({
        id: s.charging_session_id,
        ratingKw: s.power_rating_kw,
        paused: s.status === 'PAUSED',
      })),
    );
    const held = new Map(
      sessions.map((s) => [
        s.charging_session_id,
        s.allocated_kw === null ? null : Math.round(s.allocated_kw * 1000),
      ]),
    );
    const byId = new Map(sessions.map((s) => [s.charging_session_id, s]));
    const changes = orderedChanges(held, next);
    const lowering = changes.filter((c) => c.fromW === null || c.toW < c.fromW);
    const raising = changes.filter((c) => !lowering.includes(c));

    let lowered = true;
    for (const change of lowering) {
      if (change.id === starting?.sessionId) continue;
      if (!(await sendLimit(byId.get(change.id)!, change.toW))) lowered = false;
    }
    if (starting) {
      const limitW = next.get(starting.sessionId) ?? 0;
      await starting.start(limitKw === null ? null : limitW);
      await runtime.transaction((tx) =>
        store.updateSession(tx, starting.sessionId, { allocated_kw: limitW / 1000, updated_at: now() }),
      );
    }
    if (!lowered) {
      log.warn({ facility: facilityId }, 'a station did not take a lower limit; not raising others');
      return;
    }
    for (const change of raising) {
      if (change.id === starting?.sessionId) continue;
      await sendLimit(byId.get(change.id)!, change.toW);
    }
  }

  async function sendLimit(session: store.SessionRow, limitW: number): Promise<boolean> {
    if (session.ocpp_transaction_id === null) return true;
    const transactionId = session.ocpp_transaction_id;
    try {
      const answer = await command(session.station_id, (p) => setLimit(p, transactionId, limitW));
      if (!accepted(answer)) return false;
      await runtime.transaction((tx) =>
        store.updateSession(tx, session.charging_session_id, {
          allocated_kw: limitW / 1000,
          updated_at: now(),
        }),
      );
      return true;
    } catch (error) {
      log.warn({ err: error, station: session.station_id }, 'could not set a charging limit');
      return false;
    }
  }

  /** After any change at a facility: share the power again and offer freed stations to the queue. */
  async function settle(facilityId: string): Promise<void> {
    await oneAtATime(facilityId, () => allocate(facilityId));
    await offerFreedStations(runtime, settings, facilityId);
  }

  // Settling after a change runs on its own; shutdown waits for these before closing the pool.
  const settling = new Set<Promise<void>>();

  function settleLater(facilityId: string): void {
    const work = new Promise((next) => setImmediate(next))
      .then(() => settle(facilityId))
      .catch((error) => log.error({ err: error, facility: facilityId }, 'could not settle'))
      .finally(() => settling.delete(work));
    settling.add(work);
  }

  async function settled(): Promise<void> {
    while (settling.size > 0) await Promise.all(settling);
  }

  // Sessions: the API side

  /**
   * Checks the car may charge here: its parking session is the principal's to charge (else it is
   * not found, whatever state it is in), open, the car is electric and the connector fits.
   */
  async function checkVehicle(
    request: { parking_session_id: string; vehicle_id: string },
    facilityId: string,
    connector: ConnectorType | null,
    principal: Principal,
  ): Promise<ChargeableCar> {
    let validation: Awaited<ReturnType<typeof parking.validateSession>>;
    try {
      validation = await parking.validateSession(request.parking_session_id, request.vehicle_id);
    } catch (error) {
      if (error instanceof AppError && error.status === 404)
        throw problem(
          'PARKING_SESSION_NOT_FOUND',
          `There is no parking session ${request.parking_session_id}`,
        );
      throw error;
    }
    if (!canSeeCharging(principal, validation))
      throw problem('PARKING_SESSION_NOT_FOUND', `There is no parking session ${request.parking_session_id}`);
    if (validation.reason === 'SESSION_CLOSED')
      throw problem('PARKING_SESSION_CLOSED', 'The car has left: its parking session is closed');
    if (validation.reason === 'VEHICLE_MISMATCH')
      throw problem('VEHICLE_MISMATCH', `Parking session ${request.parking_session_id} is another vehicle’s`);
    return mayChargeHere(validation, facilityId, connector);
  }

  async function startSession(
    request: StartRequest,
    parkingSession: ChargeableCar,
    station: store.StationRow,
  ): Promise<store.SessionRow> {
    const price = await pricePerKwh(station.facility_id, parkingSession.vehicle_type);
    return oneAtATime(station.facility_id, async () => {
      const created = await runtime.transaction(async (tx, emit) => {
        const current = (await store.lockStation(tx, station.station_id))!;
        const open = await store.openSessionOnStation(tx, station.station_id);
        const refusal = cannotStartOn(current, open !== null);
        if (refusal)
          throw problem(
            refusal,
            `Station ${station.station_id}: ${refusal.toLowerCase().replaceAll('_', ' ')}`,
          );
        if (!link.isConnected(station.station_id))
          throw problem('STATION_OFFLINE', `Station ${station.station_id} is not connected`);
        const offer = await store.offerOnStation(tx, station.station_id);
        if (offer && offer.vehicle_id !== request.vehicle_id)
          throw problem('STATION_HELD', 'The station is held for the next vehicle in the queue', {
            held_until: offer.offer_expires_at?.toISOString(),
          });
        if (await store.openSessionOfVehicle(tx, request.vehicle_id))
          throw problem('VEHICLE_ALREADY_CHARGING', 'The vehicle is already charging');
        const at = now();
        try {
          const session = await store.insertSession(
            tx,
            newSession(station, parkingSession, price, at, {
              id_tag: idTagOf(parkingSession.registration_number),
              remote_start_id: await store.nextTransactionId(tx),
              ocpp_transaction_id: null,
              started_by: 'API',
              target_charge_percent: request.target_charge_percent,
              start_soc_percent: request.current_charge_percent ?? null,
              meter_start_wh: null,
            }),
          );
          await refreshStation(tx, emit, station.station_id);
          return session;
        } catch (error) {
          throw mapUniqueViolations(error);
        }
      });

      try {
        await allocate(station.facility_id, {
          sessionId: created.charging_session_id,
          start: async (limitW) => {
            const answer = await command(station.station_id, (p) =>
              remoteStart(p, { idTag: created.id_tag, remoteStartId: created.remote_start_id!, limitW }),
            );
            if (!accepted(answer))
              throw problem(
                'STATION_REJECTED',
                'The station refused to start: is the cable plugged into the car?',
              );
          },
        });
      } catch (error) {
        await runtime.transaction(async (tx, emit) => {
          await store.deleteSession(tx, created.charging_session_id);
          await refreshStation(tx, emit, station.station_id);
        });
        await allocate(station.facility_id).catch((e) => log.warn({ err: e }, 'could not share power again'));
        throw error;
      }

      return runtime.transaction(async (tx, emit) => {
        const session = (await store.lockSession(tx, created.charging_session_id))!;
        emitStarted(emit, session);
        await store.queueEntryCharging(tx, session.vehicle_id, session.charging_session_id, now());
        return session;
      });
    });
  }

  /** Stops a session: asks the station and waits for its final meter reading, else ends it on what was metered. */
  async function stopSession(
    session: store.SessionRow,
    reason: string,
    stopTime?: Date,
  ): Promise<store.SessionRow> {
    if (!store.openStatuses.includes(session.status)) return session;
    // Why it stopped is ours to say, not the station's ("Remote").
    await runtime.transaction((tx) =>
      store.updateSession(tx, session.charging_session_id, {
        stop_reason: session.stop_reason ?? reason.slice(0, 200),
        updated_at: now(),
      }),
    );
    const transactionId = session.ocpp_transaction_id;
    if (transactionId !== null && link.isConnected(session.station_id)) {
      const ended = waitForEnd(session.charging_session_id, settings.callTimeoutMs);
      try {
        const answer = await command(session.station_id, (p) => remoteStop(p, transactionId));
        if (accepted(answer)) await ended;
      } catch (error) {
        log.warn(
          { err: error, session: session.charging_session_id },
          'remote stop failed; ending on metered energy',
        );
      }
    }
    await endSession(session.charging_session_id, 'COMPLETED', { reason, ...(stopTime ? { stopTime } : {}) });
    return (await store.getSession(runtime.pool, session.charging_session_id))!;
  }

  async function pauseSession(session: store.SessionRow): Promise<store.SessionRow> {
    return oneAtATime(session.facility_id, async () => {
      const paused = await runtime.transaction(async (tx) => {
        const current = (await store.lockSession(tx, session.charging_session_id))!;
        if (current.status === 'PAUSED') return current;
        if (current.status !== 'ACTIVE')
          throw problem('SESSION_NOT_ACTIVE', `The session is ${current.status}`);
        if (current.ocpp_transaction_id === null || !link.isConnected(current.station_id))
          throw problem('STATION_OFFLINE', 'The station cannot be reached to pause charging');
        return store.updateSession(tx, current.charging_session_id, {
          status: 'PAUSED',
          paused_at: now(),
          pause_count: current.pause_count + 1,
          updated_at: now(),
        });
      });
      await allocate(session.facility_id);
      return paused;
    });
  }

  async function resumeSession(session: store.SessionRow): Promise<store.SessionRow> {
    return oneAtATime(session.facility_id, async () => {
      const resumed = await runtime.transaction(async (tx) => {
        const current = (await store.lockSession(tx, session.charging_session_id))!;
        if (current.status === 'ACTIVE') return current;
        if (current.status !== 'PAUSED')
          throw problem('SESSION_NOT_PAUSED', `The session is ${current.status}`);
        if (!link.isConnected(current.station_id))
          throw problem('STATION_OFFLINE', 'The station cannot be reached to resume charging');
        return store.updateSession(tx, current.charging_session_id, {
          status: 'ACTIVE',
          paused_at: null,
          total_pause_duration: current.total_pause_duration + secondsSince(current.paused_at!),
          updated_at: now(),
        });
      });
      await allocate(session.facility_id);
      return resumed;
    });
  }

  const secondsSince = (at: Date) => Math.max(0, Math.round((now().getTime() - at.getTime()) / 1000));

  /** Ends an open session (no-op if it has ended): final energy and cost, events, the station freed. */
  async function endSession(
    sessionId: string,
    status: 'COMPLETED' | 'INTERRUPTED',
    end: { reason: string; meterWh?: number; meterAt?: Date; stopTime?: Date },
  ): Promise<store.SessionRow | null> {
    const ended = await runtime.transaction(async (tx, emit) => {
      const s = await store.lockSession(tx, sessionId);
      if (!s || !store.openStatuses.includes(s.status)) return null;
      const lastWh = end.meterWh ?? s.meter_last_wh;
      const energyWh =
        lastWh !== null && s.meter_start_wh !== null
          ? Math.max(lastWh - s.meter_start_wh, Math.round(s.energy_delivered_kwh * 1000))
          : Math.round(s.energy_delivered_kwh * 1000);
      const stopTime = end.stopTime && end.stopTime >= s.start_time ? end.stopTime : now();
      const updated = await store.updateSession(tx, sessionId, {
        status,
        stop_time: stopTime,
        stop_reason: s.stop_reason ?? end.reason.slice(0, 200),
        meter_last_wh: lastWh,
        energy_increased_at: lastIncreaseAfter(
          { wh: s.meter_last_wh ?? s.meter_start_wh, at: s.energy_increased_at },
          { wh: end.meterWh, at: end.meterAt ?? now() },
        ),
        ended_paused: s.status === 'PAUSED',
        energy_delivered_kwh: energyWh / 1000,
        current_rate_kw: 0,
        cost: energyCost(energyWh, s.price_per_kwh),
        paused_at: null,
        total_pause_duration: s.total_pause_duration + (s.paused_at ? secondsSince(s.paused_at) : 0),
        updated_at: now(),
      });
      emitCompleted(emit, updated);
      await store.queueEntryDone(tx, sessionId, now());
      await refreshStation(tx, emit, s.station_id);
      return updated;
    });
    if (ended) {
      for (const wake of endWaiters.get(sessionId) ?? []) wake();
      endWaiters.delete(sessionId);
      settleLater(ended.facility_id);
    }
    return ended;
  }

  // Sessions: the station side

  /**
   * Who an id tag is: the open parking session of that plate at the station's facility, if the car
   * may charge there. Null when not.
   */
  async function identify(station: store.StationRow, idTag: string) {
    try {
      const open = await parking.openSessionByPlate(station.facility_id, idTag);
      return mayChargeHere(open, station.facility_id, station.connector_type);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return null;
      throw error;
    }
  }

  async function authorize(
    stationId: string,
    idTag: string,
  ): Promise<'Accepted' | 'Invalid' | 'ConcurrentTx'> {
    const station = await store.getStation(runtime.pool, stationId);
    if (!station) return 'Invalid';
    const open = await store.openSessionOnStation(runtime.pool, stationId);
    if (open) return open.id_tag === idTag ? 'Accepted' : 'ConcurrentTx';
    return (await identify(station, idTag)) ? 'Accepted' : 'Invalid';
  }

  /**
   * A station reports a transaction started. Either it is the one we asked for (same id tag or
   * remote start id), or a driver started it at the station: then the car is identified by its tag.
   */
  async function transactionStarted(
    stationId: string,
    protocol: OcppProtocol,
    started: { idTag: string; meterStartWh: number | null; transactionId?: string; remoteStartId?: number },
  ): Promise<{ transactionId: string; status: 'Accepted' | 'Invalid' | 'ConcurrentTx' }> {
    const linked = await runtime.transaction(async (tx) => {
      const open = await store.openSessionOnStation(tx, stationId);
      if (!open) return null;
      if (open.ocpp_transaction_id !== null) {
        const same = started.transactionId === open.ocpp_transaction_id || open.id_tag === started.idTag;
        return {
          transactionId: open.ocpp_transaction_id,
          status: same ? 'Accepted' : 'ConcurrentTx',
        } as const;
      }
      const ours =
        open.id_tag === started.idTag ||
        (started.remoteStartId !== undefined && started.remoteStartId === open.remote_start_id);
      if (!ours) return { transactionId: started.transactionId ?? '0', status: 'ConcurrentTx' } as const;
      const transactionId = protocol === 'ocpp1.6' ? String(open.remote_start_id) : started.transactionId!;
      await store.updateSession(tx, open.charging_session_id, {
        ocpp_transaction_id: transactionId,
        meter_start_wh: started.meterStartWh,
        meter_last_wh: started.meterStartWh,
        updated_at: now(),
      });
      return { transactionId, status: 'Accepted' } as const;
    });
    if (linked) {
      if (linked.status === 'ConcurrentTx' && protocol === 'ocpp1.6')
        return { transactionId: String(await store.nextTransactionId(runtime.pool)), status: 'ConcurrentTx' };
      return linked;
    }

    const station = (await store.getStation(runtime.pool, stationId))!;
    const transactionId =
      protocol === 'ocpp1.6' ? String(await store.nextTransactionId(runtime.pool)) : started.transactionId!;
    const car = await identify(station, started.idTag);
    if (!car) return { transactionId, status: 'Invalid' };
    const price = await pricePerKwh(station.facility_id, car.vehicle_type);
    try {
      await runtime.transaction(async (tx, emit) => {
        const at = now();
        const session = await store.insertSession(
          tx,
          newSession(station, car, price, at, {
            id_tag: started.idTag,
            remote_start_id: null,
            ocpp_transaction_id: transactionId,
            started_by: 'STATION',
            target_charge_percent: 100,
            start_soc_percent: null,
            meter_start_wh: started.meterStartWh,
          }),
        );
        emitStarted(emit, session);
        await store.queueEntryCharging(tx, session.vehicle_id, session.charging_session_id, now());
        await refreshStation(tx, emit, stationId);
      });
    } catch (error) {
      if (pgConstraint(error)) return { transactionId, status: 'ConcurrentTx' };
      throw error;
    }
    settleLater(station.facility_id);
    return { transactionId, status: 'Accepted' };
  }

  async function meterReported(
    stationId: string,
    transactionId: string,
    reading: MeterReading,
  ): Promise<void> {
    await runtime.transaction(async (tx, emit) => {
      const s = await store.sessionByTransaction(tx, stationId, transactionId);
      if (!s || !store.openStatuses.includes(s.status)) return;
      const meterStart = s.meter_start_wh ?? reading.energyWh ?? null;
      const lastWh =
        reading.energyWh !== undefined ? Math.max(reading.energyWh, s.meter_last_wh ?? 0) : s.meter_last_wh;
      const energyWh = meterStart !== null && lastWh !== null ? Math.max(0, lastWh - meterStart) : 0;
      const updated = await store.updateSession(tx, s.charging_session_id, {
        meter_start_wh: meterStart,
        meter_last_wh: lastWh,
        energy_increased_at: lastIncreaseAfter(
          { wh: s.meter_last_wh ?? s.meter_start_wh, at: s.energy_increased_at },
          { wh: reading.energyWh, at: reading.energyAt ?? now() },
        ),
        energy_delivered_kwh: energyWh / 1000,
        ...(reading.powerW !== undefined ? { current_rate_kw: Math.round(reading.powerW / 10) / 100 } : {}),
        ...(reading.socPercent !== undefined
          ? {
              soc_percent: reading.socPercent,
              ...(s.start_soc_percent === null ? { start_soc_percent: reading.socPercent } : {}),
            }
          : {}),
        updated_at: now(),
      });
      emitUpdated(emit, updated);
    });
  }

  async function transactionEnded(
    stationId: string,
    transactionId: string,
    end: { meterWh?: number; meterAt?: Date; reason: string },
  ): Promise<void> {
    const session = await runtime.transaction((tx) =>
      store.sessionByTransaction(tx, stationId, transactionId),
    );
    if (!session) {
      log.warn(
        { station: stationId, transaction: transactionId },
        'a station ended a transaction we do not know',
      );
      return;
    }
    await endSession(session.charging_session_id, 'COMPLETED', {
      reason: end.reason,
      ...(end.meterWh !== undefined ? { meterWh: end.meterWh } : {}),
      ...(end.meterAt !== undefined ? { meterAt: end.meterAt } : {}),
    });
  }

  // Stations

  async function stationConnected(stationId: string, protocol: OcppProtocol): Promise<void> {
    const station = await runtime.transaction(async (tx, emit) => {
      await store.updateStation(tx, stationId, {
        online: true,
        ocpp_protocol: protocol,
        last_seen_at: now(),
        updated_at: now(),
      });
      return refreshStation(tx, emit, stationId);
    });
    settleLater(station.facility_id);
  }

  /** The station is gone: OFFLINE, and a session it was running is INTERRUPTED on the energy measured so far. */
  async function stationGone(stationId: string): Promise<void> {
    const open = await runtime.transaction(async (tx, emit) => {
      await store.updateStation(tx, stationId, { online: false, updated_at: now() });
      await refreshStation(tx, emit, stationId);
      return store.openSessionOnStation(tx, stationId);
    });
    if (open) await endSession(open.charging_session_id, 'INTERRUPTED', { reason: 'STATION_OFFLINE' });
  }

  async function connectorStatusReported(stationId: string, connectorStatus: string): Promise<void> {
    const station = await runtime.transaction(async (tx, emit) => {
      await store.updateStation(tx, stationId, {
        connector_status: connectorStatus,
        updated_at: now(),
      });
      return refreshStation(tx, emit, stationId);
    });
    if (station.status === 'AVAILABLE') settleLater(station.facility_id);
  }

  async function booted(
    stationId: string,
    boot: { vendor: string | null; model: string | null; firmware: string | null },
  ): Promise<void> {
    await runtime.transaction((tx) =>
      store.updateStation(tx, stationId, {
        vendor: boot.vendor,
        model: boot.model,
        firmware_version: boot.firmware,
        updated_at: now(),
      }),
    );
  }

  /** The clock's round: silent stations go OFFLINE, cars that left stop charging, lapsed queue offers move on. */
  async function sweep(closeSilent: (stationId: string) => Promise<void>): Promise<void> {
    const at = now();
    for (const stationId of await store.silentStations(
      runtime.pool,
      new Date(at.getTime() - settings.offlineAfterSeconds * 1000),
    )) {
      await closeSilent(stationId);
      await stationGone(stationId);
    }
    for (const sessionId of await store.requestedStops(runtime.pool)) {
      const session = (await store.getSession(runtime.pool, sessionId))!;
      await stopSession(session, 'VEHICLE_LEFT');
    }
    for (const facilityId of await store.facilitiesWithLapsedOffers(runtime.pool, at))
      await offerFreedStations(runtime, settings, facilityId);
  }

  return {
    checkVehicle,
    startSession,
    stopSession,
    pauseSession,
    resumeSession,
    settle,
    settled,
    authorize,
    transactionStarted,
    meterReported,
    transactionEnded,
    stationConnected,
    stationGone,
    connectorStatusReported,
    booted,
    sweep,
    refreshStation,
  };
}

function mapUniqueViolations(error: unknown): unknown {
  const constraint = pgConstraint(error);
  if (constraint === 'charging_sessions_one_per_station')
    return problem('STATION_BUSY', 'The station is charging another vehicle');
  if (constraint === 'charging_sessions_one_per_vehicle')
    return problem('VEHICLE_ALREADY_CHARGING', 'The vehicle is already charging');
  return error;
}
