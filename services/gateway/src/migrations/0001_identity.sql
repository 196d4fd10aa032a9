-- Identity: people who sign in and machine clients (client_credentials).
CREATE TABLE users (
  user_id text PRIMARY KEY,
  email text NOT NULL,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('platform_admin', 'tenant_admin', 'operator', 'driver')),
  tenant_id text,
  customer_id text UNIQUE,
  name text,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((role IN ('tenant_admin', 'operator')) = (tenant_id IS NOT NULL)),
  CHECK ((role = 'driver') = (customer_id IS NOT NULL))
);
CREATE UNIQUE INDEX users_email ON users (lower(email));
CREATE INDEX users_tenant ON users (tenant_id);

CREATE TABLE clients (
  client_id text PRIMARY KEY,
  secret_hash text NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('tenant_admin', 'operator')),
  tenant_id text NOT NULL,
  created_by text NOT NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clients_tenant ON clients (tenant_id);
