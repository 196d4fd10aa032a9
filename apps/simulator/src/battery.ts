/**
 * The vehicle side of a charging session: how much power a battery accepts at a given state of
 * charge, and how much energy flows into it over time. Pure functions, no I/O.
 */

/** Above this state of charge the battery management system tapers the power down. */
const TAPER_START_PERCENT = 80;
/** The share of its maximum power the battery still accepts when it is (nearly) full. */
const FULL_BATTERY_SHARE = 0.05;
/** Integration step: short enough that the taper is followed smoothly. */
const MAX_STEP_SECONDS = 10;

export interface BatteryState {
  socPercent: number;
  batteryKwh: number;
  maxAcceptKw: number;
  /** Charging stops at this state of charge; default 100. */
  targetPercent?: number;
}

export interface ChargeResult {
  energyKwh: number;
  /** The state of charge at the end of the period. */
  socPercent: number;
  /** Energy over the whole period, as power: energyKwh / hours. */
  averageKw: number;
  /** The power flowing at the end of the period (0 once the target is reached). */
  finalKw: number;
  reachedTarget: boolean;
  /** Seconds during which energy flowed: less than the period if the target was reached or no power was offered. */
  chargingSeconds: number;
}

/** The most power the battery accepts at this state of charge: full power up to 80 %, then a linear taper. */
export function acceptanceKw(socPercent: number, maxAcceptKw: number): number {
  const soc = clampPercent(socPercent);
  if (soc <= TAPER_START_PERCENT) return maxAcceptKw;
  const taperProgress = (soc - TAPER_START_PERCENT) / (100 - TAPER_START_PERCENT);
  return maxAcceptKw * (1 - taperProgress * (1 - FULL_BATTERY_SHARE));
}

/** Charges the battery for `seconds` with at most `limitKw`, stopping at its target state of charge. */
export function chargeFor(battery: BatteryState, limitKw: number, seconds: number): ChargeResult {
  const targetPercent = clampPercent(battery.targetPercent ?? 100);
  const powerAt = (soc: number) => Math.max(0, Math.min(limitKw, acceptanceKw(soc, battery.maxAcceptKw)));

  // The power halfway through the step (midpoint rule): follows the taper closely even for
  // small batteries charged fast, where power at the start of a step would overestimate it.
  const midpointPowerKw = (soc: number, stepSeconds: number) => {
    const halfStepPercent = ((powerAt(soc) * stepSeconds) / 2 / 3600 / battery.batteryKwh) * 100;
    return powerAt(Math.min(targetPercent, soc + halfStepPercent));
  };

  let soc = clampPercent(battery.socPercent);
  let energyKwh = 0;
  let chargingSeconds = 0;
  let reachedTarget = soc >= targetPercent;

  while (!reachedTarget && chargingSeconds < seconds) {
    const stepSeconds = Math.min(MAX_STEP_SECONDS, seconds - chargingSeconds);
    const powerKw = midpointPowerKw(soc, stepSeconds);
    if (powerKw <= 0) break;
    const neededKwh = ((targetPercent - soc) / 100) * battery.batteryKwh;
    const stepKwh = (powerKw * stepSeconds) / 3600;
    if (stepKwh >= neededKwh) {
      energyKwh += neededKwh;
      chargingSeconds += (neededKwh / powerKw) * 3600;
      soc = targetPercent;
      reachedTarget = true;
    } else {
      energyKwh += stepKwh;
      chargingSeconds += stepSeconds;
      soc += (stepKwh / battery.batteryKwh) * 100;
    }
  }

  return {
    energyKwh,
    socPercent: soc,
    averageKw: seconds > 0 ? (energyKwh * 3600) / seconds : 0,
    finalKw: reachedTarget ? 0 : powerAt(soc),
    reachedTarget,
    chargingSeconds,
  };
}

function clampPercent(percent: number): number {
  return Math.min(100, Math.max(0, percent));
}
