import { manualClock } from '@easypark/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

const clock = manualClock(new Date());
let t: TestPlatform;
let email: string;
beforeAll(async () => {
  t = await startTestPlatform({ clock });
  email = (await t.createDriver()).email;
});
afterAll(() => t.stop());

const signIn = (password: string, username = email) =>
  t.request('POST', '/api/v1/auth/token', { body: { grant_type: 'password', username, password } });

describe('wrong passwords for one account', () => {
  it('lock it for 30 s after five in a row, then doubling, whatever address they come from', async () => {
    for (let i = 0; i < 4; i++)
      expect((await signIn('wrong-password')).body.code).toBe('INVALID_CREDENTIALS');
    // The fifth wrong one still gets its answer, and locks the account for 30 s.
    expect((await signIn('wrong-password')).body.code).toBe('INVALID_CREDENTIALS');
    const locked = await signIn('correct-horse-battery');
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('LOGIN_THROTTLED');
    expect(locked.headers['retry-after']).toBe('30');
    // Case does not make it another account.
    expect((await signIn('correct-horse-battery', email.toUpperCase())).status).toBe(429);

    clock.advance(31_000);
    expect((await signIn('wrong-password')).status).toBe(401); // the sixth: 60 s now
    clock.advance(31_000);
    expect((await signIn('correct-horse-battery')).status).toBe(429);
    clock.advance(30_000);
    expect((await signIn('correct-horse-battery')).status).toBe(200);

    // A sign-in that works clears the count: four more wrong ones do not lock.
    for (let i = 0; i < 4; i++) await signIn('wrong-password');
    expect((await signIn('correct-horse-battery')).status).toBe(200);
  });

  it('of an account that does not exist are counted the same (no hint which accounts exist)', async () => {
    for (let i = 0; i < 5; i++) await signIn('whatever-it-is', 'nobody@example.com');
    const locked = await signIn('whatever-it-is', 'nobody@example.com');
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('LOGIN_THROTTLED');
  });
});
