/** Charging stations: what they are, what state they are in, which cars they can charge. */

export const chargerLevels = ['LEVEL1', 'LEVEL2', 'DCFC'] as const;
export type ChargerLevel = (typeof chargerLevels)[number];

export const connectorTypes = ['CCS', 'TESLA', 'CHADEMO', 'J1772', 'TYPE2'] as const;
export type ConnectorType = (typeof connectorTypes)[number];

export const stationStatuses = ['AVAILABLE', 'IN_USE', 'MAINTENANCE', 'OFFLINE'] as const;
export type StationStatus = (typeof stationStatuses)[number];

export interface StationState {
  in_maintenance: boolean;
  online: boolean;
  /** The connector status the station last reported (OCPP 1.6 or 2.0.1 vocabulary). */
  connector_status: string | null;
}

/** Connector states in which the station cannot charge anyone (OCPP 1.6 and 2.0.1). */
const outOfOrder = new Set(['Faulted', 'Unavailable']);
/** Connector states in which a car is at the station. */
const carAtStation = new Set([
  'Preparing',
  'Charging',
  'SuspendedEV',
  'SuspendedEVSE',
  'Finishing',
  'Occupied',
  'Reserved',
]);

/** The status operators and drivers see, from maintenance, connection, the station's report and the sessions. */
export function stationStatus(station: StationState, hasOpenSession: boolean): StationStatus {
  if (station.in_maintenance) return 'MAINTENANCE';
  if (!station.online || outOfOrder.has(station.connector_status ?? '')) return 'OFFLINE';
  if (hasOpenSession || carAtStation.has(station.connector_status ?? '')) return 'IN_USE';
  return 'AVAILABLE';
}

/**
 * Why a session cannot start on this station now, or null. A car plugged in and waiting (Preparing,
 * Occupied) is fine: that is how a driver starts charging from the app.
 */
export function cannotStartOn(
  station: StationState,
  hasOpenSession: boolean,
): 'STATION_IN_MAINTENANCE' | 'STATION_OFFLINE' | 'STATION_BUSY' | null {
  if (station.in_maintenance) return 'STATION_IN_MAINTENANCE';
  if (!station.online || outOfOrder.has(station.connector_status ?? '')) return 'STATION_OFFLINE';
  if (hasOpenSession) return 'STATION_BUSY';
  return null;
}

/** A car charges only through its own inlet type: no adapters are assumed. */
export function connectorFits(vehicleInlet: ConnectorType, stationConnector: ConnectorType): boolean {
  return vehicleInlet === stationConnector;
}

/**
 * The OCPP id tag of a car: its registration number, which the garage's cameras and the station
 * both know (OCPP 1.6 id tags are at most 20 characters; plates are at most 15).
 */
export function idTagOf(registrationNumber: string): string {
  return registrationNumber
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()
    .slice(0, 20);
}
