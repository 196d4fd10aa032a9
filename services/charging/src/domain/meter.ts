/**
 * Meter readings as stations report them. OCPP 1.6 sends values as strings, 2.0.1 as numbers;
 * both say which quantity (measurand) and unit. A value without a measurand is the energy register.
 */

export interface MeterReading {
  /** The energy register in Wh, cumulative over the station's life. */
  energyWh?: number;
  /** When the station read `energyWh` (its meter value's timestamp). */
  energyAt?: Date;
  powerW?: number;
  socPercent?: number;
}

interface SampledValue {
  value: string | number;
  measurand?: string;
  unit?: string;
  unitOfMeasure?: { unit?: string; multiplier?: number };
  phase?: string;
}

interface MeterValue {
  timestamp: string;
  sampledValue: SampledValue[];
}

function scaled(sample: SampledValue): number {
  const value = Number(sample.value);
  const unit = sample.unit ?? sample.unitOfMeasure?.unit;
  const multiplier = 10 ** (sample.unitOfMeasure?.multiplier ?? 0);
  const kilo = unit === 'kWh' || unit === 'kW' ? 1000 : 1;
  return value * multiplier * kilo;
}

/** The latest reading in a list of meter values; per-phase samples are ignored when a total is given. */
export function readMeter(meterValues: readonly MeterValue[]): MeterReading {
  const reading: MeterReading = {};
  const ordered = [...meterValues].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  for (const { timestamp, sampledValue } of ordered) {
    const at = new Date(timestamp);
    for (const sample of sampledValue) {
      if (sample.phase !== undefined) continue;
      const value = scaled(sample);
      if (!Number.isFinite(value)) continue;
      switch (sample.measurand ?? 'Energy.Active.Import.Register') {
        case 'Energy.Active.Import.Register':
          reading.energyWh = Math.round(value);
          if (Number.isFinite(at.getTime())) reading.energyAt = at;
          else delete reading.energyAt;
          break;
        case 'Power.Active.Import':
          reading.powerW = Math.max(0, value);
          break;
        case 'SoC':
          reading.socPercent = Math.min(100, Math.max(0, value));
          break;
      }
    }
  }
  return reading;
}

/**
 * When energy last flowed, after a reading of the register: the reading's time if it is above the
 * previous reading (or the meter start), else as before. Never moves back in time.
 */
export function lastIncreaseAfter(
  previous: { wh: number | null; at: Date | null },
  reading: { wh: number | undefined; at: Date },
): Date | null {
  if (reading.wh === undefined || previous.wh === null || reading.wh <= previous.wh) return previous.at;
  return previous.at !== null && previous.at > reading.at ? previous.at : reading.at;
}

/**
 * When a finished session stopped drawing energy, for billing's idle fee: the last increase of the
 * register, or the start when no energy was ever delivered. Null while the session is open, and when
 * it ended PAUSED (an operator held it back: that is not the driver idling). Kept within
 * [start_time, stop_time], whatever the station's clock said.
 */
export function chargingFinishedAt(s: {
  status: string;
  start_time: Date;
  stop_time: Date | null;
  energy_increased_at: Date | null;
  ended_paused: boolean;
}): Date | null {
  if (s.stop_time === null || s.status === 'ACTIVE' || s.status === 'PAUSED' || s.ended_paused) return null;
  const at = (s.energy_increased_at ?? s.start_time).getTime();
  return new Date(Math.min(Math.max(at, s.start_time.getTime()), s.stop_time.getTime()));
}
