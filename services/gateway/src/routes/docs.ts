import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { App, Transport } from '@easypark/platform';
import { toPublicPath } from '../apis.ts';

interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  paths?: Record<string, Record<string, { tags?: string[] } & Record<string, unknown>>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags?: { name: string; description?: string }[];
  [key: string]: unknown;
}

/**
 * One OpenAPI 3.1 document for the whole public API: each service's document with its paths
 * rewritten to their gateway form and its internal routes left out, plus the gateway's own.
 */
export function docsRoutes(app: App, transports: Record<string, Transport>): void {
  let cached: { at: number; doc: OpenApiDocument } | null = null;

  async function mergedDocument(): Promise<OpenApiDocument> {
    if (cached && Date.now() - cached.at < 60_000) return cached.doc;
    const own = app.swagger() as unknown as OpenApiDocument;
    const merged: OpenApiDocument = {
      openapi: '3.1.0',
      info: {
        title: 'EasyParkPlus API',
        version: '1.0.0',
        description:
          'Parking facilities, spaces, sessions and EV charging. Sign in with POST /api/v1/auth/token and send `Authorization: Bearer <access_token>`. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      servers: [{ url: '/' }],
      paths: { ...(own.paths ?? {}) },
      components: { ...own.components, schemas: { ...(own.components?.schemas ?? {}) } },
      security: [{ bearerAuth: [] }],
    };
    for (const [service, transport] of Object.entries(transports)) {
      const result = await transport.request({ method: 'GET', path: '/openapi.json' }).catch(() => null);
      if (result?.status !== 200) continue;
      const doc = JSON.parse(result.body.toString('utf8')) as OpenApiDocument;
      for (const [path, operations] of Object.entries(doc.paths ?? {})) {
        if (path.includes('/internal/') || path.endsWith('/internal')) continue;
        merged.paths![toPublicPath(path)] = operations;
      }
      Object.assign(merged.components!.schemas!, doc.components?.schemas ?? {});
      merged[`x-service-${service}`] = doc.info.version;
    }
    cached = { at: Date.now(), doc: merged };
    return merged;
  }

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => mergedDocument());

  // Resolve the package's folder without loading it: its main module evaluates the whole UI bundle.
  const swaggerUiRoot = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const assets: Record<string, { type: string; body: Buffer }> = {
    'swagger-ui.css': {
      type: 'text/css; charset=utf-8',
      body: readFileSync(join(swaggerUiRoot, 'swagger-ui.css')),
    },
    'swagger-ui-bundle.js': {
      type: 'text/javascript; charset=utf-8',
      body: readFileSync(join(swaggerUiRoot, 'swagger-ui-bundle.js')),
    },
    // Not inline: the Content-Security-Policy allows scripts from this origin only.
    'start.js': {
      type: 'text/javascript; charset=utf-8',
      body: Buffer.from(
        "window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#api', deepLinking: true, persistAuthorization: true });\n",
      ),
    },
  };
  app.get('/docs/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const asset = assets[(request.params as { file: string }).file];
    if (!asset) return reply.code(404).type('text/plain').send('not found');
    return reply.type(asset.type).header('cache-control', 'public, max-age=86400').send(asset.body);
  });
  app.get('/docs', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(docsPage),
  );
}

const docsPage = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>EasyParkPlus API reference</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="api"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/start.js"></script>
</body>
</html>`;
