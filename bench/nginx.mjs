// nginx.mjs: a private nginx on 127.0.0.1 with its own prefix directory (no system config
// touched), for the nginx integration test and bench/ (plain JS so both can load it). One worker: on a 2-core machine the generator needs the other.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NGINX_BODY = 'hello from nginx, a small static body of about one hundred bytes.............................\n';

/** @returns {string | undefined} */
export function findNginx() {
  for (const path of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) if (existsSync(path)) return path;
  return undefined;
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const port = /** @type {net.AddressInfo} */ (server.address()).port;
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  return port;
}

/** @typedef {{ url: string, pid: number, stop(): void }} Nginx */

/** @param {string} binary @param {{ workers?: number }} [options] @returns {Promise<Nginx>} */
export async function startNginx(binary, options = {}) {
  const prefix = mkdtempSync(join(tmpdir(), 'ratetest-nginx-'));
  mkdirSync(join(prefix, 'logs'));
  const port = await freePort();
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `worker_processes ${options.workers ?? 1};
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 30000; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port} backlog=16384;
    location / { return 200 "${NGINX_BODY.replace(/\n/g, '\\n')}"; }
  }
}
`,
  );
  const started = spawnSync(binary, ['-c', join(prefix, 'nginx.conf'), '-p', prefix], { encoding: 'utf8' });
  if (started.status !== 0) throw new Error(`nginx failed to start: ${started.stderr}`);
  const pid = Number(readFileSync(join(prefix, 'nginx.pid'), 'utf8'));
  return {
    url: `http://127.0.0.1:${port}/`,
    pid,
    stop() {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
