import { startEmbeddedPostgres } from '@easypark/platform';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

/**
 * One PostgreSQL server for the whole run: the one in DATABASE_URL (CI's Debian PostgreSQL), or
 * else a throwaway embedded one. Each test platform creates its own databases on it.
 */
export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('postgresUrl', process.env.DATABASE_URL);
    return;
  }
  const server = await startEmbeddedPostgres({ dataDir: ':memory:' });
  project.provide('postgresUrl', server.url);
  return async () => {
    await server.stop();
  };
}
