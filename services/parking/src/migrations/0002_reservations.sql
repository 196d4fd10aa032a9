-- Parking's own copy of confirmed reservations, fed by the Reservation service's events: it shows
-- a booked space RESERVED during its arrival window, keeps drive-ups off spaces booked for soon,
-- and lets a camera-read plate enter under its reservation without asking the Reservation service.
-- Events may arrive out of order: a release or fulfilment seen before the confirmation leaves a row
-- without the booking's details, so that the late confirmation cannot bring it back to ACTIVE.
CREATE TABLE space_reservations (
  reservation_id text PRIMARY KEY,
  space_id text NOT NULL REFERENCES parking_spaces (space_id) ON DELETE CASCADE,
  facility_id text NOT NULL,
  customer_id text,
  confirmation_code text CHECK (length(confirmation_code) BETWEEN 1 AND 64),
  -- Normalised like vehicles' plates.
  registration_number text
    CHECK (length(registration_number) BETWEEN 1 AND 15 AND registration_number !~ '[[:space:]-]'),
  start_time timestamptz,
  end_time timestamptz,
  arrival_from timestamptz,
  arrival_until timestamptz,
  status text NOT NULL CHECK (status IN ('ACTIVE', 'FULFILLED', 'RELEASED')),
  session_id text,
  updated_at timestamptz NOT NULL,
  CHECK (end_time > start_time),
  CHECK (arrival_from <= start_time),
  CHECK (arrival_until >= start_time),
  CONSTRAINT space_reservations_active_complete CHECK (
    status <> 'ACTIVE' OR (customer_id IS NOT NULL AND confirmation_code IS NOT NULL AND start_time IS NOT NULL
      AND end_time IS NOT NULL AND arrival_from IS NOT NULL AND arrival_until IS NOT NULL)
  ),
  CHECK (session_id IS NULL OR status = 'FULFILLED')
);
-- A space's current and next reservations (status rounds, drive-up assignment).
CREATE INDEX space_reservations_space_arrival ON space_reservations (space_id, status, arrival_from);
-- Entry by a plate a camera read.
CREATE INDEX space_reservations_plate ON space_reservations (facility_id, registration_number)
  WHERE status = 'ACTIVE';
-- The status round: windows that have opened, and spaces held RESERVED that may have to be freed.
CREATE INDEX space_reservations_active_arrival ON space_reservations (arrival_from) WHERE status = 'ACTIVE';
CREATE INDEX parking_spaces_reserved ON parking_spaces (space_id) WHERE status = 'RESERVED';
