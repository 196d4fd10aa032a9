import { randomBytes } from 'node:crypto';

// Confirmation codes: 8 characters of Crockford base32 (no I, L, O, U), 40 random bits. Short
// enough to read out at a gate, too many to guess (and a guess must also match the facility).

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newConfirmationCode(): string {
  const bytes = randomBytes(5);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let i = 7; i >= 0; i--) code += alphabet[Number((bits >> BigInt(i * 5)) & 31n)];
  return code;
}

/** A code as a person may type it (lower case, dashes, spaces, O for 0, I or L for 1); null if it cannot be one. */
export function normalizeConfirmationCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return /^[0-9A-HJKMNP-TV-Z]{8}$/.test(code) ? code : null;
}

/** Plates as Parking stores them: upper case, without spaces or dashes. */
export function normalizePlate(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}
