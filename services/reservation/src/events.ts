import { toMajor } from '@easypark/kernel';
import {
  type Emit,
  type EventHandlers,
  pgConstraint,
  type ServiceRuntime,
  type Tx,
} from '@easypark/platform';
import * as store from './store.ts';

/**
 * What the Reservation service publishes: reservation.created, .confirmed, .cancelled, .expired,
 * .no_show and .fulfilled. It consumes parking.vehicle.entered (a driver who parked under a
 * reservation fulfils it) and keeps its directory of spaces from parking.spaces.added and
 * parking.space.status.changed; on its own clock it expires holds and marks no-shows.
 */

type Row = store.ReservationRow;
const envelope = (r: Row) => ({
  subject: r.reservation_id,
  tenantid: r.tenant_id,
  facilityid: r.facility_id,
});
const major = (amount: number, currency: string) => toMajor({ amount, currency });

export function emitCreated(emit: Emit, r: Row) {
  emit({
    type: 'reservation.created',
    ...envelope(r),
    data: {
      reservation_id: r.reservation_id,
      customer_id: r.customer_id,
      facility_id: r.facility_id,
      start_time: r.start_time.toISOString(),
      end_time: r.end_time.toISOString(),
      space_id: r.space_id,
      desired_space_size: r.desired_size,
      expires_at: r.expires_at.toISOString(),
    },
  });
}

export function emitConfirmed(emit: Emit, r: Row) {
  emit({
    type: 'reservation.confirmed',
    ...envelope(r),
    data: {
      reservation_id: r.reservation_id,
      space_id: r.space_id,
      confirmation_code: r.confirmation_code,
      facility_id: r.facility_id,
      customer_id: r.customer_id,
      start_time: r.start_time.toISOString(),
      end_time: r.end_time.toISOString(),
      registration_number: r.registration_number,
      arrival_from: r.arrival_from.toISOString(),
      arrival_until: r.arrival_until.toISOString(),
    },
  });
}

export function emitCancelled(emit: Emit, r: Row) {
  emit({
    type: 'reservation.cancelled',
    ...envelope(r),
    data: {
      reservation_id: r.reservation_id,
      reason: r.cancellation_reason,
      facility_id: r.facility_id,
      space_id: r.space_id,
      customer_id: r.customer_id,
      cancellation_fee: major(r.fee_charged ?? 0, r.currency),
      currency: r.currency,
      cancelled_at: r.cancelled_at!.toISOString(),
    },
  });
}

export function emitExpired(emit: Emit, r: Row) {
  emit({
    type: 'reservation.expired',
    ...envelope(r),
    data: {
      reservation_id: r.reservation_id,
      facility_id: r.facility_id,
      space_id: r.space_id,
      expired_at: r.expired_at!.toISOString(),
    },
  });
}

function emitNoShow(emit: Emit, r: Row) {
  emit({
    type: 'reservation.no_show',
    ...envelope(r),
    data: {
      reservation_id: r.reservation_id,
      facility_id: r.facility_id,
      space_id: r.space_id,
      customer_id: r.customer_id,
      no_show_fee: major(r.no_show_fee, r.currency),
      currency: r.currency,
      start_time: r.start_time.toISOString(),
      reservation_fee: major(r.reservation_fee, r.currency),
    },
  });
}

export const reservationEventHandlers: EventHandlers = {
  async 'parking.spaces.added'(tx, event) {
    const d = event.data;
    await store.addToDirectory(tx, d.facility_id, d.spaces, d.total_spaces);
  },

  async 'parking.space.status.changed'(tx, event) {
    const d = event.data;
    await store.setMaintenance(tx, d.space_id, d.current_status === 'MAINTENANCE', new Date(d.timestamp));
  },

  async 'parking.vehicle.entered'(tx, event, emit) {
    const reservationId = event.data.reservation_id;
    if (!reservationId) return;
    // A late arrival may already be a no-show; if its space was booked again meanwhile the
    // driver still parked (elsewhere), and the reservation stays a no-show.
    await tx.query('SAVEPOINT fulfil');
    try {
      const row = await store.markFulfilled(
        tx,
        reservationId,
        event.data.session_id,
        new Date(event.data.timestamp),
      );
      await tx.query('RELEASE SAVEPOINT fulfil');
      if (!row) return;
      emit({
        type: 'reservation.fulfilled',
        ...envelope(row),
        data: {
          reservation_id: row.reservation_id,
          facility_id: row.facility_id,
          space_id: row.space_id,
          customer_id: row.customer_id,
          session_id: event.data.session_id,
          arrived_at: event.data.timestamp,
          reservation_fee: major(row.reservation_fee, row.currency),
          currency: row.currency,
        },
      });
    } catch (error) {
      if (pgConstraint(error) !== 'reservations_space_no_overlap') throw error;
      await tx.query('ROLLBACK TO SAVEPOINT fulfil');
    }
  },
};

/**
 * Expires holds that ran out and marks no-shows, with nobody asking: every `intervalMs`, in
 * batches, each reservation once even with several instances running (SKIP LOCKED).
 */
export function startLifecycleSweeps(runtime: ServiceRuntime, intervalMs: number) {
  const batch = 200;
  let last: Promise<void> = Promise.resolve();
  // Batch after batch until one comes back short: nothing due at `now` is left.
  async function inBatches(mark: (tx: Tx) => Promise<Row[]>, announce: (emit: Emit, r: Row) => void) {
    for (let size = batch; size === batch; ) {
      size = await runtime.transaction(async (tx, emit) => {
        const rows = await mark(tx);
        for (const row of rows) announce(emit, row);
        return rows.length;
      });
    }
  }
  async function sweep() {
    const now = runtime.clock.now();
    await inBatches((tx) => store.expireDueHolds(tx, now, batch), emitExpired);
    await inBatches((tx) => store.markDueNoShows(tx, now, batch), emitNoShow);
  }
  // Rounds run one after another, each with the clock as it is when it starts.
  function run(): Promise<void> {
    last = last
      .then(sweep)
      .catch((error) => runtime.logger.warn({ err: error }, 'reservation sweep failed; will retry'));
    return last;
  }
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    run,
    async stop() {
      clearInterval(timer);
      await last;
    },
  };
}
