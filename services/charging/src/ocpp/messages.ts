import type { OcppProtocol } from './central.ts';

/**
 * The commands the central system sends, in each protocol's words. Limits are in watts; a
 * profile's id is stable per station so a new one replaces the old (same id, same stack level).
 */

const profileId = 1;

function profile16(limitW: number, transactionId?: number) {
  return {
    chargingProfileId: profileId,
    ...(transactionId !== undefined ? { transactionId } : {}),
    stackLevel: 0,
    chargingProfilePurpose: 'TxProfile',
    chargingProfileKind: 'Relative',
    chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: limitW }] },
  };
}

function profile201(limitW: number, transactionId?: string) {
  return {
    id: profileId,
    ...(transactionId !== undefined ? { transactionId } : {}),
    stackLevel: 0,
    chargingProfilePurpose: 'TxProfile',
    chargingProfileKind: 'Relative',
    chargingSchedule: [
      { id: profileId, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: limitW }] },
    ],
  };
}

export interface Command {
  method: string;
  params: Record<string, unknown>;
}

export function remoteStart(
  protocol: OcppProtocol,
  start: { idTag: string; remoteStartId: number; limitW: number | null },
): Command {
  if (protocol === 'ocpp1.6') {
    return {
      method: 'RemoteStartTransaction',
      params: {
        connectorId: 1,
        idTag: start.idTag,
        ...(start.limitW !== null ? { chargingProfile: profile16(start.limitW) } : {}),
      },
    };
  }
  return {
    method: 'RequestStartTransaction',
    params: {
      evseId: 1,
      remoteStartId: start.remoteStartId,
      idToken: { idToken: start.idTag, type: 'Central' },
      ...(start.limitW !== null ? { chargingProfile: profile201(start.limitW) } : {}),
    },
  };
}

export function remoteStop(protocol: OcppProtocol, transactionId: string): Command {
  return protocol === 'ocpp1.6'
    ? { method: 'RemoteStopTransaction', params: { transactionId: Number(transactionId) } }
    : { method: 'RequestStopTransaction', params: { transactionId } };
}

export function setLimit(protocol: OcppProtocol, transactionId: string, limitW: number): Command {
  return protocol === 'ocpp1.6'
    ? {
        method: 'SetChargingProfile',
        params: { connectorId: 1, csChargingProfiles: profile16(limitW, Number(transactionId)) },
      }
    : {
        method: 'SetChargingProfile',
        params: { evseId: 1, chargingProfile: profile201(limitW, transactionId) },
      };
}

/** The whole station in or out of service (maintenance). */
export function changeAvailability(protocol: OcppProtocol, operative: boolean): Command {
  const state = operative ? 'Operative' : 'Inoperative';
  return protocol === 'ocpp1.6'
    ? { method: 'ChangeAvailability', params: { connectorId: 0, type: state } }
    : { method: 'ChangeAvailability', params: { operationalStatus: state } };
}

/** Both protocols answer commands with `{ status: 'Accepted' | ... }`. */
export function accepted(answer: Record<string, unknown>): boolean {
  return answer.status === 'Accepted';
}
