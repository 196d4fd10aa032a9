import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt, memory-hard: N=2^15, r=8, p=1 uses 32 MiB per hash. Stored as `scrypt$N$r$p$salt$hash`. */
const N = 2 ** 15;
const r = 8;
const p = 1;
const keyLength = 32;

function derive(secret: string, salt: Buffer, n: number, rr: number, pp: number): Promise<Buffer> {
  return new Promise((done, fail) =>
    scrypt(secret, salt, keyLength, { N: n, r: rr, p: pp, maxmem: 128 * n * rr * 2 }, (error, key) =>
      error ? fail(error) : done(key),
    ),
  );
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, N, r, p);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, rr, pp, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(secret, Buffer.from(salt, 'base64url'), Number(n), Number(rr), Number(pp));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A dummy hash to verify against when the user does not exist, so timing does not reveal it. */
export const absentUserHash = `scrypt$${N}$${r}$${p}$${randomBytes(16).toString('base64url')}$${randomBytes(32).toString('base64url')}`;
