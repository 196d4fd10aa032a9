/** Charging stations with what their open sessions draw and have delivered: pure arithmetic. */
import type { ChargingSession, Station } from './types.ts';

export interface StationLoad {
  station: Station;
  /** The open (charging or paused) session on it, if any. */
  session: ChargingSession | null;
  /** kW drawn now (0 when idle or paused). */
  powerKw: number;
  /** kWh delivered in the open session so far. */
  energyKwh: number;
}

const openStatuses = new Set(['ACTIVE', 'PAUSED']);

/** Each station with its open session's live power and energy, in the order of the names shown. */
export function stationLoads(
  stations: readonly Station[],
  sessions: readonly ChargingSession[],
): StationLoad[] {
  const open = new Map<string, ChargingSession>();
  for (const session of sessions) if (openStatuses.has(session.status)) open.set(session.station_id, session);
  return [...stations]
    .sort((a, b) => (a.name ?? a.station_id).localeCompare(b.name ?? b.station_id, 'en', { numeric: true }))
    .map((station) => {
      const session = open.get(station.station_id) ?? null;
      return {
        station,
        session,
        powerKw: session?.status === 'ACTIVE' ? (session.current_rate_kw ?? 0) : 0,
        energyKwh: session?.energy_delivered_kwh ?? 0,
      };
    });
}

/** Totals over the stations: power drawn now (kW, 2 decimals) and energy delivered in open sessions (kWh, 3). */
export function loadTotals(loads: readonly StationLoad[]): {
  powerKw: number;
  energyKwh: number;
  charging: number;
} {
  const power = loads.reduce((sum, l) => sum + l.powerKw, 0);
  const energy = loads.reduce((sum, l) => sum + l.energyKwh, 0);
  return {
    powerKw: Math.round(power * 100) / 100,
    energyKwh: Math.round(energy * 1000) / 1000,
    charging: loads.filter((l) => l.session?.status === 'ACTIVE').length,
  };
}

/** A station's name as the page shows it: its own, or the end of its id. */
export function stationName(station: Pick<Station, 'name' | 'station_id'>): string {
  return station.name ?? `Station …${station.station_id.slice(-6)}`;
}

/** The OCPP WebSocket address a station is given, from the page's own address (`ws:` or `wss:`). */
export function ocppAddress(pageUrl: { protocol: string; host: string }, ocppPath: string): string {
  return `${pageUrl.protocol === 'https:' ? 'wss' : 'ws'}://${pageUrl.host}${ocppPath}`;
}
