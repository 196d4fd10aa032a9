import { type IdKind, idPatternFor } from '@easypark/kernel';
import { Type } from '@easypark/platform';
import { chargerLevels, connectorTypes } from '../domain/stations.ts';

/** Schemas shared by several routes. Route-specific bodies live next to their routes. */

export const IdOf = (kind: IdKind, description: string) =>
  Type.String({ pattern: idPatternFor(kind), description });
export const FacilityId = IdOf('facility', 'Facility id (fac_…)');
export const StationId = IdOf('station', 'Charging station id (stn_…)');
export const ChargingSessionId = IdOf('chargingSession', 'Charging session id (chs_…)');
export const QueueId = IdOf('queueEntry', 'Place in a charging queue (chq_…)');
export const VehicleId = IdOf('vehicle', 'Vehicle id (veh_…)');
export const ParkingSessionId = IdOf('parkingSession', 'Parking session id (pks_…)');
export const ChargerLevel = Type.Enum(chargerLevels, {
  type: 'string',
  description: 'LEVEL1, LEVEL2 or DCFC',
});
export const ConnectorType = Type.Enum(connectorTypes, { type: 'string', description: 'Connector type' });
export const DateTime = (description: string) => Type.String({ format: 'date-time', description });
