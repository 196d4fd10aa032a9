import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startNpmStart, stopProcess } from '../../../test/support/npm-start.ts';

// `npm start` as a user runs it: a real process on a real port, with the embedded PostgreSQL
// keeping its data in a folder. kill -9 must not lose anything nor need a manual step.

const dataDir = mkdtempSync(join(tmpdir(), 'easypark-restart-'));
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function startPlatform(): Promise<{ child: ChildProcess; url: string }> {
  const started = await startNpmStart(dataDir);
  running.push(started.child);
  return started;
}

async function call(url: string, method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const adminLogin = { grant_type: 'password', username: 'admin@easypark.local', password: 'easypark' };

describe('npm start', () => {
  it('serves the demo, survives kill -9 with all its data, and needs no manual step', async () => {
    const first = await startPlatform();
    expect((await call(first.url, 'GET', '/api/v1/health')).status).toBe(200);
    const admin = (await call(first.url, 'POST', '/api/v1/auth/token', undefined, adminLogin)).body
      .access_token;
    const facilities = await call(first.url, 'GET', '/api/v1/facilities', admin);
    expect(facilities.body.map((f: { currency: string }) => f.currency).sort()).toEqual([
      'GBP',
      'JPY',
      'USD',
    ]);
    const facility = facilities.body[0];
    const entry = await call(first.url, 'POST', '/api/v1/parking/sessions/entry', admin, {
      facility_id: facility.facility_id,
      registration_number: 'KILL 9',
    });
    expect(entry.status).toBe(201);
    await stopProcess(first.child, 'SIGKILL');

    const second = await startPlatform();
    const token = (await call(second.url, 'POST', '/api/v1/auth/token', undefined, adminLogin)).body
      .access_token;
    const again = await call(second.url, 'GET', '/api/v1/facilities', token);
    expect(again.body).toHaveLength(3); // the demo is not seeded twice
    const session = await call(second.url, 'GET', `/api/v1/parking/sessions/${entry.body.session_id}`, token);
    expect(session.status).toBe(200);
    expect(session.body.exit_time).toBeNull();
    await expect
      .poll(
        async () =>
          (await call(second.url, 'GET', `/api/v1/facilities/${facility.facility_id}/status`, token)).body
            .occupied_spaces,
        { timeout: 10_000 },
      )
      .toBe(1);
    await stopProcess(second.child);
  }, 120_000);
});
