import { describe, expect, it } from 'vitest';
import { problemCatalog, toProblemDocument } from '../src/errors.ts';
import { isId, newId } from '../src/ids.ts';

describe('ids', () => {
  it('carry their type prefix and sort by creation time', () => {
    const ids = Array.from({ length: 2000 }, () => newId('space'));
    expect(ids.every((id) => isId('space', id))).toBe(true);
    expect(isId('facility', ids[0]!)).toBe(false);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('problems', () => {
  it('turn a catalogued code into an RFC 9457 document with a stable code', () => {
    const { problem } = problemCatalog({
      SPACE_OCCUPIED: { status: 409, title: 'The space holds a vehicle' },
    });
    const doc = toProblemDocument(
      problem('SPACE_OCCUPIED', 'spc_1 is taken', { space_id: 'spc_1' }),
      '/parking/v1/x',
    );
    expect(doc).toEqual({
      type: '/problems/space-occupied',
      title: 'The space holds a vehicle',
      status: 409,
      code: 'SPACE_OCCUPIED',
      detail: 'spc_1 is taken',
      instance: '/parking/v1/x',
      space_id: 'spc_1',
    });
  });
});
