import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { API_ENV_VARIABLES, loadEnv, REPO_ROOT, runsWorker, servesHttp } from './env';

test('zero configuration: port 4000 on loopback only, <repo>/data, SQLite, no JWT secret (generated into the data folder at start)', () => {
  const env = loadEnv({});
  expect(env.API_PORT).toBe(4000);
  expect(env.dataDir).toBe(path.join(REPO_ROOT, 'data'));
  expect(env.CORS_ORIGIN).toBe('http://localhost:3000');
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
  expect(loadEnv({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), INTERNAL_API_SECRET: 'y'.repeat(40) }).JWT_SECRET).toBe(
    'x'.repeat(40),
  );
});

test('invalid values are listed by name', () => {
  expect(() => loadEnv({ API_PORT: 'abc', JWT_SECRET: 'short' })).toThrow(/API_PORT[\s\S]*JWT_SECRET|JWT_SECRET[\s\S]*API_PORT/);
});

test('each service has its own port: the API URL and the CORS origin follow API_PORT and WEB_PORT; PORT moves nothing', () => {
  const env = loadEnv({ API_PORT: '4301', WEB_PORT: '4300', PORT: '4300' });
  expect(env.API_PORT).toBe(4301);
  expect(env.publicUrl).toBe('http://localhost:4301');
  expect(env.CORS_ORIGIN).toBe('http://localhost:4300');
  expect(loadEnv({ WEB_PORT: '4300', CORS_ORIGIN: 'https://pixtale.example' }).CORS_ORIGIN).toBe('https://pixtale.example');
});

test('the data directory is resolved from the repo root, never from the working directory', () => {
  const cwd = process.cwd();
  try {
    process.chdir(path.join(REPO_ROOT, 'apps', 'api'));
    expect(loadEnv({}).dataDir).toBe(path.join(REPO_ROOT, 'data'));
    expect(loadEnv({ PIXTALE_DATA_DIR: 'var/pixtale' }).dataDir).toBe(path.join(REPO_ROOT, 'var', 'pixtale'));
  } finally {
    process.chdir(cwd);
  }
});

test('PIXTALE_DATA_DIR wins over DATA_DIR', () => {
  expect(loadEnv({ DATA_DIR: '/a', PIXTALE_DATA_DIR: '/b' }).dataDir).toBe('/b');
  expect(loadEnv({ DATA_DIR: '/a' }).dataDir).toBe('/a');
});

describe('ROLE and REDIS_URL', () => {
  test('default: one process serving HTTP and running the worker, no Redis', () => {
    const env = loadEnv({});
    expect(env.ROLE).toBe('all');
    expect(env.REDIS_URL).toBeUndefined();
    expect([servesHttp(env), runsWorker(env)]).toEqual([true, true]);
    expect(runsWorker(loadEnv({ WORKER_ENABLED: 'false' }))).toBe(false);
  });
  test('api serves without a worker; worker runs jobs without serving', () => {
    const api = loadEnv({ ROLE: 'api', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect([servesHttp(api), runsWorker(api)]).toEqual([true, false]);
    const worker = loadEnv({ ROLE: 'worker', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect([servesHttp(worker), runsWorker(worker)]).toEqual([false, true]);
  });
  test('a split role without REDIS_URL refuses to start, in one line that says how to fix it', () => {
    for (const role of ['api', 'worker']) {
      expect(() => loadEnv({ ROLE: role })).toThrow(
        new RegExp(
          `^Invalid environment: ROLE: ROLE=${role} runs beside other processes and needs REDIS_URL \\(e\\.g\\. redis://127\\.0\\.0\\.1:6379\\); unset ROLE to run everything in one process$`,
        ),
      );
    }
  });
  test('bad values are refused by name', () => {
    expect(() => loadEnv({ ROLE: 'both' })).toThrow(/ROLE/);
    expect(() => loadEnv({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL must start with redis:\/\//);
    expect(() => loadEnv({ ROLE: 'worker', REDIS_URL: 'redis://r:6379', WORKER_ENABLED: 'false' })).toThrow(
      /WORKER_ENABLED=false contradicts ROLE=worker/,
    );
  });
  test('every variable the API reads is listed', () => {
    expect(API_ENV_VARIABLES).toEqual(
      expect.arrayContaining(['ROLE', 'REDIS_URL', 'API_PORT', 'MONGODB_URI', 'SHUTDOWN_GRACE_SECONDS']),
    );
  });
});

test('docker-compose.yml: the API replicas and the worker set only variables the API reads, and share one Redis', () => {
  const compose = parse(fs.readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
  for (const [service, role] of [
    ['api', 'api'],
    ['worker', 'worker'],
  ] as const) {
    const environment = compose.services[service].environment as Record<string, string>;
    expect(Object.keys(environment).filter((k) => !API_ENV_VARIABLES.includes(k))).toEqual([]);
    expect(environment).toMatchObject({ ROLE: role, REDIS_URL: 'redis://redis:6379' });
  }
  expect(compose.services.redis.image).toMatch(/^redis:/);
});

test('docker-compose.yml: browsers and the web app reach the API replicas only through the proxy, which the API trusts', () => {
  const compose = parse(fs.readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
  const { proxy, api, web } = compose.services;
  // The file the scale-out e2e test runs nginx with (src/testing/api-proxy.ts).
  expect(proxy.volumes).toEqual(['./deploy/api-proxy.conf:/etc/nginx/conf.d/default.conf:ro']);
  expect(proxy.ports).toEqual(['4000:80']);
  expect(api.ports).toBeUndefined();
  expect(web.environment.API_URL).toBe('http://proxy/graphql');
  // Exactly the proxy's fixed address: no other container may choose a client address.
  expect(api.environment.TRUST_PROXY).toBe(proxy.networks.default.ipv4_address);
  expect(loadEnv({ TRUST_PROXY: api.environment.TRUST_PROXY }).TRUST_PROXY).toBe('172.28.0.10');
  const conf = fs.readFileSync(path.join(REPO_ROOT, 'deploy', 'api-proxy.conf'), 'utf8');
  const maxBodyMb = Number(/client_max_body_size (\d+)m;/.exec(conf)?.[1]);
  expect(maxBodyMb * 1024 * 1024).toBeGreaterThan(loadEnv({}).MAX_UPLOAD_BYTES);
});

test('.env.example lists every variable the API reads', () => {
  const example = fs.readFileSync(path.join(__dirname, '..', '.env.example'), 'utf8');
  const listed = new Set([...example.matchAll(/^# ([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  expect(API_ENV_VARIABLES.filter((k) => !listed.has(k))).toEqual([]);
});
