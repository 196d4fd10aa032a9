import { commonProblem, newId, type Principal } from '@easypark/kernel';
import { type App, pageQuery, paginate, type Queryable, type ServiceRuntime, Type } from '@easypark/platform';
import { staffSees } from '../access.ts';
import { parsePlate } from '../domain/vehicles.ts';
import { mapDbErrors, problem } from '../errors.ts';
import {
  findVehicleForTenant,
  getVehicle,
  insertVehicle,
  listVehicles,
  type VehicleRow,
  vehicleParkedAtTenant,
} from '../store/vehicles.ts';
import { vehicleView } from '../views.ts';
import {
  ConnectorTypeSchema,
  cursorOf,
  IdOf,
  Plate,
  problems,
  Vehicle,
  VehicleId,
  VehicleTypeSchema,
} from './schemas.ts';

const tags = ['Vehicles'];

const RegisterVehicle = Type.Object(
  {
    registration_number: Plate,
    vehicle_type: VehicleTypeSchema,
    make: Type.Optional(Type.String({ maxLength: 100 })),
    model: Type.Optional(Type.String({ maxLength: 100 })),
    color: Type.Optional(Type.String({ maxLength: 50 })),
    is_electric: Type.Boolean(),
    battery_capacity_kwh: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10_000 })),
    connector_type: Type.Optional(ConnectorTypeSchema),
    owner_id: Type.Optional(IdOf('customer', 'The customer who owns the vehicle (cus_…)')),
    tenant_id: Type.Optional(IdOf('tenant', 'Platform admins only: the tenant to register the vehicle in')),
  },
  { additionalProperties: false },
);

/** What only an electric vehicle may have. */
const electricOnlyFields = ['battery_capacity_kwh', 'connector_type'] as const;

/**
 * Drivers see the vehicles they own; staff their tenant’s, and a driver’s vehicle once it has
 * parked at one of their facilities (not before: which cars a driver has is theirs to tell).
 */
async function canSeeVehicle(db: Queryable, principal: Principal, vehicle: VehicleRow): Promise<boolean> {
  if (principal.role === 'driver')
    return principal.customer_id !== undefined && vehicle.owner_id === principal.customer_id;
  if (vehicle.tenant_id !== null) return staffSees(principal, vehicle.tenant_id);
  if (principal.role === 'platform_admin') return true;
  if (principal.role !== 'tenant_admin' && principal.role !== 'operator') return false;
  return vehicleParkedAtTenant(db, vehicle.vehicle_id, principal.tenant_id!);
}

export function vehicleRoutes(app: App, runtime: ServiceRuntime): void {
  app.post(
    '/parking/v1/vehicles',
    {
      schema: {
        tags,
        summary: 'Register a vehicle',
        description:
          'A driver registers a vehicle of their own (it belongs to no tenant); staff register vehicles of their ' +
          'tenant. A registration number is unique per tenant, and among drivers’ vehicles.',
        body: RegisterVehicle,
        response: { 201: Vehicle, ...problems('INVALID_REGISTRATION', 'DUPLICATE_REGISTRATION') },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const body = request.body;
      const { tenant_id, owner_id } = ownership(principal, body.tenant_id, body.owner_id);
      const electricOnly = electricOnlyFields.filter((field) => body[field] !== undefined);
      if (electricOnly.length > 0 && !body.is_electric) {
        const fields = electricOnly.join(' and ');
        throw commonProblem(
          'VALIDATION_FAILED',
          `${fields} ${electricOnly.length > 1 ? 'are' : 'is'} for electric vehicles`,
          { errors: electricOnly.map((field) => ({ field, message: 'only with is_electric: true' })) },
        );
      }
      const vehicle = {
        vehicle_id: newId('vehicle'),
        tenant_id,
        owner_id,
        registration_number: parsePlate(body.registration_number),
        vehicle_type: body.vehicle_type,
        make: body.make ?? null,
        model: body.model ?? null,
        color: body.color ?? null,
        is_electric: body.is_electric,
        battery_capacity_kwh: body.battery_capacity_kwh ?? null,
        connector_type: body.connector_type ?? null,
      };
      const row = await mapDbErrors(() => insertVehicle(runtime.pool, vehicle, runtime.clock.now()));
      return reply.code(201).send(vehicleView(row));
    },
  );

  app.get(
    '/parking/v1/vehicles/:vehicle_id',
    {
      schema: {
        tags,
        summary: 'Get a vehicle',
        params: Type.Object({ vehicle_id: VehicleId }),
        response: { 200: Vehicle, ...problems('VEHICLE_NOT_FOUND') },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const vehicle = await getVehicle(runtime.pool, request.params.vehicle_id);
      if (!vehicle || !(await canSeeVehicle(runtime.pool, principal, vehicle))) {
        throw problem('VEHICLE_NOT_FOUND', `There is no vehicle ${request.params.vehicle_id}`);
      }
      return vehicleView(vehicle);
    },
  );

  app.get(
    '/parking/v1/vehicles',
    {
      schema: {
        tags,
        summary: 'Find vehicles',
        description:
          'Drivers get their own vehicles, staff their tenant’s. With `registration_number`, staff get their ' +
          'tenant’s vehicle with that plate, or else the one a driver registered (at most one).',
        querystring: Type.Object({ registration_number: Type.Optional(Plate), ...pageQuery }),
        response: { 200: Type.Array(Vehicle), ...problems('INVALID_REGISTRATION') },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const { limit = 100, cursor } = request.query;
      const plate =
        request.query.registration_number === undefined
          ? undefined
          : parsePlate(request.query.registration_number);
      if (plate !== undefined && (principal.role === 'tenant_admin' || principal.role === 'operator')) {
        const found = principal.tenant_id
          ? await findVehicleForTenant(runtime.pool, plate, principal.tenant_id)
          : null;
        return found ? [vehicleView(found)] : [];
      }
      const filter =
        principal.role === 'driver'
          ? { ownerId: principal.customer_id ?? 'none', plate }
          : principal.role === 'platform_admin'
            ? { plate }
            : { tenantId: principal.tenant_id ?? 'none' };
      const rows = await listVehicles(
        runtime.pool,
        filter,
        cursorOf(cursor, (v): v is string => typeof v === 'string'),
        limit + 1,
      );
      return paginate(request, reply, rows, limit, (r) => r.vehicle_id).map(vehicleView);
    },
  );
}

/** Whose vehicle a registration creates, from who registers it. */
function ownership(principal: Principal, tenantId: string | undefined, ownerId: string | undefined) {
  const forbidden = (detail: string) => commonProblem('FORBIDDEN', detail);
  if (principal.role === 'driver') {
    if (!principal.customer_id) throw forbidden('This driver account has no customer to own a vehicle');
    if (tenantId !== undefined) throw forbidden('Drivers register vehicles of their own, not a tenant’s');
    if (ownerId !== undefined && ownerId !== principal.customer_id)
      throw forbidden('Drivers register their own vehicles');
    return { tenant_id: null, owner_id: principal.customer_id };
  }
  if (principal.role === 'platform_admin') {
    if (tenantId === undefined && ownerId === undefined) {
      throw commonProblem('VALIDATION_FAILED', 'Give tenant_id, or owner_id for a driver’s own vehicle', {
        errors: [{ field: 'tenant_id', message: 'tenant_id or owner_id is required' }],
      });
    }
    return { tenant_id: tenantId ?? null, owner_id: ownerId ?? null };
  }
  if (!principal.tenant_id) throw forbidden('This account belongs to no tenant');
  if (tenantId !== undefined && tenantId !== principal.tenant_id)
    throw forbidden('Staff register vehicles in their own tenant');
  return { tenant_id: principal.tenant_id, owner_id: ownerId ?? null };
}
