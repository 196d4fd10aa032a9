/**
 * Live traffic on a tenant's network, through the public API and OCPP only, as the real clients
 * would make it: a gate controller per facility (an API key that records entries and exits), a
 * pay station per facility (an API key that pays invoices), the tenant's charging stations
 * (simulated charge points that take over the stations nobody runs), drivers with the app who
 * book ahead and pay in the app, and the tenant's back office (its admin) for what no machine
 * key may do (registering a fleet's electric cars, finding a drive-up visit's invoice).
 *
 * Cars arrive as the plan says (see plan.ts), park, maybe charge, leave and pay. A refused call is
 * counted and logged and the car carries on or drives away; nothing here stops the run but stop().
 * Stopping ends every wait, lets calls in flight finish, disconnects the charge points and revokes
 * the keys; cars still parked stay parked, and the next run takes them over.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Account, type ApiResult, type Caller, createApi, type Refusal } from './api.ts';
import { loadBirminghamProfile, type TrafficProfile } from './calibration.ts';
import { type ChargePoint, createChargePoint, type OcppVersion } from './chargepoint.ts';
import { createSimClock } from './clock.ts';
import {
  type Behaviour,
  type ConnectorType,
  createArrivals,
  defaultBehaviour,
  type ElectricCar,
  expectedOccupancy,
  type FacilitySpec,
  idTagOf,
  normalisePlate,
  type PaymentToken,
  planElectricCar,
  planQuickStop,
  planVehicle,
  plateFor,
  presentCar,
  remainingStay,
  type Vehicle,
  type Visit,
} from './plan.ts';
import { createRandom, type Random } from './random.ts';
import { emptyStats, type Stats, type Summary } from './report.ts';

export interface SimulatorLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

export interface SimulatorOptions {
  /** The platform's public address, e.g. http://localhost:8080; charge points connect to ws://…/ocpp. */
  url: string;
  /** A tenant admin of the tenant whose network is driven. */
  email: string;
  password: string;
  /** Simulated time runs this many times faster than real time; default 1. */
  speed?: number;
  /** The same seed gives the same plan; default random. */
  seed?: string;
  /** Where simulated time starts; default now. */
  start?: Date;
  /** Stop after this much simulated time; default: run until stop(). */
  durationMs?: number;
  /** Facility names or ids to drive; default every active facility of the tenant. */
  facilities?: string[];
  /** App drivers to sign up (or sign in again, on a later run); default 4. */
  drivers?: number;
  /** Existing driver accounts that book too (the demo driver, say). */
  driverAccounts?: { email: string; password: string }[];
  /** Run the tenant's stations nobody runs as simulated charge points; default true. */
  chargePoints?: boolean;
  behaviour?: Partial<Behaviour>;
  /** Park as many cars at the start as the profile expects at that hour; default true. */
  warmStart?: boolean;
  /** When no car entered or left anywhere for this many real seconds, a car makes a quick stop; 0: never. Default 30. */
  keepAliveSeconds?: number;
  /** Sign-ins and sign-ups per minute at most; default 5 (the gateway allows 20 per address). */
  authPerMinute?: number;
  /** Real milliseconds between summary log lines; default one simulated hour, at least 10 s. */
  reportEveryMs?: number;
  logger?: SimulatorLogger;
  /** Default: calibrated on the Birmingham data. */
  profile?: TrafficProfile;
}

export interface Simulator {
  readonly seed: string;
  /** Set up (signed in, keys issued, charge points connected, cars placed); rejects if it cannot run at all. */
  readonly ready: Promise<void>;
  /** The summary, once the run ended (its duration passed, or stop()). */
  readonly finished: Promise<Summary>;
  stop(): Promise<Summary>;
  progress(): { simulatedMs: number; durationMs: number | null; stats: Stats; parked: number };
}

interface ApiFacility {
  facility_id: string;
  name: string;
  status: string;
  timezone: string;
  address: { country?: string | null };
  capacity: { compact: number; standard: number; large: number; total: number };
}

interface ApiStation {
  station_id: string;
  name: string | null;
  charger_level: string;
  connector_type: ConnectorType;
  power_rating_kw: number;
  connected: boolean;
  vendor: string | null;
  model: string | null;
}

interface SimStation {
  id: string;
  connector: ConnectorType;
  dc: boolean;
  maxKw: number;
  protocol: OcppVersion;
  password: string;
  point: ChargePoint;
  inUse: boolean;
  /** The meter when the car in it plugged in (its energy so far counts in the summary). */
  pluggedAtWh: number | null;
  /** Simulated time the station's clock has been moved to. */
  advancedTo: number;
  advancing: Promise<void> | null;
}

interface Site {
  facility: ApiFacility;
  spec: FacilitySpec;
  gate: Caller;
  payStation: Caller;
  stations: SimStation[];
  /** Simulated cars parked here now: normalised plate → parking session id. */
  parked: Map<string, string>;
}

interface AppDriver {
  account: Account;
  home: Site;
  car: Vehicle | null;
  busyUntil: number;
}

interface Plugged {
  station: SimStation;
  chargingSessionId: string | null;
  driver: AppDriver | null;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** Bookers decide up to this long before they arrive (plan.ts draws leads of 15 minutes to 3 hours). */
const MAX_LEAD_MS = 3 * HOUR_MS;
const KEY_PREFIX = 'Simulator · ';
/** What the simulated stations say they are at boot; stations that booted as this are ours to take over. */
const SIM_VENDOR = 'EasyParkPlus';
const SIM_MODEL = 'SimCharger';
const CHARGE_TICK_MS = 1000;
const HEARTBEAT_MS = 60_000;
const STOP_GRACE_MS = 3000;

const silentLogger: SimulatorLogger = { info() {}, warn() {}, debug() {} };

export function startSimulator(options: SimulatorOptions): Simulator {
  const speed = options.speed ?? 1;
  const seed = options.seed ?? randomBytes(4).toString('hex');
  const log = options.logger ?? silentLogger;
  const behaviour: Behaviour = { ...defaultBehaviour, ...options.behaviour };
  const profile = options.profile ?? loadBirminghamProfile();
  const random = createRandom(seed);
  // Idempotency keys must differ between runs even with the same seed.
  const runId = randomBytes(4).toString('hex');
  const startMs = (options.start ?? new Date()).getTime();
  const endMs = options.durationMs !== undefined ? startMs + options.durationMs : null;
  const clock = createSimClock({ speed, start: startMs });
  const realStart = Date.now();
  const stats = emptyStats();
  const sites: Site[] = [];
  const drivers: AppDriver[] = [];
  const issuedKeys: string[] = [];
  const running = new Set<Promise<unknown>>();
  let lastMovement = Date.now();

  const warnedAt = new Map<string, number>();
  function onRefusal(refusal: Refusal): void {
    stats.refusals[refusal.code] = (stats.refusals[refusal.code] ?? 0) + 1;
    log.debug(refusal, 'simulator: call refused');
    // Refusals are part of the traffic (a full car park); failures are worth a warning, once a minute per kind.
    if (refusal.status !== 0 && refusal.status < 500) return;
    const last = warnedAt.get(refusal.code) ?? 0;
    if (Date.now() - last < 60_000) return;
    warnedAt.set(refusal.code, Date.now());
    log.warn(refusal, 'simulator: a call failed (the simulation carries on)');
  }

  const api = createApi({
    baseUrl: options.url,
    clock,
    authPerMinute: options.authPerMinute ?? 5,
    onRefusal,
  });
  const manager = api.account(options.email, options.password);
  const endpoint = `${options.url.replace(/^http/, 'ws').replace(/\/+$/, '')}/ocpp`;

  /** Runs a story in the background; a bug in one never stops the others. */
  function track(story: Promise<unknown>): void {
    const tracked = story.catch((error) => log.warn({ err: error }, 'simulator: a car’s story failed'));
    running.add(tracked);
    tracked.finally(() => running.delete(tracked));
  }

  const iso = (simMs: number) => new Date(clock.toReal(simMs)).toISOString();

  // ---- Setup

  async function setUp(): Promise<void> {
    const health = await api.call('GET', '/api/v1/health');
    if (health.status === 0) throw new Error(`cannot reach ${options.url}: ${health.detail}`);
    if (!(await manager.signIn()))
      throw new Error(`cannot sign in as ${options.email} at ${options.url} (wrong password?)`);
    const facilities = await api.list<ApiFacility>('/api/v1/facilities', {
      as: manager,
      query: { limit: 100 },
    });
    if (!facilities) throw new Error('cannot list the tenant’s facilities');
    const wanted = options.facilities;
    const chosen = facilities.filter(
      (f) =>
        f.status === 'ACTIVE' &&
        f.capacity.total > 0 &&
        (!wanted || wanted.includes(f.name) || wanted.includes(f.facility_id)),
    );
    if (chosen.length === 0) throw new Error('no active facility to drive');
    await Promise.all(chosen.map(async (facility) => sites.push(await setUpSite(facility))));
    sites.sort((a, b) => a.facility.name.localeCompare(b.facility.name));
    if (clock.stopped) return;
    await Promise.all(sites.map(takeOver));
    track(setUpDrivers());
    for (const site of sites) track(arrivals(site));
    track(chargeLoop());
    track(heartbeatLoop());
    track(reportLoop());
    const keepAliveSeconds = options.keepAliveSeconds ?? 30;
    if (keepAliveSeconds > 0) track(keepAliveLoop(keepAliveSeconds));
    // Not tracked: stopping waits for the tracked stories, and this one is what stops.
    if (endMs !== null)
      void clock.until(endMs).then((due) => {
        if (due) void stop();
      });
    log.info(
      {
        facilities: sites.map((s) => s.facility.name),
        charge_points: sites.reduce((n, s) => n + s.stations.length, 0),
        parked: parkedNow(),
        speed,
        seed,
      },
      `simulator: live traffic on ${sites.length} facilities at ${speed}× (seed ${seed})`,
    );
  }

  async function setUpSite(facility: ApiFacility): Promise<Site> {
    const listed =
      options.chargePoints === false
        ? null
        : await api.call<ApiStation[]>('GET', `/api/v1/charging/stations/${facility.facility_id}`, {
            as: manager,
          });
    const stations = listed?.ok ? listed.body : [];
    const site: Site = {
      facility,
      spec: {
        key: facility.name,
        capacity: facility.capacity,
        timezone: facility.timezone,
        country: facility.address.country ?? null,
        connectors: [],
      },
      gate: api.apiKey(`${facility.name} gates`, () =>
        issueKey(facility, 'gates', ['entries:record', 'exits:record']),
      ),
      payStation: api.apiKey(`${facility.name} pay station`, () =>
        issueKey(facility, 'pay station', ['invoices:pay']),
      ),
      stations: [],
      parked: new Map(),
    };
    // Stations nobody runs: never connected, or run by a simulator before.
    const ours = stations.filter(
      (s) => !s.connected && (s.vendor === null || (s.vendor === SIM_VENDOR && s.model === SIM_MODEL)),
    );
    for (const station of ours) {
      if (clock.stopped) break;
      const simulated = await runStation(station);
      if (simulated) site.stations.push(simulated);
    }
    site.spec = { ...site.spec, connectors: [...new Set(site.stations.map((s) => s.connector))] };
    return site;
  }

  async function issueKey(
    facility: ApiFacility,
    what: string,
    permissions: string[],
  ): Promise<string | null> {
    const answer = await api.call<{ key: string; key_id: string }>('POST', '/api/v1/api-keys', {
      as: manager,
      body: {
        name: `${KEY_PREFIX}${facility.name} ${what}`,
        facility_id: facility.facility_id,
        permissions,
        // A run that crashed leaves its keys behind; they lapse on their own.
        expires_at: new Date(Date.now() + 24 * HOUR_MS).toISOString(),
      },
    });
    if (!answer.ok) return null;
    issuedKeys.push(answer.body.key_id);
    return answer.body.key;
  }

  /** Gives a station a new OCPP password and runs it as a simulated charge point. */
  async function runStation(station: ApiStation): Promise<SimStation | null> {
    const answer = await api.call<{ ocpp_password: string }>(
      'POST',
      `/api/v1/charging/stations/${station.station_id}/password`,
      { as: manager },
    );
    if (!answer.ok) return null;
    const dc = station.charger_level === 'DCFC';
    const sim: SimStation = {
      id: station.station_id,
      connector: station.connector_type,
      dc,
      maxKw: station.power_rating_kw,
      // Both protocols in every network: fast chargers speak 2.0.1, the others 1.6.
      protocol: dc ? 'ocpp2.0.1' : 'ocpp1.6',
      password: answer.body.ocpp_password,
      point: null as unknown as ChargePoint,
      inUse: false,
      pluggedAtWh: null,
      advancedTo: clock.now(),
      advancing: null,
    };
    sim.point = chargePointFor(sim, 0);
    try {
      await sim.point.connect();
      return sim;
    } catch (error) {
      log.warn({ station: station.station_id, err: error }, 'simulator: a charge point could not connect');
      return null;
    }
  }

  function chargePointFor(station: SimStation, meterStartWh: number): ChargePoint {
    return createChargePoint({
      endpoint,
      stationId: station.id,
      password: station.password,
      protocol: station.protocol,
      maxPowerKw: station.maxKw,
      // About one meter report every 10 real seconds at most, every simulated minute at least.
      meterIntervalSeconds: Math.max(60, Math.round(10 * speed)),
      meterStartWh,
      now: () => new Date(clock.now()),
      vendor: SIM_VENDOR,
      model: SIM_MODEL,
      onError: (error) => log.debug({ station: station.id, err: error }, 'simulator: charge point error'),
    });
  }

  // ---- Cars found parked, and cars placed so that the start looks like the hour

  async function takeOver(site: Site): Promise<void> {
    const open =
      (await api.list<{ session_id: string; registration_number: string; entry_time: string }>(
        '/api/v1/parking/sessions',
        { as: manager, query: { facility_id: site.facility.facility_id, status: 'OPEN', limit: 100 } },
      )) ?? [];
    const stays = random.fork(`facility/${site.spec.key}/take-over`);
    for (const session of open) {
      const elapsedHours = ((Date.now() - Date.parse(session.entry_time)) * speed) / HOUR_MS;
      site.parked.set(normalisePlate(session.registration_number), session.session_id);
      stats.adopted += 1;
      const leaveAt = clock.now() + remainingStay(profile.stay, elapsedHours, stays) * HOUR_MS;
      track(departLater(site, session.registration_number, session.session_id, leaveAt));
    }
    if (options.warmStart === false) return;
    const wanted =
      Math.round(site.spec.capacity.total * expectedOccupancy(site.spec, profile, clock.now())) - open.length;
    const place = random.fork(`facility/${site.spec.key}/warm-start`);
    for (let i = 0; i < wanted && !clock.stopped; i++) {
      // No electric cars here: they would want a charger from the first second.
      const vehicle = planVehicle(site.spec, { ...behaviour, evShare: 0 }, place);
      const { elapsedHours, remainingHours } = presentCar(profile.stay, place);
      const entered = await enter(site, vehicle, {
        idempotency: `warm-${i}`,
        entryTime: new Date(Date.now() - (elapsedHours * HOUR_MS) / speed),
      });
      if (!entered) continue;
      stats.warmStart += 1;
      track(departLater(site, vehicle.plate, entered.sessionId, clock.now() + remainingHours * HOUR_MS));
    }
  }

  async function departLater(site: Site, plate: string, sessionId: string, leaveAt: number): Promise<void> {
    if (!(await clock.until(leaveAt))) return;
    if (await leave(site, plate, sessionId)) await payAtStation(site, sessionId, 'tok_visa');
  }

  // ---- Drivers with the app

  async function setUpDrivers(): Promise<void> {
    const tenantTag = createHash('sha256').update(sites[0]!.facility.facility_id).digest('hex').slice(0, 10);
    const accounts = [
      ...(options.driverAccounts ?? []).map((a) => ({ ...a, signUp: false })),
      ...Array.from({ length: options.drivers ?? 4 }, (_, i) => {
        const email = `simulated.driver${i + 1}.${tenantTag}@easypark.local`;
        // Derived from the admin's password: the same on every run, known to nobody who does not know that.
        const password = createHash('sha256')
          .update(`easypark-simulator|${options.password}|${email}`)
          .digest('base64url')
          .slice(0, 24);
        return { email, password, signUp: true };
      }),
    ];
    for (const [index, a] of accounts.entries()) {
      if (clock.stopped) return;
      if (a.signUp) {
        const answer = await api.signUp(a.email, a.password, `Simulated driver ${index + 1}`);
        if (!answer.ok && answer.status !== 409) continue;
      }
      const account = api.account(a.email, a.password);
      if (!(await account.signIn())) continue;
      const driver: AppDriver = { account, home: sites[index % sites.length]!, car: null, busyUntil: 0 };
      driver.car = await driverCar(driver, random.fork(`driver/${index}`));
      if (driver.car) drivers.push(driver);
    }
  }

  /** The driver's car: the one they registered already, else a new one (electric for about a third). */
  async function driverCar(driver: AppDriver, draw: Random): Promise<Vehicle | null> {
    interface ApiVehicle {
      registration_number: string;
      vehicle_type: string;
      is_electric: boolean;
      battery_capacity_kwh: number | null;
      connector_type: ConnectorType | null;
    }
    const fromRecord = (v: ApiVehicle): Vehicle => ({
      plate: v.registration_number,
      vehicleType: v.vehicle_type === 'MOTORCYCLE' || v.vehicle_type === 'TRUCK' ? v.vehicle_type : 'CAR',
      electric:
        v.is_electric && v.connector_type
          ? {
              ...planElectricCar(driver.home.spec, draw),
              batteryKwh: v.battery_capacity_kwh ?? 60,
              inlet: v.connector_type,
            }
          : null,
    });
    const owned = await api.list<ApiVehicle>('/api/v1/parking/vehicles', { as: driver.account });
    if (owned === null) return null;
    if (owned.length > 0) return fromRecord(owned[0]!);
    const plate = plateFor(driver.home.spec.country, draw);
    const electric: ElectricCar | null = draw.chance(0.35) ? planElectricCar(driver.home.spec, draw) : null;
    const registered = await api.call<ApiVehicle>('POST', '/api/v1/parking/vehicles', {
      as: driver.account,
      body: {
        registration_number: plate,
        vehicle_type: 'CAR',
        is_electric: electric !== null,
        ...(electric ? { battery_capacity_kwh: electric.batteryKwh, connector_type: electric.inlet } : {}),
      },
    });
    return registered.ok ? fromRecord(registered.body) : null;
  }

  /** A driver of this site free from `from` to `until`, now busy then; null if none. */
  function takeDriver(site: Site, from: number, until: number): AppDriver | null {
    const driver = drivers.find((d) => d.home === site && d.busyUntil <= from) ?? null;
    if (driver) driver.busyUntil = until;
    return driver;
  }

  // ---- One car's visit

  async function arrivals(site: Site): Promise<void> {
    const plan = createArrivals(site.spec, profile, behaviour, random, startMs);
    for (let visit = plan.next(); visit; visit = plan.next()) {
      if (endMs !== null && visit.arriveAt >= endMs) return;
      if (!(await clock.until(visit.arriveAt - MAX_LEAD_MS))) return;
      track(runVisit(site, visit));
    }
  }

  async function runVisit(site: Site, visit: Visit): Promise<void> {
    let arriveAt = visit.arriveAt;
    const leaveAfterMs = visit.stayHours * HOUR_MS;
    let driver: AppDriver | null = null;
    let code: string | null = null;

    if (visit.booking) {
      const bookAt = Math.max(clock.now(), visit.arriveAt - visit.booking.leadHours * HOUR_MS);
      if (!(await clock.until(bookAt))) return;
      driver = takeDriver(site, bookAt, visit.arriveAt + leaveAfterMs + 10 * MINUTE_MS);
      if (driver) {
        code = await book(site, driver, visit);
        if (code && visit.booking.noShow) {
          stats.noShows += 1;
          // The booking lapses once its window is over; a no-show fee (if the facility charges
          // one) then comes as an invoice to pay, after the reservation service's next sweep.
          const windowEnd = visit.arriveAt + leaveAfterMs;
          const sweepWait = Math.max((15 * MINUTE_MS) / speed, 20_000);
          if ((await clock.until(windowEnd)) && (await clock.sleep(sweepWait)))
            await payInApp(driver, null, 'tok_visa');
          driver.busyUntil = 0;
          return;
        }
        if (code) arriveAt += visit.booking.lateMinutes * MINUTE_MS;
      }
    }

    try {
      if (!(await clock.until(arriveAt))) return;
      const vehicle = driver?.car ?? visit.vehicle;
      stats.arrivals += 1;
      // A fleet's electric car is known to the tenant, so the station recognises it by its plate.
      if (!driver && vehicle.electric) await registerFleetCar(vehicle, vehicle.electric);
      const entered = await enter(site, vehicle, { idempotency: `${site.spec.key}-${visit.number}`, code });
      if (!entered) return;
      const plugged =
        visit.charges && vehicle.electric
          ? await plugIn(site, vehicle, vehicle.electric, visit, entered, driver)
          : null;
      if (!(await clock.until(arriveAt + leaveAfterMs))) return;
      if (plugged) await unplug(plugged);
      if (!(await leave(site, vehicle.plate, entered.sessionId))) return;
      if (driver) await payInApp(driver, entered.sessionId, visit.firstCard);
      else await payAtStation(site, entered.sessionId, visit.firstCard);
    } finally {
      if (driver) driver.busyUntil = 0;
    }
  }

  async function book(site: Site, driver: AppDriver, visit: Visit): Promise<string | null> {
    const car = driver.car!;
    const created = await api.call<{ reservation_id: string }>('POST', '/api/v1/reservations/create', {
      as: driver.account,
      body: {
        facility_id: site.facility.facility_id,
        desired_space_size:
          car.vehicleType === 'MOTORCYCLE' ? 'COMPACT' : car.vehicleType === 'TRUCK' ? 'LARGE' : 'STANDARD',
        start_time: iso(visit.arriveAt),
        end_time: iso(visit.arriveAt + visit.stayHours * HOUR_MS),
        vehicle_type: car.vehicleType,
        registration_number: car.plate,
      },
      headers: { 'idempotency-key': `${runId}-book-${site.spec.key}-${visit.number}` },
    });
    if (!created.ok) return null;
    const confirmed = await api.call<{ confirmation_code: string }>(
      'POST',
      `/api/v1/reservations/${created.body.reservation_id}/confirm`,
      { as: driver.account },
    );
    if (!confirmed.ok) return null;
    stats.reservations += 1;
    return confirmed.body.confirmation_code;
  }

  async function registerFleetCar(vehicle: Vehicle, electric: ElectricCar): Promise<void> {
    await api.call('POST', '/api/v1/parking/vehicles', {
      as: manager,
      body: {
        registration_number: vehicle.plate,
        vehicle_type: vehicle.vehicleType,
        is_electric: true,
        battery_capacity_kwh: electric.batteryKwh,
        connector_type: electric.inlet,
      },
      expect: [409],
    });
  }

  async function enter(
    site: Site,
    vehicle: Vehicle,
    how: { idempotency: string; code?: string | null; entryTime?: Date },
  ): Promise<{ sessionId: string; vehicleId: string } | null> {
    const body = {
      facility_id: site.facility.facility_id,
      registration_number: vehicle.plate,
      vehicle_type: vehicle.vehicleType,
    };
    const attempt = (code: string | null | undefined, entryTime?: Date) =>
      api.call<{ session_id: string; vehicle_id: string }>('POST', '/api/v1/parking/sessions/entry', {
        as: site.gate,
        body: {
          ...body,
          ...(code ? { reservation_code: code } : {}),
          ...(entryTime ? { entry_time: entryTime.toISOString() } : {}),
        },
        headers: {
          'idempotency-key': `${runId}-entry-${how.idempotency}${code ? '-booked' : ''}${entryTime ? '-earlier' : ''}`,
        },
      });
    let answer = await attempt(how.code, how.entryTime);
    // A back-dated entry may find its space taken back then (by a car that has left since): now, then.
    if (how.entryTime && answer.code === 'SPACE_OCCUPIED') answer = await attempt(null);
    // A booking the gate does not take (too late, say): the driver comes in like anyone else.
    if (!answer.ok && how.code && answer.status !== 0) answer = await attempt(null);
    else if (answer.ok && how.code) stats.reservationArrivals += 1;
    if (answer.code === 'STOPPED') return null;
    if (!answer.ok) {
      stats.turnedAway += 1;
      return null;
    }
    stats.entries += 1;
    lastMovement = Date.now();
    site.parked.set(normalisePlate(vehicle.plate), answer.body.session_id);
    return { sessionId: answer.body.session_id, vehicleId: answer.body.vehicle_id };
  }

  async function leave(site: Site, plate: string, sessionId: string): Promise<boolean> {
    const answer = await api.call('POST', `/api/v1/parking/sessions/${sessionId}/exit`, {
      as: site.gate,
      body: {},
    });
    if (answer.code === 'STOPPED') return false;
    site.parked.delete(normalisePlate(plate));
    if (!answer.ok) return false;
    stats.exits += 1;
    lastMovement = Date.now();
    return true;
  }

  // ---- Charging

  async function plugIn(
    site: Site,
    vehicle: Vehicle,
    electric: ElectricCar,
    visit: Visit,
    parked: { sessionId: string; vehicleId: string },
    driver: AppDriver | null,
  ): Promise<Plugged | null> {
    const station = site.stations.find(
      (s) => !s.inUse && s.point.state.connected && s.connector === electric.inlet,
    );
    if (!station) {
      stats.noFreeCharger += 1;
      return null;
    }
    station.inUse = true;
    const draw = random.fork(`facility/${site.spec.key}/visit/${visit.number}/battery`);
    const socPercent = Math.round(draw.uniform(10, 60));
    const targetPercent = draw.pick([80, 80, 90, 100]);
    const plugged: Plugged = { station, chargingSessionId: null, driver };
    station.pluggedAtWh = station.point.state.energyWh;
    try {
      await station.point.plugIn({
        idTag: idTagOf(vehicle.plate),
        batteryKwh: electric.batteryKwh,
        socPercent,
        targetPercent,
        maxAcceptKw: station.dc ? electric.dcKw : electric.acKw,
      });
      const tapAtStation = !driver && idTagOf(vehicle.plate) === normalisePlate(vehicle.plate);
      if (tapAtStation) {
        await station.point.startFromStation();
      } else {
        // The driver starts it in the app; a car whose plate a station cannot read as a tag
        // (Japanese plates, say) is started by the attendant through the back office.
        const started = await api.call<{ charging_session_id: string }>(
          'POST',
          '/api/v1/charging/sessions/start',
          {
            as: driver?.account ?? manager,
            body: {
              vehicle_id: parked.vehicleId,
              parking_session_id: parked.sessionId,
              station_id: station.id,
              target_charge_percent: targetPercent,
              current_charge_percent: socPercent,
            },
            headers: { 'idempotency-key': `${runId}-charge-${site.spec.key}-${visit.number}` },
          },
        );
        if (!started.ok) throw new Error(`charging not started: ${started.code}`);
        plugged.chargingSessionId = started.body.charging_session_id;
      }
      stats.chargingSessions += 1;
      return plugged;
    } catch (error) {
      log.debug({ station: station.id, err: error }, 'simulator: charging did not start');
      await station.point.unplug().catch(() => undefined);
      station.inUse = false;
      station.pluggedAtWh = null;
      return null;
    }
  }

  async function unplug(plugged: Plugged): Promise<void> {
    const { station } = plugged;
    try {
      await advance(station);
      // The app driver stops in the app (a remote stop); others at the station. Unplugging ends
      // whatever is still running.
      if (plugged.driver && plugged.chargingSessionId) {
        await api.call('POST', `/api/v1/charging/sessions/${plugged.chargingSessionId}/stop`, {
          as: plugged.driver.account,
          body: {},
        });
      } else if (station.point.state.transactionId !== null) {
        await station.point.stopFromStation('Local').catch(() => undefined);
      }
      await station.point.unplug();
    } catch (error) {
      log.debug({ station: station.id, err: error }, 'simulator: unplugging failed');
    } finally {
      stats.energyKwh += energySoFarKwh(station);
      station.pluggedAtWh = null;
      station.inUse = false;
    }
  }

  function energySoFarKwh(station: SimStation): number {
    if (station.pluggedAtWh === null) return 0;
    return Math.max(0, station.point.state.energyWh - station.pluggedAtWh) / 1000;
  }

  /** Moves the station's clock to now: energy flows and meter values go out as they would have. */
  function advance(station: SimStation): Promise<void> {
    station.advancing ??= (async () => {
      const to = clock.now();
      const seconds = Math.max(0, (to - station.advancedTo) / 1000);
      station.advancedTo = to;
      if (station.point.state.connected) await station.point.advance(seconds);
    })()
      .catch((error) =>
        log.debug({ station: station.id, err: error }, 'simulator: advancing a station failed'),
      )
      .finally(() => {
        station.advancing = null;
      });
    return station.advancing;
  }

  async function chargeLoop(): Promise<void> {
    while (await clock.sleep(CHARGE_TICK_MS)) await Promise.all(allStations().map(advance));
  }

  /** Heartbeats keep the stations ONLINE; a station that lost its connection connects again. */
  async function heartbeatLoop(): Promise<void> {
    while (await clock.sleep(HEARTBEAT_MS)) {
      for (const station of allStations()) {
        if (station.point.state.connected) {
          await station.point.heartbeat().catch(() => undefined);
        } else if (!station.inUse) {
          station.point = chargePointFor(station, station.point.state.energyWh);
          station.advancedTo = clock.now();
          await station.point
            .connect()
            .catch((error) =>
              log.debug({ station: station.id, err: error }, 'simulator: reconnecting failed'),
            );
        }
      }
    }
  }

  const allStations = () => sites.flatMap((site) => site.stations);

  // ---- Payments

  /**
   * At the pay station: the back office finds the visit's invoice among the facility's newest (a
   * key may not list invoices, and a visit whose invoice charging opened has no plate on it), the
   * terminal pays it.
   */
  async function payAtStation(site: Site, sessionId: string, card: PaymentToken): Promise<void> {
    const invoice = await visitInvoice(manager, sessionId, { facility_id: site.facility.facility_id });
    if (invoice) await pay(site.payStation, invoice, card);
  }

  /** In the app: the visit's invoice (or, after a no-show, any fee) and whatever else is still open. */
  async function payInApp(driver: AppDriver, sessionId: string | null, card: PaymentToken): Promise<void> {
    if (sessionId) await visitInvoice(driver.account, sessionId, {});
    const open = await api.call<Invoice[]>('GET', '/api/v1/billing/invoices', {
      as: driver.account,
      query: { status: 'ISSUED', limit: 50 },
    });
    if (!open.ok) return;
    for (const invoice of open.body) {
      if (invoice.balance_due <= 0) continue;
      await pay(driver.account, invoice, invoice.parking_session_id === sessionId ? card : 'tok_visa');
    }
  }

  interface Invoice {
    invoice_id: string;
    status: string;
    parking_session_id: string | null;
    balance_due: number;
    currency: string;
  }

  /** The visit's invoice once issued (Billing issues it a moment after the exit); null if it does not come. */
  async function visitInvoice(
    as: Caller,
    sessionId: string,
    query: Record<string, string>,
  ): Promise<Invoice | null> {
    for (let attempt = 0; attempt < 7; attempt++) {
      const found = await api.call<Invoice[]>('GET', '/api/v1/billing/invoices', {
        as,
        query: { ...query, limit: 100 },
      });
      const invoice = found.ok ? found.body.find((i) => i.parking_session_id === sessionId) : undefined;
      if (invoice && invoice.status !== 'DRAFT')
        return ['ISSUED', 'OVERDUE'].includes(invoice.status) && invoice.balance_due > 0 ? invoice : null;
      if (!(await clock.sleep(250 * 2 ** attempt))) return null;
    }
    return null;
  }

  async function pay(as: Caller, invoice: Invoice, card: PaymentToken): Promise<void> {
    let token = card;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const answer: ApiResult = await api.call('POST', `/api/v1/billing/invoices/${invoice.invoice_id}/pay`, {
        as,
        body: { payment_method: 'CREDIT_CARD', payment_token: token },
        headers: { 'idempotency-key': `${runId}-pay-${invoice.invoice_id}-${attempt}` },
        expect: [402],
      });
      if (answer.ok) {
        stats.payments += 1;
        stats.paid[invoice.currency] = (stats.paid[invoice.currency] ?? 0) + invoice.balance_due;
        return;
      }
      if (answer.status !== 402) return;
      // Declined: a couple of minutes later, another card.
      stats.declined += 1;
      token = 'tok_visa';
      if (!(await clock.until(clock.now() + 2 * MINUTE_MS))) return;
    }
  }

  // ---- Keeping a quiet network moving, and reporting

  async function keepAliveLoop(quietSeconds: number): Promise<void> {
    const draws = random.fork('keep-alive');
    let number = 0;
    while (await clock.sleep(1000)) {
      if (Date.now() - lastMovement < quietSeconds * 1000) continue;
      lastMovement = Date.now(); // one at a time
      number += 1;
      const site = sites[number % sites.length]!;
      stats.quickStops += 1;
      track(
        runVisit(
          site,
          planQuickStop(site.spec, draws.fork(String(number)), { number: -number, arriveAt: clock.now() }),
        ),
      );
    }
  }

  async function reportLoop(): Promise<void> {
    const every = options.reportEveryMs ?? Math.max(10_000, HOUR_MS / speed);
    let before = structuredClone(stats);
    while (await clock.sleep(every)) {
      const refused = (s: Stats) => Object.values(s.refusals).reduce((a, b) => a + b, 0);
      const delta = {
        arrivals: stats.arrivals - before.arrivals,
        exits: stats.exits - before.exits,
        charging_sessions: stats.chargingSessions - before.chargingSessions,
        reservations: stats.reservations - before.reservations,
        payments: stats.payments - before.payments,
        refused: refused(stats) - refused(before),
      };
      const parked = parkedNow();
      const charging = allStations().filter((s) => s.inUse).length;
      log.info(
        { simulated: new Date(clock.now()).toISOString(), ...delta, parked, charging_now: charging },
        `simulator: ${delta.arrivals} arrivals, ${delta.exits} exits, ${delta.charging_sessions} charging sessions, ` +
          `${delta.reservations} bookings, ${delta.payments} payments, ${delta.refused} refused; ${parked} parked, ${charging} charging`,
      );
      before = structuredClone(stats);
    }
  }

  const parkedNow = () => sites.reduce((n, site) => n + site.parked.size, 0);

  // ---- Stopping

  let resolveFinished: (summary: Summary) => void = () => {};
  const finished = new Promise<Summary>((resolve) => {
    resolveFinished = resolve;
  });
  let stopping: Promise<Summary> | null = null;

  function summary(): Summary {
    const until = endMs !== null ? Math.min(clock.now(), endMs) : clock.now();
    return {
      seed,
      speed,
      from: new Date(startMs).toISOString(),
      until: new Date(until).toISOString(),
      realSeconds: (Date.now() - realStart) / 1000,
      facilities: sites.map((s) => s.facility.name),
      chargePoints: allStations().length,
      drivers: drivers.length,
      parkedAtEnd: parkedNow(),
      // Energy of cars still charging counts too.
      stats: {
        ...structuredClone(stats),
        energyKwh: stats.energyKwh + allStations().reduce((kwh, s) => kwh + energySoFarKwh(s), 0),
      },
    };
  }

  function stop(): Promise<Summary> {
    stopping ??= (async () => {
      const result = summary();
      clock.stop();
      // Every wait has ended; calls in flight get a moment to finish.
      await Promise.race([
        Promise.allSettled([...running]),
        new Promise((r) => setTimeout(r, STOP_GRACE_MS)),
      ]);
      await Promise.allSettled(
        allStations().map((s) =>
          Promise.race([s.point.disconnect(), new Promise((r) => setTimeout(r, 1000))]).then(() =>
            s.point.drop(),
          ),
        ),
      );
      await Promise.allSettled(
        issuedKeys.map((keyId) => api.call('DELETE', `/api/v1/api-keys/${keyId}`, { as: manager })),
      );
      api.abort();
      const final = { ...summary(), until: result.until };
      resolveFinished(final);
      return final;
    })();
    return stopping;
  }

  const ready = setUp().catch(async (error) => {
    await stop();
    throw error;
  });
  // Nobody may be waiting on ready yet; the failure is still reported through it.
  ready.catch(() => undefined);

  return {
    seed,
    ready,
    finished,
    stop,
    progress: () => ({
      simulatedMs: Math.max(0, (endMs !== null ? Math.min(clock.now(), endMs) : clock.now()) - startMs),
      durationMs: options.durationMs ?? null,
      stats,
      parked: parkedNow(),
    }),
  };
}
