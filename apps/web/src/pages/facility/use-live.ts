import { useEffect, useState } from 'react';
import { followOccupancy, type OccupancyEvent, type StreamState } from '../../lib/live.ts';
import type { Problem } from '../../lib/problems.ts';

export interface LiveFacility {
  /** The latest occupancy the stream sent. */
  occupancy: OccupancyEvent | null;
  stream: { state: StreamState; problem?: Problem | undefined };
  /** Counts every occupancy change (and every reconnection): sections reload what they show when it moves. */
  changes: number;
  /** Counts the alerts raised, cleared or acknowledged since the page opened. */
  alerts: number;
}

/** The facility's live occupancy and alerts over the analytics stream, while the page is open. */
export function useLiveFacility(facilityId: string): LiveFacility {
  const [occupancy, setOccupancy] = useState<OccupancyEvent | null>(null);
  const [stream, setStream] = useState<LiveFacility['stream']>({ state: 'connecting' });
  const [changes, setChanges] = useState(0);
  const [alerts, setAlerts] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setOccupancy(null);
    void followOccupancy(
      facilityId,
      {
        onOccupancy(event) {
          setOccupancy(event);
          setChanges((n) => n + 1);
        },
        onAlert() {
          setAlerts((n) => n + 1);
        },
        onState(state, problem) {
          setStream({ state, problem });
        },
      },
      controller.signal,
    );
    return () => controller.abort();
  }, [facilityId]);

  return { occupancy, stream, changes, alerts };
}
