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

export function decodeCursor<T>(cursor: string | undefined): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
  } catch {
    throw commonProblem('VALIDATION_FAILED', 'cursor is not one this API handed out', {
      errors: [{ field: 'cursor', message: 'unknown cursor' }],
    });
  }
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
