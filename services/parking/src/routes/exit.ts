import { billingClient } from '@easypark/billing/client';
import type { FacilityConfig } from '@easypark/facility/client';
import { commonProblem, fromMajor, type Principal } from '@easypark/kernel';
import { type App, type ServiceRuntime, type Static, Type } from '@easypark/platform';
import { facilityIfReachable, staffSees } from '../access.ts';
import { durationHours, resolveExitTime } from '../domain/times.ts';
import { parsePlate } from '../domain/vehicles.ts';
import { problem } from '../errors.ts';
import { emitSpaceEvent, reportOccupancyChange } from '../events.ts';
import {
  closeSession,
  findOpenSessionByPlate,
  getSessionDetail,
  lockSessionDetail,
  type SessionDetail,
} from '../store/sessions.ts';
import { releaseSpace } from '../store/spaces.ts';
import { chargeView, sessionView } from '../views.ts';
import { FacilityId, Plate, problems, Session, SessionId } from './schemas.ts';

const exitFields = {
  exit_time: Type.Optional(
    Type.String({ format: 'date-time', description: 'Default now; never before the entry' }),
  ),
  charge_amount: Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: 100_000_000,
      description: 'Amount charged, in major units of the facility currency',
    }),
  ),
};

const ExitBySession = Type.Object(exitFields, { additionalProperties: false });
const ExitByPlate = Type.Object(
  { facility_id: FacilityId, registration_number: Plate, ...exitFields },
  { additionalProperties: false },
);

type ExitDetails = Static<typeof ExitBySession>;

const exitProblems = problems('INVALID_TIME', 'SESSION_NOT_FOUND', 'SESSION_ALREADY_CLOSED');

export function exitRoutes(app: App, runtime: ServiceRuntime): void {
  app.post(
    '/parking/v1/sessions/:session_id/exit',
    {
      schema: {
        tags: ['Sessions'],
        summary: 'Record a vehicle exit',
        description: 'Closes the session, frees its space and records the duration and the amount charged.',
        params: Type.Object({ session_id: SessionId }),
        body: ExitBySession,
        response: { 200: Session, ...exitProblems },
      },
      // A gate that only opens the barrier sends no body: that is an exit now, without a charge.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const principal = request.principal!;
      return exit(runtime, principal, request.params.session_id, request.body, undefined);
    },
  );

  app.post(
    '/parking/v1/sessions/exit',
    {
      schema: {
        tags: ['Sessions'],
        summary: 'Record an exit by registration number',
        description: 'For plate-reading exit gates: closes the open session of the vehicle in this facility.',
        body: ExitByPlate,
        response: {
          200: Session,
          ...exitProblems,
          ...problems('FACILITY_NOT_FOUND', 'VEHICLE_NOT_IN_FACILITY'),
        },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const { facility_id, registration_number, ...details } = request.body;
      const plate = parsePlate(registration_number);
      const facility = await facilityIfReachable(runtime, facility_id);
      const notFound = () => problem('FACILITY_NOT_FOUND', `Facility ${facility_id} does not exist`);
      if (facility && !staffSees(principal, facility.tenant_id, facility.facility_id)) throw notFound();
      const sessionId = await findOpenSessionByPlate(runtime.pool, facility_id, plate);
      if (!sessionId)
        throw problem('VEHICLE_NOT_IN_FACILITY', `No vehicle ${plate} is parked in this facility`);
      return exit(runtime, principal, sessionId, details, facility, notFound);
    },
  );
}

/**
 * Closes a session and frees its space in one transaction. The session row is locked first,
 * so of two simultaneous exits one closes it and the other finds it closed.
 */
async function exit(
  runtime: ServiceRuntime,
  principal: Principal,
  sessionId: string,
  details: ExitDetails,
  knownFacility: FacilityConfig | null | undefined,
  hidden = () => problem('SESSION_NOT_FOUND', `There is no session ${sessionId}`),
) {
  const found = await getSessionDetail(runtime.pool, sessionId);
  if (!found || !staffSees(principal, found.tenant_id, found.facility_id)) throw hidden();
  if (found.exit_time) throw alreadyClosed(found.exit_time);
  const facility =
    knownFacility !== undefined ? knownFacility : await facilityIfReachable(runtime, found.facility_id);
  const now = runtime.clock.now();
  const requestedExit = details.exit_time === undefined ? undefined : new Date(details.exit_time);
  // An amount the operator sets at the exit stands; otherwise Billing prices the stay.
  const charge =
    details.charge_amount !== undefined
      ? parseCharge(details.charge_amount, found.currency)
      : await quotedCharge(runtime, found, resolveExitTime(requestedExit, found.entry_time, now));

  const closed = await runtime.transaction(async (tx, emit) => {
    const session = (await lockSessionDetail(tx, sessionId))!;
    if (session.exit_time) throw alreadyClosed(session.exit_time);
    const exitTime = resolveExitTime(requestedExit, session.entry_time, now);
    const duration = durationHours(session.entry_time, exitTime);
    await closeSession(
      tx,
      sessionId,
      { exit_time: exitTime, duration_hours: duration, charge_amount: charge },
      now,
    );
    const space = await releaseSpace(tx, session.space_id, now);
    emit({
      type: 'parking.vehicle.exited',
      subject: sessionId,
      tenantid: session.tenant_id,
      facilityid: session.facility_id,
      data: {
        vehicle_id: session.vehicle_id,
        space_id: session.space_id,
        session_id: sessionId,
        facility_id: session.facility_id,
        registration_number: session.registration_number,
        vehicle_type: session.vehicle_type,
        is_electric: session.is_electric,
        customer_id: session.customer_id,
        entry_time: session.entry_time.toISOString(),
        exit_time: exitTime.toISOString(),
        duration_hours: duration,
        charge_amount: chargeView({ charge_amount: charge, currency: session.currency }),
        currency: session.currency,
        timestamp: exitTime.toISOString(),
      },
    });
    if (space) {
      emitSpaceEvent(emit, 'parking.space.released', space, exitTime);
      await reportOccupancyChange(tx, emit, facility, { from: 'OCCUPIED', to: 'AVAILABLE', count: 1 }, now);
    }
    return {
      ...session,
      exit_time: exitTime,
      duration_hours: duration,
      charge_amount: charge,
      updated_at: now,
    };
  });
  return sessionView(closed);
}

function alreadyClosed(exitTime: Date) {
  return problem('SESSION_ALREADY_CLOSED', `The session was closed at ${exitTime.toISOString()}`, {
    exit_time: exitTime.toISOString(),
  });
}

/**
 * The exit saga's step 2: Billing prices the stay. If it cannot be asked, the exit still happens
 * (the barrier must open) without an amount; Billing prices the exit event and its
 * billing.charge.created fills the amount in later.
 */
async function quotedCharge(runtime: ServiceRuntime, session: SessionDetail, exitTime: Date) {
  let gaveUp: NodeJS.Timeout | undefined;
  try {
    const asked = billingClient(runtime.client('billing')).quoteVisit({
      parking_session_id: session.session_id,
      tenant_id: session.tenant_id,
      facility_id: session.facility_id,
      vehicle_id: session.vehicle_id,
      registration_number: session.registration_number,
      vehicle_type: session.vehicle_type,
      customer_id: session.customer_id,
      entry_time: session.entry_time.toISOString(),
      exit_time: exitTime.toISOString(),
    });
    // A car waits at the barrier: a Billing that hangs is given a couple of seconds, not the
    // client's full timeout (which would also outlast the gateway's own wait for this exit).
    const late = new Promise<never>((_, reject) => {
      gaveUp = setTimeout(
        () => reject(new Error(`no quote within ${exitQuoteTimeoutMs} ms`)),
        exitQuoteTimeoutMs,
      );
    });
    asked.catch(() => undefined);
    const quote = await Promise.race([asked, late]);
    return fromMajor(quote.amount, quote.currency).amount;
  } catch (error) {
    runtime.logger.warn(
      { err: error, session_id: session.session_id },
      'billing unavailable at exit; charged later',
    );
    return null;
  } finally {
    clearTimeout(gaveUp);
  }
}

const exitQuoteTimeoutMs = 2_000;

/** Major units in, minor units stored; more decimals than the currency has is refused, not rounded. */
function parseCharge(amount: number, currency: string): number {
  try {
    return fromMajor(amount, currency).amount;
  } catch {
    throw commonProblem('VALIDATION_FAILED', `charge_amount has more decimals than ${currency} allows`, {
      errors: [{ field: 'charge_amount', message: `at most the minor unit of ${currency}` }],
    });
  }
}
