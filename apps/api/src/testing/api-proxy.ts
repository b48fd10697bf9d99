import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../env';
import { freePort } from './redis-server';

/** The reverse proxy docker-compose.yml puts in front of the API replicas. */
export const API_PROXY_CONF = path.join(REPO_ROOT, 'deploy', 'api-proxy.conf');

const NGINX = ['nginx', '/usr/sbin/nginx'].find((bin) => spawnSync(bin, ['-v']).status === 0);

/** Why tests that need a real nginx cannot run here (null when they can). */
export function nginxUnavailableReason(): string | null {
  return NGINX ? null : 'nginx is not installed (apt-get install nginx-light)';
}

export interface TestProxy {
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs nginx with deploy/api-proxy.conf as compose mounts it, with only its `server api:4000 resolve;`
 * pointed at `upstreams` (host:port) and its `listen 80;` at a free loopback port; every other
 * line is the shipped one. Throws when those two lines changed, so the test cannot drift from it.
 */
export async function startApiProxy(upstreams: string[]): Promise<TestProxy> {
  const shipped = fs.readFileSync(API_PROXY_CONF, 'utf8');
  const port = await freePort();
  const site = shipped
    .replace(/^(\s*)server api:4000 resolve;$/m, (_, indent: string) => upstreams.map((u) => `${indent}server ${u};`).join('\n'))
    .replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${port};`);
  if (site === shipped || !site.includes(`listen 127.0.0.1:${port};`) || site.includes('server api:4000'))
    throw new Error(`${API_PROXY_CONF} no longer has the "server api:4000 resolve;" and "listen 80;" lines this test rewrites`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-nginx-'));
  fs.writeFileSync(path.join(dir, 'site.conf'), site);
  // The image's main config, minus what needs root paths: temp files and the pid in the temp dir.
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`,
  );
  const child: ChildProcess = spawn(NGINX!, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', 'stderr'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  // SIGTERM: a fast stop (SIGQUIT would wait for open WebSockets, up to proxy_read_timeout).
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${output}`);
      const up = await fetch(`${url}/health`).then(
        () => true,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline) throw new Error(`nginx did not answer in 10 s: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
