import { type IdKind, idPatternFor } from '@easypark/kernel';
import { type TSchema, Type } from '@easypark/platform';

/** Schemas shared by several routes. Route-specific ones live next to their routes. */

export const IdOf = (kind: IdKind, description: string) =>
  Type.String({ pattern: idPatternFor(kind), description });
export const FacilityId = IdOf('facility', 'Facility id (fac_…)');
export const AlertId = IdOf('alert', 'Alert id (alr_…)');
export const FacilityParams = Type.Object({ facility_id: FacilityId });
export const DateOrTime = (description: string) =>
  Type.String({
    description: `${description}: a local date (YYYY-MM-DD, in the facility's time zone) or an ISO 8601 time`,
    pattern: '^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?)?$',
  });
const range = {
  start_date: Type.Optional(DateOrTime('From')),
  end_date: Type.Optional(DateOrTime('To (a date: that whole day)')),
};
export const RangeQuery = Type.Object(range);
export const RangeAnd = <T extends Record<string, TSchema>>(more: T) => Type.Object({ ...range, ...more });
