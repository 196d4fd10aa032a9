/** Forecasts from a facility's own history, with the fitted model kept for a while per facility. */
import type { ServiceRuntime } from '@easypark/platform';
import { type ForecastModel, fitForecastModel, forecastPoints } from './domain/forecast.ts';
import type { AnalyticsSettings } from './settings.ts';
import * as store from './store.ts';

const weekMs = 7 * 86_400_000;

export function forecaster(runtime: ServiceRuntime, settings: AnalyticsSettings) {
  const models = new Map<string, { model: ForecastModel; fittedAt: number }>();

  async function modelOf(facility: store.FacilityRow, now: Date): Promise<ForecastModel | null> {
    const cached = models.get(facility.facility_id);
    if (cached && now.getTime() - cached.fittedAt < settings.forecastRefitMinutes * 60_000)
      return cached.model;
    // The profile has 30-minute slots: 15-minute averages lose nothing and fit three times faster.
    const history = await store.samples(
      runtime.pool,
      facility.facility_id,
      new Date(now.getTime() - settings.forecastHistoryWeeks * weekMs),
      now,
      15,
    );
    if (history.length === 0) return null;
    const model = fitForecastModel(history, { timezone: facility.timezone });
    models.set(facility.facility_id, { model, fittedAt: now.getTime() });
    return model;
  }

  /** Points every `stepMinutes` over the next `hoursAhead` hours; null without any history. */
  async function forecast(facility: store.FacilityRow, now: Date, hoursAhead: number, stepMinutes = 60) {
    const model = await modelOf(facility, now);
    if (!model) return null;
    const recent = await store.samples(
      runtime.pool,
      facility.facility_id,
      new Date(now.getTime() - weekMs),
      now,
    );
    return { model, points: forecastPoints(model, recent, now, hoursAhead, stepMinutes) };
  }

  return { forecast, forget: (facilityId: string) => models.delete(facilityId) };
}

export type Forecaster = ReturnType<typeof forecaster>;
