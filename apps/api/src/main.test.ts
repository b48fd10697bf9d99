import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// Runs the built entry point (`npm start`'s), as a user would.
const mainJs = path.resolve(__dirname, '..', 'dist', 'main.js');
const describeBuilt = fs.existsSync(mainJs) ? describe : describe.skip;

function run(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [mainJs], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describeBuilt(`${fs.existsSync(mainJs) ? '' : `[skipped: build first, ${mainJs} is missing] `}API start-up`, () => {
  test('a port already in use stops it with one line that names API_PORT, not a stack trace', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const { port } = taken.address() as net.AddressInfo;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-port-'));
    try {
      const { code, stderr } = await run({
        API_PORT: String(port),
        HOST: '127.0.0.1',
        PIXTALE_DATA_DIR: dataDir,
        WORKER_ENABLED: 'false',
        LOG_LEVEL: 'silent',
      });
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(
        `Pixtale API: Port ${port} is already in use: stop what is using it, or set API_PORT to a free port.`,
      );
    } finally {
      await new Promise((r) => taken.close(r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  test('a split role without REDIS_URL, or a Redis it cannot reach, stops it with one line', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-role-'));
    try {
      const noRedis = await run({ ROLE: 'worker', PIXTALE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
      expect(noRedis.code).toBe(1);
      expect(noRedis.stderr.trim()).toBe(
        'Invalid environment: ROLE: ROLE=worker runs beside other processes and needs REDIS_URL (e.g. redis://127.0.0.1:6379); unset ROLE to run everything in one process',
      );
      const unreachable = await run({
        ROLE: 'api',
        REDIS_URL: 'redis://127.0.0.1:1',
        API_PORT: '0',
        PIXTALE_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
      });
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr.trim()).toMatch(
        /^Pixtale API: Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(REDIS_URL\): connect ECONNREFUSED 127\.0\.0\.1:1$/,
      );
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
