import { describe, expect, it } from 'vitest';
import {
  countByStatus,
  groupByLevel,
  levelName,
  maintenanceActionFor,
  moveInGrid,
  nextNumber,
  roomLeft,
  spaceLabel,
} from '../src/pages/facility/spaces.ts';
import { loadTotals, ocppAddress, stationLoads, stationName } from '../src/pages/facility/stations.ts';
import type { ChargingSession, Space, SpaceStatus, Station } from '../src/pages/facility/types.ts';

let serial = 0;
function space(
  floor: number,
  aisle: string,
  number: number,
  status: SpaceStatus = 'AVAILABLE',
  size: Space['size'] = 'STANDARD',
): Space {
  serial += 1;
  return {
    space_id: `spc_${serial}`,
    facility_id: 'fac_1',
    size,
    status,
    location: { floor, aisle, number },
    status_reason: null,
    last_updated: '2026-11-24T10:00:00.000Z',
  };
}

describe('the space map', () => {
  it('groups spaces by level from the lowest up, aisles in order, spaces by number', () => {
    const levels = groupByLevel([
      space(1, 'B', 2),
      space(0, 'A10', 1),
      space(-1, 'A', 1, 'OCCUPIED'),
      space(1, 'A', 10),
      space(1, 'A', 9, 'MAINTENANCE'),
      space(0, 'A2', 1),
      space(1, 'B', 1, 'RESERVED'),
    ]);
    expect(levels.map((l) => l.floor)).toEqual([-1, 0, 1]);
    expect(levels.map((l) => l.name)).toEqual(['Level -1 (basement)', 'Level 0 (ground)', 'Level 1']);
    // A2 before A10: numbers in names sort as numbers.
    expect(levels[1]!.aisles.map((a) => a.aisle)).toEqual(['A2', 'A10']);
    const top = levels[2]!;
    expect(top.aisles.map((a) => [a.aisle, a.spaces.map(spaceLabel)])).toEqual([
      ['A', ['A-9', 'A-10']],
      ['B', ['B-1', 'B-2']],
    ]);
    expect(top.counts).toEqual({ AVAILABLE: 2, OCCUPIED: 0, RESERVED: 1, MAINTENANCE: 1 });
    expect(top.total).toBe(4);
    expect(levels[0]!.counts.OCCUPIED).toBe(1);
    expect(groupByLevel([])).toEqual([]);
  });

  it('names levels as people say them', () => {
    expect(levelName(0)).toBe('Level 0 (ground)');
    expect(levelName(3)).toBe('Level 3');
    expect(levelName(-2)).toBe('Level -2 (basement)');
  });

  it('counts by status', () => {
    expect(
      countByStatus([space(0, 'A', 1), space(0, 'A', 2, 'OCCUPIED'), space(0, 'A', 3, 'OCCUPIED')]),
    ).toEqual({
      AVAILABLE: 1,
      OCCUPIED: 2,
      RESERVED: 0,
      MAINTENANCE: 0,
    });
  });

  it('says how many spaces of each size may still be added, never below zero', () => {
    const spaces = [
      space(0, 'C', 1, 'AVAILABLE', 'COMPACT'),
      space(0, 'C', 2, 'OCCUPIED', 'COMPACT'),
      space(0, 'S', 1, 'AVAILABLE', 'STANDARD'),
      space(0, 'L', 1, 'AVAILABLE', 'LARGE'),
      space(0, 'L', 2, 'AVAILABLE', 'LARGE'),
    ];
    expect(roomLeft({ compact: 5, standard: 1, large: 1 }, spaces)).toEqual({
      COMPACT: 3,
      STANDARD: 0,
      LARGE: 0,
    });
  });

  it('continues an aisle after its highest number, and starts a new one at 1', () => {
    const spaces = [space(0, 'A', 1), space(0, 'A', 7), space(1, 'A', 30), space(0, 'B', 2)];
    expect(nextNumber(spaces, 0, 'A')).toBe(8);
    expect(nextNumber(spaces, 1, 'A')).toBe(31);
    expect(nextNumber(spaces, 0, 'Z')).toBe(1);
    expect(nextNumber(spaces, 2, 'A')).toBe(1);
  });

  it('moves the keyboard focus along aisles and between aisles of different lengths', () => {
    const rows = [5, 2, 4];
    expect(moveInGrid(rows, { row: 0, column: 0 }, 'ArrowRight')).toEqual({ row: 0, column: 1 });
    expect(moveInGrid(rows, { row: 0, column: 4 }, 'ArrowRight')).toEqual({ row: 0, column: 4 });
    expect(moveInGrid(rows, { row: 0, column: 0 }, 'ArrowLeft')).toEqual({ row: 0, column: 0 });
    // Down from the 5th space of a long aisle lands on the last space of the short one.
    expect(moveInGrid(rows, { row: 0, column: 4 }, 'ArrowDown')).toEqual({ row: 1, column: 1 });
    expect(moveInGrid(rows, { row: 1, column: 1 }, 'ArrowDown')).toEqual({ row: 2, column: 1 });
    expect(moveInGrid(rows, { row: 2, column: 3 }, 'ArrowDown')).toEqual({ row: 2, column: 3 });
    expect(moveInGrid(rows, { row: 2, column: 3 }, 'ArrowUp')).toEqual({ row: 1, column: 1 });
    expect(moveInGrid(rows, { row: 0, column: 2 }, 'ArrowUp')).toEqual({ row: 0, column: 2 });
    expect(moveInGrid(rows, { row: 2, column: 2 }, 'Home')).toEqual({ row: 2, column: 0 });
    expect(moveInGrid(rows, { row: 2, column: 0 }, 'End')).toEqual({ row: 2, column: 3 });
    expect(moveInGrid(rows, { row: 0, column: 0 }, 'Enter')).toBeNull();
  });

  it('offers maintenance only where the API allows it by hand', () => {
    expect(maintenanceActionFor('AVAILABLE')).toBe('start');
    expect(maintenanceActionFor('RESERVED')).toBe('start');
    expect(maintenanceActionFor('MAINTENANCE')).toBe('end');
    expect(maintenanceActionFor('OCCUPIED')).toBeNull();
  });
});

function station(id: string, name: string | null): Station {
  return {
    station_id: id,
    name,
    charger_level: 'LEVEL2',
    connector_type: 'TYPE2',
    power_rating_kw: 22,
    status: 'AVAILABLE',
    connected: true,
    current_session_id: null,
    last_seen_at: null,
    last_maintenance: null,
  };
}

function session(
  stationId: string,
  status: ChargingSession['status'],
  kw: number | null,
  kwh: number,
): ChargingSession {
  return {
    charging_session_id: `chs_${stationId}_${status}`,
    status,
    station_id: stationId,
    energy_delivered_kwh: kwh,
    current_rate_kw: kw,
    state_of_charge_percent: 50,
    target_charge_percent: 80,
    time_remaining: 30,
  };
}

describe('charging stations', () => {
  it('pairs each station with its open session: power when charging, energy so far', () => {
    const loads = stationLoads(
      [station('stn_b', 'TYPE2 10'), station('stn_a', 'TYPE2 2'), station('stn_c', null)],
      [
        session('stn_a', 'ACTIVE', 11.04, 3.5),
        session('stn_b', 'PAUSED', 7, 1.25),
        session('stn_c', 'COMPLETED', 0, 20),
      ],
    );
    // By the name shown, numbers as numbers: "Station …stn_c", then "TYPE2 2" before "TYPE2 10".
    expect(loads.map((l) => l.station.station_id)).toEqual(['stn_c', 'stn_a', 'stn_b']);
    expect(loads.map((l) => [l.powerKw, l.energyKwh])).toEqual([
      [0, 0],
      [11.04, 3.5],
      [0, 1.25],
    ]);
    expect(loads[0]!.session).toBeNull();
    expect(loadTotals(loads)).toEqual({ powerKw: 11.04, energyKwh: 4.75, charging: 1 });
  });

  it('counts a session without a meter reading yet as drawing nothing', () => {
    const loads = stationLoads([station('stn_a', 'A')], [session('stn_a', 'ACTIVE', null, 0)]);
    expect(loads[0]!.powerKw).toBe(0);
    expect(loadTotals(loads).charging).toBe(1);
  });

  it('names unnamed stations and gives the OCPP address for the page’s own host', () => {
    expect(stationName({ name: null, station_id: 'stn_0123456789abcdef' })).toBe('Station …abcdef');
    expect(stationName({ name: 'Bay 4', station_id: 'stn_x' })).toBe('Bay 4');
    expect(ocppAddress({ protocol: 'http:', host: 'localhost:8080' }, '/ocpp')).toBe(
      'ws://localhost:8080/ocpp',
    );
    expect(ocppAddress({ protocol: 'https:', host: 'park.example' }, '/ocpp')).toBe(
      'wss://park.example/ocpp',
    );
  });
});
