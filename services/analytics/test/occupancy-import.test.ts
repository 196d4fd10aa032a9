import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ImportFormatError, listCarParks, parseOccupancyImport } from '../src/domain/occupancy-import.ts';

const london = { timezone: 'Europe/London' };
const birminghamCsv = readFileSync(
  new URL('../../../datasets/birmingham-parking-2016-10-04_2016-11-30.csv', import.meta.url),
  'utf8',
);

function csv(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function iso(dates: Array<Date | null>): Array<string | null> {
  return dates.map((d) => d?.toISOString() ?? null);
}

describe('parseOccupancyImport: generic CSV', () => {
  it('reads ISO 8601 timestamps with Z or an offset, and a case-insensitive, padded header', () => {
    const result = parseOccupancyImport(
      csv(
        ' Timestamp , OCCUPIED_SPACES ,Capacity',
        '2024-05-01T09:00:00Z,10,100',
        '2024-05-01T11:30:00+02:00,20,100',
        '2024-05-01T08:45-0100,30,100',
      ),
      'csv',
      london,
    );
    expect(result.accepted).toBe(3);
    expect(iso(result.rows.map((r) => r.timestamp))).toEqual([
      '2024-05-01T09:00:00.000Z',
      '2024-05-01T09:30:00.000Z',
      '2024-05-01T09:45:00.000Z',
    ]);
    expect(result.rows.map((r) => r.occupied_spaces)).toEqual([10, 20, 30]);
    expect(result.skipped).toEqual({ total: 0, by_reason: {} });
    expect(result.car_parks).toEqual([]);
    expect(result.other_car_parks).toBe(0);
  });

  it('reads naive local times in the facility time zone and sorts the rows by time', () => {
    const result = parseOccupancyImport(
      csv('timestamp,occupied_spaces', '2024-07-01 10:00,5', '2024-07-01T09:30:15,4', '2024-01-15 09:30,3'),
      'csv',
      { ...london, capacity: 50 },
    );
    // Summer time is UTC+1, winter time UTC+0.
    expect(iso(result.rows.map((r) => r.timestamp))).toEqual([
      '2024-01-15T09:30:00.000Z',
      '2024-07-01T08:30:15.000Z',
      '2024-07-01T09:00:00.000Z',
    ]);
    expect(result.rows.every((r) => r.capacity === 50)).toBe(true);
    expect(iso([result.first, result.last])).toEqual([
      '2024-01-15T09:30:00.000Z',
      '2024-07-01T09:00:00.000Z',
    ]);
  });

  it('skips a local time inside the spring DST gap and takes the first of an ambiguous autumn time', () => {
    const result = parseOccupancyImport(
      csv(
        'timestamp,occupied_spaces,capacity',
        '2024-03-31 00:30,1,10', // GMT
        '2024-03-31 01:30,2,10', // does not exist: clocks jump from 01:00 to 02:00
        '2024-03-31 02:30,3,10', // BST
        '2024-10-27 01:30,4,10', // happens twice: 00:30Z (BST) and 01:30Z (GMT)
        '2024-10-27 02:30,5,10', // GMT
      ),
      'csv',
      london,
    );
    expect(result.skipped.by_reason).toEqual({ NONEXISTENT_LOCAL_TIME: { count: 1, lines: [3] } });
    expect(iso(result.rows.map((r) => r.timestamp))).toEqual([
      '2024-03-31T00:30:00.000Z',
      '2024-03-31T01:30:00.000Z',
      '2024-10-27T00:30:00.000Z',
      '2024-10-27T02:30:00.000Z',
    ]);
  });

  it('takes the capacity from the import when the file has no capacity column, and refuses without either', () => {
    const text = csv('timestamp,occupied_spaces', '2024-05-01T09:00:00Z,10');
    expect(parseOccupancyImport(text, 'csv', { ...london, capacity: 40 }).rows[0]?.capacity).toBe(40);
    expect(() => parseOccupancyImport(text, 'csv', london)).toThrow(ImportFormatError);
  });

  it('rejects a malformed header, a file without rows and an empty file', () => {
    expect(() => parseOccupancyImport(csv('time,spaces', '2024-05-01T09:00:00Z,1'), 'csv', london)).toThrow(
      /unrecognised header/,
    );
    expect(() => parseOccupancyImport(csv('timestamp,occupied_spaces,capacity'), 'csv', london)).toThrow(
      /no rows/,
    );
    expect(() => parseOccupancyImport('', 'csv', london)).toThrow(ImportFormatError);
  });

  it('rejects an unknown time zone', () => {
    expect(() =>
      parseOccupancyImport(csv('timestamp,occupied_spaces,capacity', '2024-05-01 09:00,1,2'), 'csv', {
        timezone: 'Mars/Olympus',
      }),
    ).toThrow(ImportFormatError);
  });
});

describe('parseOccupancyImport: cleaning', () => {
  it('counts each kind of bad row by reason, with its line numbers', () => {
    const result = parseOccupancyImport(
      csv(
        'timestamp,occupied_spaces,capacity',
        '2024-05-01 09:00,10,100', // 2: fine
        '2024-05-01 09:30,-1,100', // 3: negative
        '2024-05-01 10:00,101,100', // 4: above capacity
        '2024-05-01 10:30,10,0', // 5: bad capacity
        '2024-05-01 11:00,10,-5', // 6: bad capacity
        '2024-05-01 11:30,ten,100', // 7: bad number
        '2024-13-01 12:00,10,100', // 8: no such month
        'yesterday,10,100', // 9: not a time
        '2024-05-01 12:30', // 10: missing fields
        '2024-05-01 13:00,100,100', // 11: fine (exactly full)
        '2024-05-01 13:00:20,7,100', // 12: same minute as line 11
        '2024-05-01 13:30,0,100', // 13: fine (empty)
      ),
      'csv',
      london,
    );
    expect(result.accepted).toBe(3);
    expect(result.rows.map((r) => r.occupied_spaces)).toEqual([10, 100, 0]);
    expect(result.skipped.total).toBe(9);
    expect(result.skipped.by_reason).toEqual({
      NEGATIVE_OCCUPANCY: { count: 1, lines: [3] },
      ABOVE_CAPACITY: { count: 1, lines: [4] },
      BAD_CAPACITY: { count: 2, lines: [5, 6] },
      UNPARSEABLE: { count: 4, lines: [7, 8, 9, 10] },
      DUPLICATE: { count: 1, lines: [12] },
    });
  });

  it('keeps the first of repeated rows, and a valid repeat of an invalid row', () => {
    const result = parseOccupancyImport(
      csv(
        'timestamp,occupied_spaces,capacity',
        '2024-05-01 09:00:00,10,100',
        '2024-05-01 09:00:00,99,100',
        '2024-05-01 09:30,500,100',
        '2024-05-01 09:30,30,100',
      ),
      'csv',
      london,
    );
    expect(result.rows.map((r) => r.occupied_spaces)).toEqual([10, 30]);
    expect(result.skipped.by_reason).toEqual({
      DUPLICATE: { count: 1, lines: [3] },
      ABOVE_CAPACITY: { count: 1, lines: [4] },
    });
  });

  it('lists at most five example lines per reason but counts them all', () => {
    const lines = Array.from({ length: 8 }, (_, i) => `2024-05-01 09:0${i},-1,100`);
    const result = parseOccupancyImport(csv('timestamp,occupied_spaces,capacity', ...lines), 'csv', london);
    expect(result.skipped.by_reason['NEGATIVE_OCCUPANCY']).toEqual({ count: 8, lines: [2, 3, 4, 5, 6] });
    expect(result.accepted).toBe(0);
    expect([result.first, result.last]).toEqual([null, null]);
  });

  it('lists the local calendar days without rows between the first and the last', () => {
    const result = parseOccupancyImport(
      csv(
        'timestamp,occupied_spaces,capacity',
        '2024-10-01 09:00,1,10',
        '2024-10-02 09:00,1,10',
        '2024-10-05 00:30,1,10', // 2024-10-04T23:30Z: the local date counts
        '2024-10-07 09:00,-1,10', // skipped rows do not fill a day
        '2024-10-08 09:00,1,10',
      ),
      'csv',
      london,
    );
    expect(result.gaps).toEqual(['2024-10-03', '2024-10-04', '2024-10-06', '2024-10-07']);
  });
});

describe('parseOccupancyImport: Birmingham CSV and quoting', () => {
  const header = 'SystemCodeNumber,Capacity,Occupancy,LastUpdated';

  it('needs a car park when the file holds several, and names them', () => {
    const text = csv(header, 'A1,100,10,2016-10-04 08:00:00', 'B2,50,5,2016-10-04 08:00:00');
    expect(() => parseOccupancyImport(text, 'csv', london)).toThrow(/2 car parks.*A1, B2/);
    try {
      parseOccupancyImport(text, 'csv', london);
    } catch (error) {
      expect(error).toBeInstanceOf(ImportFormatError);
      expect((error as ImportFormatError).carParks).toEqual(['A1', 'B2']);
    }
    expect(() => parseOccupancyImport(text, 'csv', { ...london, carPark: 'C3' })).toThrow(/not in the file/);
  });

  it('imports one car park, counting the others apart from the skipped rows', () => {
    const result = parseOccupancyImport(
      csv(
        header,
        'A1,100,10,2016-10-04 08:00:00',
        'B2,50,5,2016-10-04 08:00:00',
        'A1,100,120,2016-10-04 08:30:00',
        'B2,50,6,2016-10-04 08:30:00',
        'A1,100,30,2016-10-04 09:00:00',
      ),
      'csv',
      { ...london, carPark: 'A1' },
    );
    expect(result.accepted).toBe(2);
    expect(result.other_car_parks).toBe(2);
    expect(result.skipped.by_reason).toEqual({ ABOVE_CAPACITY: { count: 1, lines: [4] } });
    expect(result.car_parks).toEqual(['A1', 'B2']);
    expect(iso([result.first])).toEqual(['2016-10-04T07:00:00.000Z']); // BST
  });

  it('takes a single car park without being told', () => {
    const result = parseOccupancyImport(csv(header, 'A1,100,10,2016-10-04 08:00:00'), 'csv', london);
    expect(result.accepted).toBe(1);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks (RFC 4180), with CRLF endings', () => {
    const text = [
      'SystemCodeNumber,Capacity,Occupancy,LastUpdated',
      '"Car Park, North",100,"42","2016-10-04 08:00:00"',
      '"The ""Big"" One",200,10,2016-10-04 08:00:00',
      '"Car Park, North",100,43,"2016-10-04',
      '08:30:00"',
      '"Car Park, North",100,44,2016-10-04 09:00:00',
      '',
    ].join('\r\n');
    expect(listCarParks(text)).toEqual(['Car Park, North', 'The "Big" One']);
    const result = parseOccupancyImport(text, 'csv', { ...london, carPark: 'Car Park, North' });
    expect(result.rows.map((r) => r.occupied_spaces)).toEqual([42, 44]);
    // The line break inside the quoted time makes it unreadable; line numbers stay true to the file.
    expect(result.skipped.by_reason).toEqual({ UNPARSEABLE: { count: 1, lines: [4] } });
    expect(result.other_car_parks).toBe(1);
    const big = parseOccupancyImport(text, 'csv', { ...london, carPark: 'The "Big" One' });
    expect(big.rows).toEqual([
      { timestamp: new Date('2016-10-04T07:00:00Z'), occupied_spaces: 10, capacity: 200 },
    ]);
  });
});

describe('parseOccupancyImport: JSON', () => {
  it('reads an array of rows, with the same timestamp rules and cleaning', () => {
    const result = parseOccupancyImport(
      JSON.stringify([
        { timestamp: '2024-05-01T09:00:00Z', occupied_spaces: 10, capacity: 100 },
        { timestamp: '2024-05-01 11:00', occupied_spaces: '20' },
        { timestamp: '2024-05-01 10:59:40', occupied_spaces: 21 },
        { timestamp: '2024-03-31 01:15', occupied_spaces: 1 },
        { timestamp: 12, occupied_spaces: 1 },
        'not an object',
        { timestamp: '2024-05-01 12:00', occupied_spaces: 70, capacity: 60 },
      ]),
      'json',
      { ...london, capacity: 80 },
    );
    expect(result.rows).toEqual([
      { timestamp: new Date('2024-05-01T09:00:00Z'), occupied_spaces: 10, capacity: 100 },
      { timestamp: new Date('2024-05-01T10:00:00Z'), occupied_spaces: 20, capacity: 80 },
    ]);
    // For JSON the "line" is the row's position in the array, from 1.
    expect(result.skipped.by_reason).toEqual({
      DUPLICATE: { count: 1, lines: [3] },
      NONEXISTENT_LOCAL_TIME: { count: 1, lines: [4] },
      UNPARSEABLE: { count: 2, lines: [5, 6] },
      ABOVE_CAPACITY: { count: 1, lines: [7] },
    });
  });

  it('rejects invalid JSON, a non-array, an empty array and rows without any capacity', () => {
    expect(() => parseOccupancyImport('{"timestamp":', 'json', london)).toThrow(ImportFormatError);
    expect(() => parseOccupancyImport('{"rows":[]}', 'json', london)).toThrow(/array/);
    expect(() => parseOccupancyImport('[]', 'json', london)).toThrow(/no rows/);
    expect(() =>
      parseOccupancyImport('[{"timestamp":"2024-05-01T09:00:00Z","occupied_spaces":1}]', 'json', london),
    ).toThrow(/capacity/);
  });
});

describe('parseOccupancyImport: the Birmingham file', () => {
  const fileRows = birminghamCsv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));

  it('finds every car park', () => {
    expect(listCarParks(birminghamCsv)).toEqual([...new Set(fileRows.map((r) => r[0]))].sort());
    expect(listCarParks(birminghamCsv)).toHaveLength(29);
  });

  it('reconciles a car park: accepted + skipped = its rows, and the other car parks are the rest', () => {
    const carPark = 'BHMBCCTHL01';
    const own = fileRows.filter((r) => r[0] === carPark);
    const aboveCapacity = own.filter((r) => Number(r[2]) > Number(r[1])).length;
    const result = parseOccupancyImport(birminghamCsv, 'csv', { ...london, carPark });

    expect(result.accepted + result.skipped.total).toBe(own.length);
    expect(result.other_car_parks).toBe(fileRows.length - own.length);
    expect(result.skipped.by_reason['ABOVE_CAPACITY']?.count).toBe(aboveCapacity);
    expect(aboveCapacity).toBeGreaterThan(50);
    expect(result.skipped.by_reason['DUPLICATE']?.count).toBeGreaterThan(0);
    expect(result.gaps).toEqual(['2016-10-20', '2016-10-21']);
    expect(iso([result.first, result.last])).toEqual([
      '2016-10-04T06:59:42.000Z',
      '2016-11-30T16:28:40.000Z',
    ]);
  });

  it('skips the negative counts of the car park with few rows', () => {
    const result = parseOccupancyImport(birminghamCsv, 'csv', { ...london, carPark: 'NIA North' });
    const own = fileRows.filter((r) => r[0] === 'NIA North');
    expect(result.skipped.by_reason['NEGATIVE_OCCUPANCY']?.count).toBe(
      own.filter((r) => Number(r[2]) < 0).length,
    );
    expect(result.accepted + result.skipped.total).toBe(own.length);
  });
});
