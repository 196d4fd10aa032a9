import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReservationWorld, startReservationWorld } from './world.ts';

// Holds run out and drivers fail to come with nobody calling anything: the service's own timer
// (every second here) sees the clock move. The parking service hears about it through events.

let w: ReservationWorld;
beforeAll(async () => {
  const before = process.env.RESERVATION_SWEEP_SECONDS;
  process.env.RESERVATION_SWEEP_SECONDS = '1';
  try {
    w = await startReservationWorld();
  } finally {
    if (before === undefined) delete process.env.RESERVATION_SWEEP_SECONDS;
    else process.env.RESERVATION_SWEEP_SECONDS = before;
  }
});
afterAll(() => w?.t.stop());

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function outbox(type: string, reservationId: string) {
  const { rows } = await w.t.platform.pools
    .get('reservation')!
    .query('SELECT envelope FROM outbox WHERE type = $1 AND envelope->>$2 = $3', [
      type,
      'subject',
      reservationId,
    ]);
  return rows.map((r) => r.envelope);
}

const spaceStatus = async (facilityId: string, spaceId: string) =>
  (
    await w.t.request('GET', `/api/v1/parking/spaces/${facilityId}/${spaceId}`, {
      token: w.acme.operatorToken,
    })
  ).body.status;

describe('on its own clock', () => {
  it('expires a hold nobody confirmed, and the space is free to book again', async () => {
    const { facility_id } = await w.facility({ name: 'Expiry' }, 1);
    const body = {
      facility_id,
      desired_space_size: 'STANDARD',
      start_time: w.inMinutes(120),
      end_time: w.inMinutes(180),
    };
    const held = await w.reserve(w.driver.token, body);
    expect((await w.reserve(w.driver.token, body)).body.code).toBe('NO_SPACE_AVAILABLE');
    w.clock.advance(15 * 60_000);
    const expired = await eventually(
      () => w.get(w.driver.token, held.body.reservation_id),
      (r) => r.body.status === 'EXPIRED',
      'the hold to expire',
    );
    expect(expired.body.expired_at).toBe(w.clock.now().toISOString());
    expect(await outbox('reservation.expired', held.body.reservation_id)).toHaveLength(1);
    const late = await w.confirm(w.driver.token, held.body.reservation_id);
    expect([late.status, late.body.code]).toEqual([409, 'RESERVATION_EXPIRED']);
    expect((await w.reserve(w.driver.token, body)).status).toBe(201);
  });

  it('marks a no-show after the late grace, charges its fee and frees the reserved space', async () => {
    const { facility_id } = await w.facility(
      { name: 'No-show', reservation_policy: { arrival_grace_late_minutes: 20, no_show_fee: 7.5 } },
      1,
    );
    const booked = await w.reserve(w.driver.token, {
      facility_id,
      desired_space_size: 'STANDARD',
      start_time: w.inMinutes(30),
      end_time: w.inMinutes(150),
    });
    await w.confirm(w.driver.token, booked.body.reservation_id);
    const spaceId = booked.body.space_id;
    w.clock.advance(20 * 60_000); // inside the arrival window (from start − 15 min)
    await w.t.drainEvents();
    await w.t.platform.services.get('parking')!.background!.run!();
    await w.t.drainEvents();
    expect(await spaceStatus(facility_id, spaceId)).toBe('RESERVED');
    w.clock.advance(30 * 60_000); // start + 20 min: too late
    const missed = await eventually(
      () => w.get(w.driver.token, booked.body.reservation_id),
      (r) => r.body.status === 'NO_SHOW',
      'the no-show',
    );
    expect(missed.body.fee_charged).toBe(7.5);
    const [event] = await outbox('reservation.no_show', booked.body.reservation_id);
    expect(event.data).toMatchObject({ no_show_fee: 7.5, currency: 'GBP', space_id: spaceId });
    await w.t.drainEvents();
    expect(await spaceStatus(facility_id, spaceId)).toBe('AVAILABLE');
  });
});

describe('arrival', () => {
  it('parks the car on its reserved space by code and fulfils the reservation', async () => {
    const { facility_id } = await w.facility({ name: 'Arrival' }, 2);
    const booked = await w.reserve(w.driver.token, {
      facility_id,
      desired_space_size: 'STANDARD',
      start_time: w.inMinutes(60),
      end_time: w.inMinutes(180),
    });
    await w.confirm(w.driver.token, booked.body.reservation_id);
    const enter = (code: string) =>
      w.t.request('POST', '/api/v1/parking/sessions/entry', {
        token: w.acme.operatorToken,
        body: { facility_id, registration_number: 'RES 1', reservation_code: code },
      });
    const early = await enter(booked.body.confirmation_code);
    expect([early.status, early.body.code]).toEqual([409, 'ARRIVAL_TOO_EARLY']);
    const wrong = await enter('ZZZZ-ZZZZ');
    expect([wrong.status, wrong.body.code]).toEqual([404, 'RESERVATION_NOT_FOUND']);
    w.clock.advance(50 * 60_000);
    // As a driver might read it out: lower case, with a dash.
    const code = booked.body.confirmation_code.toLowerCase();
    const parked = await enter(`${code.slice(0, 4)}-${code.slice(4)}`);
    expect(parked.status).toBe(201);
    expect(parked.body).toMatchObject({
      space_id: booked.body.space_id,
      reservation_id: booked.body.reservation_id,
    });
    await w.t.drainEvents();
    const fulfilled = await w.get(w.driver.token, booked.body.reservation_id);
    expect(fulfilled.body).toMatchObject({ status: 'FULFILLED', session_id: parked.body.session_id });
    expect(await outbox('reservation.fulfilled', booked.body.reservation_id)).toHaveLength(1);
    const twice = await enter(booked.body.confirmation_code);
    expect(twice.body.code).toBe('RESERVATION_ALREADY_USED');
  });
});
