import { problemCatalog } from '@easypark/kernel';
import { pgConstraint, pgErrorCode } from '@easypark/platform';

/** The Parking service's problem codes, on top of the platform's common ones. */
export const { catalog: parkingProblems, problem } = problemCatalog({
  FACILITY_NOT_FOUND: { status: 404, title: 'No such facility' },
  SPACE_NOT_FOUND: { status: 404, title: 'No such parking space' },
  VEHICLE_NOT_FOUND: { status: 404, title: 'No such vehicle' },
  SESSION_NOT_FOUND: { status: 404, title: 'No such parking session' },
  INVALID_TIME: { status: 400, title: 'The time is not acceptable' },
  INVALID_REGISTRATION: { status: 400, title: 'The registration number is not valid' },
  SPACE_OCCUPIED: { status: 409, title: 'The space is occupied' },
  SPACE_NOT_AVAILABLE: { status: 409, title: 'The space is not available' },
  SPACE_TOO_SMALL: { status: 409, title: 'The space is too small for the vehicle' },
  NO_SPACE_AVAILABLE: { status: 409, title: 'No fitting space is available' },
  VEHICLE_ALREADY_PARKED: { status: 409, title: 'The vehicle is already parked' },
  VEHICLE_NOT_IN_FACILITY: { status: 409, title: 'The vehicle is not parked in this facility' },
  SESSION_ALREADY_CLOSED: { status: 409, title: 'The parking session is already closed' },
  FACILITY_CAPACITY_EXCEEDED: {
    status: 409,
    title: 'The facility has no capacity left for spaces of this size',
  },
  FACILITY_NOT_ACTIVE: { status: 409, title: 'The facility is not active' },
  SPACE_LOCATION_TAKEN: { status: 409, title: 'A space already exists at this location' },
  DUPLICATE_REGISTRATION: {
    status: 409,
    title: 'A vehicle with this registration number is already registered',
  },
  INVALID_STATUS_TRANSITION: { status: 409, title: 'The space cannot move to this status' },
});

export type ParkingProblemCode = keyof typeof parkingProblems;

/**
 * The database enforces the invariants that must hold under concurrency; this turns its
 * constraint violations into the codes a client understands. Anything else is rethrown
 * (and becomes a 500 without SQL text).
 */
const constraintProblems: Record<string, () => Error> = {
  parking_spaces_location_unique: () =>
    problem('SPACE_LOCATION_TAKEN', 'Another space already has this floor, aisle and number'),
  vehicles_registration_unique: () =>
    problem('DUPLICATE_REGISTRATION', 'This registration number is already registered here'),
  parking_sessions_open_space: () => problem('SPACE_OCCUPIED', 'Another vehicle is parked in this space'),
  parking_sessions_space_no_overlap: () =>
    problem('SPACE_OCCUPIED', 'Another vehicle was parked in this space at that time'),
  parking_sessions_open_vehicle: () =>
    problem('VEHICLE_ALREADY_PARKED', 'The vehicle already has an open session'),
  parking_sessions_vehicle_no_overlap: () =>
    problem('VEHICLE_ALREADY_PARKED', 'The vehicle was already parked at that time'),
};

export function translateDbError(error: unknown): unknown {
  const code = pgErrorCode(error);
  if (code !== '23505' && code !== '23P01') return error; // unique_violation, exclusion_violation
  const make = constraintProblems[pgConstraint(error) ?? ''];
  return make ? make() : error;
}

/** Runs database work and rethrows constraint violations as problems. */
export async function mapDbErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateDbError(error);
  }
}
