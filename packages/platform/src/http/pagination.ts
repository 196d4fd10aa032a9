import { commonProblem } from '@easypark/kernel';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Query fields every list endpoint accepts. */
export const pageQuery = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'Items per page' }),
  ),
  cursor: Type.Optional(
    Type.String({ maxLength: 200, description: 'Opaque cursor from the previous page’s Link header' }),
  ),
};

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * The value a list cursor holds. `valid` says what shape the list hands out (usually `isIdCursor`):
 * a forged cursor of another shape is a 400, never a value that reaches SQL.
 */
export function decodeCursor<T>(
  cursor: string | undefined,
  valid?: (value: unknown) => value is T,
): T | undefined {
  if (cursor === undefined) return undefined;
  const refused = () =>
    commonProblem('VALIDATION_FAILED', 'cursor is not one this API handed out', {
      errors: [{ field: 'cursor', message: 'unknown cursor' }],
    });
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refused();
  }
  // PostgreSQL text cannot hold U+0000, whatever the shape.
  if (holdsNul(value) || (valid && !valid(value))) throw refused();
  return value as T;
}

function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || holdsNul(inner));
}

/** The usual cursor: the id of the last row of the page before. */
export function isIdCursor(value: unknown): value is string {
  return typeof value === 'string' && /^[a-z]{3}_[0-9a-f]{32}$/.test(value);
}

/**
 * Given `limit + 1` rows, keeps `limit`, and when there was one more sets
 * `Link: <same URL with cursor>; rel="next"` built from the last row kept.
 */
export function paginate<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  rows: T[],
  limit: number,
  cursorOf: (row: T) => unknown,
): T[] {
  if (rows.length <= limit) return rows;
  const page = rows.slice(0, limit);
  const url = new URL(request.url, 'http://local');
  url.searchParams.set('cursor', encodeCursor(cursorOf(page[page.length - 1]!)));
  reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
  return page;
}
