import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// `npm start`'s web entry, run as a user would.
const script = path.join(__dirname, 'start.mjs');

test('a port already in use stops the web app with one line that names WEB_PORT', async () => {
  const taken = net.createServer();
  await new Promise<void>((r) => taken.listen(0, () => r()));
  const { port } = taken.address() as net.AddressInfo;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-web-port-'));
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [script], {
        env: { PATH: process.env.PATH, NODE_ENV: 'production', WEB_PORT: String(port), PORT: '1', PIXTALE_DATA_DIR: dataDir },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (c) => resolve({ code: c, stderr: err }));
    });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `Pixtale web: Port ${port} is already in use: stop what is using it, or set WEB_PORT to a free port.`,
    );
  } finally {
    await new Promise((r) => taken.close(r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);
