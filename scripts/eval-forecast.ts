/**
 * Evaluates the occupancy forecast on the Birmingham history against naive baselines.
 * Usage: npm run eval:forecast [-- path/to/birmingham.csv]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type EvaluationReport,
  evaluateForecastOnCsv,
  type HorizonSummary,
} from '../services/analytics/src/domain/forecast-evaluation.ts';

const defaultPath = fileURLToPath(
  new URL('../datasets/birmingham-parking-2016-10-04_2016-11-30.csv', import.meta.url),
);
const path = process.argv[2] ?? defaultPath;
const lastTrainingDate = '2016-11-15';

const started = performance.now();
const report = evaluateForecastOnCsv(readFileSync(path, 'utf8'), {
  timezone: 'Europe/London',
  lastTrainingDate,
});
const seconds = (performance.now() - started) / 1000;

console.log(`Forecast evaluation: train up to ${lastTrainingDate} (local), test from the day after.`);
console.log(`Method: ${report.method}.`);
console.log('MAE in percentage points of occupancy; coverage of the 80% interval on the test points.\n');
console.log(formatTable(report));
console.log();
printMargins(report);
console.log();
printImports(report);
console.log(`\nDone in ${seconds.toFixed(1)} s.`);

function formatTable(report: EvaluationReport): string {
  const header = [
    'car park',
    'day-ahead n',
    'model MAE',
    'week-ago MAE',
    'cover %',
    '30-min n',
    'model MAE',
    'last-value MAE',
    'cover %',
  ];
  const row = (name: string, dayAhead: HorizonSummary, thirty: HorizonSummary) => [
    name,
    String(dayAhead.points),
    figure(dayAhead.model_mae),
    figure(dayAhead.baseline_mae),
    figure(dayAhead.coverage),
    String(thirty.points),
    figure(thirty.model_mae),
    figure(thirty.baseline_mae),
    figure(thirty.coverage),
  ];
  const rows = [
    header,
    ...report.car_parks.map((c) => row(c.car_park, c.day_ahead, c.thirty_minutes)),
    row('OVERALL', report.overall.day_ahead, report.overall.thirty_minutes),
  ];
  const widths = header.map((_, column) => Math.max(...rows.map((r) => r[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!)))
      .join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1, -1).map(line), rule, line(rows.at(-1)!)].join('\n');
}

function printMargins(report: EvaluationReport): void {
  const margin = (label: string, summary: HorizonSummary, baseline: string) => {
    if (summary.model_mae === null || summary.baseline_mae === null) return;
    const better = (1 - summary.model_mae / summary.baseline_mae) * 100;
    console.log(
      `${label}: model ${figure(summary.model_mae)} vs ${baseline} ${figure(summary.baseline_mae)} ` +
        `(${better >= 0 ? `${better.toFixed(1)}% lower` : `${(-better).toFixed(1)}% higher`})`,
    );
  };
  margin('Day ahead', report.overall.day_ahead, 'same time a week earlier');
  margin('30 minutes ahead', report.overall.thirty_minutes, 'last value');
  const claimed = report.car_parks
    .map((c) => c.backtest_coverage)
    .filter((c) => c !== null)
    .sort((a, b) => a - b);
  if (claimed.length > 0) {
    console.log(
      `Interval coverage the models measured in their own backtests (last fit): median ` +
        `${figure(claimed[Math.floor(claimed.length / 2)]!)}%, range ${figure(claimed[0]!)}–${figure(claimed.at(-1)!)}%`,
    );
  }
}

function printImports(report: EvaluationReport): void {
  const skippedCarParks = report.skipped_car_parks.map((s) => `${s.car_park} (${s.reason})`);
  console.log(`Car parks left out: ${skippedCarParks.length > 0 ? skippedCarParks.join('; ') : 'none'}`);
  console.log('Import, rows skipped per car park:');
  for (const entry of report.imports) {
    const reasons = Object.entries(entry.skipped.by_reason)
      .map(([reason, { count }]) => `${reason} ${count}`)
      .join(', ');
    const gaps = entry.gaps.length > 0 ? `; days missing: ${entry.gaps.join(' ')}` : '';
    console.log(
      `  ${entry.car_park}: ${entry.accepted} accepted, ${entry.skipped.total} skipped${reasons ? ` (${reasons})` : ''}${gaps}`,
    );
  }
}

function figure(value: number | null): string {
  return value === null ? '-' : value.toFixed(2);
}
