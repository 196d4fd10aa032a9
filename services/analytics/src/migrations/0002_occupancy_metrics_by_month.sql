-- The 5-minute samples, partitioned by month. They are the one table here that grows without end
-- and is thrown away by age: 105,120 rows a year per facility (10.5 million for 100 facilities),
-- kept ANALYTICS_SAMPLE_RETENTION_DAYS. Retention drops a month's partition instead of deleting
-- rows one by one from a table that size, and every read names a facility and a time range, which
-- prunes to a month or two. The partitions are kept by @easypark/platform's
-- ensureMonthlyPartitions; the default partition takes what no month does yet (an import of old
-- history, a clock far off) until its month is created.
--
-- Not partitioned, because it does not pay: occupancy_hourly and performance_metrics (a row per
-- facility and hour, under 0.9 million a year for 100 facilities, kept for good, read through
-- their (facility_id, hour) keys), and everything else here (current state, alerts, reports).
--
-- An existing deployment's rows are copied over in this migration's transaction; their metric_id
-- is kept. A primary key of a partitioned table must include the partition key: the key is now
-- the unique (facility_id, timestamp) index the upserts already use, and metric_id, which nothing
-- looks up, stays a generated number without an index of its own.

ALTER TABLE occupancy_metrics RENAME TO occupancy_metrics_unpartitioned;
ALTER SEQUENCE occupancy_metrics_metric_id_seq RENAME TO occupancy_metrics_unpartitioned_metric_id_seq;
DROP INDEX occupancy_metrics_facility_time, occupancy_metrics_time_brin;

CREATE TABLE occupancy_metrics (
  metric_id bigint GENERATED ALWAYS AS IDENTITY,
  facility_id text NOT NULL,
  timestamp timestamptz NOT NULL CHECK (extract(epoch FROM timestamp)::bigint % 300 = 0),
  occupancy_rate numeric(5, 2) NOT NULL CHECK (occupancy_rate BETWEEN 0 AND 100),
  peak_occupancy_rate numeric(5, 2) NOT NULL CHECK (peak_occupancy_rate BETWEEN 0 AND 100),
  occupied_spaces integer NOT NULL CHECK (occupied_spaces >= 0),
  capacity integer NOT NULL CHECK (capacity > 0),
  available_spaces integer NOT NULL CHECK (available_spaces >= 0),
  available_compact_spaces integer,
  available_standard_spaces integer,
  available_large_spaces integer,
  active_sessions integer,
  active_charging_sessions integer,
  source text NOT NULL CHECK (source IN ('LIVE', 'IMPORT')),
  created_at timestamptz NOT NULL,
  CHECK (peak_occupancy_rate >= occupancy_rate)
) PARTITION BY RANGE (timestamp);

CREATE TABLE occupancy_metrics_default PARTITION OF occupancy_metrics DEFAULT;

-- A partition for every month that has samples, and for the months from the default retention
-- (400 days) back through three months ahead, named and bounded as ensureMonthlyPartitions does.
DO $$
DECLARE
  month timestamp;
BEGIN
  FOR month IN
    SELECT date_trunc('month', timestamp AT TIME ZONE 'UTC') FROM occupancy_metrics_unpartitioned
    UNION
    SELECT generate_series(date_trunc('month', (now() - interval '400 days') AT TIME ZONE 'UTC'),
      date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months', interval '1 month')
  LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF occupancy_metrics FOR VALUES FROM (%L) TO (%L)',
      'occupancy_metrics_' || to_char(month, 'YYYY_MM'),
      to_char(month, 'YYYY-MM-DD') || ' 00:00:00+00',
      to_char(month + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
  END LOOP;
END $$;

INSERT INTO occupancy_metrics OVERRIDING SYSTEM VALUE
SELECT metric_id, facility_id, timestamp, occupancy_rate, peak_occupancy_rate, occupied_spaces, capacity,
  available_spaces, available_compact_spaces, available_standard_spaces, available_large_spaces, active_sessions,
  active_charging_sessions, source, created_at
FROM occupancy_metrics_unpartitioned;
SELECT setval(pg_get_serial_sequence('occupancy_metrics', 'metric_id'), last_value, is_called)
FROM occupancy_metrics_unpartitioned_metric_id_seq;
DROP TABLE occupancy_metrics_unpartitioned;

-- Built once the rows are in, as for a bulk load; the names are the ones they had.
CREATE UNIQUE INDEX occupancy_metrics_facility_time ON occupancy_metrics (facility_id, timestamp DESC);
-- Within a month's partition rows still arrive in time order: the rollup of the last hour across
-- every facility reads a few BRIN ranges.
CREATE INDEX occupancy_metrics_time_brin ON occupancy_metrics USING brin (timestamp);
ALTER TABLE occupancy_metrics ADD CONSTRAINT occupancy_metrics_facility_id_fkey
  FOREIGN KEY (facility_id) REFERENCES analytics_facilities (facility_id);
-- Autovacuum never analyzes a partitioned table itself, only its partitions.
ANALYZE occupancy_metrics;
