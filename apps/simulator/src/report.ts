/** What a simulation run counts, and how it is shown: the progress bar, the summary, durations. */

export interface Stats {
  /** Cars that came to a gate (bookers who did not turn up are not counted). */
  arrivals: number;
  /** Entries the platform recorded. */
  entries: number;
  /** Cars that could not get in (full, refused): they drive on. */
  turnedAway: number;
  exits: number;
  /** Cars found parked at the start and taken over, and cars placed at the start so occupancy matches the hour. */
  adopted: number;
  warmStart: number;
  /** Short extra visits that keep a quiet network moving (see keepAliveSeconds). */
  quickStops: number;
  chargingSessions: number;
  energyKwh: number;
  /** Electric cars that wanted to charge and found no fitting free station. */
  noFreeCharger: number;
  reservations: number;
  /** Entries under a reservation. */
  reservationArrivals: number;
  noShows: number;
  payments: number;
  declined: number;
  /** Amount paid by currency. */
  paid: Record<string, number>;
  /** Refused calls by problem code (RATE_LIMITED, NO_SPACE_AVAILABLE, NETWORK_ERROR, …). */
  refusals: Record<string, number>;
}

export function emptyStats(): Stats {
  return {
    arrivals: 0,
    entries: 0,
    turnedAway: 0,
    exits: 0,
    adopted: 0,
    warmStart: 0,
    quickStops: 0,
    chargingSessions: 0,
    energyKwh: 0,
    noFreeCharger: 0,
    reservations: 0,
    reservationArrivals: 0,
    noShows: 0,
    payments: 0,
    declined: 0,
    paid: {},
    refusals: {},
  };
}

export interface Summary {
  seed: string;
  speed: number;
  /** Simulated start and end (ISO). */
  from: string;
  until: string;
  realSeconds: number;
  facilities: string[];
  chargePoints: number;
  drivers: number;
  /** Simulated cars still parked when the run ended (they stay; the next run takes them over). */
  parkedAtEnd: number;
  stats: Stats;
}

export function formatSummary(summary: Summary): string {
  const s = summary.stats;
  const simulatedMs = Date.parse(summary.until) - Date.parse(summary.from);
  const refusals = Object.entries(s.refusals)
    .sort((a, b) => b[1] - a[1])
    .map(([code, count]) => `${code} ${count}`)
    .join(', ');
  const paid = Object.entries(s.paid)
    .map(([currency, amount]) => `${amount.toFixed(2)} ${currency}`)
    .join(', ');
  const row = (label: string, value: number | string, detail = '') =>
    `  ${label.padEnd(18)}${String(value).padStart(7)}${detail ? `   ${detail}` : ''}`;
  return [
    `Simulated ${formatDuration(simulatedMs)} at ${summary.speed}× in ${formatDuration(summary.realSeconds * 1000)} (seed ${summary.seed}): ${summary.facilities.join(', ')}`,
    row('arrivals', s.arrivals, `turned away ${s.turnedAway}, quick stops ${s.quickStops}`),
    row('entries', s.entries, `placed at the start ${s.warmStart}, found parked ${s.adopted}`),
    row('exits', s.exits, `still parked at the end ${summary.parkedAtEnd}`),
    row(
      'charging sessions',
      s.chargingSessions,
      `${s.energyKwh.toFixed(1)} kWh, no free charger ${s.noFreeCharger}, ${summary.chargePoints} charge points`,
    ),
    row(
      'reservations',
      s.reservations,
      `arrived ${s.reservationArrivals}, no-shows ${s.noShows}, ${summary.drivers} app drivers`,
    ),
    row('payments', s.payments, `declined ${s.declined}${paid ? `; ${paid}` : ''}`),
    row(
      'refusals',
      Object.values(s.refusals).reduce((a, b) => a + b, 0),
      refusals,
    ),
  ].join('\n');
}

/** One line: a bar, how far, and the main counts so far. */
export function formatProgress(
  fraction: number,
  simulatedMs: number,
  totalMs: number,
  stats: Stats,
  parked: number,
  width = 24,
): string {
  const done = Math.max(0, Math.min(1, fraction));
  const filled = Math.round(done * width);
  const refused = Object.values(stats.refusals).reduce((a, b) => a + b, 0);
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(done * 100)).padStart(3)}% ` +
    `${formatDuration(simulatedMs)}/${formatDuration(totalMs)}  in ${stats.entries} out ${stats.exits} ` +
    `parked ${parked} charging ${stats.chargingSessions} booked ${stats.reservations} paid ${stats.payments} refused ${refused}`
  );
}

/** "2h05m", "45s", "3d04h". */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days}d${two(hours)}h`;
  if (hours > 0) return `${hours}h${two(minutes)}m`;
  if (minutes > 0) return `${minutes}m${two(seconds)}s`;
  return `${seconds}s`;
}

/** "6h", "90m", "1d12h", "45s", "2h30m" (or a bare number of hours) in milliseconds; null if not a duration. */
export function parseDuration(text: string): number | null {
  const units: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * units.h!;
  if (!/^(\d+(\.\d+)?[dhms])+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)([dhms])/g))
    total += Number(amount) * units[unit!]!;
  return total > 0 ? total : null;
}
