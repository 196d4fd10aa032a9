-- The largest facility total Parking has announced. Announcements can be applied out of order
-- and at once (RabbitMQ): a directory is complete when it holds at least this many spaces, not
-- merely as many as the announcement applied last said.
ALTER TABLE space_directories
  ADD COLUMN announced_total integer NOT NULL DEFAULT 0 CHECK (announced_total >= 0);
