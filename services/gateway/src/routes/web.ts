import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commonProblem } from '@easypark/kernel';
import type { App } from '@easypark/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The web app's build (`npm run build -w apps/web`), from this file: routes → src → gateway → services → root. */
const distDir = fileURLToPath(new URL('../../../../apps/web/dist/', import.meta.url));

/** A hashed asset's name: letters, digits, `.`, `_`, `-`, not starting with a dot (no `..`, no `/`). */
const assetName = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Paths that are never the web app, even when nothing answers them. */
const reserved = [
  '/api',
  '/docs',
  '/problems',
  '/ocpp',
  '/healthz',
  '/readyz',
  '/metrics',
  '/openapi.json',
  '/assets',
];

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The web app (apps/web) at `/`: its hashed assets, cached for a year, and index.html for `/`
 * and every other path the app routes itself (no file extension, not an API or platform path).
 * The files are read when asked for, so a build made while the gateway runs is served at once.
 */
export function webRoutes(app: App): void {
  async function sendIndex(request: FastifyRequest, reply: FastifyReply) {
    const html = await readFile(join(distDir, 'index.html')).catch(() => null);
    if (!html) {
      request.log.warn('the web app is not built: run npm run build -w apps/web');
      throw commonProblem(
        'SERVICE_UNAVAILABLE',
        'The web app is not built: run `npm run build -w apps/web` (or `npm install`), then reload',
      );
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  }

  app.get('/', { schema: { hide: true } }, sendIndex);

  app.get('/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const { file } = request.params as { file: string };
    const body = assetName.test(file)
      ? await readFile(join(distDir, 'assets', file)).catch(() => null)
      : null;
    if (!body) throw commonProblem('ROUTE_NOT_FOUND', `GET ${request.url.split('?')[0]} does not exist`);
    return reply
      .type(contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(body);
  });

  // The app's own routes (/overview, /vehicles, …): a browser's page load that no route answers.
  // Other clients (an API client asks for JSON or anything) still get the 404 problem.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404 || (request.method !== 'GET' && request.method !== 'HEAD')) return;
    if (!String(request.headers.accept ?? '').includes('text/html')) return;
    if (!isAppPath(request.url.split('?')[0] ?? '')) return;
    return sendIndex(request, reply);
  });
}

/** Whether a path no route answers is one of the web app's pages. */
export function isAppPath(path: string): boolean {
  if (!path.startsWith('/') || path.startsWith('//')) return false;
  if (reserved.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return false;
  // A service's own path (`/parking/v1/…`, `/billing/internal/…`): never reachable here, and never a page.
  if (/^\/[^/]+\/(v1|internal)(\/|$)/.test(path)) return false;
  const last = path.slice(path.lastIndexOf('/') + 1);
  // A file (it has an extension), or anything encoded or climbing (`%2e`, `..`): the 404 problem.
  return !last.includes('.') && !path.includes('%') && !path.split('/').includes('..');
}
