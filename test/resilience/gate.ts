import type { Cluster } from './cluster.ts';

/** What a call through the gateway answered; status 0 when nothing answered. */
export interface Answer {
  status: number;
  body: any;
}

export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  ms = 60_000,
) {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    value = await read();
  }
  if (!ok(value)) throw new Error(`${what} did not converge: ${JSON.stringify(value)}`);
  return value;
}

export interface Gate {
  facilityId: string;
  /** One call through the gateway as the facility's manager. */
  call(method: string, path: string, body?: unknown): Promise<Answer>;
  /**
   * A car enters at the facility's gate (retried until final); answers its session id, or
   * undefined when the entry had happened but its answer was lost (the retry said so).
   */
  enter(plate: string): Promise<string | undefined>;
  /** The car of the session leaves (retried until final). */
  leave(sessionId: string): Promise<void>;
  /** Parking's sessions and Billing's charges and invoices for them, read from their databases. */
  ledger(): Promise<{
    open: number;
    closed: number;
    unbilled: number;
    uninvoiced: number;
    billedTwice: number;
  }>;
  /** Occupied spaces, as Parking answers through the gateway. */
  occupancy(): Promise<number>;
}

/** A tenant with a manager and a facility of 100 standard spaces priced per hour, on the cluster. */
export async function openFacility(c: Cluster): Promise<Gate> {
  let token = '';
  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    try {
      const response = await fetch(`${c.url}/api/v1${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    } catch {
      return { status: 0, body: null };
    }
  }
  async function signIn(email: string, password: string) {
    const answer = await call('POST', '/auth/token', { grant_type: 'password', username: email, password });
    if (answer.status !== 200) throw new Error(`sign-in of ${email}: ${JSON.stringify(answer.body)}`);
    return answer.body.access_token as string;
  }
  async function must(method: string, path: string, body: unknown, status: number) {
    const answer = await call(method, path, body);
    if (answer.status !== status)
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  token = await signIn(c.adminEmail, c.adminPassword);
  const tenant = await must('POST', '/tenants', { name: 'Faults Ltd' }, 201);
  await must(
    'POST',
    '/users',
    {
      email: 'manager@faults.example',
      password: 'faults-manager',
      role: 'tenant_admin',
      tenant_id: tenant.tenant_id,
    },
    201,
  );
  token = await signIn('manager@faults.example', 'faults-manager');
  const facility = await must(
    'POST',
    '/facilities/register',
    {
      name: 'Fault Lot',
      address: { line1: '1 Crash Lane', city: 'Birmingham', postal_code: 'B1 1AA', country: 'GB' },
      capacity_breakdown: { compact: 0, standard: 100, large: 0 },
      pricing_strategy: 'BASIC',
      timezone: 'Europe/London',
      currency: 'GBP',
    },
    201,
  );
  const facilityId = facility.facility_id as string;
  await must('PUT', `/facilities/${facilityId}/pricing`, { vehicle_type: 'CAR', hourly_rate: 2 }, 200);
  await must(
    'POST',
    '/parking/spaces/bulk',
    { facility_id: facilityId, size: 'STANDARD', floor: 0, aisle: 'F', count: 100 },
    201,
  );

  /**
   * What a gate does: tries again until the answer is final. An entry whose answer was lost may
   * have happened; the retry then says so (`done`: VEHICLE_ALREADY_PARKED / SESSION_ALREADY_CLOSED).
   */
  async function untilFinal(method: string, path: string, body: unknown, done: string): Promise<Answer> {
    for (let attempt = 0; attempt < 120; attempt++) {
      const answer = await call(method, path, body);
      if (answer.status >= 200 && answer.status < 300) return answer;
      if (answer.body?.code === done) return answer;
      if (answer.status !== 0 && answer.status < 500)
        throw new Error(`${method} ${path}: ${JSON.stringify(answer.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${method} ${path}: no final answer in 30 s`);
  }

  return {
    facilityId,
    call,
    async enter(plate) {
      const entry = await untilFinal(
        'POST',
        '/parking/sessions/entry',
        { facility_id: facilityId, registration_number: plate },
        'VEHICLE_ALREADY_PARKED',
      );
      return entry.body.session_id;
    },
    async leave(sessionId) {
      await untilFinal('POST', `/parking/sessions/${sessionId}/exit`, {}, 'SESSION_ALREADY_CLOSED');
    },
    async ledger() {
      const sessions = await c
        .db('parking')
        .query<{ session_id: string; closed: boolean }>(
          'SELECT session_id, exit_time IS NOT NULL AS closed FROM parking_sessions WHERE facility_id = $1',
          [facilityId],
        );
      const charges = await c.db('billing').query<{ parking_session_id: string; n: number }>(
        `SELECT parking_session_id, count(*)::int AS n FROM charges
           WHERE facility_id = $1 AND charge_type = 'PARKING' GROUP BY parking_session_id`,
        [facilityId],
      );
      const invoices = await c.db('billing').query<{ parking_session_id: string; n: number }>(
        `SELECT parking_session_id, count(*)::int AS n FROM invoices
           WHERE facility_id = $1 AND kind = 'VISIT' AND status <> 'DRAFT' GROUP BY parking_session_id`,
        [facilityId],
      );
      const closed = sessions.rows.filter((s) => s.closed).map((s) => s.session_id);
      const chargeCount = new Map(charges.rows.map((r) => [r.parking_session_id, r.n]));
      const invoiceCount = new Map(invoices.rows.map((r) => [r.parking_session_id, r.n]));
      return {
        open: sessions.rows.length - closed.length,
        closed: closed.length,
        unbilled: closed.filter((id) => chargeCount.get(id) !== 1).length,
        uninvoiced: closed.filter((id) => invoiceCount.get(id) !== 1).length,
        billedTwice: [...chargeCount.values()].filter((n) => n > 1).length,
      };
    },
    async occupancy() {
      return (await call('GET', `/parking/occupancy/${facilityId}`)).body?.occupied_spaces as number;
    },
  };
}
