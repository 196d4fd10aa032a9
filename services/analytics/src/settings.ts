import { loadConfig, type Static, Type } from '@easypark/platform';

/** The analytics service's settings, from the environment. */
export const AnalyticsSettingsSchema = Type.Object({
  ANALYTICS_SWEEP_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
  ANALYTICS_FORECAST_HISTORY_WEEKS: Type.Integer({ minimum: 1, maximum: 52, default: 8 }),
  ANALYTICS_FORECAST_REFIT_MINUTES: Type.Integer({ minimum: 1, maximum: 10_080, default: 60 }),
  ANALYTICS_SAMPLE_RETENTION_DAYS: Type.Integer({ minimum: 7, maximum: 3650, default: 400 }),
  ANALYTICS_STREAM_HEARTBEAT_SECONDS: Type.Integer({ minimum: 1, maximum: 300, default: 15 }),
});

export interface AnalyticsSettings {
  /** How often the sampler carries occupancy through quiet 5-minute slots, rolls up hours, writes daily reports. */
  sweepSeconds: number;
  /** How much history the forecast learns from. */
  forecastHistoryWeeks: number;
  /** A facility's model is refitted when older than this. */
  forecastRefitMinutes: number;
  /** 5-minute samples older than this are dropped; the hourly rollup stays. */
  sampleRetentionDays: number;
  /** A comment line on idle streams, so proxies keep them open. */
  streamHeartbeatSeconds: number;
}

export function analyticsSettings(env: Record<string, string | undefined> = process.env): AnalyticsSettings {
  const c: Static<typeof AnalyticsSettingsSchema> = loadConfig(AnalyticsSettingsSchema, env);
  return {
    sweepSeconds: c.ANALYTICS_SWEEP_SECONDS,
    forecastHistoryWeeks: c.ANALYTICS_FORECAST_HISTORY_WEEKS,
    forecastRefitMinutes: c.ANALYTICS_FORECAST_REFIT_MINUTES,
    sampleRetentionDays: c.ANALYTICS_SAMPLE_RETENTION_DAYS,
    streamHeartbeatSeconds: c.ANALYTICS_STREAM_HEARTBEAT_SECONDS,
  };
}
