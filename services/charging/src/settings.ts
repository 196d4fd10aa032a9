import { loadConfig, type Static, Type } from '@easypark/platform';

/** The Charging service's settings, from the environment. */
export const ChargingSettingsSchema = Type.Object({
  CHARGING_HEARTBEAT_SECONDS: Type.Integer({ minimum: 10, maximum: 86_400, default: 60 }),
  CHARGING_OFFLINE_AFTER_SECONDS: Type.Integer({ minimum: 10, maximum: 86_400, default: 180 }),
  CHARGING_CALL_TIMEOUT_SECONDS: Type.Integer({ minimum: 1, maximum: 120, default: 15 }),
  CHARGING_QUEUE_HOLD_MINUTES: Type.Integer({ minimum: 1, maximum: 120, default: 10 }),
  CHARGING_SWEEP_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 15 }),
});

export interface ChargingSettings {
  /** The interval stations are told to send heartbeats at. */
  heartbeatSeconds: number;
  /** A station silent this long is OFFLINE even if its socket looks open. */
  offlineAfterSeconds: number;
  /** How long a command to a station (remote start, stop, profile) may take. */
  callTimeoutMs: number;
  /** How long a freed station is held for the first vehicle in the queue. */
  queueHoldMinutes: number;
  sweepSeconds: number;
}

export function chargingSettings(env: Record<string, string | undefined> = process.env): ChargingSettings {
  const c: Static<typeof ChargingSettingsSchema> = loadConfig(ChargingSettingsSchema, env);
  return {
    heartbeatSeconds: c.CHARGING_HEARTBEAT_SECONDS,
    offlineAfterSeconds: c.CHARGING_OFFLINE_AFTER_SECONDS,
    callTimeoutMs: c.CHARGING_CALL_TIMEOUT_SECONDS * 1000,
    queueHoldMinutes: c.CHARGING_QUEUE_HOLD_MINUTES,
    sweepSeconds: c.CHARGING_SWEEP_SECONDS,
  };
}
