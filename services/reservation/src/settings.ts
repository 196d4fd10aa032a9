import { loadConfig, type Static, Type } from '@easypark/platform';

/** The Reservation service's settings, from the environment. */
export const ReservationSettingsSchema = Type.Object({
  RESERVATION_HOLD_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 15 }),
  RESERVATION_MAX_HOURS: Type.Integer({ minimum: 1, maximum: 8760, default: 720 }),
  RESERVATION_IMMINENT_MINUTES: Type.Integer({ minimum: 0, maximum: 1440, default: 120 }),
  RESERVATION_SWEEP_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 15 }),
  RESERVATION_SPACE_CACHE_SECONDS: Type.Integer({ minimum: 0, maximum: 600, default: 10 }),
});

export interface ReservationSettings {
  /** How long a PENDING reservation holds its space. */
  holdMinutes: number;
  maxDurationHours: number;
  /** A window starting sooner than this avoids spaces with a car in them now. */
  imminentMinutes: number;
  sweepSeconds: number;
  /** How long a facility's space list from Parking is reused. */
  spaceCacheSeconds: number;
}

export function reservationSettings(
  env: Record<string, string | undefined> = process.env,
): ReservationSettings {
  const c: Static<typeof ReservationSettingsSchema> = loadConfig(ReservationSettingsSchema, env);
  return {
    holdMinutes: c.RESERVATION_HOLD_MINUTES,
    maxDurationHours: c.RESERVATION_MAX_HOURS,
    imminentMinutes: c.RESERVATION_IMMINENT_MINUTES,
    sweepSeconds: c.RESERVATION_SWEEP_SECONDS,
    spaceCacheSeconds: c.RESERVATION_SPACE_CACHE_SECONDS,
  };
}
