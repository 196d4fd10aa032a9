import { useId, useState } from 'react';
import { Empty, Loading } from '../../components.tsx';
import { useAsync } from '../../hooks.ts';
import { ApiError, api } from '../../lib/api.ts';
import { formatDateTime } from '../../lib/zoned-time.ts';
import type { Alert, Facility } from './types.ts';
import { ProblemNotice, Section, useAction } from './ui.tsx';

const severityBadge: Record<Alert['severity'], string> = {
  CRITICAL: 'badge-critical',
  WARNING: 'badge-warn',
  INFO: 'badge-info',
};
const severityWords: Record<Alert['severity'], string> = {
  CRITICAL: 'Critical',
  WARNING: 'Warning',
  INFO: 'Info',
};

/** Open alerts (and, on request, cleared ones) to acknowledge; new ones arrive over the live stream. */
export function AlertsSection({ facility, alertChanges }: { facility: Facility; alertChanges: number }) {
  const id = useId();
  const path = encodeURIComponent(facility.facility_id);
  const [withCleared, setWithCleared] = useState(false);
  const alerts = useAsync(
    (signal) =>
      api<Alert[]>(`analytics/alerts/${path}?limit=100${withCleared ? '&include_cleared=true' : ''}`, {
        signal,
      }),
    [path, withCleared, alertChanges],
    60_000,
  );
  const waiting = alerts.data?.filter((a) => a.active && !a.acknowledged).length ?? 0;

  return (
    <Section
      id="alerts"
      title="Alerts"
      lede={
        alerts.data
          ? waiting > 0
            ? `${waiting} waiting to be acknowledged.`
            : 'Nothing waiting.'
          : undefined
      }
      tools={
        <label className="check" htmlFor={`${id}-cleared`}>
          <input
            id={`${id}-cleared`}
            type="checkbox"
            checked={withCleared}
            onChange={(e) => setWithCleared(e.target.checked)}
          />
          Show cleared alerts
        </label>
      }
    >
      {alerts.loading && !alerts.data && <Loading>Loading the alerts…</Loading>}
      <ProblemNotice error={alerts.error} retry={alerts.reload} />
      {alerts.data && alerts.data.length === 0 && (
        <Empty>{withCleared ? 'No alerts have been raised here.' : 'No open alerts.'}</Empty>
      )}
      {alerts.data && alerts.data.length > 0 && (
        <ul className="fac-alerts">
          {alerts.data.map((alert) => (
            <AlertItem
              key={alert.alert_id}
              alert={alert}
              timeZone={facility.timezone}
              onChanged={alerts.reload}
            />
          ))}
        </ul>
      )}
    </Section>
  );
}

function AlertItem({ alert, timeZone, onChanged }: { alert: Alert; timeZone: string; onChanged(): void }) {
  const action = useAction();
  const acknowledge = () =>
    action.run(async () => {
      try {
        await api(`analytics/alerts/${encodeURIComponent(alert.alert_id)}/acknowledge`, { method: 'POST' });
      } catch (error) {
        // Someone else was quicker: the list shows it acknowledged, which is what was wanted.
        if (error instanceof ApiError && error.problem.code === 'ALERT_ALREADY_ACKNOWLEDGED') onChanged();
        throw error;
      }
      onChanged();
    });

  return (
    <li className={alert.active ? 'fac-alert' : 'fac-alert fac-alert-cleared'}>
      <div className="fac-alert-head">
        <span className={`badge ${severityBadge[alert.severity]}`}>{severityWords[alert.severity]}</span>
        <p className="fac-alert-message">{alert.message}</p>
      </div>
      <p className="muted small">
        Raised {formatDateTime(alert.created_at, timeZone)}
        {alert.cleared_at ? ` · cleared ${formatDateTime(alert.cleared_at, timeZone)}` : ' · still open'}
        {alert.acknowledged_at && ` · acknowledged ${formatDateTime(alert.acknowledged_at, timeZone)}`}
      </p>
      {!alert.acknowledged && (
        <button
          type="button"
          className="button-secondary"
          disabled={action.busy}
          aria-label={`Acknowledge alert: ${alert.message}`}
          onClick={() => void acknowledge()}
        >
          {action.busy ? 'Acknowledging…' : 'Acknowledge'}
        </button>
      )}
      <ProblemNotice error={action.error} />
    </li>
  );
}
