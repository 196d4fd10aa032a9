import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool } from './pool.ts';

export interface MigrationSource {
  /** Namespace recorded with each file, e.g. `platform` or `parking`. */
  name: string;
  dir: string;
}

/**
 * Applies plain .sql files in file-name order, each in its own transaction, once.
 * An applied file must not change afterwards: its checksum is checked on every start.
 * An advisory lock lets several replicas start at once.
 */
export async function runMigrations(pool: Pool, sources: readonly MigrationSource[]): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(727274)');
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Map<string, string>(
      (
        await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations')
      ).rows.map((r) => [r.name, r.checksum]),
    );
    for (const source of sources) {
      const files = (await readdir(source.dir)).filter((f) => f.endsWith('.sql')).sort();
      for (const file of files) {
        const sql = await readFile(join(source.dir, file), 'utf8');
        const checksum = createHash('sha256').update(sql).digest('hex');
        const name = `${source.name}/${file}`;
        const previous = done.get(name);
        if (previous !== undefined) {
          if (previous !== checksum) throw new Error(`migration ${name} was changed after it was applied`);
          continue;
        }
        try {
          await client.query('BEGIN');
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [
            name,
            checksum,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${name} failed: ${(error as Error).message}`);
        }
        applied.push(name);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(727274)').catch(() => {});
    client.release();
  }
  return applied;
}
