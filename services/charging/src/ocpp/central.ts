import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@easypark/platform';
import { createRPCError, RPCServer } from 'ocpp-rpc';

/**
 * The OCPP central system's transport: stations connect over WebSocket at `/ocpp/{station_id}`
 * with HTTP Basic auth (security profile 1), speaking OCPP 1.6 or 2.0.1 (JSON). Every message is
 * checked against the official schemas both ways (strict mode). What the messages mean is
 * decided elsewhere (handlers.ts); this file holds the connections and sends commands.
 */

export type OcppProtocol = 'ocpp1.6' | 'ocpp2.0.1';
export const ocppProtocols: OcppProtocol[] = ['ocpp2.0.1', 'ocpp1.6'];

export interface StationContext {
  stationId: string;
  protocol: OcppProtocol;
}

export interface CentralHooks {
  /** The station's stored password hash, or null for an unknown station. */
  passwordHashOf(stationId: string): Promise<string | null>;
  /** Answers one call from a station; throw an RPC error (createRPCError) to refuse it. */
  handle(station: StationContext, method: string, params: unknown): Promise<unknown>;
  connected(station: StationContext): Promise<void>;
  disconnected(station: StationContext): Promise<void>;
}

interface ServerClient {
  identity: string;
  protocol: string | undefined;
  handle(handler: (call: { method: string; params: unknown }) => unknown): void;
  call(method: string, params?: unknown, options?: Record<string, unknown>): Promise<unknown>;
  close(options?: Record<string, unknown>): Promise<unknown>;
  on(event: 'close', listener: () => void): void;
}

export function hashStationPassword(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

function passwordMatches(given: Buffer | undefined, storedHash: string): boolean {
  if (!given) return false;
  const actual = Buffer.from(createHash('sha256').update(given).digest('hex'), 'utf8');
  const expected = Buffer.from(storedHash, 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export interface CentralSystem {
  /** For an HTTP server's 'upgrade' event; anything not under /ocpp/ is refused. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  isConnected(stationId: string): boolean;
  protocolOf(stationId: string): OcppProtocol | null;
  /** Sends a command to a connected station and returns its answer (throws if not connected or no answer). */
  call(stationId: string, method: string, params: unknown): Promise<Record<string, unknown>>;
  /** Closes a station's connection (it is treated as gone). */
  disconnect(stationId: string): Promise<void>;
  connectionCount(): number;
  /** Calls received and sent since start, for metrics and the benchmark. */
  counters: { received: number; sent: number };
  close(): Promise<void>;
}

export function createCentralSystem(options: {
  logger: Logger;
  hooks: CentralHooks;
  callTimeoutMs: number;
  pingIntervalMs?: number;
}): CentralSystem {
  const { logger, hooks } = options;
  const server = new RPCServer({
    protocols: ocppProtocols,
    strictMode: true,
    callTimeoutMs: options.callTimeoutMs,
    pingIntervalMs: options.pingIntervalMs ?? 30_000,
    respondWithDetailedErrors: false,
  });
  const clients = new Map<string, ServerClient>();
  const counters = { received: 0, sent: 0 };
  // Connections and disconnections being recorded; close() waits for them.
  const recording = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    recording.add(work);
    void work.finally(() => recording.delete(work));
  };

  server.auth((accept, reject, handshake) => {
    if (handshake.endpoint !== '/ocpp' || !handshake.identity) {
      reject(404, 'Not found');
      return;
    }
    hooks
      .passwordHashOf(handshake.identity)
      .then((hash) => {
        if (hash && passwordMatches(handshake.password, hash)) accept({ stationId: handshake.identity });
        else {
          logger.warn(
            { station: handshake.identity, from: handshake.remoteAddress },
            'OCPP connection refused',
          );
          reject(401, 'Unauthorized');
        }
      })
      .catch((error) => {
        logger.error({ err: error }, 'OCPP authentication failed');
        reject(503, 'Service unavailable');
      });
  });

  server.on('client', (client: ServerClient) => {
    const station: StationContext = { stationId: client.identity, protocol: client.protocol as OcppProtocol };
    const previous = clients.get(station.stationId);
    clients.set(station.stationId, client);
    if (previous) void previous.close({ code: 1000, reason: 'replaced by a new connection' });
    logger.info({ station: station.stationId, protocol: station.protocol }, 'station connected');

    client.handle(async ({ method, params }) => {
      counters.received += 1;
      try {
        return await hooks.handle(station, method, params);
      } catch (error) {
        if ((error as { rpcErrorCode?: string }).rpcErrorCode) throw error;
        logger.error({ err: error, station: station.stationId, method }, 'OCPP call failed');
        throw createRPCError('InternalError', 'the central system could not handle this call');
      }
    });
    client.on('close', () => {
      if (clients.get(station.stationId) !== client) return;
      clients.delete(station.stationId);
      logger.info({ station: station.stationId }, 'station disconnected');
      track(
        hooks
          .disconnected(station)
          .catch((error) => logger.error({ err: error }, 'could not record a disconnect')),
      );
    });
    track(
      hooks
        .connected(station)
        .catch((error) => logger.error({ err: error }, 'could not record a connection')),
    );
  });

  return {
    handleUpgrade(request, socket, head) {
      const path = (request.url ?? '').split('?')[0] ?? '';
      if (!path.startsWith('/ocpp/')) {
        socket.destroy();
        return;
      }
      void server.handleUpgrade(request, socket as Parameters<RPCServer['handleUpgrade']>[1], head);
    },
    isConnected: (stationId) => clients.has(stationId),
    protocolOf: (stationId) => (clients.get(stationId)?.protocol as OcppProtocol | undefined) ?? null,
    async call(stationId, method, params) {
      const client = clients.get(stationId);
      if (!client) throw new StationUnreachable(stationId);
      counters.sent += 1;
      return (await client.call(method, params)) as Record<string, unknown>;
    },
    async disconnect(stationId) {
      await clients.get(stationId)?.close({ code: 1001, reason: 'silent too long', force: true });
    },
    connectionCount: () => clients.size,
    counters,
    async close() {
      await server.close({ code: 1001, reason: 'central system shutting down', force: false });
      while (recording.size > 0) await Promise.all(recording);
    },
  };
}

export class StationUnreachable extends Error {
  constructor(stationId: string) {
    super(`station ${stationId} is not connected`);
  }
}
