/**
 * Alert thresholds with hysteresis: an alert is raised when its value crosses `raise_at` and
 * cleared only when it comes back past `clear_at`, so a value hovering at the threshold does not
 * flap. HIGH_* alerts rise with the value; LOW_AVAILABILITY rises as the value falls.
 */
import { problem } from '../errors.ts';
import type { Capacity, SpaceSize } from './occupancy.ts';

export type AlertType = 'HIGH_OCCUPANCY' | 'LOW_AVAILABILITY' | 'HIGH_REVENUE' | 'STATION_OFFLINE';
export const alertTypes: readonly AlertType[] = [
  'HIGH_OCCUPANCY',
  'LOW_AVAILABILITY',
  'HIGH_REVENUE',
  'STATION_OFFLINE',
];
export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';

export interface Threshold {
  alert_type: AlertType;
  /** '' for the facility as a whole; the space size for LOW_AVAILABILITY. */
  scope: string;
  raise_at: number;
  clear_at: number;
  severity: Severity;
  enabled: boolean;
}

const fallsAsItWorsens = (type: AlertType) => type === 'LOW_AVAILABILITY';

/** What to do with an alert given its value now: raise it, clear it, or leave it as it is. */
export function alertTransition(
  threshold: Threshold,
  isOpen: boolean,
  value: number,
): 'RAISE' | 'CLEAR' | null {
  const low = fallsAsItWorsens(threshold.alert_type);
  const crossed = low ? value <= threshold.raise_at : value >= threshold.raise_at;
  const back = low ? value >= threshold.clear_at : value <= threshold.clear_at;
  if (!isOpen) return threshold.enabled && crossed ? 'RAISE' : null;
  return back || !threshold.enabled ? 'CLEAR' : null;
}

/**
 * The thresholds in force at a facility: the ones its managers set, and defaults for the rest.
 * HIGH_OCCUPANCY at the facility's own alert threshold (clears 5 points lower); LOW_AVAILABILITY per
 * size at 5 % of that size's spaces left (clears at 10 %); STATION_OFFLINE on; HIGH_REVENUE only
 * when set, since no amount suits every currency and facility.
 */
export function thresholdsInForce(
  set: Threshold[],
  facility: { occupancy_alert_threshold: number; capacity: Capacity },
): Threshold[] {
  const defaults: Threshold[] = [
    {
      alert_type: 'HIGH_OCCUPANCY',
      scope: '',
      raise_at: facility.occupancy_alert_threshold,
      clear_at: Math.max(0, facility.occupancy_alert_threshold - 5),
      severity: 'WARNING',
      enabled: true,
    },
    ...(['COMPACT', 'STANDARD', 'LARGE'] as SpaceSize[])
      .filter((size) => facility.capacity[size] > 0)
      .map((size): Threshold => {
        const step = Math.max(1, Math.round(facility.capacity[size] * 0.05));
        return {
          alert_type: 'LOW_AVAILABILITY',
          scope: size,
          raise_at: Math.round(facility.capacity[size] * 0.05),
          clear_at: Math.round(facility.capacity[size] * 0.05) + step,
          severity: 'WARNING',
          enabled: true,
        };
      }),
    {
      alert_type: 'STATION_OFFLINE',
      scope: '',
      raise_at: 1,
      clear_at: 0,
      severity: 'WARNING',
      enabled: true,
    },
    { alert_type: 'HIGH_REVENUE', scope: '', raise_at: 0, clear_at: 0, severity: 'INFO', enabled: false },
  ];
  const key = (t: Threshold) => `${t.alert_type}/${t.scope}`;
  const chosen = new Map(defaults.map((t) => [key(t), t]));
  for (const t of set) chosen.set(key(t), t);
  return [...chosen.values()];
}

/** A threshold a manager sets must leave room to clear: below the raise for HIGH_*, above it for LOW_*. */
export function checkThreshold(t: Omit<Threshold, 'enabled'> & { enabled?: boolean }): void {
  if (t.alert_type === 'LOW_AVAILABILITY' && !['COMPACT', 'STANDARD', 'LARGE'].includes(t.scope))
    throw problem(
      'INVALID_THRESHOLD',
      'A LOW_AVAILABILITY threshold names a space size: COMPACT, STANDARD or LARGE',
    );
  if (t.alert_type !== 'LOW_AVAILABILITY' && t.scope !== '')
    throw problem(
      'INVALID_THRESHOLD',
      `A ${t.alert_type} threshold applies to the whole facility: leave size out`,
    );
  if (t.alert_type === 'HIGH_OCCUPANCY' && (t.raise_at > 100 || t.raise_at <= 0))
    throw problem('INVALID_THRESHOLD', 'An occupancy threshold is a percentage above 0, at most 100');
  if (t.alert_type === 'STATION_OFFLINE' && (t.raise_at !== 1 || t.clear_at !== 0))
    throw problem(
      'INVALID_THRESHOLD',
      'A STATION_OFFLINE alert is raised when a station goes offline: only severity and enabled can change',
    );
  const low = fallsAsItWorsens(t.alert_type);
  if (low ? t.clear_at <= t.raise_at : t.clear_at >= t.raise_at)
    throw problem(
      'INVALID_THRESHOLD',
      low
        ? 'clear_at must be above raise_at: the alert clears once that many spaces are free again'
        : 'clear_at must be below raise_at: the alert clears once the value falls back that far',
    );
}

export function alertMessage(type: AlertType, subject: string, value: number, threshold: number): string {
  switch (type) {
    case 'HIGH_OCCUPANCY':
      return `Occupancy is ${value}%, at or above the ${threshold}% threshold`;
    case 'LOW_AVAILABILITY':
      return `Only ${value} ${subject.toLowerCase()} space${value === 1 ? '' : 's'} left (threshold ${threshold})`;
    case 'HIGH_REVENUE':
      return `Revenue this hour is ${value}, at or above ${threshold}`;
    case 'STATION_OFFLINE':
      return `Charging station ${subject} is offline`;
  }
}
