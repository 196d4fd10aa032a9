-- The spaces of each facility, as Parking announces them (parking.spaces.added), so that a
-- booking picks its space here instead of listing the facility's spaces from Parking each time.
-- Only whether a space is in maintenance is followed (parking.space.status.changed); who parks
-- where changes every minute and is asked of Parking when it matters.
CREATE TABLE directory_spaces (
  space_id text PRIMARY KEY,
  facility_id text NOT NULL,
  size text NOT NULL CHECK (size IN ('COMPACT', 'STANDARD', 'LARGE')),
  floor integer NOT NULL,
  aisle text NOT NULL,
  number integer NOT NULL,
  in_maintenance boolean NOT NULL DEFAULT false,
  -- When in_maintenance was last set from Parking: an older status change arriving late is ignored.
  status_at timestamptz
);
CREATE INDEX directory_spaces_by_facility ON directory_spaces (facility_id, size);

-- Whether the directory holds all of a facility's spaces: set when it was loaded from Parking,
-- or when an announcement's total matches what is known. Otherwise the next booking loads it.
CREATE TABLE space_directories (
  facility_id text PRIMARY KEY,
  complete boolean NOT NULL
);
