/**
 * Meter readings as stations report them. OCPP 1.6 sends values as strings, 2.0.1 as numbers;
 * both say which quantity (measurand) and unit. A value without a measurand is the energy register.
 */

export interface MeterReading {
  /** The energy register in Wh, cumulative over the station's life. */
  energyWh?: number;
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
  for (const { sampledValue } of ordered) {
    for (const sample of sampledValue) {
      if (sample.phase !== undefined) continue;
      const value = scaled(sample);
      if (!Number.isFinite(value)) continue;
      switch (sample.measurand ?? 'Energy.Active.Import.Register') {
        case 'Energy.Active.Import.Register':
          reading.energyWh = Math.round(value);
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
