import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.ts';

describe('runner configuration', () => {
  it('has embedded defaults', () => {
    const config = readConfig({});
    expect(config).toMatchObject({
      PORT: 8080,
      EASYPARK_DATA_DIR: './data',
      EASYPARK_DEMO: 'on',
      NODE_ENV: 'development',
    });
  });

  it('lists every wrong variable at once', () => {
    expect(() => readConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', EASYPARK_DEMO: 'maybe' })).toThrow(
      /PORT[\s\S]*DATABASE_URL|DATABASE_URL[\s\S]*PORT/,
    );
  });

  it('refuses to run in production with default or missing secrets', () => {
    expect(() => readConfig({ NODE_ENV: 'production' })).toThrow(/EASYPARK_ADMIN_PASSWORD/);
    expect(() => readConfig({ NODE_ENV: 'production', EASYPARK_ADMIN_PASSWORD: 'easypark' })).toThrow(
      /EASYPARK_ADMIN_PASSWORD/,
    );
    expect(() =>
      readConfig({ NODE_ENV: 'production', EASYPARK_ADMIN_PASSWORD: 'a-real-admin-secret' }),
    ).toThrow(/EASYPARK_JWT_SECRET/);
    const ok = readConfig({
      NODE_ENV: 'production',
      EASYPARK_ADMIN_PASSWORD: 'a-real-admin-secret',
      EASYPARK_JWT_SECRET: 'f'.repeat(64),
    });
    expect(ok.NODE_ENV).toBe('production');
  });
});
