import { type ProblemKind, problemTypeUri } from '@easypark/kernel';
import type { App } from '@easypark/platform';

/**
 * Every problem's `type` (`/problems/space-occupied`) resolves to a short page saying what the
 * code means, as RFC 9457 asks of type URIs; `/problems` lists them all, as JSON for tools.
 */
export function problemRoutes(app: App, catalogues: Record<string, Record<string, ProblemKind>>): void {
  const entries = new Map<string, { code: string; status: number; title: string; services: string[] }>();
  for (const [service, catalogue] of Object.entries(catalogues)) {
    for (const [code, kind] of Object.entries(catalogue)) {
      const slug = problemTypeUri(code).slice('/problems/'.length);
      const entry = entries.get(slug) ?? { code, status: kind.status, title: kind.title, services: [] };
      entry.services.push(service);
      entries.set(slug, entry);
    }
  }
  const sorted = [...entries.values()].sort((a, b) => a.code.localeCompare(b.code));

  app.get('/problems', { schema: { hide: true } }, async () =>
    sorted.map((e) => ({ type: problemTypeUri(e.code), ...e })),
  );

  app.get('/problems/:slug', { schema: { hide: true } }, async (request, reply) => {
    const entry = entries.get((request.params as { slug: string }).slug);
    if (!entry) return reply.callNotFound();
    return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${entry.code}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#f2f2f2;padding:.1em .3em}</style></head>
<body><h1><code>${entry.code}</code></h1><p><strong>HTTP ${entry.status}</strong>: ${escapeHtml(entry.title)}.</p>
<p>Returned as <code>application/problem+json</code> with <code>"code": "${entry.code}"</code>; the <code>detail</code> field says what happened in this case.
Answered by: ${entry.services.join(', ')}.</p><p><a href="/docs">API reference</a> · <a href="/problems">all problem types</a></p></body></html>`);
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
