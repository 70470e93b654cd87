// nginx.mjs: a private nginx on 127.0.0.1 with its own prefix directory (no system config
// touched), for the nginx integration test and bench/ (plain JS so both can load it). One worker:
// on a 2-core machine the generator needs the other. With { tls: true } it also serves https on a
// second port, with a self-signed certificate for 127.0.0.1 made by the system openssl at start.
// With { http2: true } the https port also speaks h2 (by ALPN) and a third port speaks h2c with
// prior knowledge.
// Run alone, it keeps one up for a while:
//
//   node bench/nginx.mjs [seconds=600] [--tls] [--http2]   # prints the URLs; Ctrl-C or the time limit stops it
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NGINX_BODY = 'hello from nginx, a small static body of about one hundred bytes.............................\n';

/** @returns {string | undefined} */
export function findNginx() {
  for (const path of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) if (existsSync(path)) return path;
  return undefined;
}

/**
 * The open-files limit nginx's worker can have: 65536, or this process's hard limit when lower
 * (an unprivileged container cannot raise it: asking nginx for more only logs a setrlimit alert).
 */
function openFilesLimit() {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const hard = Number(line?.trim().split(/\s+/)[4]);
    if (Number.isFinite(hard) && hard > 0) return Math.min(65536, hard);
  } catch {
    // not Linux: keep the default
  }
  return 65536;
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const port = /** @type {net.AddressInfo} */ (server.address()).port;
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  return port;
}

/**
 * A self-signed P-256 certificate for 127.0.0.1 and localhost in dir (cert.pem, key.pem); being
 * self-signed, cert.pem is also the CA file a client verifies it with (ratetest --ca).
 * @param {string} dir @returns {{ cert: string, key: string }}
 */
function selfSignedCertificate(dir) {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
  return { cert, key };
}

/** @typedef {{ url: string, httpsUrl?: string, h2cUrl?: string, caFile?: string, pid: number, prefix: string, stop(): void }} Nginx */

/** @param {string} binary @param {{ workers?: number, tls?: boolean, http2?: boolean }} [options] @returns {Promise<Nginx>} */
export async function startNginx(binary, options = {}) {
  const prefix = mkdtempSync(join(tmpdir(), 'ratetest-nginx-'));
  mkdirSync(join(prefix, 'logs'));
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : 0;
  const h2cPort = options.http2 ? await freePort() : 0;
  const http2 = options.http2 ? ' http2' : '';
  const certificate = options.tls ? selfSignedCertificate(prefix) : undefined;
  // Session tickets on (nginx's default) so clients that resume can: the handshake-rate figures
  // then show what resumption saves.
  const tlsServer = certificate
    ? `
  server {
    listen 127.0.0.1:${tlsPort} ssl${http2} backlog=16384;
    ssl_certificate ${certificate.cert};
    ssl_certificate_key ${certificate.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:10m;
    location / { return 200 "${NGINX_BODY.replace(/\n/g, '\\n')}"; }
  }`
    : '';
  const h2cServer = options.http2
    ? `
  server {
    listen 127.0.0.1:${h2cPort} http2 backlog=16384;
    location / { return 200 "${NGINX_BODY.replace(/\n/g, '\\n')}"; }
  }`
    : '';
  const nofile = openFilesLimit();
  // keepalive_requests: nginx's default (1000) closes every connection after 1000 requests, which
  // at 20k req/s over 100 connections is 20 reconnects a second, each one measured by the tool.
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `worker_processes ${options.workers ?? 1};
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
worker_rlimit_nofile ${nofile};
events { worker_connections ${Math.min(30000, nofile)}; multi_accept on; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  # HTTP/2: nginx sends GOAWAY after http2_max_requests (1000) streams unless raised, like keepalive_requests.
  ${options.http2 ? 'http2_max_requests 100000000;' : ''}
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port} backlog=16384;
    location / { return 200 "${NGINX_BODY.replace(/\n/g, '\\n')}"; }
  }${tlsServer}${h2cServer}
}
`,
  );
  const started = spawnSync(binary, ['-c', join(prefix, 'nginx.conf'), '-p', prefix], { encoding: 'utf8' });
  if (started.status !== 0) throw new Error(`nginx failed to start: ${started.stderr}`);
  const pid = Number(readFileSync(join(prefix, 'nginx.pid'), 'utf8'));
  return {
    url: `http://127.0.0.1:${port}/`,
    ...(certificate ? { httpsUrl: `https://127.0.0.1:${tlsPort}/`, caFile: certificate.cert } : {}),
    ...(options.http2 ? { h2cUrl: `http://127.0.0.1:${h2cPort}/` } : {}),
    pid,
    prefix,
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tls = process.argv.includes('--tls');
  const http2 = process.argv.includes('--http2');
  const seconds = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 600);
  const binary = findNginx();
  if (!binary) {
    console.error('nginx not found: apt-get install -y nginx-light');
    process.exit(2);
  }
  if (!(seconds > 0)) {
    console.error(`usage: node bench/nginx.mjs [seconds] [--tls] [--http2], got ${process.argv.slice(2).join(' ')}`);
    process.exit(2);
  }
  const nginx = await startNginx(binary, { tls, http2 });
  const stop = () => {
    nginx.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`${nginx.url}${nginx.httpsUrl ? ` and ${nginx.httpsUrl} (--ca ${nginx.caFile})` : ''}${nginx.h2cUrl ? ` and h2c ${nginx.h2cUrl}` : ''} (nginx pid ${nginx.pid}, stops in ${seconds}s)`);
  setTimeout(stop, seconds * 1000);
}
