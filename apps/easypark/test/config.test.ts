import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('takes a service’s replicas as comma-separated URLs, and nothing else there', () => {
    const urls = 'http://10.0.0.5:8085, http://10.0.0.6:8085';
    expect(readConfig({ BILLING_URL: urls }).BILLING_URL).toBe(urls);
    expect(() => readConfig({ BILLING_URL: 'http://10.0.0.5:8085,' })).toThrow(/BILLING_URL/);
    expect(() => readConfig({ BILLING_URL: 'http://a:1,ftp://b:2' })).toThrow(/BILLING_URL/);
  });

  it('refuses to run in production with default or missing secrets', () => {
    expect(() => readConfig({ NODE_ENV: 'production' })).toThrow(/EASYPARK_ADMIN_PASSWORD/);
    expect(() => readConfig({ NODE_ENV: 'production', EASYPARK_ADMIN_PASSWORD: 'easypark' })).toThrow(
      /EASYPARK_ADMIN_PASSWORD/,
    );
    expect(() =>
      readConfig({ NODE_ENV: 'production', EASYPARK_ADMIN_PASSWORD: 'a-real-admin-secret' }),
    ).toThrow(/EASYPARK_JWT_SECRET/);
    const secrets = {
      NODE_ENV: 'production',
      EASYPARK_ADMIN_PASSWORD: 'a-real-admin-secret',
      EASYPARK_JWT_SECRET: 'f'.repeat(64),
    };
    expect(() => readConfig(secrets)).toThrow(/EASYPARK_CORS_ORIGINS/);
    expect(() => readConfig({ ...secrets, EASYPARK_CORS_ORIGINS: 'https://app.example.com, *' })).toThrow(
      /EASYPARK_CORS_ORIGINS/,
    );
    const ok = readConfig({ ...secrets, EASYPARK_CORS_ORIGINS: 'https://app.example.com' });
    expect(ok.NODE_ENV).toBe('production');
  });

  it('asks for the admin password and web origins only where people sign in: the gateway', () => {
    const service = { NODE_ENV: 'production', EASYPARK_JWT_SECRET: 'f'.repeat(64) };
    expect(readConfig(service, 'billing').NODE_ENV).toBe('production');
    expect(() => readConfig(service, 'gateway')).toThrow(/EASYPARK_ADMIN_PASSWORD/);
    expect(() => readConfig(service)).toThrow(/EASYPARK_ADMIN_PASSWORD/);
    expect(() => readConfig({ NODE_ENV: 'production' }, 'billing')).toThrow(/EASYPARK_JWT_SECRET/);
  });

  it('reads secrets from files (Kubernetes secrets), and refuses a variable set both ways', () => {
    const dir = mkdtempSync(join(tmpdir(), 'easypark-secrets-'));
    try {
      writeFileSync(join(dir, 'jwt'), `${'a'.repeat(64)}\n`);
      writeFileSync(join(dir, 'admin'), 'a-real-admin-secret');
      const config = readConfig({
        NODE_ENV: 'production',
        EASYPARK_CORS_ORIGINS: 'https://app.example.com',
        EASYPARK_JWT_SECRET_FILE: join(dir, 'jwt'),
        EASYPARK_ADMIN_PASSWORD_FILE: join(dir, 'admin'),
      });
      expect(config.EASYPARK_JWT_SECRET).toBe('a'.repeat(64));
      expect(config.EASYPARK_ADMIN_PASSWORD).toBe('a-real-admin-secret');
      expect(() =>
        readConfig({ EASYPARK_JWT_SECRET: 'b'.repeat(64), EASYPARK_JWT_SECRET_FILE: join(dir, 'jwt') }),
      ).toThrow(/not both/);
      expect(() => readConfig({ EASYPARK_JWT_SECRET_FILE: join(dir, 'missing') })).toThrow(/ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
