import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

let t: TestPlatform;
let email: string;
beforeAll(async () => {
  t = await startTestPlatform();
  email = (await t.createDriver()).email;
});
afterAll(() => t.stop());

const password = 'correct-horse-battery';
const token = (body: Record<string, string>) => t.request('POST', '/api/v1/auth/token', { body });
const signIn = async () => (await token({ grant_type: 'password', username: email, password })).body;
const refresh = (refresh_token: string) => token({ grant_type: 'refresh_token', refresh_token });
const me = (accessToken: string) => t.request('GET', '/api/v1/parking/vehicles', { token: accessToken });

describe('refresh tokens', () => {
  it('renew a session, each once; a used one presented again ends the session', async () => {
    const first = await signIn();
    expect(first).toMatchObject({ refresh_token: expect.any(String), refresh_expires_in: 30 * 86_400 });
    const renewed = await refresh(first.refresh_token);
    expect(renewed.status).toBe(200);
    expect(renewed.body.refresh_token).not.toBe(first.refresh_token);
    expect((await me(renewed.body.access_token)).status).toBe(200);

    // The first refresh token was copied and is used again: whoever has it, the session ends.
    const replay = await refresh(first.refresh_token);
    expect(replay.status).toBe(400);
    expect(replay.body.code).toBe('INVALID_GRANT');
    expect(replay.body.detail).toContain('already used');
    expect((await refresh(renewed.body.refresh_token)).body.code).toBe('INVALID_GRANT');
    const refused = await me(renewed.body.access_token);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('SIGNED_OUT');
    // Another sign-in is another session, unaffected.
    expect((await me((await signIn()).access_token)).status).toBe(200);
  });

  it('an unknown one is refused', async () => {
    expect((await refresh('not-a-token')).body.code).toBe('INVALID_GRANT');
    expect((await token({ grant_type: 'refresh_token' })).body.code).toBe('VALIDATION_FAILED');
  });
});

describe('signing out', () => {
  it('ends the session: its access and refresh tokens stop working at once', async () => {
    const session = await signIn();
    const other = await signIn();
    expect((await me(session.access_token)).status).toBe(200);
    const out = await t.request('POST', '/api/v1/auth/logout', { token: session.access_token });
    expect(out.status).toBe(204);
    const after = await me(session.access_token);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('SIGNED_OUT');
    expect((await refresh(session.refresh_token)).body.code).toBe('INVALID_GRANT');
    expect((await me(other.access_token)).status).toBe(200);
    expect((await t.request('POST', '/api/v1/auth/logout')).status).toBe(401);
  });
});
