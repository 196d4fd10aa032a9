/**
 * Import of occupancy history (CSV or JSON) into clean, time-sorted rows.
 *
 * Two CSV shapes are accepted, recognised by their header: our generic
 * `timestamp,occupied_spaces[,capacity]` and the Birmingham open-data export
 * `SystemCodeNumber,Capacity,Occupancy,LastUpdated`. JSON is an array of
 * `{ timestamp, occupied_spaces, capacity? }`. Rows that cannot be trusted are skipped and
 * counted by reason, with a few line numbers, so whoever imports can see what was dropped.
 */
import { addDays, isTimeZone, utcOffsetMs } from '@easypark/kernel';

export interface ImportOptions {
  timezone: string;
  /** Which car park to take from a file holding several (Birmingham shape). */
  carPark?: string;
  /** Capacity for rows that carry none (no capacity column, empty cell, or JSON without the field). */
  capacity?: number;
}

export interface OccupancyRow {
  timestamp: Date;
  occupied_spaces: number;
  capacity: number;
}

export type SkipReason =
  | 'UNPARSEABLE'
  | 'NEGATIVE_OCCUPANCY'
  | 'ABOVE_CAPACITY'
  | 'BAD_CAPACITY'
  | 'DUPLICATE'
  | 'NONEXISTENT_LOCAL_TIME';

export interface ImportResult {
  rows: OccupancyRow[];
  accepted: number;
  /** Only reasons that occurred appear in `by_reason`; `lines` holds at most 5 examples. */
  skipped: { total: number; by_reason: Record<string, { count: number; lines: number[] }> };
  /** Rows of car parks other than the one imported (Birmingham shape); not counted as skipped. */
  other_car_parks: number;
  /** Car parks named in the file (Birmingham shape), sorted; empty for the other shapes. */
  car_parks: string[];
  first: Date | null;
  last: Date | null;
  /** Local calendar days (YYYY-MM-DD) between the first and the last row that have no row. */
  gaps: string[];
}

/** The file as a whole cannot be imported: the API answers 400 with the message. */
export class ImportFormatError extends Error {
  override name = 'ImportFormatError';
  /** Car parks found, when the error is about choosing one. */
  readonly carParks: string[];

  constructor(message: string, carParks: string[] = []) {
    super(message);
    this.carParks = carParks;
  }
}

const MAX_EXAMPLE_LINES = 5;

export function parseOccupancyImport(
  text: string,
  format: 'csv' | 'json',
  options: ImportOptions,
): ImportResult {
  if (!isTimeZone(options.timezone)) throw new ImportFormatError(`unknown time zone "${options.timezone}"`);
  if (options.capacity !== undefined && !(Number.isFinite(options.capacity) && options.capacity > 0)) {
    throw new ImportFormatError('capacity must be a positive number');
  }
  const source = format === 'csv' ? rawRowsFromCsv(text, options) : rawRowsFromJson(text, options);
  return cleanRows(source, options);
}

/** The car parks named in a Birmingham-shaped CSV, sorted; empty for any other shape. */
export function listCarParks(text: string): string[] {
  const [header, ...records] = readCsv(text);
  if (!header || detectCsvShape(header.fields).kind !== 'birmingham') return [];
  const column = normaliseHeader(header.fields).indexOf('systemcodenumber');
  return distinctSorted(records.map((record) => (record.fields[column] ?? '').trim()));
}

// ---------------------------------------------------------------------------------------------
// Raw rows: one per data record, still as text, with the line it came from.

interface RawRow {
  line: number;
  timestamp: unknown;
  occupied: unknown;
  capacity: unknown;
}

interface RawSource {
  rows: RawRow[];
  otherCarParks: number;
  carParks: string[];
}

/** Column indexes; the generic shape's capacity is -1 when the file has no such column. */
type CsvShape =
  | { kind: 'generic'; timestamp: number; occupied: number; capacity: number }
  | { kind: 'birmingham'; carPark: number; timestamp: number; occupied: number; capacity: number }
  | { kind: 'unknown' };

function normaliseHeader(fields: string[]): string[] {
  return fields.map((field) => field.trim().toLowerCase());
}

function detectCsvShape(fields: string[]): CsvShape {
  const names = normaliseHeader(fields);
  const at = (name: string) => names.indexOf(name);
  if (at('systemcodenumber') >= 0 && at('capacity') >= 0 && at('occupancy') >= 0 && at('lastupdated') >= 0) {
    return {
      kind: 'birmingham',
      carPark: at('systemcodenumber'),
      timestamp: at('lastupdated'),
      occupied: at('occupancy'),
      capacity: at('capacity'),
    };
  }
  if (at('timestamp') >= 0 && at('occupied_spaces') >= 0) {
    return {
      kind: 'generic',
      timestamp: at('timestamp'),
      occupied: at('occupied_spaces'),
      capacity: at('capacity'),
    };
  }
  return { kind: 'unknown' };
}

function rawRowsFromCsv(text: string, options: ImportOptions): RawSource {
  const [header, ...records] = readCsv(text);
  if (!header) throw new ImportFormatError('the file is empty');
  const shape = detectCsvShape(header.fields);
  if (shape.kind === 'unknown') {
    throw new ImportFormatError(
      `unrecognised header "${header.fields.join(',')}": expected "timestamp,occupied_spaces,capacity" ` +
        'or "SystemCodeNumber,Capacity,Occupancy,LastUpdated"',
    );
  }
  if (records.length === 0) throw new ImportFormatError('the file has a header but no rows');
  if (shape.kind === 'generic' && shape.capacity < 0 && options.capacity === undefined) {
    throw new ImportFormatError('no capacity column: add one or give the capacity with the import');
  }

  const rowOf = (record: CsvRecord): RawRow => ({
    line: record.line,
    timestamp: record.fields[shape.timestamp],
    occupied: record.fields[shape.occupied],
    capacity: shape.capacity >= 0 ? record.fields[shape.capacity] : undefined,
  });

  if (shape.kind === 'generic') return { rows: records.map(rowOf), otherCarParks: 0, carParks: [] };

  const carParkOf = (record: CsvRecord) => (record.fields[shape.carPark] ?? '').trim();
  const carParks = distinctSorted(records.map(carParkOf));
  let wanted = options.carPark?.trim();
  if (wanted === undefined) {
    if (carParks.length > 1) {
      throw new ImportFormatError(
        `the file holds ${carParks.length} car parks; choose one with carPark: ${carParks.join(', ')}`,
        carParks,
      );
    }
    wanted = carParks[0] ?? '';
  } else if (!carParks.includes(wanted)) {
    throw new ImportFormatError(
      `car park "${wanted}" is not in the file; found: ${carParks.join(', ')}`,
      carParks,
    );
  }
  const ours = records.filter((record) => carParkOf(record) === wanted);
  return { rows: ours.map(rowOf), otherCarParks: records.length - ours.length, carParks };
}

function rawRowsFromJson(text: string, options: ImportOptions): RawSource {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ImportFormatError(`the body is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new ImportFormatError('expected a JSON array of rows');
  if (parsed.length === 0) throw new ImportFormatError('the array has no rows');
  const isObject = (item: unknown): item is Record<string, unknown> =>
    typeof item === 'object' && item !== null && !Array.isArray(item);
  if (options.capacity === undefined && !parsed.some((item) => isObject(item) && 'capacity' in item)) {
    throw new ImportFormatError('no row has a capacity: add one or give the capacity with the import');
  }
  // JSON has no meaningful line numbers; the row's 1-based position in the array stands in.
  const rows = parsed.map((item, index): RawRow => {
    const object = isObject(item) ? item : {};
    return {
      line: index + 1,
      timestamp: object['timestamp'],
      occupied: object['occupied_spaces'],
      capacity: object['capacity'],
    };
  });
  return { rows, otherCarParks: 0, carParks: [] };
}

// ---------------------------------------------------------------------------------------------
// Cleaning.

function cleanRows(source: RawSource, options: ImportOptions): ImportResult {
  const skipped: ImportResult['skipped'] = { total: 0, by_reason: {} };
  const skip = (reason: SkipReason, line: number) => {
    const entry = skipped.by_reason[reason] ?? { count: 0, lines: [] };
    skipped.by_reason[reason] = entry;
    entry.count++;
    if (entry.lines.length < MAX_EXAMPLE_LINES) entry.lines.push(line);
    skipped.total++;
  };

  const rows: OccupancyRow[] = [];
  const seenMinutes = new Set<number>();
  for (const raw of source.rows) {
    const time = parseTimestamp(raw.timestamp, options.timezone);
    const occupied = parseNumber(raw.occupied);
    const capacity = isBlank(raw.capacity) ? (options.capacity ?? null) : parseNumber(raw.capacity);
    if (time === 'nonexistent') {
      skip('NONEXISTENT_LOCAL_TIME', raw.line);
      continue;
    }
    if (time === null || occupied === null || capacity === null) {
      skip('UNPARSEABLE', raw.line);
      continue;
    }
    if (capacity <= 0) {
      skip('BAD_CAPACITY', raw.line);
      continue;
    }
    if (occupied < 0) {
      skip('NEGATIVE_OCCUPANCY', raw.line);
      continue;
    }
    // Skipped, not clamped: a count above capacity shows the counter has drifted (missed exits)
    // or the capacity is wrong, so the true value is unknown. Clamping would invent a "full"
    // reading we never observed and hide the fault; the neighbouring samples remain.
    if (occupied > capacity) {
      skip('ABOVE_CAPACITY', raw.line);
      continue;
    }
    // The same car park at the same minute twice: exports repeat rows. The first valid one wins.
    const minute = Math.round(time.getTime() / 60_000);
    if (seenMinutes.has(minute)) {
      skip('DUPLICATE', raw.line);
      continue;
    }
    seenMinutes.add(minute);
    rows.push({ timestamp: time, occupied_spaces: occupied, capacity });
  }

  rows.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  const first = rows[0]?.timestamp ?? null;
  const last = rows.at(-1)?.timestamp ?? null;
  return {
    rows,
    accepted: rows.length,
    skipped,
    other_car_parks: source.otherCarParks,
    car_parks: source.carParks,
    first,
    last,
    gaps: missingDays(rows, options.timezone),
  };
}

function missingDays(rows: OccupancyRow[], zone: string): string[] {
  if (rows.length === 0) return [];
  const days = new Set(rows.map((row) => localDate(row.timestamp.getTime(), zone)));
  const sorted = [...days].sort();
  const gaps: string[] = [];
  for (let day = sorted[0]!; day < sorted.at(-1)!; day = addDays(day, 1)) {
    if (!days.has(day)) gaps.push(day);
  }
  return gaps;
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function parseNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const number = Number(value.trim());
  return Number.isFinite(number) ? number : null;
}

function distinctSorted(values: string[]): string[] {
  return [...new Set(values)].sort();
}

// ---------------------------------------------------------------------------------------------
// Timestamps: ISO 8601 with an offset, or a naive local time read in the facility's zone.

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** The instant, `'nonexistent'` for a local time inside a DST gap, or null when unreadable. */
export function parseTimestamp(value: unknown, zone: string): Date | 'nonexistent' | null {
  if (typeof value !== 'string') return null;
  const match = TIMESTAMP.exec(value.trim());
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = Number(match[6] ?? 0);
  const millisecond = Math.floor(Number(match[7] ?? 0) * 1000);
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  const check = new Date(wall);
  const valid =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59;
  if (!valid) return null;

  const offset = match[8];
  if (offset !== undefined) {
    if (offset.toUpperCase() === 'Z') return new Date(wall);
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
    return new Date(wall - sign * minutes * 60_000);
  }
  return instantOfLocalTime(wall, zone);
}

/**
 * The instant whose local clock in `zone` shows `wall` (local time written as if UTC).
 * In the autumn overlap both candidates match and the earlier is taken; in the spring gap none does.
 */
function instantOfLocalTime(wall: number, zone: string): Date | 'nonexistent' {
  const day = 86_400_000;
  // The offsets in force a day either side cover every zone's transition around `wall`.
  const candidates = [wall - utcOffsetMs(wall - day, zone), wall - utcOffsetMs(wall + day, zone)]
    .filter((instant) => wallClockMinute(instant, zone) === Math.floor(wall / 60_000))
    .sort((a, b) => a - b);
  return candidates.length > 0 ? new Date(candidates[0]!) : 'nonexistent';
}

function wallClockMinute(instant: number, zone: string): number {
  return Math.floor(instant / 60_000) + utcOffsetMs(instant, zone) / 60_000;
}

function localDate(instant: number, zone: string): string {
  return new Date(instant + utcOffsetMs(instant, zone)).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks.

interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
}

function readCsv(text: string): CsvRecord[] {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let line = 1;
  let recordLine = 1;
  let i = 0;

  while (i <= input.length) {
    let field = '';
    if (input[i] === '"') {
      // Quoted: runs to the next lone quote; "" is a quote inside the field.
      i++;
      for (;;) {
        const quote = input.indexOf('"', i);
        const end = quote < 0 ? input.length : quote;
        const chunk = input.slice(i, end);
        field += chunk;
        line += chunk.split('\n').length - 1;
        i = end + 1;
        if (input[i] !== '"' || quote < 0) break;
        field += '"';
        i++;
      }
      // Anything between the closing quote and the separator is kept, as lenient readers do.
      while (i < input.length && !',\r\n'.includes(input[i]!)) field += input[i++];
    } else {
      const start = i;
      while (i < input.length && !',\r\n'.includes(input[i]!)) i++;
      field = input.slice(start, i);
    }
    fields.push(field);

    if (input[i] === ',') {
      i++;
      continue;
    }
    // End of record: a line break or the end of the text. Blank lines are not records.
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: recordLine, fields });
    fields = [];
    if (input[i] === '\r' && input[i + 1] === '\n') i++;
    i++;
    line++;
    recordLine = line;
  }
  return records;
}
