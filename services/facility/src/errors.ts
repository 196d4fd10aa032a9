import { problemCatalog } from '@easypark/kernel';

export const { problem, catalog: facilityProblems } = problemCatalog({
  FACILITY_NOT_FOUND: { status: 404, title: 'No such facility' },
  TENANT_NOT_FOUND: { status: 404, title: 'No such tenant' },
  TENANT_NAME_TAKEN: { status: 409, title: 'A tenant with this name exists' },
  TENANT_SUSPENDED: { status: 409, title: 'The tenant is suspended' },
  FACILITY_NAME_TAKEN: { status: 409, title: 'The tenant already has a facility with this name' },
  INVALID_TIMEZONE: { status: 400, title: 'Unknown IANA time zone' },
  INVALID_CURRENCY: { status: 400, title: 'Unknown ISO 4217 currency' },
  INVALID_CAPACITY: { status: 400, title: 'The capacity is not valid' },
  INVALID_OPERATING_HOURS: { status: 400, title: 'The operating hours are not valid' },
  INVALID_PRICE: { status: 400, title: 'A price is not valid for the facility currency' },
  PRICING_IN_THE_PAST: { status: 409, title: 'Prices cannot change in the past' },
  PRICING_SCHEDULE_CONFLICT: { status: 409, title: 'A price change is already scheduled at that time' },
  NO_PRICING: { status: 404, title: 'No price is in force for that time' },
  INVALID_DATE_RANGE: { status: 400, title: 'The date range is not valid' },
});
