import path from 'node:path';
import { loadEnv } from './env';

test('zero configuration: port 4000 on loopback only, ./data, SQLite, no JWT secret (generated into the data folder at start)', () => {
  const env = loadEnv({});
  expect(env.PORT).toBe(4000);
  expect(env.dataDir).toBe(path.resolve('data'));
  expect(env.MONGODB_URI).toBeUndefined();
  expect(env.HOST).toBe('127.0.0.1');
  expect(env.JWT_SECRET).toBeUndefined();
  expect(env.publicUrl).toBe('http://localhost:4000');
  expect(env.MAX_UPLOAD_BYTES).toBe(15 * 1024 * 1024);
});

test('production refuses to start without JWT_SECRET, in one line that says how to fix it', () => {
  expect(() => loadEnv({ NODE_ENV: 'production', INTERNAL_API_SECRET: 'y'.repeat(40) })).toThrow(
    /^Invalid environment: JWT_SECRET: JWT_SECRET is required in production \(32\+ random characters, e\.g\. `openssl rand -hex 32`\)$/,
  );
  expect(loadEnv({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), INTERNAL_API_SECRET: 'y'.repeat(40) }).JWT_SECRET).toBe('x'.repeat(40));
});

test('invalid values are listed by name', () => {
  expect(() => loadEnv({ PORT: 'abc', JWT_SECRET: 'short' })).toThrow(/PORT[\s\S]*JWT_SECRET|JWT_SECRET[\s\S]*PORT/);
});

test('PIXTALE_DATA_DIR wins over DATA_DIR', () => {
  expect(loadEnv({ DATA_DIR: '/a', PIXTALE_DATA_DIR: '/b' }).dataDir).toBe('/b');
  expect(loadEnv({ DATA_DIR: '/a' }).dataDir).toBe('/a');
});
