import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

let t: TestPlatform;
let port: number;

/** A request over HTTP with its path exactly as written: no client normalises `..` away first. */
function raw(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  // `npm install` builds the app (the root `prepare` script); a checkout without it is built here.
  if (!existsSync(`${dist}index.html`))
    execFileSync('npm', ['run', 'build', '-w', 'apps/web'], { cwd: root });
  t = await startTestPlatform();
  await t.platform.gateway.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.platform.gateway.app.server.address() as { port: number }).port;
}, 120_000);
afterAll(() => t?.stop());

describe('the web app at the gateway', () => {
  it('serves index.html at / with the Content-Security-Policy, never cached stale', async () => {
    const answer = await t.request('GET', '/', { headers: html });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.headers['cache-control']).toBe('no-cache');
    expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
    expect(answer.body).toBe(readFileSync(`${dist}index.html`, 'utf8'));
    // Nothing inline for the policy to block: every script is a file of this origin.
    expect(answer.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(answer.body).not.toMatch(/\son[a-z]+=/i);
  });

  it('serves the hashed assets with their type, cached for good', async () => {
    const files = readdirSync(`${dist}assets`);
    const script = files.find((f) => f.endsWith('.js'))!;
    const style = files.find((f) => f.endsWith('.css'))!;
    const js = await t.request('GET', `/assets/${script}`);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe(readFileSync(`${dist}assets/${script}`, 'utf8'));
    const css = await t.request('GET', `/assets/${style}`);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers a page of the app with index.html (the app routes it itself)', async () => {
    for (const path of ['/some/client/route', '/overview', '/vehicles?x=1']) {
      const answer = await t.request('GET', path, { headers: html });
      expect(answer.status, path).toBe(200);
      expect(answer.headers['content-type'], path).toMatch(/^text\/html/);
      expect(answer.body, path).toContain('<div id="root">');
    }
  });

  it('never climbs out of the build folder', async () => {
    for (const path of [
      '/assets/../../package.json',
      '/assets/../index.html',
      '/assets/..',
      '/assets/.',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fpackage.json',
      '/assets/%2e%2e',
      '/assets/.vite',
      '/assets/..%5c..%5cpackage.json',
      '/assets/%00.js',
      '/%2e%2e/package.json',
      '/%2e%2e/%2e%2e/package',
      '/x/../../package.json',
      '/assets/missing-file.js',
    ]) {
      for (const headers of [{}, html]) {
        const answer = await raw(path, headers);
        expect(answer.status, path).toBe(404);
        expect(answer.type, path).toMatch(/^application\/problem\+json/);
        expect(answer.body, path).not.toContain('"workspaces"');
      }
    }
  });

  it('leaves the API and the platform paths alone', async () => {
    for (const headers of [{}, html]) {
      const api = await t.request('GET', '/api/v1/nonexistent', { headers });
      expect(api.status).toBe(404);
      expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(api.body.code).toBe('SERVICE_NOT_FOUND');
      for (const path of [
        '/api/nothing',
        '/docs/nothing',
        '/problems/a/b',
        '/healthz/x',
        '/parking/v1/vehicles',
      ]) {
        const answer = await t.request('GET', path, { headers });
        expect(answer.status, path).toBe(404);
        expect(answer.headers['content-type'], path).toMatch(/^application\/problem\+json/);
      }
    }
    // A client that does not ask for a page (an API client) gets the 404 problem, not the app.
    const json = await t.request('GET', '/some/client/route', { headers: { accept: 'application/json' } });
    expect(json.status).toBe(404);
    expect(json.body.code).toBe('ROUTE_NOT_FOUND');
    // Not a page load: no fallback either.
    const post = await t.request('POST', '/some/client/route', { headers: html, body: {} });
    expect(post.status).toBe(404);
  });
});
