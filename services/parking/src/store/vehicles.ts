import type { Queryable } from '@easypark/platform';
import type { ConnectorType, VehicleType } from '../domain/vehicles.ts';

export interface VehicleRow {
  vehicle_id: string;
  tenant_id: string | null;
  registration_number: string;
  make: string | null;
  model: string | null;
  color: string | null;
  vehicle_type: VehicleType;
  is_electric: boolean;
  battery_capacity_kwh: number | null;
  connector_type: ConnectorType | null;
  owner_id: string | null;
  created_at: Date;
}

export type NewVehicle = Omit<VehicleRow, 'created_at'>;

const columns = `vehicle_id, tenant_id, registration_number, make, model, color, vehicle_type, is_electric,
  battery_capacity_kwh, connector_type, owner_id, created_at`;

export async function insertVehicle(tx: Queryable, v: NewVehicle, now: Date): Promise<VehicleRow> {
  const { rows } = await tx.query<VehicleRow>(
    `INSERT INTO vehicles (vehicle_id, tenant_id, registration_number, make, model, color, vehicle_type, is_electric,
       battery_capacity_kwh, connector_type, owner_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${columns}`,
    [
      v.vehicle_id,
      v.tenant_id,
      v.registration_number,
      v.make,
      v.model,
      v.color,
      v.vehicle_type,
      v.is_electric,
      v.battery_capacity_kwh,
      v.connector_type,
      v.owner_id,
      now,
    ],
  );
  return rows[0]!;
}

/**
 * The tenant's (or a driver's) vehicle with this plate or, when there is none, a drive-up vehicle
 * recorded now, in one statement; `added` says which. Two gates recording the same new plate at
 * once get the same vehicle.
 */
export async function findOrAddDriveUpVehicle(
  tx: Queryable,
  v: { vehicle_id: string; tenant_id: string; registration_number: string; vehicle_type: VehicleType },
  now: Date,
): Promise<{ vehicle: VehicleRow; added: boolean }> {
  const { rows } = await tx.query<VehicleRow & { added: boolean }>(
    `WITH known AS (
       SELECT ${columns} FROM vehicles
       WHERE registration_number = $3 AND (tenant_id = $2 OR tenant_id IS NULL)
       ORDER BY tenant_id NULLS LAST LIMIT 1
     ), added AS (
       INSERT INTO vehicles (vehicle_id, tenant_id, registration_number, vehicle_type, created_at)
       SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM known)
       ON CONFLICT ON CONSTRAINT vehicles_registration_unique DO NOTHING
       RETURNING ${columns}
     )
     SELECT *, false AS added FROM known UNION ALL SELECT *, true AS added FROM added`,
    [v.vehicle_id, v.tenant_id, v.registration_number, v.vehicle_type, now],
  );
  const [row] = rows;
  if (row) {
    const { added, ...vehicle } = row;
    return { vehicle, added };
  }
  // Recorded by another gate since this statement began.
  return { vehicle: (await findVehicleForTenant(tx, v.registration_number, v.tenant_id))!, added: false };
}

/** Whether the vehicle has ever parked at a facility of the tenant. */
export async function vehicleParkedAtTenant(
  db: Queryable,
  vehicleId: string,
  tenantId: string,
): Promise<boolean> {
  const { rows } = await db.query(
    'SELECT 1 FROM parking_sessions WHERE vehicle_id = $1 AND tenant_id = $2 LIMIT 1',
    [vehicleId, tenantId],
  );
  return rows.length > 0;
}

export async function getVehicle(db: Queryable, vehicleId: string): Promise<VehicleRow | null> {
  const { rows } = await db.query<VehicleRow>(`SELECT ${columns} FROM vehicles WHERE vehicle_id = $1`, [
    vehicleId,
  ]);
  return rows[0] ?? null;
}

/** The tenant's own record of a plate, else the record a driver registered. */
export async function findVehicleForTenant(
  db: Queryable,
  plate: string,
  tenantId: string,
): Promise<VehicleRow | null> {
  const { rows } = await db.query<VehicleRow>(
    `SELECT ${columns} FROM vehicles
     WHERE registration_number = $1 AND (tenant_id = $2 OR tenant_id IS NULL)
     ORDER BY tenant_id NULLS LAST LIMIT 1`,
    [plate, tenantId],
  );
  return rows[0] ?? null;
}

export interface VehicleFilter {
  /** undefined: any tenant; null: driver-owned only */
  tenantId?: string | null | undefined;
  ownerId?: string | undefined;
  plate?: string | undefined;
}

export async function listVehicles(
  db: Queryable,
  filter: VehicleFilter,
  after: string | undefined,
  limit: number,
) {
  const { rows } = await db.query<VehicleRow>(
    `SELECT ${columns} FROM vehicles
     WHERE ($1::boolean IS FALSE OR tenant_id IS NOT DISTINCT FROM $2)
       AND ($3::text IS NULL OR owner_id = $3)
       AND ($4::text IS NULL OR registration_number = $4)
       AND ($5::text IS NULL OR vehicle_id > $5)
     ORDER BY vehicle_id LIMIT $6`,
    [
      filter.tenantId !== undefined,
      filter.tenantId ?? null,
      filter.ownerId ?? null,
      filter.plate ?? null,
      after ?? null,
      limit,
    ],
  );
  return rows;
}
