import { AppError, makeEvent } from '@easypark/kernel';
import { createMemoryBus, type ServiceClient } from '@easypark/platform';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  facilityClient,
  facilityConfigTtlMs,
  forgetFacilityConfig,
  watchFacilityChanges,
} from '../src/client.ts';

/** A client that answers GET .../config from `answer` and counts the calls that reach it. */
function countingClient(answer: (path: string) => Promise<unknown>) {
  const paths: string[] = [];
  const client: ServiceClient = {
    target: 'facility',
    request: () => Promise.reject(new Error('not used')),
    get: <T>(path: string) => {
      paths.push(path);
      return answer(path) as Promise<T>;
    },
    post: () => Promise.reject(new Error('not used')),
  };
  return { client, paths };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('facilityClient(...).config', () => {
  it('asks the facility service once per facility within the time it trusts an answer, then again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { client, paths } = countingClient(async (path) => ({
      facility_id: path.split('/')[3],
      status: 'ACTIVE',
    }));
    const facilities = facilityClient(client);
    const [a, b] = await Promise.all([facilities.config('fac_a'), facilities.config('fac_a')]);
    expect(a).toEqual({ facility_id: 'fac_a', status: 'ACTIVE' });
    expect(b).toEqual(a);
    expect(b).not.toBe(a); // each caller gets its own copy
    await facilityClient(client).config('fac_b');
    vi.advanceTimersByTime(facilityConfigTtlMs - 1);
    await facilities.config('fac_a');
    expect(paths).toEqual(['/facilities/internal/fac_a/config', '/facilities/internal/fac_b/config']);
    vi.advanceTimersByTime(1);
    await facilities.config('fac_a');
    expect(paths).toHaveLength(3);
  });

  it('asks again when told to read it fresh, and keeps that answer for the others', async () => {
    let status = 'ACTIVE';
    const { client, paths } = countingClient(async () => ({ facility_id: 'fac_d', status }));
    const facilities = facilityClient(client);
    expect(await facilities.config('fac_d')).toMatchObject({ status: 'ACTIVE' });
    status = 'MAINTENANCE';
    expect(await facilities.config('fac_d')).toMatchObject({ status: 'ACTIVE' });
    expect(await facilities.config('fac_d', { fresh: true })).toMatchObject({ status: 'MAINTENANCE' });
    expect(await facilities.config('fac_d')).toMatchObject({ status: 'MAINTENANCE' });
    expect(paths).toHaveLength(2);
  });

  it('does not keep a failure: the next call asks again', async () => {
    let fail = true;
    const { client, paths } = countingClient(async () => {
      if (fail) throw new AppError('FACILITY_NOT_FOUND', 404, 'Not found');
      return { facility_id: 'fac_c' };
    });
    await expect(facilityClient(client).config('fac_c')).rejects.toMatchObject({ status: 404 });
    fail = false;
    await expect(facilityClient(client).config('fac_c')).resolves.toEqual({ facility_id: 'fac_c' });
    expect(paths).toHaveLength(2);
  });

  it('asks again once a change to the facility is announced, in every service of the process', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let status = 'ACTIVE';
    const parking = countingClient(async () => ({ facility_id: 'fac_e', status }));
    const billing = countingClient(async () => ({ facility_id: 'fac_e', status }));
    const bus = createMemoryBus();
    await watchFacilityChanges(bus);
    for (const { client } of [parking, billing])
      expect(await facilityClient(client).config('fac_e')).toMatchObject({ status: 'ACTIVE' });
    vi.advanceTimersByTime(1);
    status = 'MAINTENANCE';
    await bus.publish([
      makeEvent('/services/facility', {
        type: 'facility.updated',
        data: { facility_id: 'fac_e', changed: ['status'], status } as never,
      }),
    ]);
    vi.advanceTimersByTime(1);
    for (const { client } of [parking, billing])
      expect(await facilityClient(client).config('fac_e')).toMatchObject({ status: 'MAINTENANCE' });
    // What was read after the announcement is trusted again.
    vi.advanceTimersByTime(1);
    await facilityClient(parking.client).config('fac_e');
    expect(parking.paths).toHaveLength(2);
    expect(billing.paths).toHaveLength(2);
    // A change announced in the millisecond of a read, or after it: that read may predate it.
    forgetFacilityConfig('fac_e');
    await facilityClient(parking.client).config('fac_e');
    expect(parking.paths).toHaveLength(3);
  });
});
