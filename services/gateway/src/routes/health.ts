import type { App, Transport } from '@easypark/platform';

/** The platform's health: every service's readiness, as the gateway sees it. */
export function healthRoutes(app: App, transports: Record<string, Transport>): void {
  app.get(
    '/api/v1/health',
    {
      schema: { tags: ['health'], summary: 'Whether every service is up and ready' },
    },
    async (_request, reply) => {
      const services: Record<string, 'up' | 'down'> = {};
      await Promise.all(
        Object.entries(transports).map(async ([name, transport]) => {
          const result = await transport.request({ method: 'GET', path: '/readyz' }).catch(() => null);
          services[name] = result?.status === 200 ? 'up' : 'down';
        }),
      );
      const healthy = Object.values(services).every((s) => s === 'up');
      return reply
        .code(healthy ? 200 : 503)
        .send({ status: healthy ? 'ok' : 'degraded', services, time: new Date().toISOString() });
    },
  );
}
