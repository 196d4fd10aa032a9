import { ApiError, authorizedFetch } from './api.ts';
import { isProblem, type Problem } from './problems.ts';
import { createSseParser } from './sse.ts';

/** A facility's occupancy as the analytics stream sends it (`event: occupancy`). */
export interface OccupancyEvent {
  facility_id: string;
  timestamp: string;
  occupancy_rate: number;
  occupied_spaces: number;
  available_spaces: number;
  capacity: number;
  available_by_size: { compact: number; standard: number; large: number };
  active_sessions: number;
  active_charging_sessions: number;
}

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'failed';

/**
 * Follows GET /analytics/occupancy/{id}/stream until the signal aborts: fetch (for the
 * Authorization header) and a stream reader, reconnecting after the delay the stream asks for.
 * A refusal (403, 404) stops it: retrying would not change the answer.
 */
export async function followOccupancy(
  facilityId: string,
  handlers: {
    onOccupancy(event: OccupancyEvent): void;
    onAlert?(data: unknown): void;
    onState(state: StreamState, problem?: Problem): void;
  },
  signal: AbortSignal,
): Promise<void> {
  let delay = 3000;
  let failures = 0;
  while (!signal.aborted) {
    handlers.onState(failures === 0 ? 'connecting' : 'reconnecting');
    try {
      const response = await authorizedFetch(`analytics/occupancy/${encodeURIComponent(facilityId)}/stream`, {
        headers: { accept: 'text/event-stream' },
        signal,
      });
      if (!response.ok || !response.body) {
        const body: unknown = await response.json().catch(() => null);
        const problem = isProblem(body) ? body : { status: response.status };
        if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          handlers.onState('failed', problem);
          return;
        }
        throw new ApiError(response.status, problem);
      }
      const parser = createSseParser();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.push(value)) {
          if (event.event === 'occupancy') {
            failures = 0;
            handlers.onState('live');
            handlers.onOccupancy(JSON.parse(event.data) as OccupancyEvent);
          } else if (event.event === 'alert') {
            handlers.onAlert?.(JSON.parse(event.data));
          }
        }
        delay = parser.retry ?? delay;
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status === 401) {
        handlers.onState('failed', error.problem);
        return; // the session ended: the app is back at sign-in
      }
    }
    if (signal.aborted) return;
    failures += 1;
    handlers.onState('reconnecting');
    // Back off up to a minute when the stream keeps failing.
    await sleep(Math.min(delay * 2 ** Math.min(failures - 1, 4), 60_000), signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
