import { canSeeTenant } from '@easypark/kernel';
import { type App, type ServiceRuntime, Type } from '@easypark/platform';
import { visibleFacilities } from '../access.ts';
import { alertTypes, checkThreshold, type Threshold, thresholdsInForce } from '../domain/alerts.ts';
import { problem } from '../errors.ts';
import { checkOccupancyAlerts, currentSnapshot, notify } from '../monitor.ts';
import * as store from '../store.ts';
import { alertView } from '../views.ts';
import { AlertId, FacilityParams } from './schemas.ts';

const tags = ['Alerts'];
const AlertType = Type.Enum([...alertTypes], { type: 'string' });
const Severity = Type.Enum(['INFO', 'WARNING', 'CRITICAL'], { type: 'string' });

export function alertRoutes(app: App, runtime: ServiceRuntime): void {
  const { pool, clock } = runtime;
  const facilityFor = visibleFacilities(runtime);

  app.get(
    '/analytics/v1/alerts/:facility_id',
    {
      schema: {
        tags,
        summary: 'Active alerts (and, on request, past ones)',
        description:
          'Alerts raised when a threshold is crossed, newest first. An alert is raised once, and clears when the ' +
          'value comes back past the threshold’s `clear_at` (hysteresis: no flapping). `include_cleared=true` ' +
          'lists cleared ones too.',
        params: FacilityParams,
        querystring: Type.Object({
          include_cleared: Type.Optional(Type.Boolean({ default: false })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const facility = await facilityFor(principal, request.params.facility_id);
      const rows = await store.listAlerts(pool, facility.facility_id, {
        includeCleared: request.query.include_cleared ?? false,
        limit: request.query.limit ?? 100,
      });
      return rows.map(alertView);
    },
  );

  app.post(
    '/analytics/v1/alerts/:alert_id/acknowledge',
    {
      schema: {
        tags,
        summary: 'Acknowledge an alert',
        description:
          'Records who saw it and when. An alert is acknowledged once; it still clears on its own.',
        params: Type.Object({ alert_id: AlertId }),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const found = await store.findAlert(pool, request.params.alert_id);
      if (!found || !canSeeTenant(principal, found.tenant_id))
        throw problem('ALERT_NOT_FOUND', `There is no alert ${request.params.alert_id}`);
      const acknowledged = await runtime.transaction(async (tx) => {
        const row = await store.acknowledgeAlert(tx, found.alert_id, principal.sub, clock.now());
        if (!row)
          throw problem(
            'ALERT_ALREADY_ACKNOWLEDGED',
            `Acknowledged by ${found.acknowledged_by} at ${found.acknowledged_at?.toISOString()}`,
          );
        await notify(tx, { facility_id: row.facility_id, kind: 'alert', data: alertView(row) });
        return row;
      });
      return alertView(acknowledged);
    },
  );

  const thresholdView = (t: Threshold) => ({
    alert_type: t.alert_type,
    size: t.scope || null,
    raise_at: t.raise_at,
    clear_at: t.clear_at,
    severity: t.severity,
    enabled: t.enabled,
  });

  app.get(
    '/analytics/v1/alerts/:facility_id/thresholds',
    {
      schema: {
        tags,
        summary: 'Alert thresholds in force',
        description:
          'HIGH_OCCUPANCY (percent), LOW_AVAILABILITY per size (spaces left), HIGH_REVENUE (this hour’s revenue, major ' +
          'units) and STATION_OFFLINE. Without a threshold of its own a facility has defaults: HIGH_OCCUPANCY at its ' +
          'occupancy alert threshold, LOW_AVAILABILITY at 5 % of each size’s spaces left, STATION_OFFLINE on, ' +
          'HIGH_REVENUE off.',
        params: FacilityParams,
      },
    },
    async (request) => {
      const principal = request.principal!;
      const facility = await facilityFor(principal, request.params.facility_id);
      const set = await store.thresholdsOf(pool, facility.facility_id);
      return thresholdsInForce(set, {
        occupancy_alert_threshold: facility.occupancy_alert_threshold,
        capacity: store.capacityOf(facility),
      }).map(thresholdView);
    },
  );

  app.put(
    '/analytics/v1/alerts/:facility_id/thresholds',
    {
      schema: {
        tags,
        summary: 'Set an alert threshold',
        description:
          'The alert is raised when the value reaches `raise_at` and cleared when it is back at `clear_at`: below ' +
          'it for HIGH_OCCUPANCY and HIGH_REVENUE, above it for LOW_AVAILABILITY (which names a `size`). Open ' +
          'alerts are checked against the new threshold at once.',
        params: FacilityParams,
        body: Type.Object(
          {
            alert_type: AlertType,
            size: Type.Optional(Type.Enum(['COMPACT', 'STANDARD', 'LARGE'], { type: 'string' })),
            raise_at: Type.Number({ minimum: 0, maximum: 1_000_000_000 }),
            clear_at: Type.Number({ minimum: 0, maximum: 1_000_000_000 }),
            severity: Type.Optional(Severity),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const principal = request.principal!;
      const facility = await facilityFor(principal, request.params.facility_id);
      const body = request.body;
      const threshold: Threshold = {
        alert_type: body.alert_type,
        scope: body.size ?? '',
        raise_at: body.raise_at,
        clear_at: body.clear_at,
        severity: body.severity ?? 'WARNING',
        enabled: body.enabled ?? true,
      };
      checkThreshold(threshold);
      await runtime.transaction(async (tx) => {
        const locked = (await store.findFacility(tx, facility.facility_id, true))!;
        await store.saveThreshold(tx, facility.facility_id, threshold, principal.sub, clock.now());
        if (threshold.alert_type === 'HIGH_OCCUPANCY' || threshold.alert_type === 'LOW_AVAILABILITY')
          await checkOccupancyAlerts(tx, locked, await currentSnapshot(tx, locked), clock.now());
      });
      return thresholdView(threshold);
    },
  );
}
