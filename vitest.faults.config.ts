import { defineConfig } from 'vitest/config';

/**
 * The fault tests (`npm run test:faults`): the distributed mode as separate processes on the
 * PostgreSQL in DATABASE_URL and the RabbitMQ in AMQP_URL, with services killed and the broker
 * restarted. Alone and one file at a time, since they stop servers other tests would be using.
 */
export default defineConfig({
  test: {
    include: ['test/resilience/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
