-- An electric vehicle's charging inlet, so that the Charging service can pick a fitting charger.
-- Unknown is NULL; like the battery capacity, only electric vehicles have one.
ALTER TABLE vehicles
  ADD COLUMN connector_type text
    CONSTRAINT vehicles_connector_type_known CHECK (connector_type IN ('CCS', 'TESLA', 'CHADEMO', 'J1772', 'TYPE2')),
  ADD CONSTRAINT vehicles_connector_electric_only CHECK (is_electric OR connector_type IS NULL);
