import { randomBytes } from 'node:crypto';

/** Type prefixes of every id the platform hands out. An id is `<prefix>_<32 hex digits of a UUIDv7>`. */
export const idPrefixes = {
  tenant: 'ten',
  user: 'usr',
  customer: 'cus',
  client: 'cli',
  apiKey: 'key',
  facility: 'fac',
  facilityOperation: 'fop',
  pricing: 'prc',
  space: 'spc',
  vehicle: 'veh',
  parkingSession: 'pks',
  reservation: 'res',
  hold: 'hld',
  station: 'stn',
  chargingSession: 'chs',
  queueEntry: 'chq',
  maintenance: 'mnt',
  charge: 'chg',
  invoice: 'inv',
  lineItem: 'lin',
  payment: 'pay',
  refund: 'rfd',
  creditNote: 'crn',
  permit: 'pmt',
  promoCode: 'pro',
  validation: 'val',
  revenueSummary: 'rvs',
  alert: 'alr',
  dailyReport: 'drp',
  occupancyImport: 'imp',
  event: 'evt',
  request: 'req',
  session: 'ses',
} as const;

export type IdKind = keyof typeof idPrefixes;

let lastMs = 0;
let sequence = 0;

/**
 * UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits. A 12-bit counter in the
 * rand_a field keeps ids minted in the same millisecond in order, so ids sort by creation.
 */
export function uuidv7Hex(nowMs: number = Date.now()): string {
  if (nowMs <= lastMs) {
    sequence += 1;
    if (sequence > 0xfff) {
      lastMs += 1;
      sequence = 0;
    }
  } else {
    lastMs = nowMs;
    sequence = 0;
  }
  const bytes = randomBytes(16);
  const ms = lastMs;
  bytes[0] = Math.floor(ms / 2 ** 40) & 0xff;
  bytes[1] = Math.floor(ms / 2 ** 32) & 0xff;
  bytes[2] = (ms >>> 24) & 0xff;
  bytes[3] = (ms >>> 16) & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  bytes[6] = 0x70 | ((sequence >>> 8) & 0x0f);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  return bytes.toString('hex');
}

export function newId(kind: IdKind): string {
  return `${idPrefixes[kind]}_${uuidv7Hex()}`;
}

const idPattern = /^[a-z]{3}_[0-9a-f]{32}$/;

/** True when `value` looks like an id of `kind` (right prefix, right length). */
export function isId(kind: IdKind, value: string): boolean {
  return idPattern.test(value) && value.startsWith(`${idPrefixes[kind]}_`);
}

/** A JSON-schema pattern for ids of one kind, used by route schemas. */
export function idPatternFor(kind: IdKind): string {
  return `^${idPrefixes[kind]}_[0-9a-f]{32}$`;
}
