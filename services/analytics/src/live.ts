/**
 * Live streams for dashboards. Changes are announced with PostgreSQL NOTIFY in the transaction
 * that made them, so every analytics process (there may be several replicas) hears each change
 * once it is committed, whichever process applied the event. One LISTEN connection per process
 * fans out to its Server-Sent Events clients.
 */
import type { Logger, Pool } from '@easypark/platform';
import type pg from 'pg';
import { type LiveMessage, liveChannel } from './monitor.ts';

type Listener = (message: LiveMessage) => void;

export interface LiveFeed {
  /** Calls `listener` for each change at the facility until the returned function is called. */
  subscribe(facilityId: string, listener: Listener): Promise<() => void>;
  close(): Promise<void>;
}

export function liveFeed(pool: Pool, logger: Logger): LiveFeed {
  const listeners = new Map<string, Set<Listener>>();
  let connection: Promise<pg.PoolClient> | null = null;
  let closed = false;

  function dispatch(payload: string | undefined) {
    if (!payload) return;
    let message: LiveMessage;
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    for (const listener of listeners.get(message.facility_id) ?? []) listener(message);
  }

  /** Until given back, the client carries our listeners; after, an error on it is the pool's to handle. */
  const stillOurs = (client: pg.PoolClient) => client.listenerCount('error') > 0;
  function giveBack(client: pg.PoolClient, error?: Error) {
    client.removeAllListeners('notification');
    client.removeAllListeners('error');
    client.release(error);
  }

  function connect(): Promise<pg.PoolClient> {
    connection ??= (async () => {
      const client = await pool.connect();
      client.on('notification', (n) => dispatch(n.payload));
      client.on('error', (error) => {
        logger.warn({ err: error }, 'live feed connection lost; reconnecting');
        giveBack(client, error);
        connection = null;
        if (!closed) setTimeout(() => connect().catch(() => {}), 1000).unref();
      });
      try {
        await client.query(`LISTEN ${liveChannel}`);
      } catch (error) {
        if (stillOurs(client)) giveBack(client, error as Error);
        throw error;
      }
      return client;
    })().catch((error) => {
      connection = null;
      throw error;
    });
    return connection;
  }

  return {
    async subscribe(facilityId, listener) {
      await connect();
      const set = listeners.get(facilityId) ?? new Set<Listener>();
      listeners.set(facilityId, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(facilityId);
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      const client = await connection?.catch(() => null);
      if (client && stillOurs(client)) {
        await client.query(`UNLISTEN ${liveChannel}`).catch(() => {});
        giveBack(client);
      }
      connection = null;
    },
  };
}
