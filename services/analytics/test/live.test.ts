import { makeEvent, newId } from '@easypark/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TenantFixture, type TestPlatform } from '../../../test/support/platform.ts';

/**
 * Live occupancy as the analytics service sees it from events: the current figures, the SSE
 * stream through the gateway, alerts raised once and cleared with hysteresis, across a restart.
 */

let t: TestPlatform;
let acme: TenantFixture;

beforeAll(async () => {
  t = await startTestPlatform();
  acme = await t.createTenant();
});
afterAll(() => t.stop());

const call = <T = any>(method: string, path: string, token: string, body?: unknown) =>
  t.request<T>(method, path, { token, ...(body !== undefined ? { body } : {}) });
const analytics = <T = any>(method: string, path: string, token: string, body?: unknown) =>
  call<T>(method, `/api/v1/analytics${path}`, token, body);

async function facilityWith(spaces: { compact?: number; standard?: number; large?: number }) {
  const capacity = { compact: spaces.compact ?? 0, standard: spaces.standard ?? 0, large: spaces.large ?? 0 };
  const f = await t.registerFacility(acme.adminToken, { capacity_breakdown: capacity });
  for (const [size, count] of Object.entries(capacity)) {
    if (count === 0) continue;
    const made = await call('POST', '/api/v1/parking/spaces/bulk', acme.adminToken, {
      facility_id: f.facility_id,
      size: size.toUpperCase(),
      floor: 0,
      aisle: size[0]!.toUpperCase(),
      count,
    });
    expect(made.status).toBe(201);
  }
  await t.drainEvents();
  return f.facility_id as string;
}

let plates = 0;
async function enter(facilityId: string) {
  const entry = await call('POST', '/api/v1/parking/sessions/entry', acme.operatorToken, {
    facility_id: facilityId,
    registration_number: `LV ${++plates}`,
  });
  expect(entry.status, JSON.stringify(entry.body)).toBe(201);
  return entry.body.session_id as string;
}
async function exit(sessionId: string) {
  const done = await call('POST', `/api/v1/parking/sessions/${sessionId}/exit`, acme.operatorToken, {});
  expect(done.status).toBe(200);
}

describe('current occupancy', () => {
  it('follows entries and exits, by size, for staff and drivers; another tenant gets 404', async () => {
    const facilityId = await facilityWith({ compact: 2, standard: 4 });
    const before = await analytics('GET', `/occupancy/${facilityId}`, acme.operatorToken);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      facility_id: facilityId,
      occupancy_rate: 0,
      occupied_spaces: 0,
      available_spaces: 6,
      available_by_size: { compact: 2, standard: 4, large: 0 },
      trending: 'STABLE',
    });
    const sessions = [await enter(facilityId), await enter(facilityId), await enter(facilityId)];
    await t.drainEvents();
    const during = (await analytics('GET', `/occupancy/${facilityId}`, acme.operatorToken)).body;
    expect(during).toMatchObject({
      occupied_spaces: 3,
      available_spaces: 3,
      occupancy_rate: 50,
      active_sessions: 3,
    });
    expect(during.available_by_size.compact + during.available_by_size.standard).toBe(3);
    await exit(sessions[0]!);
    await t.drainEvents();
    const driver = await t.createDriver();
    const seenByDriver = await analytics('GET', `/occupancy/${facilityId}`, driver.token);
    expect(seenByDriver.body).toMatchObject({
      occupied_spaces: 2,
      occupancy_rate: 33.33,
      active_sessions: 2,
    });
    expect((await analytics('GET', `/occupancy/${facilityId}/history`, driver.token)).status).toBe(403);
    const other = await t.createTenant();
    const hidden = await analytics('GET', `/occupancy/${facilityId}`, other.adminToken);
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('FACILITY_NOT_FOUND');
  });
});

describe('events delivered together', () => {
  it('are summed into the hour once, and keep the peak reached between them', async () => {
    const facilityId = await facilityWith({ standard: 2 });
    const at = (minute: number) => new Date(Date.now() - (10 - minute) * 60_000).toISOString();
    const visit = (n: number) => ({
      vehicle_id: newId('vehicle'),
      space_id: newId('space'),
      session_id: newId('session'),
      facility_id: facilityId,
      registration_number: `BATCH ${n}`,
      vehicle_type: 'CAR',
      customer_id: null,
    });
    const [a, b] = [visit(1), visit(2)];
    const entered = (v: typeof a, minute: number, occupied: number) =>
      makeEvent('/services/parking', {
        type: 'parking.vehicle.entered',
        tenantid: acme.tenant_id,
        facilityid: facilityId,
        data: { ...v, space_size: 'STANDARD', timestamp: at(minute), occupied_spaces: occupied },
      });
    const exited = (v: typeof a, entry: number, minute: number) =>
      makeEvent('/services/parking', {
        type: 'parking.vehicle.exited',
        tenantid: acme.tenant_id,
        facilityid: facilityId,
        data: {
          ...v,
          is_electric: false,
          entry_time: at(entry),
          exit_time: at(minute),
          duration_hours: (minute - entry) / 60,
          charge_amount: null,
          currency: null,
          timestamp: at(minute),
        },
      });
    const space = (v: typeof a, type: string, minute: number) =>
      makeEvent('/services/parking', {
        type,
        tenantid: acme.tenant_id,
        facilityid: facilityId,
        data: { space_id: v.space_id, facility_id: facilityId, size: 'STANDARD', timestamp: at(minute) },
      } as never);
    // Both spaces taken, then both freed: the batch ends empty, but was full in between. Each entry
    // and exit comes with its space's event, as Parking publishes them; on RabbitMQ the events may
    // reach the consumer in more than one batch, applied in any order.
    await t.platform.bus.publish([
      entered(a, 1, 1),
      space(a, 'parking.space.occupied', 1),
      entered(b, 2, 2),
      space(b, 'parking.space.occupied', 2),
      exited(a, 1, 3),
      space(a, 'parking.space.released', 3),
      exited(b, 2, 4),
      space(b, 'parking.space.released', 4),
    ]);
    await t.drainEvents();

    const now = (await analytics('GET', `/occupancy/${facilityId}`, acme.operatorToken)).body;
    expect(now).toMatchObject({ occupied_spaces: 0, occupancy_rate: 0, active_sessions: 0 });
    const pool = t.platform.pools.get('analytics')!;
    const samples = await pool.query(
      'SELECT occupancy_rate, peak_occupancy_rate FROM occupancy_metrics WHERE facility_id = $1',
      [facilityId],
    );
    expect(samples.rows).toEqual([{ occupancy_rate: 0, peak_occupancy_rate: 100 }]);
    const hours = await pool.query(
      `SELECT sum(entries_count)::int AS entries, sum(exits_count)::int AS exits,
              sum(total_session_minutes)::float AS minutes, max(peak_occupancy)::float AS peak
         FROM performance_metrics WHERE facility_id = $1`,
      [facilityId],
    );
    expect(hours.rows).toEqual([{ entries: 2, exits: 2, minutes: 4, peak: 100 }]);
  });

  it('keep a space free, and count the visit once, when its exit and release came before its entry', async () => {
    const facilityId = await facilityWith({ standard: 2 });
    const entryTime = new Date(Date.now() - 20 * 60_000).toISOString();
    const exitTime = new Date(Date.now() - 5 * 60_000).toISOString();
    const v = {
      vehicle_id: newId('vehicle'),
      space_id: newId('space'),
      session_id: newId('session'),
      facility_id: facilityId,
      registration_number: 'LATE 1',
      vehicle_type: 'CAR',
      customer_id: null,
    };
    const event = (type: string, data: Record<string, unknown>) =>
      makeEvent('/services/parking', {
        type,
        tenantid: acme.tenant_id,
        facilityid: facilityId,
        data,
      } as never);
    const space = (timestamp: string) => ({
      space_id: v.space_id,
      facility_id: facilityId,
      size: 'STANDARD',
      timestamp,
    });
    await t.platform.bus.publish([
      event('parking.vehicle.exited', {
        ...v,
        is_electric: false,
        entry_time: entryTime,
        exit_time: exitTime,
        duration_hours: 0.25,
        charge_amount: null,
        currency: null,
        timestamp: exitTime,
      }),
      event('parking.space.released', space(exitTime)),
    ]);
    await t.drainEvents();
    await t.platform.bus.publish([
      event('parking.vehicle.entered', {
        ...v,
        space_size: 'STANDARD',
        timestamp: entryTime,
        occupied_spaces: 1,
      }),
      event('parking.space.occupied', space(entryTime)),
    ]);
    await t.drainEvents();
    const now = (await analytics('GET', `/occupancy/${facilityId}`, acme.operatorToken)).body;
    expect(now).toMatchObject({ occupied_spaces: 0, active_sessions: 0 });
    const hours = await t.platform.pools
      .get('analytics')!
      .query(
        'SELECT sum(entries_count)::int AS entries, sum(exits_count)::int AS exits FROM performance_metrics WHERE facility_id = $1',
        [facilityId],
      );
    expect(hours.rows).toEqual([{ entries: 1, exits: 1 }]);
  });
});

/** Reads a Server-Sent Events stream through the gateway, as a dashboard would. */
async function openStream(facilityId: string, token: string, platform = t) {
  const gone = new AbortController();
  const response = await platform.platform.gateway.app.inject({
    method: 'GET',
    url: `/api/v1/analytics/occupancy/${facilityId}/stream`,
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    payloadAsStream: true,
    signal: gone.signal,
  });
  const received: Array<{ event: string; data: any }> = [];
  let buffer = '';
  let wake: () => void = () => {};
  const stream = response.stream();
  stream.on('error', () => {});
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (event && data) received.push({ event, data: JSON.parse(data) });
    }
    wake();
  });
  let read = 0;
  return {
    status: response.statusCode,
    type: String(response.headers['content-type']),
    received,
    /** The next event of that type (skipping others), waiting for it. */
    async next(type: string): Promise<any> {
      for (;;) {
        while (read < received.length) {
          const e = received[read++]!;
          if (e.event === type) return e.data;
        }
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ${type} event within 10 s`)), 10_000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    close: () => gone.abort(),
  };
}

describe('the live stream', () => {
  it('sends the current occupancy at once, then each entry and exit as it happens', async () => {
    const facilityId = await facilityWith({ standard: 5 });
    const stream = await openStream(facilityId, acme.operatorToken);
    expect(stream.status).toBe(200);
    expect(stream.type).toContain('text/event-stream');
    expect(await stream.next('occupancy')).toMatchObject({ facility_id: facilityId, occupied_spaces: 0 });
    // No drain: the stream has to deliver on its own, the way a dashboard sees it.
    const session = await enter(facilityId);
    let seen = await stream.next('occupancy');
    while (seen.occupied_spaces < 1) seen = await stream.next('occupancy');
    expect(seen).toMatchObject({ occupied_spaces: 1, available_spaces: 4, occupancy_rate: 20 });
    await exit(session);
    while (seen.occupied_spaces > 0) seen = await stream.next('occupancy');
    expect(seen).toMatchObject({ occupied_spaces: 0, available_spaces: 5 });
    stream.close();
  });

  it('is for the facility’s staff only', async () => {
    const facilityId = await facilityWith({ standard: 1 });
    const driver = await t.createDriver();
    const refused = await t.request('GET', `/api/v1/analytics/occupancy/${facilityId}/stream`, {
      token: driver.token,
      headers: { accept: 'text/event-stream' },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
  });
});

describe('alerts', () => {
  it('are raised once when a threshold is crossed, survive a restart, do not flap, and clear', async () => {
    const facilityId = await facilityWith({ standard: 4 });
    const set = await analytics('PUT', `/alerts/${facilityId}/thresholds`, acme.adminToken, {
      alert_type: 'HIGH_OCCUPANCY',
      raise_at: 75,
      clear_at: 25,
      severity: 'CRITICAL',
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const bad = await analytics('PUT', `/alerts/${facilityId}/thresholds`, acme.adminToken, {
      alert_type: 'HIGH_OCCUPANCY',
      raise_at: 50,
      clear_at: 60,
    });
    expect(bad.body.code).toBe('INVALID_THRESHOLD');
    expect(
      (
        await analytics('PUT', `/alerts/${facilityId}/thresholds`, acme.operatorToken, {
          alert_type: 'HIGH_OCCUPANCY',
          raise_at: 80,
          clear_at: 70,
        })
      ).status,
    ).toBe(403);

    const stream = await openStream(facilityId, acme.operatorToken);
    const sessions = [await enter(facilityId), await enter(facilityId), await enter(facilityId)];
    const raised = await stream.next('alert');
    expect(raised).toMatchObject({
      alert_type: 'HIGH_OCCUPANCY',
      severity: 'CRITICAL',
      current_value: 75,
      threshold_value: 75,
      active: true,
      acknowledged: false,
    });
    await t.drainEvents();
    stream.close();

    t = await t.restart();
    const afterRestart = (await analytics('GET', `/alerts/${facilityId}`, acme.operatorToken)).body;
    expect(afterRestart).toHaveLength(1);
    expect(afterRestart[0]).toMatchObject({ alert_id: raised.alert_id, active: true });

    const again = await openStream(facilityId, acme.operatorToken);
    await exit(sessions[0]!); // 50 %: above clear_at, the alert stays
    sessions[0] = await enter(facilityId); // 75 % again: no second alert
    await exit(sessions[1]!);
    await t.drainEvents();
    expect(
      (await analytics('GET', `/alerts/${facilityId}?include_cleared=true`, acme.operatorToken)).body,
    ).toHaveLength(1);

    const ack = await analytics('POST', `/alerts/${raised.alert_id}/acknowledge`, acme.operatorToken);
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ acknowledged: true, active: true, acknowledged_at: expect.any(String) });
    expect(
      (await analytics('POST', `/alerts/${raised.alert_id}/acknowledge`, acme.operatorToken)).body.code,
    ).toBe('ALERT_ALREADY_ACKNOWLEDGED');
    const other = await t.createTenant();
    expect((await analytics('POST', `/alerts/${raised.alert_id}/acknowledge`, other.adminToken)).status).toBe(
      404,
    );

    await exit(sessions[0]!); // 25 %: back at clear_at
    let cleared = await again.next('alert');
    while (cleared.active) cleared = await again.next('alert');
    expect(cleared).toMatchObject({
      alert_id: raised.alert_id,
      active: false,
      cleared_at: expect.any(String),
    });
    again.close();
    expect((await analytics('GET', `/alerts/${facilityId}`, acme.operatorToken)).body).toEqual([]);
    const history = (await analytics('GET', `/alerts/${facilityId}?include_cleared=true`, acme.operatorToken))
      .body;
    expect(history.map((a: any) => a.alert_id)).toEqual([raised.alert_id]);
  });

  it('LOW_AVAILABILITY per size by default, and STATION_OFFLINE from charging events', async () => {
    const facilityId = await facilityWith({ compact: 1, standard: 20 });
    const thresholds = (await analytics('GET', `/alerts/${facilityId}/thresholds`, acme.operatorToken)).body;
    expect(thresholds).toContainEqual({
      alert_type: 'LOW_AVAILABILITY',
      size: 'STANDARD',
      raise_at: 1,
      clear_at: 2,
      severity: 'WARNING',
      enabled: true,
    });
    await enter(facilityId); // the only compact space, or a standard one
    await t.drainEvents();

    const stationId = newId('station');
    const status = (current: string, previous: string, minute: number) =>
      makeEvent('/services/charging', {
        type: 'charging.station.status.changed',
        tenantid: acme.tenant_id,
        facilityid: facilityId,
        data: {
          station_id: stationId,
          facility_id: facilityId,
          previous_status: previous,
          current_status: current,
          timestamp: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
        },
      });
    await t.platform.bus.publish([status('OFFLINE', 'AVAILABLE', 1)]);
    await t.drainEvents();
    let open = (await analytics('GET', `/alerts/${facilityId}`, acme.operatorToken)).body;
    expect(open).toContainEqual(
      expect.objectContaining({ alert_type: 'STATION_OFFLINE', subject: stationId, active: true }),
    );
    // A late, older report changes nothing; the newer AVAILABLE clears it.
    await t.platform.bus.publish([status('AVAILABLE', 'OFFLINE', 2), status('OFFLINE', 'AVAILABLE', 0)]);
    await t.drainEvents();
    open = (await analytics('GET', `/alerts/${facilityId}`, acme.operatorToken)).body;
    expect(open.filter((a: any) => a.alert_type === 'STATION_OFFLINE')).toEqual([]);
  });
});
