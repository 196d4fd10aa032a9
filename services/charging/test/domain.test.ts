import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { energyCost, minutesToCharge, socAfter, waitTimes } from '../src/domain/estimates.ts';
import { readMeter } from '../src/domain/meter.ts';
import { orderedChanges, type PowerDemand, sharePower } from '../src/domain/power.ts';
import {
  type ConnectorType,
  cannotStartOn,
  connectorFits,
  connectorTypes,
  idTagOf,
  type StationState,
  stationStatus,
} from '../src/domain/stations.ts';
import { queueEstimates, readyIn, type StationLoad } from '../src/queue.ts';
import type { QueueRow, StationWithSession } from '../src/store.ts';

const seed = 20261124;

// ---------------------------------------------------------------------------------------------
// Stations
// ---------------------------------------------------------------------------------------------

describe('stationStatus and cannotStartOn', () => {
  const carStates = ['Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Occupied'];
  const brokenStates = ['Faulted', 'Unavailable'];
  const idleStates: (string | null)[] = [null, 'Available'];
  const allStates: (string | null)[] = [...idleStates, ...carStates, ...brokenStates];
  const state = (
    in_maintenance: boolean,
    online: boolean,
    connector_status: string | null,
  ): StationState => ({
    in_maintenance,
    online,
    connector_status,
  });

  it('maintenance wins over everything', () => {
    for (const online of [true, false])
      for (const connector of allStates)
        for (const session of [true, false]) {
          const s = state(true, online, connector);
          expect(stationStatus(s, session), JSON.stringify({ online, connector, session })).toBe(
            'MAINTENANCE',
          );
          expect(cannotStartOn(s, session)).toBe('STATION_IN_MAINTENANCE');
        }
  });

  it('a station that is not online is OFFLINE, whatever its connector says and even with a session', () => {
    for (const connector of allStates)
      for (const session of [true, false]) {
        const s = state(false, false, connector);
        expect(stationStatus(s, session), JSON.stringify({ connector, session })).toBe('OFFLINE');
        expect(cannotStartOn(s, session)).toBe('STATION_OFFLINE');
      }
  });

  it('an online station whose connector is Faulted or Unavailable is OFFLINE', () => {
    for (const connector of brokenStates)
      for (const session of [true, false]) {
        const s = state(false, true, connector);
        expect(stationStatus(s, session), JSON.stringify({ connector, session })).toBe('OFFLINE');
        expect(cannotStartOn(s, session)).toBe('STATION_OFFLINE');
      }
  });

  it('an open session makes an online, working station IN_USE and busy', () => {
    for (const connector of [...idleStates, ...carStates]) {
      const s = state(false, true, connector);
      expect(stationStatus(s, true), String(connector)).toBe('IN_USE');
      expect(cannotStartOn(s, true), String(connector)).toBe('STATION_BUSY');
    }
  });

  it('a car at the station without a session is IN_USE but a session can still be started on it', () => {
    for (const connector of carStates) {
      const s = state(false, true, connector);
      expect(stationStatus(s, false), connector).toBe('IN_USE');
      expect(cannotStartOn(s, false), connector).toBeNull();
    }
  });

  it('an online station with an idle connector and no session is AVAILABLE and can be started on', () => {
    for (const connector of idleStates) {
      const s = state(false, true, connector);
      expect(stationStatus(s, false), String(connector)).toBe('AVAILABLE');
      expect(cannotStartOn(s, false), String(connector)).toBeNull();
    }
  });

  it('connector states are matched exactly (OCPP enumerations are case-sensitive)', () => {
    expect(stationStatus(state(false, true, 'faulted'), false)).toBe('AVAILABLE');
    expect(stationStatus(state(false, true, 'charging'), false)).toBe('AVAILABLE');
    expect(stationStatus(state(false, true, 'SomethingNew'), false)).toBe('AVAILABLE');
  });

  it('a Reserved connector shows as IN_USE yet does not by itself block a start', () => {
    // Not in the list of car states of the brief, but deliberately in the source's set: a reserved
    // station is not offered to other drivers as available. The station itself enforces whose it is.
    expect(stationStatus(state(false, true, 'Reserved'), false)).toBe('IN_USE');
    expect(cannotStartOn(state(false, true, 'Reserved'), false)).toBeNull();
    expect(cannotStartOn(state(false, true, 'Reserved'), true)).toBe('STATION_BUSY');
  });

  it('cannotStartOn is null exactly when the status is AVAILABLE or IN_USE without a session', () => {
    for (const in_maintenance of [true, false])
      for (const online of [true, false])
        for (const connector of allStates)
          for (const session of [true, false]) {
            const s = state(in_maintenance, online, connector);
            const status = stationStatus(s, session);
            const startable = status === 'AVAILABLE' || (status === 'IN_USE' && !session);
            expect(cannotStartOn(s, session) === null, JSON.stringify({ s, session })).toBe(startable);
          }
  });
});

describe('connectorFits', () => {
  it('fits only the same connector type: no adapters', () => {
    for (const a of connectorTypes)
      for (const b of connectorTypes) expect(connectorFits(a, b), `${a}/${b}`).toBe(a === b);
  });
});

describe('idTagOf', () => {
  it('keeps only letters and digits, upper-cased', () => {
    expect(idTagOf('ab-12 cd')).toBe('AB12CD');
    expect(idTagOf(' m.ab 1234 ')).toBe('MAB1234');
    expect(idTagOf('Kö-AB 12')).toBe('KAB12');
  });

  it('is at most 20 characters (OCPP 1.6 CiString20)', () => {
    expect(idTagOf('abcdefghij-klmnopqrst-uvwxyz')).toBe('ABCDEFGHIJKLMNOPQRST');
    expect(idTagOf('A'.repeat(20))).toBe('A'.repeat(20));
  });

  it('is idempotent and always a short upper-case alphanumeric string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (plate) => {
        const tag = idTagOf(plate);
        expect(tag).toMatch(/^[A-Z0-9]{0,20}$/);
        expect(idTagOf(tag)).toBe(tag);
      }),
      { seed },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Meter values
// ---------------------------------------------------------------------------------------------

describe('readMeter', () => {
  const at = (minute: number) => `2026-11-24T10:${String(minute).padStart(2, '0')}:00Z`;

  it('reads OCPP 1.6 strings: energy in Wh', () => {
    expect(
      readMeter([
        {
          timestamp: at(0),
          sampledValue: [{ value: '12345', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
        },
      ]),
    ).toEqual({ energyWh: 12345, energyAt: new Date(at(0)) });
  });

  it('reads OCPP 1.6 strings: energy in kWh, rounded to whole Wh', () => {
    expect(
      readMeter([
        {
          timestamp: at(0),
          sampledValue: [{ value: '12.3456', measurand: 'Energy.Active.Import.Register', unit: 'kWh' }],
        },
      ]),
    ).toEqual({ energyWh: 12346, energyAt: new Date(at(0)) });
    expect(
      readMeter([
        {
          timestamp: at(0),
          sampledValue: [{ value: '12.3454', measurand: 'Energy.Active.Import.Register', unit: 'kWh' }],
        },
      ]),
    ).toEqual({ energyWh: 12345, energyAt: new Date(at(0)) });
  });

  it('reads OCPP 1.6 strings: power in W and kW, and SoC', () => {
    expect(
      readMeter([
        {
          timestamp: at(0),
          sampledValue: [
            { value: '7400', measurand: 'Power.Active.Import', unit: 'W' },
            { value: '57', measurand: 'SoC', unit: 'Percent' },
          ],
        },
      ]),
    ).toEqual({ powerW: 7400, socPercent: 57 });
    expect(
      readMeter([
        { timestamp: at(0), sampledValue: [{ value: '3.5', measurand: 'Power.Active.Import', unit: 'kW' }] },
      ]),
    ).toEqual({ powerW: 3500 });
    expect(
      readMeter([
        { timestamp: at(0), sampledValue: [{ value: '22', measurand: 'Power.Active.Import', unit: 'kW' }] },
      ]),
    ).toEqual({ powerW: 22000 });
  });

  it('reads OCPP 2.0.1 numbers with unitOfMeasure, including a multiplier', () => {
    expect(
      readMeter([
        {
          timestamp: at(0),
          sampledValue: [
            { value: 12.5, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh' } },
            { value: 11, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'kW' } },
            { value: 80, measurand: 'SoC', unitOfMeasure: { unit: 'Percent' } },
          ],
        },
      ]),
    ).toEqual({ energyWh: 12500, energyAt: new Date(at(0)), powerW: 11000, socPercent: 80 });
    expect(
      readMeter([
        {
          timestamp: at(0),
          sampledValue: [
            {
              value: 123,
              measurand: 'Energy.Active.Import.Register',
              unitOfMeasure: { unit: 'Wh', multiplier: 3 },
            },
            { value: 74, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W', multiplier: 2 } },
          ],
        },
      ]),
    ).toEqual({ energyWh: 123_000, energyAt: new Date(at(0)), powerW: 7400 });
    // A kilo unit and a multiplier together: 1.5 × 10³ kWh = 1 500 000 Wh.
    expect(
      readMeter([
        { timestamp: at(0), sampledValue: [{ value: 1.5, unitOfMeasure: { unit: 'kWh', multiplier: 3 } }] },
      ]),
    ).toEqual({ energyWh: 1_500_000, energyAt: new Date(at(0)) });
  });

  it('a sample without a measurand is the energy register (default unit Wh)', () => {
    expect(readMeter([{ timestamp: at(0), sampledValue: [{ value: '5000' }] }])).toEqual({
      energyWh: 5000,
      energyAt: new Date(at(0)),
    });
    expect(readMeter([{ timestamp: at(0), sampledValue: [{ value: 4 }] }])).toEqual({
      energyWh: 4,
      energyAt: new Date(at(0)),
    });
    expect(readMeter([{ timestamp: at(0), sampledValue: [{ value: '4.2', unit: 'kWh' }] }])).toEqual({
      energyWh: 4200,
      energyAt: new Date(at(0)),
    });
  });

  it('ignores per-phase samples', () => {
    expect(
      readMeter([
        {
          timestamp: at(0),
          sampledValue: [
            { value: '999', measurand: 'Energy.Active.Import.Register', phase: 'L1' },
            { value: '3000', measurand: 'Energy.Active.Import.Register' },
            { value: '998', measurand: 'Energy.Active.Import.Register', phase: 'L2' },
            { value: '2300', measurand: 'Power.Active.Import', phase: 'L1-N', unit: 'W' },
          ],
        },
      ]),
    ).toEqual({ energyWh: 3000, energyAt: new Date(at(0)) });
    expect(readMeter([{ timestamp: at(0), sampledValue: [{ value: '999', phase: 'L1' }] }])).toEqual({});
  });

  it('ignores other measurands and values that are not numbers', () => {
    expect(
      readMeter([
        {
          timestamp: at(0),
          sampledValue: [
            { value: '16', measurand: 'Current.Import', unit: 'A' },
            { value: '230', measurand: 'Voltage', unit: 'V' },
            { value: 'n/a', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
            { value: 'abc', measurand: 'Power.Active.Import', unit: 'W' },
          ],
        },
      ]),
    ).toEqual({});
    expect(readMeter([])).toEqual({});
  });

  it('clamps power at 0 and SoC to 0..100', () => {
    expect(
      readMeter([
        {
          timestamp: at(0),
          sampledValue: [
            { value: '-50', measurand: 'Power.Active.Import', unit: 'W' },
            { value: '104', measurand: 'SoC' },
          ],
        },
      ]),
    ).toEqual({ powerW: 0, socPercent: 100 });
    expect(readMeter([{ timestamp: at(0), sampledValue: [{ value: '-3', measurand: 'SoC' }] }])).toEqual({
      socPercent: 0,
    });
  });

  it('the latest timestamp wins when meter values come out of order, per quantity', () => {
    const reading = readMeter([
      {
        timestamp: at(5),
        sampledValue: [
          { value: '2000', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
          { value: '6000', measurand: 'Power.Active.Import', unit: 'W' },
        ],
      },
      {
        timestamp: at(0),
        sampledValue: [
          { value: '1000', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
          { value: '7000', measurand: 'Power.Active.Import', unit: 'W' },
          { value: '40', measurand: 'SoC' },
        ],
      },
      {
        timestamp: at(3),
        sampledValue: [
          { value: '1500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
          { value: '45', measurand: 'SoC' },
        ],
      },
    ]);
    // Energy (read at 10:05) and power from 10:05; SoC was last reported at 10:03.
    expect(reading).toEqual({ energyWh: 2000, energyAt: new Date(at(5)), powerW: 6000, socPercent: 45 });
  });

  it('the order of the input does not matter (same-format timestamps)', () => {
    const values = [0, 1, 2, 3, 4, 5].map((minute) => ({
      timestamp: at(minute),
      sampledValue: [{ value: String(1000 + minute), unit: 'Wh' }],
    }));
    fc.assert(
      fc.property(fc.shuffledSubarray(values, { minLength: 1 }), (subset) => {
        const latest = Math.max(...subset.map((v) => Number(v.sampledValue[0]!.value)));
        expect(readMeter(subset)).toEqual({ energyWh: latest, energyAt: new Date(at(latest - 1000)) });
      }),
      { seed },
    );
  });

  // Regression: readings are ordered as instants, not as strings.
  it('the latest instant wins even when timestamps carry different UTC offsets', () => {
    const reading = readMeter([
      // 09:00 UTC
      { timestamp: '2026-11-24T11:00:00+02:00', sampledValue: [{ value: '100', unit: 'Wh' }] },
      // 10:00 UTC: the latest
      { timestamp: '2026-11-24T10:00:00Z', sampledValue: [{ value: '200', unit: 'Wh' }] },
    ]);
    expect(reading).toEqual({ energyWh: 200, energyAt: new Date('2026-11-24T10:00:00Z') });
  });

  it('the latest instant wins when one timestamp has fractional seconds', () => {
    const reading = readMeter([
      // 10:00:00.500, the latest
      { timestamp: '2026-11-24T10:00:00.500Z', sampledValue: [{ value: '100', unit: 'Wh' }] },
      { timestamp: '2026-11-24T10:00:00Z', sampledValue: [{ value: '200', unit: 'Wh' }] },
    ]);
    expect(reading).toEqual({ energyWh: 100, energyAt: new Date('2026-11-24T10:00:00.500Z') });
  });

  // Regression: the 2.0.1 multiplier applies to SoC too.
  it('an OCPP 2.0.1 SoC with a multiplier is scaled like every other quantity', () => {
    const reading = readMeter([
      {
        timestamp: at(0),
        sampledValue: [{ value: 5, measurand: 'SoC', unitOfMeasure: { unit: 'Percent', multiplier: 1 } }],
      },
    ]);
    expect(reading).toEqual({ socPercent: 50 });
  });
});

// ---------------------------------------------------------------------------------------------
// Power sharing
// ---------------------------------------------------------------------------------------------

const demand = (id: string, ratingKw: number, paused = false): PowerDemand => ({ id, ratingKw, paused });
const sumOf = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

describe('sharePower', () => {
  it('with no limit, each gets its rating in whole watts and a paused session 0', () => {
    const shares = sharePower(null, [demand('a', 22), demand('b', 50, true), demand('c', 3.7)]);
    expect(Object.fromEntries(shares)).toEqual({ a: 22_000, b: 0, c: 3_700 });
  });

  it('with no sessions, allocates nothing', () => {
    expect(sharePower(100, []).size).toBe(0);
    expect(sharePower(null, []).size).toBe(0);
  });

  it('a limit below the sum of the ratings is shared equally', () => {
    const shares = sharePower(30, [demand('a', 22), demand('b', 22), demand('c', 22)]);
    expect(Object.fromEntries(shares)).toEqual({ a: 10_000, b: 10_000, c: 10_000 });
  });

  it('an indivisible limit is shared in whole watts, to the last watt', () => {
    const shares = sharePower(10, [demand('a', 22), demand('b', 22), demand('c', 22)]);
    expect([...shares.values()].sort((x, y) => x - y)).toEqual([3333, 3333, 3334]);
  });

  it('what a small station cannot use goes to the others', () => {
    // 40 kW among 22, 22, 3.7: the 3.7 kW station takes 3.7, the other two split 36.3.
    const shares = sharePower(40, [demand('a', 22), demand('b', 22), demand('small', 3.7)]);
    expect(Object.fromEntries(shares)).toEqual({ a: 18_150, b: 18_150, small: 3_700 });
  });

  it('a limit above the sum of the ratings gives everyone its rating', () => {
    // 50 kW among 22, 22, 3.7 (47.7 kW in all): nobody is limited.
    const shares = sharePower(50, [demand('a', 22), demand('b', 22), demand('small', 3.7)]);
    expect(Object.fromEntries(shares)).toEqual({ a: 22_000, b: 22_000, small: 3_700 });
  });

  it('a paused session gets 0 and its share goes to the others', () => {
    const shares = sharePower(20, [demand('a', 22), demand('p', 22, true), demand('c', 22)]);
    expect(Object.fromEntries(shares)).toEqual({ a: 10_000, p: 0, c: 10_000 });
  });

  it('water-fills over several levels', () => {
    // 100 kW among 7.4, 11, 50, 150: 7.4 and 11 are full; 81.6 kW left for the two fast ones.
    const shares = sharePower(100, [demand('d', 150), demand('c', 50), demand('b', 11), demand('a', 7.4)]);
    expect(Object.fromEntries(shares)).toEqual({ a: 7_400, b: 11_000, c: 40_800, d: 40_800 });
    // 120 kW: 7.4 + 11 + 50 are full, the 150 kW station gets the remaining 51.6.
    const more = sharePower(120, [demand('d', 150), demand('c', 50), demand('b', 11), demand('a', 7.4)]);
    expect(Object.fromEntries(more)).toEqual({ a: 7_400, b: 11_000, c: 50_000, d: 51_600 });
  });

  // Ratings and limits as the API and the database hold them: kW with two decimals.
  const watts = (kw: number) => Math.round(kw * 1000);
  const ratingKw = fc.integer({ min: 1, max: 100_000 }).map((c) => c / 100);
  const limitKw = fc.option(
    fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 5_000_000 })).map((c) => c / 100),
    { nil: null, freq: 4 },
  );
  const demands = fc
    .array(fc.record({ ratingKw, paused: fc.boolean() }), { maxLength: 25 })
    .map((ds) => ds.map((d, i) => ({ id: `s${i}`, ...d })));

  it('property: within the limit and the ratings, paused get 0, whole watts, nothing wasted, fair', () => {
    fc.assert(
      fc.property(limitKw, demands, (limit, ds) => {
        const shares = sharePower(limit, ds);
        expect(shares.size).toBe(ds.length);
        const active = ds.filter((d) => !d.paused);
        const sumOfRatings = sumOf(active.map((d) => watts(d.ratingKw)));
        for (const d of ds) {
          const w = shares.get(d.id)!;
          expect(Number.isInteger(w)).toBe(true);
          expect(w).toBeGreaterThanOrEqual(0);
          expect(w).toBeLessThanOrEqual(watts(d.ratingKw));
          if (d.paused) expect(w).toBe(0);
        }
        const total = sumOf(shares.values());
        if (limit === null || sumOfRatings <= watts(limit)) {
          for (const d of active) expect(shares.get(d.id)).toBe(watts(d.ratingKw));
        } else {
          expect(total).toBeLessThanOrEqual(watts(limit));
          // Water-filling wastes nothing: the whole limit is given out when the cars could take more.
          expect(total).toBe(watts(limit));
        }
        // Fairness: nobody gets less than another active session unless it got its full rating.
        // Whole watts cannot always be split evenly, so equal shares may differ by one watt.
        for (const a of active)
          for (const b of active) {
            const wa = shares.get(a.id)!;
            const wb = shares.get(b.id)!;
            if (wa < wb - 1) expect(wa).toBe(watts(a.ratingKw));
          }
      }),
      { seed, numRuns: 500 },
    );
  });

  it('property: a higher limit never lowers anyone’s share by more than rounding', () => {
    fc.assert(
      fc.property(limitKw, fc.integer({ min: 0, max: 100_000 }), demands, (limit, extraCentiKw, ds) => {
        if (limit === null) return;
        const higher = (Math.round(limit * 100) + extraCentiKw) / 100;
        const before = sharePower(limit, ds);
        const after = sharePower(higher, ds);
        for (const d of ds) expect(after.get(d.id)!).toBeGreaterThanOrEqual(before.get(d.id)! - 1);
      }),
      { seed },
    );
  });

  // Regression: two-decimal kW that are inexact in binary (32.3 * 1000 = 32299.999…) lose no watt.
  it('a 32.3 kW station gets its full 32 300 W when nothing limits it', () => {
    expect(sharePower(null, [demand('a', 32.3)]).get('a')).toBe(32_300);
  });

  it('a 64.1 kW facility limit is shared to the last of its 64 100 W', () => {
    const shares = sharePower(64.1, [demand('a', 50), demand('b', 50)]);
    expect(sumOf(shares.values())).toBe(64_100);
  });
});

describe('orderedChanges', () => {
  it('leaves unchanged entries out and puts every lowering (and unknown → known) before every raising', () => {
    const current = new Map<string, number | null>([
      ['a', 10_000],
      ['b', 20_000],
      ['c', null],
      ['d', 5_000],
      ['e', 7_000],
    ]);
    const next = new Map([
      ['a', 15_000],
      ['b', 12_000],
      ['c', 8_000],
      ['d', 5_000],
      ['e', 0],
      ['f', 3_000],
    ]);
    expect(orderedChanges(current, next)).toEqual([
      { id: 'b', fromW: 20_000, toW: 12_000 },
      { id: 'c', fromW: null, toW: 8_000 },
      { id: 'e', fromW: 7_000, toW: 0 },
      { id: 'f', fromW: null, toW: 3_000 },
      { id: 'a', fromW: 10_000, toW: 15_000 },
    ]);
  });

  it('returns nothing when nothing changes', () => {
    const same = new Map([
      ['a', 1],
      ['b', 0],
    ]);
    expect(orderedChanges(same, same)).toEqual([]);
    expect(orderedChanges(new Map(), new Map())).toEqual([]);
  });

  it('ignores sessions that are not in the next allocation', () => {
    expect(orderedChanges(new Map([['gone', 5_000]]), new Map([['a', 1_000]]))).toEqual([
      { id: 'a', fromW: null, toW: 1_000 },
    ]);
  });

  // One station per id: its rating, what it holds now (null: no limit of ours, so it may draw up to
  // its rating) and what sharePower gives it next (never above its rating).
  const stations = fc.array(
    fc.integer({ min: 0, max: 350_000 }).chain((rating) =>
      fc.record({
        rating: fc.constant(rating),
        current: fc.option(fc.integer({ min: 0, max: rating }), { nil: null, freq: 5 }),
        next: fc.integer({ min: 0, max: rating }),
      }),
    ),
    { maxLength: 20 },
  );

  it('property: all changes and only changes, lowerings first', () => {
    fc.assert(
      fc.property(stations, (list) => {
        const current = new Map(list.map((s, i) => [`s${i}`, s.current]));
        const next = new Map(list.map((s, i) => [`s${i}`, s.next]));
        const changes = orderedChanges(current, next);
        expect(changes.map((c) => c.id).sort()).toEqual(
          list
            .map((s, i) => ({ ...s, id: `s${i}` }))
            .filter((s) => s.current !== s.next)
            .map((s) => s.id)
            .sort(),
        );
        for (const c of changes) {
          expect(c.fromW).toBe(current.get(c.id));
          expect(c.toW).toBe(next.get(c.id));
        }
        const isLowering = (c: (typeof changes)[number]) => c.fromW === null || c.toW < c.fromW;
        const lastLowering = changes.findLastIndex(isLowering);
        const firstRaising = changes.findIndex((c) => !isLowering(c));
        if (firstRaising >= 0) expect(lastLowering).toBeLessThan(firstRaising);
      }),
      { seed, numRuns: 300 },
    );
  });

  it('property: applied in order, the stations never hold more than max(before, after) in all', () => {
    fc.assert(
      fc.property(stations, (list) => {
        const ratings = new Map(list.map((s, i) => [`s${i}`, s.rating]));
        const current = new Map(list.map((s, i) => [`s${i}`, s.current]));
        const next = new Map(list.map((s, i) => [`s${i}`, s.next]));
        const held = new Map([...current].map(([id, w]) => [id, w ?? ratings.get(id)!]));
        const before = sumOf(held.values());
        const after = sumOf(next.values());
        const ceiling = Math.max(before, after);
        for (const change of orderedChanges(current, next)) {
          held.set(change.id, change.toW);
          expect(sumOf(held.values())).toBeLessThanOrEqual(ceiling);
        }
        expect(Object.fromEntries(held)).toEqual(Object.fromEntries(next));
      }),
      { seed, numRuns: 300 },
    );
  });

  it('property: with sharePower, a facility never holds more than its limit at any step', () => {
    // Stations hold a previous allocation under the same limit; the next allocation comes from
    // sharePower (e.g. after a session was paused or resumed). At every step the sum stays ≤ limit.
    const session = fc.record({
      ratingKw: fc.integer({ min: 1, max: 35_000 }).map((c) => c / 100),
      pausedBefore: fc.boolean(),
      pausedAfter: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50_000 }).map((c) => c / 100),
        fc.array(session, { maxLength: 15 }),
        (limit, list) => {
          const before = sharePower(
            limit,
            list.map((s, i) => demand(`s${i}`, s.ratingKw, s.pausedBefore)),
          );
          const next = sharePower(
            limit,
            list.map((s, i) => demand(`s${i}`, s.ratingKw, s.pausedAfter)),
          );
          const held = new Map(before);
          for (const change of orderedChanges(before, next)) {
            held.set(change.id, change.toW);
            expect(sumOf(held.values())).toBeLessThanOrEqual(Math.round(limit * 1000)); // limit has two decimals
          }
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Estimates
// ---------------------------------------------------------------------------------------------

describe('minutesToCharge', () => {
  it('20 → 80 % of 60 kWh at 36 kW is exactly 60 minutes (no taper below 80 %)', () => {
    expect(minutesToCharge({ capacityKwh: 60, fromPercent: 20, toPercent: 80, powerKw: 36 })).toBe(60);
  });

  it('is linear below 80 %', () => {
    // 75 kWh, 10 → 80 %: 52.5 kWh at 50 kW = 63 minutes.
    expect(minutesToCharge({ capacityKwh: 75, fromPercent: 10, toPercent: 80, powerKw: 50 })).toBe(63);
    // 60 kWh, 0 → 80 %: 48 kWh at 48 kW = 60 minutes.
    expect(minutesToCharge({ capacityKwh: 60, fromPercent: 0, toPercent: 80, powerKw: 48 })).toBe(60);
    // 50 kWh, 20 → 50 %: 15 kWh at 7 kW = 128.57… → 129 minutes (rounded up).
    expect(minutesToCharge({ capacityKwh: 50, fromPercent: 20, toPercent: 50, powerKw: 7 })).toBe(129);
  });

  it('above 80 % takes longer than the linear estimate (taper to 5 % of full power at 100 %)', () => {
    // Power falls linearly from 100 % at 80 % SoC to 5 % at 100 % SoC: f(s) = 1 − 0.0475 (s − 80).
    // 80 → 90 %: (1 / 0.0475) · ln(1 / 0.525) = 13.57 %-at-full-power → 60 kWh at 60 kW: 8.14 min.
    expect(minutesToCharge({ capacityKwh: 60, fromPercent: 80, toPercent: 90, powerKw: 60 })).toBe(9);
    // 80 → 100 %: (1 / 0.0475) · ln 20 = 63.07 % → 37.84 min; linear would be 12.
    expect(minutesToCharge({ capacityKwh: 60, fromPercent: 80, toPercent: 100, powerKw: 60 })).toBe(38);
    // 70 → 90 %: 6 min linear to 80 % plus 8.14 min above = 14.14 → 15.
    expect(minutesToCharge({ capacityKwh: 60, fromPercent: 70, toPercent: 90, powerKw: 60 })).toBe(15);
  });

  it('property: above 80 % it is always slower than linear; never faster anywhere', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 150 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 3, max: 350 }),
        (capacityKwh, fromPercent, span, powerKw) => {
          const toPercent = Math.min(100, fromPercent + span);
          const minutes = minutesToCharge({ capacityKwh, fromPercent, toPercent, powerKw });
          const linear = ((capacityKwh * (toPercent - fromPercent)) / 100 / powerKw) * 60;
          expect(minutes).toBeGreaterThanOrEqual(Math.ceil(linear - 1e-9));
          expect(Number.isInteger(minutes)).toBe(true);
          if (toPercent > 81) expect(minutes).toBeGreaterThan(linear);
        },
      ),
      { seed },
    );
  });

  it('property: more power is never slower, a higher target never quicker', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 150 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 350 }),
        (capacityKwh, fromPercent, toPercent, powerKw) => {
          const m = (to: number, kw: number) =>
            minutesToCharge({ capacityKwh, fromPercent, toPercent: to, powerKw: kw });
          expect(m(toPercent, powerKw + 1)).toBeLessThanOrEqual(m(toPercent, powerKw));
          if (toPercent < 100)
            expect(m(toPercent + 1, powerKw)).toBeGreaterThanOrEqual(m(toPercent, powerKw));
        },
      ),
      { seed },
    );
  });

  it('is 0 when the target is not above the start, even at 0 kW', () => {
    expect(minutesToCharge({ capacityKwh: 60, fromPercent: 80, toPercent: 80, powerKw: 22 })).toBe(0);
    expect(minutesToCharge({ capacityKwh: 60, fromPercent: 90, toPercent: 50, powerKw: 22 })).toBe(0);
    expect(minutesToCharge({ capacityKwh: 60, fromPercent: 90, toPercent: 50, powerKw: 0 })).toBe(0);
    expect(minutesToCharge({ capacityKwh: 60, fromPercent: 80, toPercent: 80, powerKw: 0 })).toBe(0);
  });

  it('is Infinity at 0 kW (or less)', () => {
    expect(minutesToCharge({ capacityKwh: 60, fromPercent: 20, toPercent: 80, powerKw: 0 })).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(minutesToCharge({ capacityKwh: 60, fromPercent: 20, toPercent: 21, powerKw: -5 })).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  // Regression: float dust in the sum must not round a whole number of minutes up to the next.
  it('a whole number of minutes is not rounded up to the next one', () => {
    expect(minutesToCharge({ capacityKwh: 60, fromPercent: 0, toPercent: 50, powerKw: 30 })).toBe(60);
  });

  it('40 kWh from 20 to 80 % at 60 kW is 24 minutes', () => {
    expect(minutesToCharge({ capacityKwh: 40, fromPercent: 20, toPercent: 80, powerKw: 60 })).toBe(24);
  });
});

describe('socAfter', () => {
  it('adds the energy delivered as a share of the battery', () => {
    expect(socAfter(20, 30, 60)).toBe(70);
    expect(socAfter(20, 0, 60)).toBe(20);
    expect(socAfter(0, 15, 75)).toBe(20);
  });

  it('caps at 100 %', () => {
    expect(socAfter(90, 30, 60)).toBe(100);
    expect(socAfter(100, 0.1, 60)).toBe(100);
    expect(socAfter(50, 30, 60)).toBe(100);
  });
});

describe('energyCost', () => {
  it('is Wh × price per kWh in minor units, rounded half up', () => {
    // 12.345 kWh × 45 p = 555.525 p → 556 p.
    expect(energyCost(12_345, 45)).toBe(556);
    expect(energyCost(1, 1)).toBe(0);
    expect(energyCost(499, 1)).toBe(0);
    // 0.5 rounds up, 1.5 → 2 and 2.5 → 3 (half up, not half to even).
    expect(energyCost(500, 1)).toBe(1);
    expect(energyCost(1_500, 1)).toBe(2);
    expect(energyCost(2_500, 1)).toBe(3);
    expect(energyCost(0, 45)).toBe(0);
    expect(energyCost(12_345, 0)).toBe(0);
  });

  it('works for currencies without minor units (JPY-like whole-yen prices)', () => {
    // 12.345 kWh × ¥35 = ¥432.075 → ¥432; 7.5 kWh × ¥31 = ¥232.5 → ¥233; 40 kWh × ¥55 = ¥2 200.
    expect(energyCost(12_345, 35)).toBe(432);
    expect(energyCost(7_500, 31)).toBe(233);
    expect(energyCost(40_000, 55)).toBe(2_200);
  });

  it('is exact beyond floating point range (BigInt product)', () => {
    expect(energyCost(Number.MAX_SAFE_INTEGER, 1_000)).toBe(Number.MAX_SAFE_INTEGER);
    // 9 007 199 254 740 991 × 3 / 1000 = 27 021 597 764 222.973 → 27 021 597 764 223.
    expect(energyCost(Number.MAX_SAFE_INTEGER, 3)).toBe(27_021_597_764_223);
    // 9 007 199 254 740 991 × 500 / 1000 = 4 503 599 627 370 495.5 exactly → half up; a float
    // division would lose the half.
    expect(energyCost(Number.MAX_SAFE_INTEGER, 500)).toBe(4_503_599_627_370_496);
    // 9 007 199 254 740 966 × 45 = 405 323 966 463 343 470 → 405 323 966 463 343.47 → …343, where
    // Math.round(wh * price / 1000) in floating point says …344.
    expect(energyCost(9_007_199_254_740_966, 45)).toBe(405_323_966_463_343);
  });

  it('rejects non-integers', () => {
    for (const [wh, price] of [
      [1.5, 45],
      [1_000, 45.5],
      [Number.NaN, 1],
      [1, Number.POSITIVE_INFINITY],
      [2 ** 53, 1],
    ] as const)
      expect(() => energyCost(wh, price), `${wh} × ${price}`).toThrow(RangeError);
  });

  it('property: matches integer round-half-up for non-negative amounts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (wh, price) => {
          expect(energyCost(wh, price)).toBe(Math.floor((wh * price + 500) / 1000));
        },
      ),
      { seed },
    );
  });
});

describe('waitTimes', () => {
  it('queued cars take the station that frees up first, in turn; unusable stations get none', () => {
    const ready = waitTimes(
      [
        { station_id: 'a', minutesLeft: 0 },
        { station_id: 'b', minutesLeft: 5 },
        { station_id: 'x', minutesLeft: null },
      ],
      [{ minutesNeeded: 10 }, { minutesNeeded: 10 }, { minutesNeeded: 10 }],
    );
    // a: 0 → 10; b: 5 → 15; a: 10 → 20.
    expect(Object.fromEntries(ready)).toEqual({ a: 20, b: 15 });
  });

  it('with nobody queued, each usable station is ready when its session ends', () => {
    expect(
      Object.fromEntries(
        waitTimes(
          [
            { station_id: 'a', minutesLeft: 12 },
            { station_id: 'x', minutesLeft: null },
          ],
          [],
        ),
      ),
    ).toEqual({ a: 12 });
  });

  it('with no usable station there is nothing to wait for', () => {
    expect(waitTimes([{ station_id: 'x', minutesLeft: null }], [{ minutesNeeded: 10 }]).size).toBe(0);
  });

  it('property: every queued minute lands on a usable station and none on an unusable one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: 300 }), { nil: null }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 12 }),
        (lefts, needs) => {
          const stations = lefts.map((minutesLeft, i) => ({ station_id: `s${i}`, minutesLeft }));
          const ready = waitTimes(
            stations,
            needs.map((minutesNeeded) => ({ minutesNeeded })),
          );
          const usable = stations.filter((s) => s.minutesLeft !== null);
          expect([...ready.keys()].sort()).toEqual(usable.map((s) => s.station_id).sort());
          if (usable.length > 0)
            expect(sumOf(ready.values())).toBe(sumOf(usable.map((s) => s.minutesLeft!)) + sumOf(needs));
          for (const s of usable) expect(ready.get(s.station_id)!).toBeGreaterThanOrEqual(s.minutesLeft!);
        },
      ),
      { seed },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Queue estimates
// ---------------------------------------------------------------------------------------------

const created = new Date('2026-11-24T09:00:00Z');

function station(id: string, connector: ConnectorType, ratingKw: number): StationWithSession {
  return {
    station_id: id,
    tenant_id: 't1',
    facility_id: 'f1',
    name: id,
    charger_level: ratingKw > 22 ? 'DCFC' : 'LEVEL2',
    connector_type: connector,
    power_rating_kw: ratingKw,
    status: 'AVAILABLE',
    in_maintenance: false,
    online: true,
    connector_status: 'Available',
    ocpp_password_hash: '',
    ocpp_protocol: 'ocpp1.6',
    vendor: null,
    model: null,
    firmware_version: null,
    last_seen_at: null,
    warranty_expiry: null,
    last_maintenance: null,
    created_at: created,
    updated_at: created,
    open_session_id: null,
  };
}

const load = (
  id: string,
  connector: ConnectorType,
  ratingKw: number,
  minutesLeft: number | null,
): StationLoad => ({
  station: station(id, connector, ratingKw),
  minutesLeft,
});

let arrivals = 0;
function queued(
  id: string,
  connector: ConnectorType,
  desiredKwh: number | null,
  offeredStation: string | null = null,
): QueueRow {
  arrivals += 1;
  const arrival = new Date(created.getTime() + arrivals * 60_000);
  return {
    queue_id: id,
    tenant_id: 't1',
    facility_id: 'f1',
    vehicle_id: `v-${id}`,
    parking_session_id: `p-${id}`,
    customer_id: null,
    connector_type: connector,
    arrival_time: arrival,
    desired_capacity_kwh: desiredKwh,
    estimated_wait_time: null,
    status: 'WAITING',
    offered_station_id: offeredStation,
    offer_expires_at: offeredStation ? new Date(arrival.getTime() + 10 * 60_000) : null,
    charging_session_id: null,
    cancel_reason: null,
    created_at: arrival,
    updated_at: arrival,
  };
}

describe('queueEstimates and readyIn', () => {
  // At 50 kW: 25 kWh takes 30 min, 50 kWh 60 min, 20 kWh 24 min.
  const threeCars = () => [queued('q1', 'CCS', 25), queued('q2', 'CCS', 50), queued('q3', 'CCS', 20)];

  it('two free stations, three cars: they take the stations in turn', () => {
    const loads = [load('s1', 'CCS', 50, 0), load('s2', 'CCS', 50, 0)];
    const waiting = threeCars();
    // q1 → s1 (0 → 30), q2 → s2 (0 → 60), q3 → s1 (30 → 54).
    expect(Object.fromEntries(readyIn(loads, waiting, 10))).toEqual({ s1: 54, s2: 60 });
    // q1: both free → 0; q2: behind q1 (s1 30, s2 0) → 0; q3: behind q1 and q2 (s1 30, s2 60) → 30.
    expect(Object.fromEntries(queueEstimates(waiting, loads))).toEqual({
      q1: { position: 1, waitMinutes: 0 },
      q2: { position: 2, waitMinutes: 0 },
      q3: { position: 3, waitMinutes: 30 },
    });
  });

  it('two busy stations, three cars: the remaining times come first', () => {
    const loads = [load('s1', 'CCS', 50, 10), load('s2', 'CCS', 50, 40)];
    const waiting = threeCars();
    // q1 → s1 (10 → 40), q2 → s1 (40 → 100, first of the tie), q3 → s2 (40 → 64).
    expect(Object.fromEntries(readyIn(loads, waiting, 10))).toEqual({ s1: 100, s2: 64 });
    // q1: 10; q2: behind q1 (s1 40, s2 40) → 40; q3: behind q1, q2 (s1 100, s2 40) → 40.
    expect(Object.fromEntries(queueEstimates(waiting, loads))).toEqual({
      q1: { position: 1, waitMinutes: 10 },
      q2: { position: 2, waitMinutes: 40 },
      q3: { position: 3, waitMinutes: 40 },
    });
  });

  it('a car without a desired energy is assumed to need 60 % of a 60 kWh battery', () => {
    // 36 kWh at 22 kW = 98.18… → 99 minutes.
    const loads = [load('s1', 'TYPE2', 22, 0)];
    expect(Object.fromEntries(readyIn(loads, [queued('q1', 'TYPE2', null)], 10))).toEqual({ s1: 99 });
  });

  it('a station that cannot be used never gets a car', () => {
    const loads = [load('s1', 'CCS', 50, 0), load('off', 'CCS', 50, null)];
    const waiting = threeCars();
    // Only s1: 0 + 30 + 60 + 24.
    expect(Object.fromEntries(readyIn(loads, waiting, 10))).toEqual({ s1: 114 });
    expect(Object.fromEntries(queueEstimates(waiting, loads))).toEqual({
      q1: { position: 1, waitMinutes: 0 },
      q2: { position: 2, waitMinutes: 30 },
      q3: { position: 3, waitMinutes: 90 },
    });
  });

  it('with no usable fitting station the wait is unknown (null)', () => {
    const loads = [load('off', 'CCS', 50, null), load('t', 'TYPE2', 22, 0)];
    const estimates = queueEstimates([queued('q1', 'CCS', 25), queued('q2', 'CHADEMO', 25)], loads);
    expect(Object.fromEntries(estimates)).toEqual({
      q1: { position: 1, waitMinutes: null },
      q2: { position: 2, waitMinutes: null },
    });
  });

  it('an entry with an offered station has position 0; the others are 1, 2, … in arrival order', () => {
    const loads = [
      load('s1', 'CCS', 50, 0),
      load('s2', 'CCS', 50, 45),
      load('t1', 'TYPE2', 22, 0),
      load('t2', 'TYPE2', 22, 30),
    ];
    const waiting = [
      queued('a', 'CCS', 25, 's1'),
      queued('b', 'CCS', 25),
      queued('c', 'TYPE2', 11),
      queued('d', 'TYPE2', 11, 't1'),
      queued('e', 'CCS', 25),
    ];
    const estimates = queueEstimates(waiting, loads);
    expect([...estimates].map(([id, e]) => [id, e.position])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
      ['d', 0],
      ['e', 3],
    ]);
    expect(estimates.get('a')!.waitMinutes).toBe(0);
    expect(estimates.get('d')!.waitMinutes).toBe(0);
  });

  it('a car waits only for stations with its connector, behind cars with its connector', () => {
    const loads = [load('s1', 'CCS', 50, 40), load('t1', 'TYPE2', 11, 0)];
    const waiting = [
      queued('c1', 'CCS', 25),
      queued('t', 'TYPE2', 11),
      queued('c2', 'CCS', 50),
      queued('x', 'CHADEMO', 30),
    ];
    // c1: s1 40; t: t1 free → 0; c2: s1 40 + c1's 30 = 70 (t's car is not in its way); x: no station.
    expect(Object.fromEntries(queueEstimates(waiting, loads))).toEqual({
      c1: { position: 1, waitMinutes: 40 },
      t: { position: 2, waitMinutes: 0 },
      c2: { position: 3, waitMinutes: 70 },
      x: { position: 4, waitMinutes: null },
    });
    // CCS: 40 + 30 (c1) + 60 (c2) = 130; TYPE2: 0 + 60 (t: 11 kWh at 11 kW). The CHADEMO car changes nothing.
    expect(Object.fromEntries(readyIn(loads, waiting, 10))).toEqual({ s1: 130, t1: 60 });
  });

  it('readyIn counts a promised station as busy for the hold, and skips the car it is promised to', () => {
    const loads = [load('s1', 'CCS', 50, 0), load('s2', 'CCS', 50, 20)];
    const waiting = [queued('a', 'CCS', 50, 's1'), queued('b', 'CCS', 25)];
    // s1 is held 10 min for a; b (30 min) takes s1 after the hold: 40. s2 stays at 20.
    expect(Object.fromEntries(readyIn(loads, waiting, 10))).toEqual({ s1: 40, s2: 20 });
  });

  it('readyIn with nobody waiting is each usable station’s own remaining time', () => {
    const loads = [load('s1', 'CCS', 50, 7), load('off', 'CCS', 50, null), load('t1', 'TYPE2', 22, 0)];
    expect(Object.fromEntries(readyIn(loads, [], 10))).toEqual({ s1: 7, t1: 0 });
  });

  // Regression: a station promised to the first in line is not free for those behind.
  it('a car behind an entry holding the only free station does not wait 0 minutes', () => {
    const loads = [load('s1', 'CCS', 50, 0)];
    const waiting = [queued('a', 'CCS', 50, 's1'), queued('b', 'CCS', 25)];
    const b = queueEstimates(waiting, loads).get('b')!;
    expect(b.position).toBe(1);
    expect(b.waitMinutes).toBeGreaterThan(0);
  });

  // Regression: a station that cannot be used (offline, maintenance) does not speed up the estimates.
  it('an offline fast station does not shorten the waits on the slow one (queueEstimates)', () => {
    const loads = [load('slow', 'CCS', 50, 0), load('fast-offline', 'CCS', 150, null)];
    const waiting = [queued('q1', 'CCS', 50), queued('q2', 'CCS', 50)];
    // q1 needs 50 kWh at 50 kW = 60 min on the only usable station; q2 waits for it. Actual: 20.
    expect(queueEstimates(waiting, loads).get('q2')).toEqual({ position: 2, waitMinutes: 60 });
  });

  it('an offline fast station does not shorten the waits on the slow one (readyIn)', () => {
    const loads = [load('slow', 'CCS', 50, 0), load('fast-offline', 'CCS', 150, null)];
    const waiting = [queued('q1', 'CCS', 50), queued('q2', 'CCS', 50)];
    // 60 + 60 minutes at 50 kW. Actual: 40 (20 + 20, as if at 150 kW).
    expect(Object.fromEntries(readyIn(loads, waiting, 10))).toEqual({ slow: 120 });
  });
});
