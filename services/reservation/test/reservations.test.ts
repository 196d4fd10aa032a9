import { makeEvent, newId } from '@easypark/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reservationClient } from '../src/client.ts';
import { type ReservationWorld, startReservationWorld } from './world.ts';

let w: ReservationWorld;
beforeAll(async () => {
  w = await startReservationWorld();
});
afterAll(() => w?.t.stop());

describe('create, confirm, cancel', () => {
  it('holds a space for 15 minutes, confirms with parking details, and prices the window', async () => {
    const { facility_id } = await w.facility({ name: 'Holds' });
    const created = await w.reserve(w.driver.token, {
      facility_id,
      desired_space_size: 'STANDARD',
      start_time: w.inMinutes(60),
      end_time: w.inMinutes(60 + 150),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      status: 'PENDING',
      customer_id: w.driver.customer_id,
      expires_at: w.inMinutes(15),
      // 2.5 h at 2.00/h = 5.00, plus the 1.50 reservation fee
      pricing_estimate: { parking: 5, reservation_fee: 1.5, total: 6.5, currency: 'GBP' },
    });
    expect(created.body.confirmation_code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(created.body.reservation_id).toMatch(/^res_/);

    const confirmed = await w.confirm(w.driver.token, created.body.reservation_id);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      reservation_id: created.body.reservation_id,
      status: 'CONFIRMED',
      parking_details: {
        space_id: created.body.space_id,
        size: 'STANDARD',
        location: { floor: 0, aisle: 'S' },
        facility_id,
        address: { city: 'Birmingham' },
        arrival_window: { from: w.inMinutes(45), until: w.inMinutes(90) },
      },
    });
    expect((await w.confirm(w.driver.token, created.body.reservation_id)).body.status).toBe('CONFIRMED');

    const cancelled = await w.cancel(w.driver.token, created.body.reservation_id, 'plans changed');
    expect(cancelled.body).toMatchObject({
      status: 'CANCELLED',
      cancellation_reason: 'plans changed',
      cancellation_fee: 0,
    });
    const again = await w.confirm(w.driver.token, created.body.reservation_id);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('RESERVATION_CANCELLED');
  });

  it('charges the facility’s cancellation fee after the free-cancellation deadline', async () => {
    const { facility_id } = await w.facility({
      name: 'Fees',
      reservation_policy: { free_cancellation_minutes: 60, cancellation_fee: 4 },
    });
    const create = (startIn: number) =>
      w.reserve(w.driver.token, {
        facility_id,
        desired_space_size: 'STANDARD',
        start_time: w.inMinutes(startIn),
        end_time: w.inMinutes(startIn + 60),
      });
    const early = await create(180);
    const late = await create(30);
    for (const r of [early, late]) await w.confirm(w.driver.token, r.body.reservation_id);
    expect((await w.cancel(w.driver.token, early.body.reservation_id)).body.cancellation_fee).toBe(0);
    expect((await w.cancel(w.driver.token, late.body.reservation_id)).body.cancellation_fee).toBe(4);
    const pending = await create(20);
    expect((await w.cancel(w.driver.token, pending.body.reservation_id)).body.cancellation_fee).toBe(0);
  });

  it('gives every rule broken its own problem code', async () => {
    const { facility_id } = await w.facility({
      name: 'Rules',
      opening_time: '07:00',
      closing_time: '22:00',
      reservation_policy: { max_advance_days: 30 },
    });
    const attempt = (start: number, end: number, extra: Record<string, unknown> = {}) =>
      w.reserve(w.driver.token, {
        facility_id,
        desired_space_size: 'STANDARD',
        start_time: w.inMinutes(start),
        end_time: w.inMinutes(end),
        ...extra,
      });
    const cases: [Promise<any>, number, string][] = [
      [attempt(60, 60), 400, 'INVALID_RESERVATION_WINDOW'],
      [attempt(60, 30), 400, 'INVALID_RESERVATION_WINDOW'],
      [attempt(-30, 60), 400, 'RESERVATION_IN_THE_PAST'],
      [attempt(40 * 1440, 40 * 1440 + 60), 400, 'TOO_FAR_AHEAD'],
      // 09:00 UTC = 09:00 London: 12:00–23:00 runs past closing
      [attempt(180, 840), 400, 'OUTSIDE_OPERATING_HOURS'],
      [attempt(60, 120, { desired_space_size: 'HUGE' }), 400, 'VALIDATION_FAILED'],
      [attempt(60, 120, { customer_id: 'cus_00000000000000000000000000000000' }), 403, 'FORBIDDEN'],
    ];
    for (const [answer, status, code] of cases) {
      const r = await answer;
      expect([r.status, r.body.code]).toEqual([status, code]);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    const missing = await w.reserve(w.driver.token, {
      facility_id: 'fac_00000000000000000000000000000000',
      desired_space_size: 'STANDARD',
      start_time: w.inMinutes(60),
      end_time: w.inMinutes(120),
    });
    expect([missing.status, missing.body.code]).toEqual([404, 'FACILITY_NOT_FOUND']);
  });

  it('never reserves a space in maintenance, and says RESERVATION_OVERLAP for a taken space', async () => {
    const { facility_id, spaces } = await w.facility({ name: 'Maintenance' }, 2);
    const standard = spaces.filter((s: any) => s.size === 'STANDARD');
    const repair = await w.t.request('PUT', `/api/v1/parking/spaces/${standard[0].space_id}/status`, {
      token: w.acme.operatorToken,
      body: { status: 'MAINTENANCE', reason: 'resurfacing' },
    });
    expect(repair.status).toBe(200);
    const window = { start_time: w.inMinutes(60), end_time: w.inMinutes(120) };
    const body = { facility_id, desired_space_size: 'STANDARD', ...window };
    const first = await w.reserve(w.driver.token, body);
    expect(first.body.space_id).toBe(standard[1].space_id);
    const none = await w.reserve(w.driver.token, body);
    expect([none.status, none.body.code]).toEqual([409, 'NO_SPACE_AVAILABLE']);
    const named = await w.reserve(w.driver.token, { ...body, space_id: standard[1].space_id });
    expect([named.status, named.body.code]).toEqual([409, 'RESERVATION_OVERLAP']);
    const broken = await w.reserve(w.driver.token, { ...body, space_id: standard[0].space_id });
    expect([broken.status, broken.body.code]).toEqual([409, 'SPACE_NOT_RESERVABLE']);
    // Back to back is not an overlap.
    const after = await w.reserve(w.driver.token, {
      ...body,
      start_time: window.end_time,
      end_time: w.inMinutes(180),
    });
    expect(after.body.space_id).toBe(standard[1].space_id);
  });

  it('does not reserve a space that went into maintenance a moment ago', async () => {
    const { facility_id, spaces } = await w.facility({ name: 'Fresh maintenance' }, 2);
    const standard = spaces.filter((s: any) => s.size === 'STANDARD');
    const body = {
      facility_id,
      desired_space_size: 'STANDARD',
      start_time: w.inMinutes(60),
      end_time: w.inMinutes(120),
    };
    const first = await w.reserve(w.driver.token, body); // the facility's spaces are now listed
    expect(first.body.space_id).toBe(standard[0].space_id);
    await w.t.request('PUT', `/api/v1/parking/spaces/${standard[1].space_id}/status`, {
      token: w.acme.operatorToken,
      body: { status: 'MAINTENANCE', reason: 'barrier broken' },
    });
    const second = await w.reserve(w.driver.token, body);
    expect([second.status, second.body.code]).toEqual([409, 'NO_SPACE_AVAILABLE']);
  });

  it('replays a create sent twice with the same Idempotency-Key', async () => {
    const { facility_id } = await w.facility({ name: 'Idempotent' });
    const body = {
      facility_id,
      desired_space_size: 'STANDARD',
      start_time: w.inMinutes(60),
      end_time: w.inMinutes(120),
    };
    const first = await w.reserve(w.driver.token, body, { 'idempotency-key': 'book-1' });
    const second = await w.reserve(w.driver.token, body, { 'idempotency-key': 'book-1' });
    expect(second.status).toBe(201);
    expect(second.body.reservation_id).toBe(first.body.reservation_id);
    expect(second.headers['idempotent-replayed']).toBe('true');
    const reused = await w.reserve(
      w.driver.token,
      { ...body, desired_space_size: 'COMPACT' },
      {
        'idempotency-key': 'book-1',
      },
    );
    expect([reused.status, reused.body.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
  });
});

describe('who sees what', () => {
  it('lets drivers see and cancel only their own; staff see their tenant’s', async () => {
    const { facility_id } = await w.facility({ name: 'Privacy' });
    const other = await w.t.createDriver();
    const mine = await w.reserve(w.driver.token, {
      facility_id,
      desired_space_size: 'COMPACT',
      start_time: w.inMinutes(60),
      end_time: w.inMinutes(120),
    });
    const id = mine.body.reservation_id;
    expect((await w.get(other.token, id)).status).toBe(404);
    expect((await w.cancel(other.token, id)).status).toBe(404);
    expect((await w.get(w.acme.operatorToken, id)).body.customer_id).toBe(w.driver.customer_id);
    const stranger = await w.t.createTenant();
    expect((await w.get(stranger.operatorToken, id)).status).toBe(404);
    const list = await w.t.request('GET', '/api/v1/reservations', {
      token: other.token,
    });
    expect(list.body).toEqual([]);
    const staffList = await w.t.request('GET', '/api/v1/reservations', {
      token: w.acme.operatorToken,
      query: { facility_id, customer_id: w.driver.customer_id },
    });
    expect(staffList.body.map((r: any) => r.reservation_id)).toEqual([id]);
    // Staff book for a customer, naming them.
    const byStaff = await w.reserve(w.acme.operatorToken, {
      facility_id,
      customer_id: other.customer_id,
      desired_space_size: 'COMPACT',
      start_time: w.inMinutes(60),
      end_time: w.inMinutes(120),
    });
    expect(byStaff.status).toBe(201);
    expect((await w.get(other.token, byStaff.body.reservation_id)).status).toBe(200);
  });
});

describe('availability', () => {
  it('counts free spaces, splits the window into slots, finds the next time and prices it', async () => {
    const { facility_id } = await w.facility({ name: 'Availability' }, 2);
    const at = (a: number, b: number) => ({ start_time: w.inMinutes(a), end_time: w.inMinutes(b) });
    for (const window of [at(60, 180), at(120, 240)])
      expect(
        (await w.reserve(w.driver.token, { facility_id, desired_space_size: 'STANDARD', ...window })).status,
      ).toBe(201);
    const ask = (a: number, b: number) =>
      w.t.request('GET', '/api/v1/reservations/availability', {
        token: w.driver.token,
        query: { facility_id, size: 'STANDARD', ...at(a, b) },
      });
    const busy = await ask(90, 150);
    expect(busy.body).toMatchObject({
      available_spaces: 0,
      next_available_time: w.inMinutes(180),
      pricing_estimate: { parking: 2, reservation_fee: 1.5, total: 3.5 },
    });
    const wide = await ask(0, 300);
    expect(wide.body.available_slots).toEqual([
      { start_time: w.inMinutes(0), end_time: w.inMinutes(60), available_spaces: 2 },
      { start_time: w.inMinutes(60), end_time: w.inMinutes(120), available_spaces: 1 },
      { start_time: w.inMinutes(120), end_time: w.inMinutes(180), available_spaces: 0 },
      { start_time: w.inMinutes(180), end_time: w.inMinutes(240), available_spaces: 1 },
      { start_time: w.inMinutes(240), end_time: w.inMinutes(300), available_spaces: 2 },
    ]);
    expect((await ask(240, 300)).body).toMatchObject({
      available_spaces: 2,
      next_available_time: w.inMinutes(240),
    });
  });
});

describe('for the parking service', () => {
  it('answers each space’s free and reserved stretches, and is not reachable from outside', async () => {
    const { facility_id, spaces } = await w.facility({ name: 'Windows' }, 2);
    const standard = spaces.filter((s: any) => s.size === 'STANDARD');
    const booked = await w.reserve(w.driver.token, {
      facility_id,
      desired_space_size: 'STANDARD',
      space_id: standard[1].space_id,
      start_time: w.inMinutes(60),
      end_time: w.inMinutes(120),
    });
    // Internal routes take a service token: here, the one Parking calls with.
    const asParking = reservationClient(w.t.platform.services.get('parking')!.runtime.client('reservation'));
    const windows = await asParking.availableWindows(facility_id, {
      from: w.inMinutes(0),
      to: w.inMinutes(180),
      size: 'STANDARD',
    });
    expect(windows.spaces).toEqual([
      {
        space_id: standard[0].space_id,
        size: 'STANDARD',
        available: [{ start_time: w.inMinutes(0), end_time: w.inMinutes(180) }],
        reserved: [],
      },
      {
        space_id: standard[1].space_id,
        size: 'STANDARD',
        available: [
          { start_time: w.inMinutes(0), end_time: w.inMinutes(60) },
          { start_time: w.inMinutes(120), end_time: w.inMinutes(180) },
        ],
        reserved: [
          {
            reservation_id: booked.body.reservation_id,
            start_time: w.inMinutes(60),
            end_time: w.inMinutes(120),
          },
        ],
      },
    ]);
    const outside = await w.t.request(
      'GET',
      `/api/v1/reservations/internal/facility/${facility_id}/available-windows`,
      {
        token: w.acme.adminToken,
      },
    );
    expect(outside.status).toBe(404);
  });
});

describe('the directory of spaces', () => {
  const db = () => w.t.platform.pools.get('reservation')!;
  const directory = async (facilityId: string) => ({
    complete: (
      await db().query('SELECT complete FROM space_directories WHERE facility_id = $1', [facilityId])
    ).rows[0]?.complete,
    spaces: (
      await db().query(
        'SELECT space_id, in_maintenance FROM directory_spaces WHERE facility_id = $1 ORDER BY space_id',
        [facilityId],
      )
    ).rows,
  });
  const byId = (spaces: any[]) =>
    spaces
      .map((s) => ({ space_id: s.space_id, in_maintenance: false }))
      .sort((a, b) => (a.space_id < b.space_id ? -1 : 1));
  const tomorrow = () => ({ start_time: w.inMinutes(24 * 60), end_time: w.inMinutes(25 * 60) });

  it('learns a facility’s spaces as Parking registers them and books from what it knows', async () => {
    const { facility_id, spaces } = await w.facility({ name: 'Directory' }, 3);
    await w.t.drainEvents();
    expect(await directory(facility_id)).toEqual({ complete: true, spaces: byId(spaces) });
    const standard = spaces.filter((s: any) => s.size === 'STANDARD');
    const compact = spaces.filter((s: any) => s.size === 'COMPACT');

    // Only the directory says the first space is out of use: a booking that went by Parking's list
    // would get it.
    await db().query('UPDATE directory_spaces SET in_maintenance = true WHERE space_id = $1', [
      standard[0].space_id,
    ]);
    const booked = await w.reserve(w.driver.token, {
      facility_id,
      desired_space_size: 'STANDARD',
      ...tomorrow(),
    });
    expect([booked.status, booked.body.space_id]).toEqual([201, standard[1].space_id]);

    // Forgotten (as if its spaces were registered before the directory existed): the next booking
    // lists the facility from Parking once and the directory is whole again, maintenance as Parking has it.
    await db().query('DELETE FROM space_directories WHERE facility_id = $1', [facility_id]);
    const small = await w.reserve(w.driver.token, {
      facility_id,
      desired_space_size: 'COMPACT',
      ...tomorrow(),
    });
    expect([small.status, small.body.space_id]).toEqual([201, compact[0].space_id]);
    expect(await directory(facility_id)).toEqual({ complete: true, spaces: byId(spaces) });
  });

  it('books the first space in location order free for the whole window, however many are taken', async () => {
    const { facility_id, spaces } = await w.facility({ name: 'Directory order' }, 40);
    await w.t.drainEvents();
    const standard = spaces.filter((s: any) => s.size === 'STANDARD').map((s: any) => s.space_id);
    const window = tomorrow();
    const book = async (times: { start_time: string; end_time: string }) => {
      const answer = await w.reserve(w.driver.token, {
        facility_id,
        desired_space_size: 'STANDARD',
        ...times,
      });
      expect(answer.status).toBe(201);
      return answer.body;
    };
    const first: any[] = [];
    for (let i = 0; i < 35; i++) first.push(await book(window));
    expect(first.map((r) => r.space_id)).toEqual(standard.slice(0, 35));

    // Overlapping the window by half an hour: past the 35 taken, more than one look of 32 spaces.
    const later = { start_time: w.inMinutes(25 * 60 - 30), end_time: w.inMinutes(26 * 60) };
    expect((await book(later)).space_id).toBe(standard[35]);
    // Back to back with the window: the first space is free again.
    expect((await book({ start_time: window.end_time, end_time: w.inMinutes(25 * 60 + 30) })).space_id).toBe(
      standard[0],
    );
    // A cancelled hold frees its space for the window.
    expect((await w.cancel(w.driver.token, first[3].reservation_id)).status).toBe(200);
    expect((await book(window)).space_id).toBe(standard[3]);
  });

  it('knows it is incomplete when spaces are announced for a facility it never held', async () => {
    const { facility_id, spaces } = await w.facility(
      { name: 'Directory later', capacity_breakdown: { compact: 2, standard: 4, large: 0 } },
      3,
    );
    await w.t.drainEvents();
    await db().query('DELETE FROM directory_spaces WHERE facility_id = $1', [facility_id]);
    await db().query('DELETE FROM space_directories WHERE facility_id = $1', [facility_id]);
    const added = await w.t.request('POST', '/api/v1/parking/spaces', {
      token: w.acme.adminToken,
      body: { facility_id, size: 'STANDARD', location: { floor: 1, aisle: 'N', number: 1 } },
    });
    expect(added.status).toBe(201);
    await w.t.drainEvents();
    expect(await directory(facility_id)).toEqual({ complete: false, spaces: byId([added.body]) });

    const booked = await w.reserve(w.driver.token, {
      facility_id,
      desired_space_size: 'STANDARD',
      ...tomorrow(),
    });
    expect(booked.status).toBe(201);
    expect(await directory(facility_id)).toEqual({ complete: true, spaces: byId([...spaces, added.body]) });
  });

  it('is complete only once it holds the largest total announced, whatever order the announcements come in', async () => {
    const facility_id = newId('facility');
    let number = 0;
    const announcement = (count: number, total: number) =>
      makeEvent('/services/parking', {
        type: 'parking.spaces.added',
        tenantid: w.acme.tenant_id,
        facilityid: facility_id,
        data: {
          facility_id,
          spaces: Array.from({ length: count }, () => ({
            space_id: newId('space'),
            size: 'STANDARD',
            location: { floor: 0, aisle: 'A', number: ++number },
          })),
          total_spaces: total,
          timestamp: w.inMinutes(0),
        },
      });
    // Registered as 3, then 2, then 3 more spaces; applied last first.
    const [first, second, third] = [announcement(3, 3), announcement(2, 5), announcement(3, 8)];
    const completeAfter = async (event: ReturnType<typeof announcement>) => {
      await w.t.platform.bus.publish([event]);
      await w.t.drainEvents();
      const now = await directory(facility_id);
      return [now.complete, now.spaces.length];
    };
    expect(await completeAfter(third)).toEqual([false, 3]);
    expect(await completeAfter(second)).toEqual([false, 5]); // as many as it said, but 8 were announced
    expect(await completeAfter(first)).toEqual([true, 8]);
  });

  it('follows maintenance by the newest report, whatever order the reports arrive in', async () => {
    const { facility_id, spaces } = await w.facility({ name: 'Directory maintenance' }, 2);
    await w.t.drainEvents();
    const space = spaces.find((s: any) => s.size === 'STANDARD');
    const report = (current_status: string, minutes: number) =>
      makeEvent('/services/parking', {
        type: 'parking.space.status.changed',
        tenantid: w.acme.tenant_id,
        facilityid: facility_id,
        data: {
          space_id: space.space_id,
          facility_id,
          size: 'STANDARD',
          previous_status: 'AVAILABLE',
          current_status,
          reason: null,
          timestamp: w.inMinutes(minutes),
        },
      });
    await w.t.platform.bus.publish([report('MAINTENANCE', 2)]);
    await w.t.drainEvents();
    await w.t.platform.bus.publish([report('AVAILABLE', 1)]);
    await w.t.drainEvents();
    const inMaintenance = async () =>
      (await directory(facility_id)).spaces.find((s) => s.space_id === space.space_id)?.in_maintenance;
    expect(await inMaintenance()).toBe(true);
    await w.t.platform.bus.publish([report('AVAILABLE', 3)]);
    await w.t.drainEvents();
    expect(await inMaintenance()).toBe(false);
  });
});
