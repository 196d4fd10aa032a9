/**
 * The API's refusals on the facility page in words an operator understands: what happened and
 * what to do about it. Codes this page does not know fall back to the app's general wording.
 */
import { type Problem, type ProblemWords, problemToWords } from '../../lib/problems.ts';

const sizeWords: Record<string, string> = { COMPACT: 'compact', STANDARD: 'standard', LARGE: 'large' };

const num = (value: unknown) => (typeof value === 'number' ? value : undefined);

const facilityWords: Record<string, (problem: Problem) => string> = {
  FACILITY_NOT_FOUND: () => 'This facility does not exist, or it is not one of your organisation’s.',
  FACILITY_CAPACITY_EXCEEDED: (p) => {
    const capacity = num(p.capacity);
    const existing = num(p.existing);
    const room =
      capacity !== undefined && existing !== undefined ? Math.max(0, capacity - existing) : undefined;
    if (room === undefined)
      return 'The facility has no room for that many more spaces of this size. A manager can raise its capacity.';
    return room === 0
      ? `The facility already has all ${capacity} spaces of this size it has room for. A manager can raise its capacity first.`
      : `The facility has room for only ${room} more ${room === 1 ? 'space' : 'spaces'} of this size. Add fewer, or have a manager raise its capacity.`;
  },
  SPACE_LOCATION_TAKEN: () =>
    'A space already exists at that place (level, aisle and number). Choose another number or aisle.',
  SPACE_NOT_FOUND: () => 'This space no longer exists. The map has been refreshed.',
  INVALID_STATUS_TRANSITION: () =>
    'The space cannot change to that status now: a space holding a vehicle frees itself when the vehicle leaves.',
  STATION_NOT_FOUND: () => 'This charging station no longer exists.',
  STATION_BUSY: () =>
    'The station is charging a car. Stop that charging session first, then put the station in maintenance.',
  MAINTENANCE_ALREADY_OPEN: () => 'The station is already in maintenance.',
  MAINTENANCE_NOT_OPEN: () => 'The station is not in maintenance any more.',
  ALERT_NOT_FOUND: () => 'This alert no longer exists.',
  ALERT_ALREADY_ACKNOWLEDGED: () => 'Someone has already acknowledged this alert.',
  PRICING_IN_THE_PAST: () =>
    'A price cannot start in the past: prices already charged stay as they were. Choose now or a later time.',
  PRICING_SCHEDULE_CONFLICT: () =>
    'A price change for this vehicle type already starts at that exact time. Choose another time.',
  INVALID_PRICE: (p) => `A price is not valid: ${p.detail ?? 'check the amounts'}.`,
  INVALID_CAPACITY: (p) => `The capacity is not valid: ${p.detail ?? 'check the numbers'}.`,
  NOT_ENOUGH_HISTORY: () =>
    'There is no forecast yet: the facility needs some occupancy history first. It builds up as vehicles come and go.',
  INVALID_RANGE: () => 'The period asked for is not valid.',
  INVALID_DATE_RANGE: () => 'The period asked for is not valid.',
  FORBIDDEN: () => 'Your account is not allowed to do this. Ask a manager (a tenant admin) to do it.',
};

/**
 * A problem in plain words. `labels` names the form's fields as the form shows them, so that a
 * VALIDATION_FAILED says "Power rating (kW): must be > 0" rather than "power_rating_kw".
 */
export function facilityProblemWords(
  problem: Problem | null | undefined,
  status: number | undefined,
  labels: Record<string, string> = {},
): ProblemWords {
  const general = problemToWords(problem, status);
  const code = problem?.code;
  if (code === 'VALIDATION_FAILED' && Object.keys(general.fields).length > 0) {
    const list = Object.entries(general.fields).map(
      ([field, message]) => `${labels[field] ?? field.replaceAll('_', ' ')}: ${message}`,
    );
    return { ...general, message: `Some details are not right: ${list.join('; ')}.` };
  }
  const words = code && problem ? facilityWords[code] : undefined;
  return words ? { ...general, message: words(problem as Problem) } : general;
}

export function sizeName(size: string): string {
  return sizeWords[size] ?? size.toLowerCase();
}
