/** How rows look in answers: the seed's field names, times in ISO 8601 UTC. */
import { toMajor } from '@easypark/kernel';
import type * as store from './store.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function alertView(a: store.AlertRow) {
  return {
    alert_id: a.alert_id,
    facility_id: a.facility_id,
    alert_type: a.alert_type,
    subject: a.subject || null,
    message: a.message,
    severity: a.severity,
    threshold_value: a.threshold_value,
    current_value: a.current_value,
    created_at: iso(a.created_at),
    active: a.cleared_at === null,
    cleared_at: iso(a.cleared_at),
    acknowledged: a.acknowledged_at !== null,
    acknowledged_at: iso(a.acknowledged_at),
    acknowledged_by: a.acknowledged_by,
  };
}

export function dailyReportView(r: store.DailyReportRow) {
  return {
    report_id: r.report_id,
    facility_id: r.facility_id,
    report_date: r.report_date,
    total_transactions: r.total_transactions,
    total_revenue: toMajor({ amount: r.total_revenue, currency: r.currency }),
    currency: r.currency,
    average_occupancy_rate: r.average_occupancy_rate,
    peak_hour: r.peak_hour,
    peak_occupancy_rate: r.peak_occupancy_rate,
    least_busy_hour: r.least_busy_hour,
    average_session_duration: r.average_session_duration,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}
