import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The migrations every service database carries (outbox, inbox, dead letters). */
export const platformMigrations = {
  name: 'platform',
  dir: join(dirname(fileURLToPath(import.meta.url)), 'db', 'migrations'),
};
