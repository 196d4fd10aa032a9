import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, clusterMissing, startCluster } from './cluster.ts';
import { type Answer, eventually, type Gate, openFacility } from './gate.ts';

const run = promisify(execFile);

// Faults in the distributed mode, every service its own process on real PostgreSQL and RabbitMQ:
// Parking killed in the middle of a stream of entries and exits and started again, Billing killed
// and then hung while cars leave, RabbitMQ stopped and started, a second Billing replica on the
// same queue, Parking stopped with requests in flight. After each, the system converges: every
// visit has its charge and its invoice exactly once, and occupancy matches the sessions.

describe('faults in the distributed mode', () => {
  let c: Cluster;
  let g: Gate;
  let facilityId: string;
  const call: Gate['call'] = (...args) => g.call(...args);
  const ledger = () => g.ledger();
  const occupancy = () => g.occupancy();

  beforeAll(async () => {
    if (clusterMissing) throw new Error(`the fault tests ${clusterMissing}`);
    c = await startCluster();
    g = await openFacility(c);
    facilityId = g.facilityId;
  }, 180_000);

  afterAll(async () => {
    await c?.close();
  });

  it('kills Parking in the middle of a stream of entries and exits, starts it again, and converges', async () => {
    const plates = Array.from({ length: 40 }, (_, i) => `KIL ${String(i).padStart(3, '0')}`);
    const sessions: string[] = [];
    let failedWhileDown = 0;
    for (const [i, plate] of plates.entries()) {
      if (i === 15) {
        await c.stop('parking', 'SIGKILL');
        // The gate keeps trying while Parking is away; the gateway answers 503 in the meantime.
        const down = await call('POST', '/parking/sessions/entry', {
          facility_id: facilityId,
          registration_number: 'DOWN 1',
        });
        expect(down.status).toBeGreaterThanOrEqual(500);
        expect(down.body?.code).toMatch(/SERVICE_UNAVAILABLE|UPSTREAM/);
        failedWhileDown += 1;
        setTimeout(() => void c.start('parking'), 1_000);
      }
      const id = await g.enter(plate);
      if (id) sessions.push(id);
    }
    // Every other car leaves, while Parking is killed once more half way through.
    for (const [i, id] of sessions.entries()) {
      if (i % 2 === 1) continue;
      if (i === 20) {
        await c.stop('parking', 'SIGKILL');
        setTimeout(() => void c.start('parking'), 500);
      }
      await g.leave(id);
    }
    expect(failedWhileDown).toBe(1);

    const converged = await eventually(
      ledger,
      (l) => l.unbilled === 0 && l.uninvoiced === 0,
      'billing of every closed visit',
    );
    expect(converged).toMatchObject({ open: 20, closed: 20, unbilled: 0, uninvoiced: 0, billedTwice: 0 });
    // Occupancy is what the sessions say, in Parking and in Analytics (built from the events).
    expect(await occupancy()).toBe(20);
    await eventually(
      async () => (await call('GET', `/analytics/occupancy/${facilityId}`)).body?.occupied_spaces,
      (n) => n === 20,
      'analytics occupancy',
    );
  });

  it('lets cars leave while Billing is down; they are billed once it is back, each exactly once', async () => {
    const plates = Array.from({ length: 6 }, (_, i) => `BDN ${i}`);
    const ids: string[] = [];
    for (const plate of plates) {
      ids.push((await g.enter(plate))!);
    }
    await c.stop('billing', 'SIGKILL');
    for (const id of ids) {
      // The barrier opens: the exit does not wait for Billing, and says the price is not known yet.
      const exit = await call('POST', `/parking/sessions/${id}/exit`, {});
      expect(exit.status, JSON.stringify(exit.body)).toBe(200);
      expect(exit.body.charge_amount).toBeNull();
    }
    await c.start('billing');
    const converged = await eventually(
      ledger,
      (l) => l.unbilled === 0 && l.uninvoiced === 0,
      'billing after the outage',
    );
    expect(converged.billedTwice).toBe(0);
    // Parking learns each amount from billing.charge.created.
    await eventually(
      async () =>
        Promise.all(
          ids.map(async (id) => (await call('GET', `/parking/sessions/${id}`)).body?.charge_amount),
        ),
      (amounts) => amounts.every((a) => typeof a === 'number'),
      'charge amounts back in Parking',
    );
  });

  it('carries on through a RabbitMQ restart: exits during the outage are billed once it is back', async () => {
    const ids: string[] = [];
    for (const plate of ['RMQ 1', 'RMQ 2', 'RMQ 3', 'RMQ 4']) {
      ids.push((await g.enter(plate))!);
    }
    await run('rabbitmqctl', ['stop_app'], { timeout: 60_000 });
    try {
      // The exits commit with their events in each service's outbox; nothing is published yet.
      for (const id of ids) {
        const exit = await call('POST', `/parking/sessions/${id}/exit`, {});
        expect(exit.status, JSON.stringify(exit.body)).toBe(200);
      }
    } finally {
      await run('rabbitmqctl', ['start_app'], { timeout: 60_000 });
      await run('rabbitmqctl', ['await_startup'], { timeout: 60_000 });
    }
    const converged = await eventually(
      ledger,
      (l) => l.unbilled === 0 && l.uninvoiced === 0,
      'billing after the broker restart',
      90_000,
    );
    expect(converged.billedTwice).toBe(0);
    // And new traffic flows end to end again.
    await g.leave((await g.enter('RMQ 5'))!);
    const final = await eventually(
      ledger,
      (l) => l.unbilled === 0 && l.uninvoiced === 0,
      'billing after the restart',
    );
    expect(final.billedTwice).toBe(0);
    expect(await occupancy()).toBe(final.open);
  });

  it('opens the barrier when Billing hangs: the exit gives up on the quote after its timeout', async () => {
    const sessionId = (await g.enter('SLO 1'))!;
    // A frozen process: its port still accepts connections, but nothing answers.
    await c.stop('billing', 'SIGSTOP');
    const started = Date.now();
    let exit: Answer;
    try {
      exit = await call('POST', `/parking/sessions/${sessionId}/exit`, {});
    } finally {
      await c.resume('billing');
    }
    expect(exit.status, JSON.stringify(exit.body)).toBe(200);
    expect(exit.body.charge_amount).toBeNull();
    expect(Date.now() - started).toBeLessThan(5_000);
    const converged = await eventually(
      ledger,
      (l) => l.unbilled === 0 && l.uninvoiced === 0,
      'billing after the freeze',
    );
    expect(converged.billedTwice).toBe(0);
  });

  it('shares the work between two Billing replicas on one queue, billing each visit once', async () => {
    const second = await c.startReplica('billing');
    try {
      // Two consumers on Billing's one queue: RabbitMQ hands each delivery to one of them.
      expect(await c.consumers('billing')).toBe(2);
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) ids.push((await g.enter(`TWO ${i}`))!);
      await Promise.all(ids.map((id) => g.leave(id)));
      const converged = await eventually(
        ledger,
        (l) => l.unbilled === 0 && l.uninvoiced === 0,
        'billing by two replicas',
      );
      expect(converged.billedTwice).toBe(0);
    } finally {
      await second.stop();
    }
  });

  it('drains in-flight entries when Parking is stopped: each is recorded and answered, or refused whole', async () => {
    const plates = Array.from({ length: 16 }, (_, i) => `DRN ${i}`);
    const answers = plates.map((plate) =>
      call('POST', '/parking/sessions/entry', { facility_id: facilityId, registration_number: plate }),
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    // A clean exit: drained within the grace period, not killed when it ran out.
    expect(await c.stop('parking', 'SIGTERM'), c.logs('parking')).toBe(0);
    const settled = await Promise.all(answers);
    const recorded = await c.db('parking').query<{ registration_number: string }>(
      `SELECT v.registration_number FROM parking_sessions s JOIN vehicles v USING (vehicle_id)
         WHERE s.facility_id = $1 AND v.registration_number LIKE 'DRN%'`,
      [facilityId],
    );
    const inDatabase = new Set(recorded.rows.map((r) => r.registration_number));
    for (const [i, answer] of settled.entries()) {
      const plate = plates[i]!.replace(' ', '');
      // Answered and recorded, or refused with a clear error and not recorded: never in between.
      if (answer.status === 201) expect(inDatabase.has(plate), plate).toBe(true);
      else {
        expect(answer.status, JSON.stringify(answer.body)).toBe(503);
        expect(answer.body.code).toBe('SERVICE_UNAVAILABLE');
        expect(inDatabase.has(plate), plate).toBe(false);
      }
    }
    expect(settled.filter((a) => a.status === 201).length).toBeGreaterThan(0);
    await c.start('parking');
  });
});
