import { type EventCatalog, makeEvent, manualClock, newId } from '@easypark/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canTakeBookedSpace, reservedStatus } from '../src/domain/reservations.ts';
import { chooseSpace } from '../src/domain/spaces.ts';
import { type ParkingWorld, startParkingWorld } from './helpers.ts';

const minute = 60_000;
const grace = 15 * minute;
const clock = manualClock(new Date(Math.floor(Date.now() / 1000) * 1000));

let w: ParkingWorld;
beforeAll(async () => {
  w = await startParkingWorld({}, { clock });
});
afterAll(() => w?.stop());

type ReservationEvent =
  | 'reservation.confirmed'
  | 'reservation.cancelled'
  | 'reservation.expired'
  | 'reservation.no_show'
  | 'reservation.fulfilled';

/** Publishes what the Reservation service would, at the platform clock's time, and waits for it to apply. */
async function publish<K extends ReservationEvent>(type: K, data: EventCatalog[K]) {
  await w.t.platform.bus.publish([
    makeEvent('/services/reservation', {
      type,
      data,
      subject: data.reservation_id,
      facilityid: data.facility_id,
      time: clock.now(),
    }),
  ]);
  await w.t.drainEvents();
}

interface Booked {
  reservation_id: string;
  space_id: string;
  facility_id: string;
  customer_id: string;
  start: Date;
  arrival_from: Date;
  arrival_until: Date;
}

/** A confirmation of a one-hour reservation of `space` starting `startsIn` ms from now. */
function confirmation(
  space: any,
  startsIn: number,
  plate: string | null = null,
): Booked & { data: EventCatalog['reservation.confirmed'] } {
  const start = new Date(clock.now().getTime() + startsIn);
  const booked = {
    reservation_id: newId('reservation'),
    space_id: space.space_id,
    facility_id: space.facility_id,
    customer_id: w.driver.customer_id,
    start,
    arrival_from: new Date(start.getTime() - grace),
    arrival_until: new Date(start.getTime() + grace),
  };
  return {
    ...booked,
    data: {
      reservation_id: booked.reservation_id,
      space_id: booked.space_id,
      confirmation_code: 'K7Q2MX',
      facility_id: booked.facility_id,
      customer_id: booked.customer_id,
      start_time: start.toISOString(),
      end_time: new Date(start.getTime() + 60 * minute).toISOString(),
      registration_number: plate,
      arrival_from: booked.arrival_from.toISOString(),
      arrival_until: booked.arrival_until.toISOString(),
    },
  };
}

async function confirm(space: any, startsIn: number, plate: string | null = null): Promise<Booked> {
  const c = confirmation(space, startsIn, plate);
  await publish('reservation.confirmed', c.data);
  return c;
}

const ended = (r: Booked) => ({
  reservation_id: r.reservation_id,
  facility_id: r.facility_id,
  space_id: r.space_id,
  customer_id: r.customer_id,
});

const round = () => w.t.platform.services.get('parking')!.background!.run!();

async function spaceOf(space: any) {
  const res = await w.api('GET', `/spaces/${space.facility_id}/${space.space_id}`, w.a.operatorToken);
  expect(res.status).toBe(200);
  return res.body as { status: string; status_reason: string | null };
}

async function statusOf(space: any) {
  return (await spaceOf(space)).status;
}

async function occupancy(facilityId: string) {
  const res = await w.api('GET', `/occupancy/${facilityId}`, w.a.operatorToken);
  expect(res.status).toBe(200);
  const { total_spaces, occupied_spaces, available_spaces, reserved_spaces, maintenance_spaces } = res.body;
  return {
    total: total_spaces,
    occupied: occupied_spaces,
    available: available_spaces,
    reserved: reserved_spaces,
    maintenance: maintenance_spaces,
  };
}

async function setStatus(space: any, status: string, reason?: string) {
  const res = await w.api('PUT', `/spaces/${space.space_id}/status`, w.a.operatorToken, {
    status,
    ...(reason ? { reason } : {}),
  });
  expect(res.status).toBe(200);
}

async function localReservation(reservationId: string) {
  const { rows } = await w.t.platform.pools
    .get('parking')!
    .query(
      'SELECT status, session_id, registration_number FROM space_reservations WHERE reservation_id = $1',
      [reservationId],
    );
  return rows[0] ?? null;
}

async function statusChanges(spaceId: string) {
  return (await w.events('parking.space.status.changed'))
    .filter((e) => e.data.space_id === spaceId)
    .map((e) => `${e.data.previous_status}>${e.data.current_status} ${e.data.reason}`);
}

describe('reservation rules', () => {
  const held = (id: string) => ({ status: 'RESERVED' as const, status_reason: `reservation ${id}` });
  const free = { status: 'AVAILABLE' as const, status_reason: null };

  it('holds, moves and frees a space by its open window, and leaves everything else alone', () => {
    expect(reservedStatus(free, 'res_1')).toEqual({ status: 'RESERVED', reason: 'reservation res_1' });
    expect(reservedStatus(free, null)).toBeNull();
    expect(reservedStatus(held('res_1'), 'res_1')).toBeNull();
    expect(reservedStatus(held('res_1'), 'res_2')).toEqual({
      status: 'RESERVED',
      reason: 'reservation res_2',
    });
    expect(reservedStatus(held('res_1'), null)).toEqual({ status: 'AVAILABLE', reason: null });
    expect(reservedStatus({ status: 'RESERVED', status_reason: 'VIP' }, null)).toBeNull();
    expect(reservedStatus({ status: 'RESERVED', status_reason: null }, 'res_1')).toBeNull();
    expect(reservedStatus({ status: 'MAINTENANCE', status_reason: null }, 'res_1')).toBeNull();
    expect(reservedStatus({ status: 'OCCUPIED', status_reason: null }, null)).toBeNull();
  });

  it('lets a driver take the booked space if it fits and is free or held, even for the next booking', () => {
    const std = (s: { status: any; status_reason: string | null }) => ({ size: 'STANDARD' as const, ...s });
    expect(canTakeBookedSpace(std(free), 'CAR')).toBe(true);
    expect(canTakeBookedSpace(std(held('res_1')), 'CAR')).toBe(true);
    expect(canTakeBookedSpace(std(held('res_2')), 'CAR')).toBe(true);
    expect(canTakeBookedSpace(std(free), 'TRUCK')).toBe(false);
    expect(canTakeBookedSpace(std({ status: 'OCCUPIED', status_reason: null }), 'CAR')).toBe(false);
    expect(canTakeBookedSpace(std({ status: 'MAINTENANCE', status_reason: null }), 'CAR')).toBe(false);
  });

  it('offers unbooked spaces first, then the latest booked, and never a held one', () => {
    const at = (
      number: number,
      next_arrival: Date | null,
      held = false,
      size: 'STANDARD' | 'LARGE' = 'STANDARD',
    ) => ({
      size,
      status: 'AVAILABLE' as const,
      location: { floor: 0, aisle: 'A', number },
      next_arrival,
      held,
    });
    const soon = new Date('2030-01-01T10:00:00Z');
    const later = new Date('2030-01-01T15:00:00Z');
    expect(chooseSpace([at(1, soon), at(2, null), at(3, later)], 'CAR')?.location.number).toBe(2);
    expect(chooseSpace([at(1, soon), at(3, later)], 'CAR')?.location.number).toBe(3);
    expect(chooseSpace([at(1, null, true), at(2, soon)], 'CAR')?.location.number).toBe(2);
    expect(chooseSpace([at(1, soon), at(2, null, false, 'LARGE')], 'CAR')?.location.number).toBe(1);
    expect(chooseSpace([at(1, null, true)], 'CAR')).toBeNull();
  });
});

describe('a booked space during its arrival window', () => {
  it('is RESERVED from arrival_from until arrival_until, after a round', async () => {
    const facility = await w.newFacility();
    const [space, other] = await w.row(facility, 'STANDARD', 2);
    const r = await confirm(space, 60 * minute);

    expect(await localReservation(r.reservation_id)).toMatchObject({ status: 'ACTIVE' });
    expect(await statusOf(space)).toBe('AVAILABLE');
    await round();
    expect(await statusOf(space)).toBe('AVAILABLE');

    clock.set(new Date(r.arrival_from.getTime() - 1000));
    await round();
    expect(await statusOf(space)).toBe('AVAILABLE');

    clock.set(r.arrival_from);
    await round();
    expect(await spaceOf(space)).toMatchObject({
      status: 'RESERVED',
      status_reason: `reservation ${r.reservation_id}`,
    });
    expect(await statusOf(other)).toBe('AVAILABLE');
    expect(await occupancy(facility)).toEqual({
      total: 2,
      occupied: 0,
      available: 1,
      reserved: 1,
      maintenance: 0,
    });

    clock.set(new Date(r.arrival_until.getTime() - 1000));
    await round();
    expect(await statusOf(space)).toBe('RESERVED');

    clock.set(r.arrival_until);
    await round();
    expect(await spaceOf(space)).toMatchObject({ status: 'AVAILABLE', status_reason: null });
    expect(await occupancy(facility)).toMatchObject({ available: 2, reserved: 0 });
    expect(await statusChanges(space.space_id)).toEqual([
      `AVAILABLE>RESERVED reservation ${r.reservation_id}`,
      'RESERVED>AVAILABLE null',
    ]);
    const released = (await w.events('parking.space.released')).filter(
      (e) => e.data.space_id === space.space_id,
    );
    expect(released).toHaveLength(1);
  });

  it('is held at once when the confirmation arrives inside the window, and freed by cancel, expiry and no-show', async () => {
    const facility = await w.newFacility();
    const [s1, s2, s3] = await w.row(facility, 'STANDARD', 3);
    const r1 = await confirm(s1, 5 * minute);
    const r2 = await confirm(s2, 0);
    const r3 = await confirm(s3, -10 * minute);
    for (const s of [s1, s2, s3]) expect(await statusOf(s)).toBe('RESERVED');
    expect(await occupancy(facility)).toMatchObject({ reserved: 3, available: 0, occupied: 0 });

    await publish('reservation.cancelled', {
      ...ended(r1),
      reason: 'plans changed',
      cancellation_fee: 0,
      currency: 'GBP',
      cancelled_at: clock.now().toISOString(),
    });
    expect(await statusOf(s1)).toBe('AVAILABLE');
    expect(await localReservation(r1.reservation_id)).toMatchObject({ status: 'RELEASED' });

    await publish('reservation.expired', {
      reservation_id: r2.reservation_id,
      facility_id: facility,
      space_id: s2.space_id,
      expired_at: clock.now().toISOString(),
    });
    expect(await statusOf(s2)).toBe('AVAILABLE');

    await publish('reservation.no_show', {
      ...ended(r3),
      no_show_fee: 5,
      currency: 'GBP',
      start_time: r3.start.toISOString(),
    });
    expect(await statusOf(s3)).toBe('AVAILABLE');
    expect(await occupancy(facility)).toMatchObject({ reserved: 0, available: 3, occupied: 0 });

    // Rounds leave released reservations alone.
    await round();
    for (const s of [s1, s2, s3]) expect(await statusOf(s)).toBe('AVAILABLE');
  });

  it('stays released when a confirmation arrives late or twice', async () => {
    const facility = await w.newFacility();
    const [s1, s2] = await w.row(facility, 'STANDARD', 2);

    const late = confirmation(s1, 0);
    await publish('reservation.cancelled', {
      ...ended(late),
      reason: null,
      cancellation_fee: 0,
      currency: 'GBP',
      cancelled_at: clock.now().toISOString(),
    });
    await publish('reservation.confirmed', late.data);
    await round();
    expect(await statusOf(s1)).toBe('AVAILABLE');
    expect(await localReservation(late.reservation_id)).toMatchObject({ status: 'RELEASED' });

    const twice = confirmation(s2, 0);
    await publish('reservation.confirmed', twice.data);
    await publish('reservation.confirmed', twice.data);
    expect(await statusChanges(s2.space_id)).toEqual([
      `AVAILABLE>RESERVED reservation ${twice.reservation_id}`,
    ]);
  });

  it('never touches a space under maintenance, an occupied one or an operator’s hold', async () => {
    const facility = await w.newFacility();
    const [repair, taken, vip, free] = await w.row(facility, 'STANDARD', 4);
    await setStatus(repair, 'MAINTENANCE', 'lights');
    const entry = await w.enter(w.a.operatorToken, {
      facility_id: facility,
      registration_number: 'OC 1',
      space_id: taken.space_id,
    });
    expect(entry.status).toBe(201);
    await setStatus(vip, 'RESERVED', 'VIP');

    const r1 = await confirm(repair, 0);
    await confirm(taken, 0);
    await confirm(vip, 0);
    await round();
    expect(await spaceOf(repair)).toMatchObject({ status: 'MAINTENANCE', status_reason: 'lights' });
    expect(await statusOf(taken)).toBe('OCCUPIED');
    expect(await spaceOf(vip)).toMatchObject({ status: 'RESERVED', status_reason: 'VIP' });
    expect(await statusOf(free)).toBe('AVAILABLE');
    expect(await occupancy(facility)).toEqual({
      total: 4,
      occupied: 1,
      available: 1,
      reserved: 1,
      maintenance: 1,
    });

    // Back from maintenance inside the window: the next round holds it for its reservation.
    await setStatus(repair, 'AVAILABLE');
    await round();
    expect(await spaceOf(repair)).toMatchObject({
      status: 'RESERVED',
      status_reason: `reservation ${r1.reservation_id}`,
    });

    // The window ends: the operator's hold stays, the reservation's hold goes.
    clock.advance(grace + minute);
    await round();
    expect(await statusOf(repair)).toBe('AVAILABLE');
    expect(await spaceOf(vip)).toMatchObject({ status: 'RESERVED', status_reason: 'VIP' });
    expect(await occupancy(facility)).toEqual({
      total: 4,
      occupied: 1,
      available: 2,
      reserved: 1,
      maintenance: 0,
    });
  });
});

describe('drive-up assignment', () => {
  it('prefers unbooked spaces, then those booked for latest, and never takes a held one', async () => {
    const facility = await w.newFacility();
    const [held, soon, later, unbooked] = await w.row(facility, 'STANDARD', 4);
    const [large] = await w.row(facility, 'LARGE', 1, 0, 'L');
    await confirm(held, 0);
    await confirm(soon, 60 * minute);
    await confirm(later, 5 * 60 * minute);
    expect(await statusOf(held)).toBe('RESERVED');

    const spaces: string[] = [];
    for (const plate of ['DU 1', 'DU 2', 'DU 3', 'DU 4']) {
      const res = await w.enter(w.a.operatorToken, { facility_id: facility, registration_number: plate });
      expect(res.status).toBe(201);
      expect(res.body.reservation_id).toBeNull();
      spaces.push(res.body.space_id);
    }
    // The exact size comes first: the LARGE space only once no STANDARD one is free.
    expect(spaces).toEqual([unbooked.space_id, later.space_id, soon.space_id, large.space_id]);

    const full = await w.enter(w.a.operatorToken, { facility_id: facility, registration_number: 'DU 5' });
    expect(full.status).toBe(409);
    expect(full.body.code).toBe('NO_SPACE_AVAILABLE');
    expect(await statusOf(held)).toBe('RESERVED');
    expect(await occupancy(facility)).toEqual({
      total: 5,
      occupied: 4,
      available: 0,
      reserved: 1,
      maintenance: 0,
    });
  });

  it('keeps a space whose window opened before the round marked it', async () => {
    const facility = await w.newFacility();
    const [space] = await w.row(facility, 'STANDARD', 1);
    const r = await confirm(space, 20 * minute);
    expect(await statusOf(space)).toBe('AVAILABLE');
    clock.set(r.arrival_from);

    const res = await w.enter(w.a.operatorToken, { facility_id: facility, registration_number: 'DU 6' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('NO_SPACE_AVAILABLE');
    await round();
    expect(await statusOf(space)).toBe('RESERVED');
  });
});

describe('entry under a reservation found by the plate', () => {
  it('parks the vehicle in its booked space and links the reservation', async () => {
    const facility = await w.newFacility();
    const [, , booked] = await w.row(facility, 'STANDARD', 3);
    const r = await confirm(booked, 5 * minute, 'rs-100');
    expect(await localReservation(r.reservation_id)).toMatchObject({ registration_number: 'RS100' });
    expect(await statusOf(booked)).toBe('RESERVED');

    const key = { 'idempotency-key': `entry-${r.reservation_id}` };
    const body = { facility_id: facility, registration_number: 'RS 100' };
    const res = await w.enter(w.a.operatorToken, body, key);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      space_id: booked.space_id,
      reservation_id: r.reservation_id,
      customer_id: w.driver.customer_id,
      registration_number: 'RS100',
      status: 'OPEN',
    });
    const sessionId = res.body.session_id;

    const again = await w.enter(w.a.operatorToken, body, key);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.session_id).toBe(sessionId);

    const view = await w.api('GET', `/sessions/${sessionId}`, w.a.operatorToken);
    expect(view.body.reservation_id).toBe(r.reservation_id);
    expect(await localReservation(r.reservation_id)).toMatchObject({
      status: 'FULFILLED',
      session_id: sessionId,
    });
    const entered = (await w.events('parking.vehicle.entered')).find((e) => e.subject === sessionId);
    expect(entered?.data).toMatchObject({
      reservation_id: r.reservation_id,
      space_id: booked.space_id,
      occupied_spaces: 1,
    });
    expect(await occupancy(facility)).toEqual({
      total: 3,
      occupied: 1,
      available: 2,
      reserved: 0,
      maintenance: 0,
    });

    // The Reservation service's answer to the entry changes nothing more.
    await publish('reservation.fulfilled', {
      ...ended(r),
      session_id: sessionId,
      arrived_at: clock.now().toISOString(),
    });
    await round();
    expect(await statusOf(booked)).toBe('OCCUPIED');
    expect(await localReservation(r.reservation_id)).toMatchObject({
      status: 'FULFILLED',
      session_id: sessionId,
    });
  });

  it('gives the best free space when the booked one is under maintenance', async () => {
    const facility = await w.newFacility();
    const [first, booked] = await w.row(facility, 'STANDARD', 2);
    const r = await confirm(booked, 0, 'RS200');
    await setStatus(booked, 'MAINTENANCE', 'flooded');

    const res = await w.enter(w.a.operatorToken, { facility_id: facility, registration_number: 'RS200' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ space_id: first.space_id, reservation_id: r.reservation_id });
    expect(await statusOf(booked)).toBe('MAINTENANCE');
    expect(await localReservation(r.reservation_id)).toMatchObject({ status: 'FULFILLED' });
    expect(await occupancy(facility)).toMatchObject({
      occupied: 1,
      maintenance: 1,
      reserved: 0,
      available: 0,
    });
  });

  it('is an ordinary drive-up outside the arrival window', async () => {
    const facility = await w.newFacility();
    const [first, booked] = await w.row(facility, 'STANDARD', 2);
    const r = await confirm(booked, 3 * 60 * minute, 'RS300');

    const res = await w.enter(w.a.operatorToken, { facility_id: facility, registration_number: 'RS300' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ space_id: first.space_id, reservation_id: null });
    expect(await localReservation(r.reservation_id)).toMatchObject({ status: 'ACTIVE' });
  });

  // Entry with a reservation_code (validate-arrival, its refusals at the gate) is tested end to end
  // with the Reservation service in services/reservation/test/lifecycle.test.ts.
});

describe('GET /parking/internal/facilities/{id}/spaces', () => {
  it('lists every space, nearest the ground first, optionally of one size', async () => {
    const facility = await w.newFacility();
    const [up] = await w.row(facility, 'STANDARD', 1, 1, 'A');
    const [down] = await w.row(facility, 'STANDARD', 1, -1, 'B', 2);
    const [g1, g2] = await w.row(facility, 'STANDARD', 2, 0, 'A');
    const [big] = await w.row(facility, 'LARGE', 1, 0, 'C');
    await setStatus(g2, 'MAINTENANCE');

    const all = await w.internal.facilitySpaces(facility);
    expect(all.map((s) => s.space_id)).toEqual([
      g1.space_id,
      g2.space_id,
      big.space_id,
      down.space_id,
      up.space_id,
    ]);
    expect(all[1]).toEqual({
      space_id: g2.space_id,
      size: 'STANDARD',
      status: 'MAINTENANCE',
      location: { floor: 0, aisle: 'A', number: 2 },
    });
    expect(await w.internal.facilitySpaces(facility, 'LARGE')).toEqual([
      {
        space_id: big.space_id,
        size: 'LARGE',
        status: 'AVAILABLE',
        location: { floor: 0, aisle: 'C', number: 1 },
      },
    ]);
    expect(await w.internal.facilitySpaces(`fac_${'0'.repeat(32)}`)).toEqual([]);
  });
});
