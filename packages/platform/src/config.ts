import { readFileSync } from 'node:fs';
import type { Static, TSchema } from 'typebox';
import Value from 'typebox/value';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads environment variables against a TypeBox schema: fills defaults, converts strings to
 * numbers and booleans, and refuses to start with a list of every variable that is wrong.
 * `NAME_FILE` names a file holding NAME's value (a Kubernetes or Docker secret mounted as a
 * file); one trailing newline is dropped. Setting both is an error: which one wins is unclear.
 */
export function loadConfig<T extends TSchema>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): Static<T> {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const names = Object.keys((schema as { properties?: Record<string, unknown> }).properties ?? {});
  for (const name of names) {
    const file = defined[`${name}_FILE`];
    if (file === undefined) continue;
    if (defined[name] !== undefined) throw new ConfigError(`set ${name} or ${name}_FILE, not both`);
    try {
      defined[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new ConfigError(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  const withDefaults = Value.Default(schema, defined);
  const converted = Value.Convert(schema, withDefaults);
  if (!Value.Check(schema, converted)) {
    const problems = [...Value.Errors(schema, converted)].map(
      (e) => `${e.instancePath.replace(/^\//, '') || '(root)'}: ${e.message}`,
    );
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return Value.Clean(schema, converted) as Static<T>;
}

export const isProduction = (env: Record<string, string | undefined> = process.env): boolean =>
  env.NODE_ENV === 'production';

/** In production a secret must be set and must not be one of the development defaults. */
export function requireSecret(
  name: string,
  value: string | undefined,
  developmentDefault: string,
  env = process.env,
): string {
  if (isProduction(env)) {
    if (!value || value === developmentDefault) {
      throw new ConfigError(`${name} must be set to a non-default secret when NODE_ENV=production`);
    }
    if (value.length < 16) throw new ConfigError(`${name} must be at least 16 characters in production`);
  }
  return value || developmentDefault;
}
