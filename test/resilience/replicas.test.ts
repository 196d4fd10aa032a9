import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, clusterMissing, startCluster } from './cluster.ts';
import { eventually, type Gate, openFacility } from './gate.ts';

// Two replicas of Parking behind the gateway (PARKING_URL lists both): requests take turns, and
// when one replica dies the gate does not notice. Nothing is recorded twice.

describe('two Parking replicas behind the gateway', () => {
  let c: Cluster;
  let g: Gate;

  beforeAll(async () => {
    if (clusterMissing) throw new Error(`the fault tests ${clusterMissing}`);
    c = await startCluster({ replicas: { parking: 2 } });
    g = await openFacility(c);
  }, 180_000);

  afterAll(async () => {
    await c?.close();
  });

  /** Entries one replica has answered, from its own /metrics. */
  async function entriesServed(url: string): Promise<number> {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('http_request_duration_seconds_count') &&
          l.includes('route="/parking/v1/sessions/entry"') &&
          l.includes('status_code="201"'),
      );
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  it('shares the entries between them, and carries on without a refusal when one is killed', async () => {
    const answers = [];
    for (let i = 0; i < 30; i++) {
      if (i === 10) {
        // The first ten took turns: each replica recorded five.
        expect(await Promise.all(c.replicaUrls('parking').map(entriesServed))).toEqual([5, 5]);
        await c.stop('parking', 'SIGKILL'); // the first replica; the second lives on
      }
      // One attempt each, no retry: the gateway itself must move on to the live replica.
      answers.push(
        await g.call('POST', '/parking/sessions/entry', {
          facility_id: g.facilityId,
          registration_number: `REP ${i}`,
        }),
      );
    }
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(201));
    const recorded = await c.db('parking').query<{ n: number }>(
      `SELECT count(DISTINCT s.session_id)::int AS n FROM parking_sessions s JOIN vehicles v USING (vehicle_id)
         WHERE v.registration_number LIKE 'REP%'`,
    );
    expect(recorded.rows[0]!.n).toBe(30);
    expect(await g.occupancy()).toBe(30);

    for (const answer of answers) {
      const exit = await g.call('POST', `/parking/sessions/${answer.body.session_id}/exit`, {});
      expect(exit.status).toBe(200);
    }
    const converged = await eventually(
      () => g.ledger(),
      (l) => l.unbilled === 0 && l.uninvoiced === 0,
      'billing',
    );
    expect(converged).toMatchObject({ open: 0, closed: 30, billedTwice: 0 });
  });
});
