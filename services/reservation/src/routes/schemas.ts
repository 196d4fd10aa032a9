import { type IdKind, idPatternFor } from '@easypark/kernel';
import { Type } from '@easypark/platform';

/** Schemas shared by several routes. Route-specific bodies live next to their routes. */

export const IdOf = (kind: IdKind, description: string) =>
  Type.String({ pattern: idPatternFor(kind), description });
export const FacilityId = IdOf('facility', 'Facility id (fac_…)');
export const ReservationId = IdOf('reservation', 'Reservation id (res_…)');
export const DateTime = (description: string) => Type.String({ format: 'date-time', description });
export const SpaceSize = Type.Union(
  [Type.Literal('COMPACT'), Type.Literal('STANDARD'), Type.Literal('LARGE')],
  {
    description: 'Space size',
  },
);
export const VehicleType = Type.Union(
  [Type.Literal('CAR'), Type.Literal('MOTORCYCLE'), Type.Literal('TRUCK'), Type.Literal('BUS')],
  { description: 'Prices the estimate (default CAR)' },
);
