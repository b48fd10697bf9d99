import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '@pixtale/shared/node';
import { parseEnv, publicConfig, WEB_ENV_VARIABLES } from './env';

describe('parseEnv', () => {
  it('has zero-configuration defaults outside production', () => {
    const env = parseEnv({});
    expect(env.apiUrl).toBe('http://localhost:4000/graphql');
    expect(env.publicWsUrl).toBe('ws://localhost:4000/graphql');
    expect(env.google).toBeUndefined();
    expect(publicConfig(env).googleEnabled).toBe(false);
  });

  it('outside production, NEXTAUTH_SECRET is the random one kept in the data folder (600), never a constant', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-web-env-'));
    try {
      const first = parseEnv({ PIXTALE_DATA_DIR: dir });
      expect(fs.existsSync(path.join(dir, 'web-nextauth-secret'))).toBe(false); // parsing writes nothing
      const secret = first.nextAuthSecret;
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(fs.statSync(path.join(dir, 'web-nextauth-secret')).mode & 0o777).toBe(0o600);
      expect(parseEnv({ PIXTALE_DATA_DIR: dir }).nextAuthSecret).toBe(secret); // a restart keeps sessions
      const other = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-web-env-'));
      expect(parseEnv({ PIXTALE_DATA_DIR: other }).nextAuthSecret).not.toBe(secret);
      fs.rmSync(other, { recursive: true, force: true });
      expect(parseEnv({ PIXTALE_DATA_DIR: dir, NEXTAUTH_SECRET: 'from-env' }).nextAuthSecret).toBe('from-env');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('requires NEXTAUTH_SECRET in production and names it', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/NEXTAUTH_SECRET/);
    const secrets = { NEXTAUTH_SECRET: 's3cret', INTERNAL_API_SECRET: 'i'.repeat(32) };
    expect(parseEnv({ NODE_ENV: 'production', ...secrets }).nextAuthSecret).toBe('s3cret');
  });

  it('requires INTERNAL_API_SECRET (shared with the API) in production and names it', () => {
    expect(() => parseEnv({ NODE_ENV: 'production', NEXTAUTH_SECRET: 's3cret' })).toThrow(/INTERNAL_API_SECRET/);
    expect(() => parseEnv({ NODE_ENV: 'production', NEXTAUTH_SECRET: 's3cret', INTERNAL_API_SECRET: 'short' })).toThrow(
      /INTERNAL_API_SECRET/,
    );
  });

  it('enables Google only when both id and secret are set', () => {
    expect(parseEnv({ GOOGLE_CLIENT_ID: 'id' }).google).toBeUndefined();
    expect(parseEnv({ GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: '' }).google).toBeUndefined();
    expect(parseEnv({ GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: 's' }).google).toEqual({ clientId: 'id', clientSecret: 's' });
  });

  it('derives the browser WebSocket URL from the public API URL', () => {
    const env = parseEnv({ NEXT_PUBLIC_API_URL: 'https://api.pixtale.app/graphql' });
    expect(env.publicWsUrl).toBe('wss://api.pixtale.app/graphql');
  });

  it('derives every local URL from API_PORT and WEB_PORT unless set', () => {
    const env = parseEnv({ API_PORT: '4301', WEB_PORT: '4300' });
    expect(env.apiUrl).toBe('http://localhost:4301/graphql');
    expect(env.publicApiUrl).toBe('http://localhost:4301/graphql');
    expect(env.publicWsUrl).toBe('ws://localhost:4301/graphql');
    expect(env.nextAuthUrl).toBe('http://localhost:4300');
    expect(parseEnv({ API_PORT: '4301', API_URL: 'http://api:4000/graphql' }).apiUrl).toBe('http://api:4000/graphql');
    expect(() => parseEnv({ WEB_PORT: 'eighty' })).toThrow(/WEB_PORT/);
  });

  it('rejects a malformed URL and names the variable', () => {
    expect(() => parseEnv({ API_URL: 'not a url' })).toThrow(/API_URL/);
  });
});

test('docker-compose.yml sets only variables the web app reads', () => {
  const compose = parse(fs.readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
  const set = Object.keys(compose.services.web.environment);
  expect(set.length).toBeGreaterThan(0);
  expect(set.filter((k) => !WEB_ENV_VARIABLES.includes(k))).toEqual([]);
  // Plain `next start` would keep a client's X-Forwarded-For; the launcher vouches for visitors.
  expect(compose.services.web.command).toEqual(['node', 'apps/web/scripts/start.mjs']);
});
