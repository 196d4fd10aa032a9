/**
 * The traffic simulator on the command line: drives a tenant's network through the public API
 * and OCPP until Ctrl-C or for a simulated duration, then prints what happened.
 *
 *   npx tsx apps/simulator/src/main.ts --url http://localhost:8080 --speed 60 --seed 42 --duration 6h
 */
import { parseArgs } from 'node:util';
import { formatProgress, formatSummary, parseDuration, type Summary } from './report.ts';
import { type SimulatorLogger, startSimulator } from './traffic.ts';

const help = `usage: simulator [options]

Drives an EasyParkPlus network like real traffic: cars arrive at each facility following a
weekly profile calibrated on Birmingham car parks (in the facility's local time), park, charge
at the stations (simulated OCPP charge points), book ahead and sometimes do not turn up, leave
and pay. Everything goes through the public API and OCPP, as a tenant's gates, pay stations,
charging stations and app drivers would.

  --url URL               the platform (default http://localhost:8080)
  --email EMAIL           a tenant admin of the tenant to drive (default manager@demo.easypark.local)
  --password PASSWORD     (default easypark-demo)
  --speed N               simulated time runs N times faster than real time (default 1)
  --seed TEXT             the same seed gives the same arrivals and decisions (default random)
  --duration D            stop after this much simulated time: 6h, 90m, 2d, 1h30m (default: until Ctrl-C)
  --start ISO-TIME        when simulated time starts (default now), e.g. 2025-03-03T08:00:00Z
  --facility NAME|ID      drive only this facility (repeatable; default all the tenant's active ones)
  --drivers N             app drivers to sign up, who book ahead and pay in the app (default 4)
  --driver EMAIL:PASSWORD an existing driver account who books too (repeatable)
  --no-charge-points      leave the charging stations alone
  --no-warm-start         start with no cars placed (by default as many as the hour expects)
  --keep-alive SECONDS    a quick stop when nothing moved for this long, real time (default 30; 0: never)
  --ev-share X            share of cars that are electric (default 0.12)
  --charge-share X        share of electric cars that plug in (default 0.7)
  --reservation-share X   share of arrivals that booked ahead (default 0.08)
  --no-show-share X       share of bookings nobody turns up for (default 0.12)
  --decline-share X       share of payments whose first card is declined (default 0.05)
  --auth-per-minute N     sign-ins and sign-ups per minute at most (default 5)
  --log-level LEVEL       debug | info | warn (default info)
  --json                  print the summary as JSON
  --help                  this text

With a duration and a terminal, a progress bar shows on stderr. At the end (or on Ctrl-C) a
summary: arrivals, exits, charging sessions and kWh, reservations and no-shows, payments, and
refused calls by problem code.`;

function fail(message: string): never {
  console.error(`simulator: ${message}\n\n${help}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        url: { type: 'string', default: 'http://localhost:8080' },
        email: { type: 'string', default: 'manager@demo.easypark.local' },
        password: { type: 'string', default: 'easypark-demo' },
        speed: { type: 'string', default: '1' },
        seed: { type: 'string' },
        duration: { type: 'string' },
        start: { type: 'string' },
        facility: { type: 'string', multiple: true },
        drivers: { type: 'string', default: '4' },
        driver: { type: 'string', multiple: true },
        'no-charge-points': { type: 'boolean', default: false },
        'no-warm-start': { type: 'boolean', default: false },
        'keep-alive': { type: 'string', default: '30' },
        'ev-share': { type: 'string' },
        'charge-share': { type: 'string' },
        'reservation-share': { type: 'string' },
        'no-show-share': { type: 'string' },
        'decline-share': { type: 'string' },
        'auth-per-minute': { type: 'string', default: '5' },
        'log-level': { type: 'string', default: 'info' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return fail((error as Error).message);
  }
})();

if (values.help) {
  console.log(help);
  process.exit(0);
}

function number(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max)
    fail(`--${name} must be a number from ${min} to ${max}`);
  return value;
}
const share = (name: string) => number(name, values[name as 'ev-share'], 0, 1);

const speed = number('speed', values.speed, 0.01, 100_000)!;
const durationMs =
  values.duration === undefined
    ? undefined
    : (parseDuration(values.duration) ?? fail('--duration: e.g. 6h, 90m, 2d'));
const start = values.start === undefined ? undefined : new Date(values.start);
if (start && Number.isNaN(start.getTime())) fail('--start must be an ISO time, e.g. 2025-03-03T08:00:00Z');
const driverAccounts = (values.driver ?? []).map((pair) => {
  const at = pair.indexOf(':');
  if (at < 1) fail('--driver takes EMAIL:PASSWORD');
  return { email: pair.slice(0, at), password: pair.slice(at + 1) };
});
const levels = ['debug', 'info', 'warn'];
if (!levels.includes(values['log-level'])) fail('--log-level is debug, info or warn');
const shown = levels.slice(levels.indexOf(values['log-level']));

// A progress bar on a terminal for a run of known length; log lines clear it first.
const showProgress = durationMs !== undefined && process.stderr.isTTY === true;
let barShown = false;
function clearBar(): void {
  if (barShown) process.stderr.write('\r\x1b[K');
  barShown = false;
}
const logger: SimulatorLogger = Object.fromEntries(
  (['debug', 'info', 'warn'] as const).map((level) => [
    level,
    (fields: object, message: string) => {
      if (!shown.includes(level)) return;
      clearBar();
      const detail = level === 'info' ? '' : ` ${JSON.stringify(fields, errorFields)}`;
      process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}${detail}\n`);
    },
  ]),
) as unknown as SimulatorLogger;

function errorFields(_key: string, value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}

const simulator = startSimulator({
  url: values.url,
  email: values.email,
  password: values.password,
  speed,
  ...(values.seed !== undefined ? { seed: values.seed } : {}),
  ...(start ? { start } : {}),
  ...(durationMs !== undefined ? { durationMs } : {}),
  ...(values.facility ? { facilities: values.facility } : {}),
  drivers: number('drivers', values.drivers, 0, 1000)!,
  driverAccounts,
  chargePoints: !values['no-charge-points'],
  warmStart: !values['no-warm-start'],
  keepAliveSeconds: number('keep-alive', values['keep-alive'], 0, 86_400)!,
  authPerMinute: number('auth-per-minute', values['auth-per-minute'], 1, 1000)!,
  behaviour: Object.fromEntries(
    [
      ['evShare', share('ev-share')],
      ['chargeShare', share('charge-share')],
      ['reservationShare', share('reservation-share')],
      ['noShowShare', share('no-show-share')],
      ['declineShare', share('decline-share')],
    ].filter(([, value]) => value !== undefined),
  ),
  logger,
});

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130); // a second Ctrl-C: now
    interrupted = true;
    clearBar();
    process.stderr.write('simulator: stopping (Ctrl-C again to quit at once)\n');
    void simulator.stop();
  });
}

try {
  await simulator.ready;
} catch (error) {
  clearBar();
  console.error(`simulator: ${(error as Error).message}`);
  process.exit(1);
}

const progress = showProgress
  ? setInterval(() => {
      const { simulatedMs, durationMs: total, stats, parked } = simulator.progress();
      const width = Math.max(10, Math.min(30, (process.stderr.columns ?? 100) - 100));
      const line = formatProgress(simulatedMs / (total ?? 1), simulatedMs, total ?? 0, stats, parked, width);
      process.stderr.write(`\r${line.slice(0, (process.stderr.columns ?? 200) - 1)}\x1b[K`);
      barShown = true;
    }, 250)
  : undefined;

const summary: Summary = await simulator.finished;
if (progress) clearInterval(progress);
clearBar();
console.log(values.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
process.exit(0);
