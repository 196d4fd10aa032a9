/**
 * Estimates shown to drivers: how long charging will take, how long a station will be busy, what
 * the energy costs. A battery takes full power up to 80 % and less and less above (tapering to
 * 5 % of full power at 100 %), which is how real cars charge.
 */

/** Used when the vehicle's battery size is not recorded: a typical mid-size electric car. */
export const assumedBatteryKwh = 60;
/** Used until the car reports its state of charge. */
export const assumedStartPercent = 20;

const taperFrom = 80;

function taperFactor(socPercent: number): number {
  if (socPercent < taperFrom) return 1;
  return Math.max(0.05, 1 - (0.95 * (socPercent - taperFrom)) / (100 - taperFrom));
}

/** Minutes to take a battery from one state of charge to another at up to `powerKw`. */
export function minutesToCharge(input: {
  capacityKwh: number;
  fromPercent: number;
  toPercent: number;
  powerKw: number;
}): number {
  const { capacityKwh, fromPercent, toPercent, powerKw } = input;
  if (toPercent <= fromPercent) return 0;
  if (powerKw <= 0) return Number.POSITIVE_INFINITY;
  const step = 0.5;
  let hours = 0;
  for (let soc = fromPercent; soc < toPercent; soc += step) {
    const slice = Math.min(step, toPercent - soc);
    hours += (capacityKwh * slice) / 100 / (powerKw * taperFactor(soc + slice / 2));
  }
  // Summing slices leaves float dust: an exact 60 minutes must not become 61.
  return Math.ceil(Math.round(hours * 60 * 1e6) / 1e6);
}

/** State of charge from where it started and the energy delivered since (losses ignored). */
export function socAfter(startPercent: number, energyKwh: number, capacityKwh: number): number {
  return Math.min(100, startPercent + (energyKwh / capacityKwh) * 100);
}

/** The price of energy: Wh × price per kWh in minor units, rounded half up to a minor unit. */
export function energyCost(energyWh: number, pricePerKwhMinor: number): number {
  if (!Number.isSafeInteger(energyWh) || !Number.isSafeInteger(pricePerKwhMinor))
    throw new RangeError('energy cost takes integer Wh and an integer price');
  const product = BigInt(energyWh) * BigInt(pricePerKwhMinor);
  return Number((product * 2n + 1000n) / 2000n);
}

export interface BusyStation {
  station_id: string;
  /** Minutes until its current session should end; 0 when free; null when it cannot be used. */
  minutesLeft: number | null;
}

/**
 * When each fitting station is ready for the next car, given the queue ahead. Cars already queued
 * take the stations in turn as they free up, so the next arrival waits behind them.
 */
export function waitTimes(
  stations: readonly BusyStation[],
  queuedAhead: readonly { minutesNeeded: number }[],
): Map<string, number> {
  const free = new Map<string, number>();
  for (const s of stations) if (s.minutesLeft !== null) free.set(s.station_id, s.minutesLeft);
  for (const car of queuedAhead) {
    const next = [...free.entries()].sort((a, b) => a[1] - b[1])[0];
    if (!next) break;
    free.set(next[0], next[1] + car.minutesNeeded);
  }
  return free;
}
