-- A booking takes the first free spaces of a size in location order: with the spaces indexed in
-- that order, it reads a few dozen of them, not every space of the facility.
DROP INDEX directory_spaces_by_facility;
CREATE INDEX directory_spaces_in_order
  ON directory_spaces (facility_id, size, abs(floor), floor, aisle COLLATE "C", number);
