import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { checkPortFree, listenFailure, readOrCreateSecret, resolveDataDir, REPO_ROOT } from './index';

describe('resolveDataDir', () => {
  it('is <repo>/data by default, whatever the working directory', () => {
    expect(resolveDataDir({})).toBe(path.join(REPO_ROOT, 'data'));
    expect(fs.existsSync(path.join(REPO_ROOT, 'package.json'))).toBe(true);
  });
  it('resolves a relative PIXTALE_DATA_DIR against the repo root', () => {
    expect(resolveDataDir({ PIXTALE_DATA_DIR: 'var/x' })).toBe(path.join(REPO_ROOT, 'var/x'));
    expect(resolveDataDir({ DATA_DIR: '/tmp/abs' })).toBe('/tmp/abs');
  });
});

describe('readOrCreateSecret', () => {
  it('generates a random secret once, keeps it with mode 600 in a 700 folder', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-secret-')), 'data');
    const first = readOrCreateSecret(dir, 'jwt-secret');
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(readOrCreateSecret(dir, 'jwt-secret')).toBe(first);
    expect(fs.statSync(path.join(dir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const other = readOrCreateSecret(fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-secret-')), 'jwt-secret');
    expect(other).not.toBe(first);
    expect(fs.readdirSync(dir)).toEqual(['jwt-secret']);
  });
  it('refuses a secret file that is too short', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-secret-'));
    fs.writeFileSync(path.join(dir, 's'), 'short');
    expect(() => readOrCreateSecret(dir, 's')).toThrow(/shorter than 32/);
  });
});

describe('port clashes', () => {
  it('checkPortFree says which variable to change when the port is taken, in one line', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const err = await checkPortFree(port, '127.0.0.1', 'WEB_PORT').then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).toBe(`Port ${port} is already in use: stop what is using it, or set WEB_PORT to a free port.`);
    } finally {
      await new Promise((r) => taken.close(r));
    }
    await expect(checkPortFree(port, '127.0.0.1', 'WEB_PORT')).resolves.toBeUndefined();
  });
  it('listenFailure leaves other errors alone', () => {
    expect(listenFailure(Object.assign(new Error('x'), { code: 'ENOENT' }), 'API_PORT', 1)).toBeNull();
  });
});
