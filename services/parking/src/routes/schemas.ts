import { commonProblem, type IdKind, idPatternFor } from '@easypark/kernel';
import { decodeCursor, type TSchema, Type } from '@easypark/platform';
import { spaceSizes, spaceStatuses } from '../domain/spaces.ts';
import { connectorTypes, vehicleTypes } from '../domain/vehicles.ts';
import { parkingProblems } from '../errors.ts';

/** Schemas shared by several routes. Route-specific bodies live next to their routes. */

export const IdOf = (kind: IdKind, description?: string) =>
  Type.String({ pattern: idPatternFor(kind), ...(description ? { description } : {}) });

export const FacilityId = IdOf('facility', 'Facility id (fac_…)');
export const SpaceId = IdOf('space', 'Space id (spc_…)');
export const VehicleId = IdOf('vehicle', 'Vehicle id (veh_…)');
export const SessionId = IdOf('parkingSession', 'Parking session id (pks_…)');

export const DateTime = Type.String({ format: 'date-time', description: 'ISO 8601 time with offset' });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const SpaceSizeSchema = Type.Enum(spaceSizes, { type: 'string', description: 'Space size' });
export const SpaceStatusSchema = Type.Enum(spaceStatuses, { type: 'string', description: 'Space status' });
export const VehicleTypeSchema = Type.Enum(vehicleTypes, { type: 'string', description: 'Vehicle type' });
export const ConnectorTypeSchema = Type.Enum(connectorTypes, {
  type: 'string',
  description: 'An electric vehicle’s charging inlet',
});
export const Plate = Type.String({
  minLength: 1,
  maxLength: 30,
  description: 'Registration number; stored upper case without spaces or dashes',
});

export const Location = Type.Object(
  {
    floor: Type.Integer({
      minimum: -50,
      maximum: 500,
      description: 'Level; 0 is the ground, negative below it',
    }),
    aisle: Type.String({ minLength: 1, maxLength: 20 }),
    number: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
  },
  { additionalProperties: false },
);

export const Space = Type.Object({
  space_id: Type.String(),
  facility_id: Type.String(),
  size: SpaceSizeSchema,
  status: SpaceStatusSchema,
  location: Location,
  status_reason: Nullable(Type.String()),
  last_updated: DateTime,
  created_at: DateTime,
});

export const Vehicle = Type.Object({
  vehicle_id: Type.String(),
  registration_number: Type.String(),
  vehicle_type: VehicleTypeSchema,
  make: Nullable(Type.String()),
  model: Nullable(Type.String()),
  color: Nullable(Type.String()),
  is_electric: Type.Boolean(),
  battery_capacity_kwh: Nullable(Type.Number()),
  connector_type: Nullable(ConnectorTypeSchema),
  owner_id: Nullable(Type.String()),
  tenant_id: Nullable(Type.String({ description: 'null for a vehicle a driver registered' })),
  created_at: DateTime,
});

export const sessionFields = {
  session_id: Type.String(),
  status: Type.Enum(['OPEN', 'CLOSED'], { type: 'string' }),
  facility_id: Type.String(),
  space_id: Type.String(),
  vehicle_id: Type.String(),
  registration_number: Type.String(),
  vehicle_type: VehicleTypeSchema,
  customer_id: Nullable(Type.String()),
  reservation_id: Nullable(Type.String()),
  entry_time: DateTime,
  exit_time: Nullable(DateTime),
  duration_hours: Nullable(Type.Number({ description: 'Decimal hours, 2 places; null while open' })),
  charge_amount: Nullable(Type.Number({ description: 'In major units of `currency`' })),
  currency: Type.String(),
  location: Location,
  space_size: SpaceSizeSchema,
};

export const Session = Type.Object(sessionFields);

const Problem = (description: string) =>
  Type.Object(
    {
      type: Type.String(),
      title: Type.String(),
      status: Type.Integer(),
      code: Type.String(),
      detail: Type.Optional(Type.String()),
      instance: Type.Optional(Type.String()),
    },
    { additionalProperties: true, description },
  );

type Code = keyof typeof parkingProblems;

/** Problem responses for OpenAPI, grouped by status, each listing the codes it may carry. */
export function problems(...codes: Code[]): Record<number, TSchema> {
  const byStatus = new Map<number, string[]>();
  for (const code of ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN', ...codes] as Code[]) {
    const status = parkingProblems[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [status, Problem(`Problem: ${list.join(', ')}`)]),
  );
}

/** Decodes a list cursor and checks its shape, so that a forged one is a 400 and never reaches SQL. */
export function cursorOf<T>(
  cursor: string | undefined,
  valid: (value: unknown) => value is T,
): T | undefined {
  const value = decodeCursor<unknown>(cursor);
  if (value === undefined || valid(value)) return value;
  throw commonProblem('VALIDATION_FAILED', 'cursor is not one this API handed out', {
    errors: [{ field: 'cursor', message: 'unknown cursor' }],
  });
}
