import { counterOf, type ServiceRuntime, scrapedGauge } from '@easypark/platform';
import { createRPCError } from 'ocpp-rpc';
import type { Charging } from '../charging.ts';
import { readMeter } from '../domain/meter.ts';
import type { ChargingSettings } from '../settings.ts';
import * as store from '../store.ts';
import { type CentralHooks, type OcppProtocol, ocppProtocols, type StationContext } from './central.ts';

/**
 * What each OCPP message from a station means, in 1.6 and 2.0.1. Messages arrive already checked
 * against the official schemas, so fields the schema requires are there.
 */

// biome-ignore lint/suspicious/noExplicitAny: OCPP payloads are validated by ocpp-rpc's schemas.
type Params = any;

/** A station's timestamp as the time of its final meter reading, when it is a real time. */
function validTime(timestamp: unknown): { meterAt?: Date } {
  const at = typeof timestamp === 'string' ? new Date(timestamp) : null;
  return at && Number.isFinite(at.getTime()) ? { meterAt: at } : {};
}

export function ocppHooks(
  runtime: ServiceRuntime,
  settings: ChargingSettings,
  charging: Charging,
): CentralHooks {
  const now = () => runtime.clock.now().toISOString();

  // The stations connected now, as the central system holds them: a connection that replaces a
  // station's previous one is reported connected again, and only the current one's close is reported.
  const connections = new Map<string, OcppProtocol>();
  scrapedGauge(runtime.registry, {
    name: 'ocpp_connections',
    help: 'Charging stations connected to the OCPP central system, by protocol',
    labelNames: ['protocol'],
  }).watch(runtime.name, () =>
    ocppProtocols.map((protocol) => ({
      labels: { protocol },
      value: [...connections.values()].filter((p) => p === protocol).length,
    })),
  );
  const received = counterOf(runtime.registry, {
    name: 'ocpp_messages_received_total',
    help: 'OCPP calls received from charging stations, by protocol and action',
    labelNames: ['protocol', 'action'],
  });

  async function handle16(station: StationContext, method: string, p: Params): Promise<unknown> {
    const id = station.stationId;
    switch (method) {
      case 'BootNotification':
        await charging.booted(id, {
          vendor: p.chargePointVendor,
          model: p.chargePointModel,
          firmware: p.firmwareVersion ?? null,
        });
        return { status: 'Accepted', currentTime: now(), interval: settings.heartbeatSeconds };
      case 'Heartbeat':
        return { currentTime: now() };
      case 'StatusNotification':
        if (p.connectorId === 1 || (p.connectorId === 0 && ['Unavailable', 'Faulted'].includes(p.status)))
          await charging.connectorStatusReported(id, p.status);
        return {};
      case 'Authorize':
        return { idTagInfo: { status: await charging.authorize(id, p.idTag) } };
      case 'StartTransaction': {
        const started = await charging.transactionStarted(id, station.protocol, {
          idTag: p.idTag,
          meterStartWh: p.meterStart,
        });
        return { transactionId: Number(started.transactionId), idTagInfo: { status: started.status } };
      }
      case 'MeterValues':
        if (p.transactionId !== undefined)
          await charging.meterReported(id, String(p.transactionId), readMeter(p.meterValue));
        return {};
      case 'StopTransaction':
        await charging.transactionEnded(id, String(p.transactionId), {
          meterWh: p.meterStop,
          ...validTime(p.timestamp),
          reason: p.reason ?? 'Local',
        });
        return { idTagInfo: { status: 'Accepted' } };
      case 'DataTransfer':
        return { status: 'UnknownVendorId' };
      case 'DiagnosticsStatusNotification':
      case 'FirmwareStatusNotification':
      case 'SecurityEventNotification':
      case 'LogStatusNotification':
      case 'SignedFirmwareStatusNotification':
        return {};
      default:
        throw createRPCError('NotImplemented', `${method} is not handled by this central system`);
    }
  }

  async function handle201(station: StationContext, method: string, p: Params): Promise<unknown> {
    const id = station.stationId;
    switch (method) {
      case 'BootNotification':
        await charging.booted(id, {
          vendor: p.chargingStation.vendorName,
          model: p.chargingStation.model,
          firmware: p.chargingStation.firmwareVersion ?? null,
        });
        return { status: 'Accepted', currentTime: now(), interval: settings.heartbeatSeconds };
      case 'Heartbeat':
        return { currentTime: now() };
      case 'StatusNotification':
        if (p.evseId === 1) await charging.connectorStatusReported(id, p.connectorStatus);
        return {};
      case 'Authorize':
        return { idTokenInfo: { status: await charging.authorize(id, p.idToken.idToken) } };
      case 'TransactionEvent':
        return transactionEvent(id, station, p);
      case 'MeterValues':
        return {};
      case 'NotifyEvent':
      case 'NotifyReport':
      case 'SecurityEventNotification':
      case 'FirmwareStatusNotification':
      case 'LogStatusNotification':
      case 'NotifyChargingLimit':
        return {};
      case 'DataTransfer':
        return { status: 'UnknownVendorId' };
      default:
        throw createRPCError('NotImplemented', `${method} is not handled by this central system`);
    }
  }

  async function transactionEvent(id: string, station: StationContext, p: Params): Promise<unknown> {
    const transactionId: string = p.transactionInfo.transactionId;
    const reading = p.meterValue ? readMeter(p.meterValue) : {};
    if (p.eventType === 'Started') {
      const started = await charging.transactionStarted(id, station.protocol, {
        idTag: p.idToken?.idToken ?? '',
        meterStartWh: reading.energyWh ?? null,
        transactionId,
        ...(p.transactionInfo.remoteStartId !== undefined
          ? { remoteStartId: p.transactionInfo.remoteStartId }
          : {}),
      });
      if (started.status === 'Accepted' && (reading.powerW !== undefined || reading.socPercent !== undefined))
        await charging.meterReported(id, transactionId, reading);
      return { idTokenInfo: { status: started.status } };
    }
    if (p.eventType === 'Updated') {
      if (p.meterValue) await charging.meterReported(id, transactionId, reading);
      return {};
    }
    await charging.transactionEnded(id, transactionId, {
      ...(reading.energyWh !== undefined
        ? {
            meterWh: reading.energyWh,
            ...(reading.energyAt ? { meterAt: reading.energyAt } : validTime(p.timestamp)),
          }
        : {}),
      reason: p.transactionInfo.stoppedReason ?? p.triggerReason,
    });
    return {};
  }

  return {
    async passwordHashOf(stationId) {
      return (await store.getStation(runtime.pool, stationId))?.ocpp_password_hash ?? null;
    },
    async handle(station, method, params) {
      // The action is one the protocol's schemas know: ocpp-rpc refuses any other before this.
      received.inc({ protocol: station.protocol, action: method });
      await store.touchStation(runtime.pool, station.stationId, runtime.clock.now());
      return station.protocol === 'ocpp1.6'
        ? handle16(station, method, params)
        : handle201(station, method, params);
    },
    connected(station) {
      connections.set(station.stationId, station.protocol);
      return charging.stationConnected(station.stationId, station.protocol);
    },
    disconnected(station) {
      connections.delete(station.stationId);
      return charging.stationGone(station.stationId);
    },
  };
}
