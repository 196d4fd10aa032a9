/**
 * Charges one car on one simulated station, started and stopped at the station, and prints what the
 * station metered as JSON. For checking a deployment end to end (the distributed smoke test uses it):
 *
 *   tsx apps/simulator/src/charge-once.ts --url ws://localhost:8080/ocpp --station stn_… --password … \
 *     --tag AB12CDE [--protocol ocpp1.6|ocpp2.0.1] [--kw 22] [--minutes 30]
 */
import { parseArgs } from 'node:util';
import { createChargePoint, type OcppVersion } from './chargepoint.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    station: { type: 'string' },
    password: { type: 'string' },
    tag: { type: 'string' },
    protocol: { type: 'string', default: 'ocpp1.6' },
    kw: { type: 'string', default: '22' },
    minutes: { type: 'string', default: '30' },
  },
});
if (!values.url || !values.station || !values.password || !values.tag) {
  console.error(
    'usage: charge-once --url WS_URL --station ID --password PASSWORD --tag ID_TAG [--protocol] [--kw] [--minutes]',
  );
  process.exit(2);
}

const meterStartWh = 5_000_000;
const cp = createChargePoint({
  endpoint: values.url,
  stationId: values.station,
  password: values.password,
  protocol: values.protocol as OcppVersion,
  maxPowerKw: Number(values.kw),
  meterStartWh,
});
await cp.connect();
await cp.plugIn({ idTag: values.tag, batteryKwh: 60, socPercent: 20 });
const transactionId = await cp.startFromStation();
await cp.advance(Number(values.minutes) * 60);
await cp.stopFromStation();
await cp.unplug();
await cp.disconnect();
console.log(JSON.stringify({ transaction_id: transactionId, energy_wh: cp.state.energyWh - meterStartWh }));
