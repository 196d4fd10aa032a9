/**
 * What the simulated drivers decide, drawn from the seeded generator only: when cars arrive at a
 * facility (a non-homogeneous Poisson process following the calibrated profile in the facility's
 * local time), how long they stay, their plates, which are electric and charge, who booked ahead
 * and who does not turn up, and which card they pay with. Pure: nothing here depends on what the
 * platform answers, so the same seed gives the same plan.
 */
import { localParts } from '@easypark/kernel';
import { SLOTS_PER_DAY, type StayDistribution, sampleStayHours, type TrafficProfile } from './calibration.ts';
import type { Random } from './random.ts';

export type ConnectorType = 'CCS' | 'TESLA' | 'CHADEMO' | 'J1772' | 'TYPE2';
export type VehicleType = 'CAR' | 'MOTORCYCLE' | 'TRUCK';
export type PaymentToken = 'tok_visa' | 'tok_chargeDeclined';

export interface FacilitySpec {
  /** Names the facility's random streams (its name, say): the same key and seed give the same plan. */
  key: string;
  capacity: { compact: number; standard: number; large: number; total: number };
  timezone: string;
  /** ISO 3166 country of the address: the plates look local. */
  country: string | null;
  /** Connector types of the charging stations the simulator runs there. */
  connectors: readonly ConnectorType[];
}

export interface Behaviour {
  /** Share of arriving cars that are electric. */
  evShare: number;
  /** Share of electric cars that plug in (when a fitting station is free). */
  chargeShare: number;
  /** Share of arrivals that booked ahead through the app. */
  reservationShare: number;
  /** Share of bookings nobody turns up for. */
  noShowShare: number;
  /** Share of payments whose first card is declined (the driver then pays with another). */
  declineShare: number;
  /** The least arrivals per hour at a facility, whatever the profile says (0: none). */
  minArrivalsPerHour: number;
}

export const defaultBehaviour: Behaviour = {
  evShare: 0.12,
  chargeShare: 0.7,
  reservationShare: 0.08,
  noShowShare: 0.12,
  declineShare: 0.05,
  minArrivalsPerHour: 0,
};

export interface ElectricCar {
  batteryKwh: number;
  socPercent: number;
  targetPercent: number;
  inlet: ConnectorType;
  /** The most the car takes on AC (its on-board charger) and on DC. */
  acKw: number;
  dcKw: number;
}

export interface Vehicle {
  plate: string;
  vehicleType: VehicleType;
  electric: ElectricCar | null;
}

export interface Booking {
  /** How long before arriving the driver books. */
  leadHours: number;
  noShow: boolean;
  /** When the driver arrives relative to the booked start (negative: early); within the usual grace. */
  lateMinutes: number;
}

export interface Visit {
  facility: string;
  /** 1, 2, 3… in arrival order at the facility. */
  number: number;
  /** Simulated epoch milliseconds. */
  arriveAt: number;
  stayHours: number;
  vehicle: Vehicle;
  /** Plugs in, if the car is electric (and a fitting station is free). */
  charges: boolean;
  booking: Booking | null;
  firstCard: PaymentToken;
}

const HOUR_MS = 3_600_000;
/** The weekday (0 = Monday), hour and half-hour slot of an instant in a time zone. */
export function localTime(
  epochMs: number,
  timezone: string,
): { weekday: number; hour: number; slot: number } {
  const { weekday, hour, minute } = localParts(new Date(epochMs), timezone);
  return { weekday: weekday - 1, hour, slot: hour * 2 + (minute >= 30 ? 1 : 0) };
}

/** Arrivals per hour the profile expects at the facility at this instant (never below the floor). */
export function arrivalRatePerHour(
  spec: FacilitySpec,
  profile: TrafficProfile,
  behaviour: Behaviour,
  epochMs: number,
): number {
  const { weekday, hour } = localTime(epochMs, spec.timezone);
  return Math.max(
    behaviour.minArrivalsPerHour,
    spec.capacity.total * profile.arrivalsPerHour[weekday]![hour]!,
  );
}

/** The share of capacity the profile expects occupied at this instant. */
export function expectedOccupancy(spec: FacilitySpec, profile: TrafficProfile, epochMs: number): number {
  const { weekday, slot } = localTime(epochMs, spec.timezone);
  return profile.occupancy[weekday]![slot % SLOTS_PER_DAY]!;
}

/**
 * The facility's arrivals from `fromMs` on, one visit per call in time order, by thinning: draw
 * candidates at the busiest rate of the week, keep each with the probability rate(t) / busiest.
 * Arrival times and each visit's details come from separate streams, so changing a share (more
 * electric cars, say) changes who arrives, never when.
 */
export function createArrivals(
  spec: FacilitySpec,
  profile: TrafficProfile,
  behaviour: Behaviour,
  random: Random,
  fromMs: number,
): { next(): Visit | null } {
  const times = random.fork(`facility/${spec.key}/arrivals`);
  const busiest = Math.max(
    behaviour.minArrivalsPerHour,
    spec.capacity.total * Math.max(...profile.arrivalsPerHour.flat()),
  );
  let at = fromMs;
  let number = 0;
  return {
    next() {
      if (!(busiest > 0)) return null;
      do at += times.exponential(busiest) * HOUR_MS;
      while (times.next() * busiest > arrivalRatePerHour(spec, profile, behaviour, at));
      number += 1;
      return planVisit(spec, profile.stay, behaviour, random.fork(`facility/${spec.key}/visit/${number}`), {
        number,
        arriveAt: at,
      });
    },
  };
}

/** Everything about one visit, drawn from its own stream. */
export function planVisit(
  spec: FacilitySpec,
  stay: StayDistribution,
  behaviour: Behaviour,
  random: Random,
  at: { number: number; arriveAt: number },
): Visit {
  const vehicle = planVehicle(spec, behaviour, random);
  const booked = random.chance(behaviour.reservationShare);
  return {
    facility: spec.key,
    number: at.number,
    arriveAt: at.arriveAt,
    stayHours: sampleStayHours(stay, random),
    vehicle,
    // Drawn for every visit: a booker comes in their own car, which may be electric.
    charges: random.chance(behaviour.chargeShare),
    booking: booked
      ? {
          leadHours: random.uniform(0.25, 3),
          noShow: random.chance(behaviour.noShowShare),
          lateMinutes: Math.min(25, Math.max(-12, random.normal(2, 8))),
        }
      : null,
    firstCard: random.chance(behaviour.declineShare) ? 'tok_chargeDeclined' : 'tok_visa',
  };
}

/** A quick stop (a pick-up, a delivery): 5 to 20 minutes, no charging, no booking. */
export function planQuickStop(
  spec: FacilitySpec,
  random: Random,
  at: { number: number; arriveAt: number },
): Visit {
  return {
    facility: spec.key,
    number: at.number,
    arriveAt: at.arriveAt,
    stayHours: random.uniform(5, 20) / 60,
    vehicle: { plate: plateFor(spec.country, random), vehicleType: 'CAR', electric: null },
    charges: false,
    booking: null,
    firstCard: 'tok_visa',
  };
}

export function planVehicle(spec: FacilitySpec, behaviour: Behaviour, random: Random): Vehicle {
  const plate = plateFor(spec.country, random);
  const kind = random.next();
  if (kind < 0.04 && spec.capacity.compact > 0) return { plate, vehicleType: 'MOTORCYCLE', electric: null };
  if (kind >= 0.04 && kind < 0.06 && spec.capacity.large > 0)
    return { plate, vehicleType: 'TRUCK', electric: null };
  const electric = random.chance(behaviour.evShare) ? planElectricCar(spec, random) : null;
  return { plate, vehicleType: 'CAR', electric };
}

const localConnectors: Record<string, ConnectorType[]> = {
  GB: ['TYPE2', 'CCS'],
  US: ['J1772', 'CCS', 'TESLA'],
  JP: ['J1772', 'CHADEMO'],
};

export function planElectricCar(
  spec: Pick<FacilitySpec, 'connectors' | 'country'>,
  random: Random,
): ElectricCar {
  const inlets =
    spec.connectors.length > 0 ? spec.connectors : (localConnectors[spec.country ?? ''] ?? ['CCS']);
  return {
    batteryKwh: random.pick([40, 52, 58, 64, 77, 82, 100]),
    socPercent: Math.round(random.uniform(10, 60)),
    targetPercent: random.pick([80, 80, 90, 100]),
    inlet: random.pick(inlets),
    acKw: random.pick([7.4, 11, 11, 22]),
    dcKw: random.pick([50, 100, 150, 250]),
  };
}

/** A car found parked when the simulation starts: how long it has been there, how long it still stays. */
export function presentCar(
  stay: StayDistribution,
  random: Random,
): { elapsedHours: number; remainingHours: number } {
  // A car seen at a random moment is more likely a long stay (length-biased): keep a drawn stay
  // with probability proportional to its length, then place the moment uniformly within it.
  let hours = sampleStayHours(stay, random);
  for (let attempt = 0; attempt < 50 && !random.chance(hours / stay.maxHours); attempt++)
    hours = sampleStayHours(stay, random);
  const elapsedHours = random.uniform(0, hours);
  return { elapsedHours, remainingHours: hours - elapsedHours };
}

/** How much longer a car that has been parked `elapsedHours` stays (its stay, given it is that long). */
export function remainingStay(stay: StayDistribution, elapsedHours: number, random: Random): number {
  for (let attempt = 0; attempt < 50; attempt++) {
    const hours = sampleStayHours(stay, random);
    if (hours > elapsedHours) return hours - elapsedHours;
  }
  // Longer than nearly every stay already: leaves within the hour.
  return random.uniform(0.05, 1);
}

const gbAreaLetters = 'ABCDEFGHKLMNOPRSVWY';
const gbLetters = 'ABCDEFGHJKLMNOPRSTUVWXYZ';
const letters = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const jpRegions = ['品川', '練馬', '足立', '多摩', '横浜', '世田谷', '八王子', '大宮'];
const jpKana = 'さすせそたちつてとなにぬねのはひふほまみむめもやゆよらりるれろ';

/** A plate in the local format: GB "AB21 CDE", US "ABC-1234", JP "品川 330 さ 12-34". */
export function plateFor(country: string | null, random: Random): string {
  const chars = (alphabet: string, count: number) =>
    Array.from({ length: count }, () => alphabet[random.int(0, alphabet.length)]).join('');
  const digits = (count: number) => chars('0123456789', count);
  switch (country) {
    case 'GB': {
      const age = random.chance(0.5) ? random.int(16, 26) : random.int(66, 76);
      return `${chars(gbAreaLetters, 2)}${age} ${chars(gbLetters, 3)}`;
    }
    case 'US':
      return `${chars(letters, 3)}-${digits(4)}`;
    case 'JP':
      return `${random.pick(jpRegions)} ${random.int(300, 600)} ${chars(jpKana, 1)} ${random.int(1, 10)}${digits(1)}-${digits(2)}`;
    default:
      return `${chars(letters, 2)} ${digits(4)} ${chars(letters, 2)}`;
  }
}

/** A plate as the platform stores it (as its own normalisation: upper case, no spaces or dashes). */
export function normalisePlate(plate: string): string {
  return plate
    .normalize('NFC')
    .toUpperCase()
    .replace(/[\s\p{Pd}.·]/gu, '');
}

/** The OCPP id tag a station reads for the car (what the charging service expects: letters and digits of the plate). */
export function idTagOf(plate: string): string {
  return plate
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()
    .slice(0, 20);
}
