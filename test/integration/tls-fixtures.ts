// tls-fixtures.ts: certificates made at test time with the system `openssl` CLI (never committed):
// a test CA and a leaf for localhost / 127.0.0.1 / ::1 signed by it, the same leaf expired, a
// second unrelated CA ("wrong CA"), and a client certificate for mutual TLS; plus an https server
// on 127.0.0.1 port 0 that counts requests, connections and resumed sessions.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsFiles {
  dir: string;
  /** The test CA that signed leaf, expired and client. */
  ca: string;
  /** An unrelated CA: trusting it instead of `ca` must fail verification. */
  wrongCa: string;
  leaf: string;
  leafKey: string;
  /** leaf's key, with notAfter a day before notBefore: expired from the start. */
  expired: string;
  client: string;
  clientKey: string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes a key (P-256) and a CSR for `cn`. */
function keyAndCsr(dir: string, name: string, cn: string): void {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
}

function selfSignedCa(dir: string, name: string, cn: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`]);
}

function sign(dir: string, name: string, out: string, days: number, extensions: string): void {
  writeFileSync(join(dir, `${out}.ext`), `${extensions}\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', String(days), '-extfile', `${out}.ext`, '-out', `${out}.pem`]);
}

export function makeTlsFiles(): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), 'ratetest-tls-'));
  selfSignedCa(dir, 'ca', 'ratetest test CA');
  selfSignedCa(dir, 'wrong-ca', 'ratetest wrong CA');
  keyAndCsr(dir, 'leaf', 'localhost');
  const serverExt = 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth';
  sign(dir, 'leaf', 'leaf', 2, serverExt);
  // -days -1: notAfter one day before notBefore (now), so it is already expired.
  sign(dir, 'leaf', 'expired', -1, serverExt);
  keyAndCsr(dir, 'client', 'ratetest client');
  sign(dir, 'client', 'client', 2, 'extendedKeyUsage=clientAuth');
  const at = (file: string) => join(dir, file);
  return {
    dir,
    ca: at('ca.pem'),
    wrongCa: at('wrong-ca.pem'),
    leaf: at('leaf.pem'),
    leafKey: at('leaf.key'),
    expired: at('expired.pem'),
    client: at('client.pem'),
    clientKey: at('client.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface HttpsStats {
  requests: number;
  /** TLS connections whose handshake completed. */
  secureConnections: number;
  /** Of those, how many resumed a session (TLSSocket.isSessionReused()). */
  reused: number;
  /** Client certificates presented and accepted (mutual TLS). */
  clientCerts: number;
  /** ALPN protocols the server agreed, by name. */
  alpn: Record<string, number>;
  /** SNI names the clients sent, by name ("" = none). */
  servername: Record<string, number>;
}

export interface HttpsServer {
  url: string;
  port: number;
  stats: HttpsStats;
  close(): Promise<void>;
}

export interface HttpsServerOptions {
  cert: string;
  key: string;
  /** Require a client certificate signed by this CA. */
  requireClientCa?: string;
  host?: string;
  /** Listen on this Unix domain socket path instead of a TCP port. */
  unixPath?: string;
}

/** An https server answering 200 "ok" to every request, keep-alive. */
export async function startHttpsServer(options: HttpsServerOptions): Promise<HttpsServer> {
  const stats: HttpsStats = { requests: 0, secureConnections: 0, reused: 0, clientCerts: 0, alpn: {}, servername: {} };
  const server = https.createServer(
    {
      cert: readFileSync(options.cert),
      key: readFileSync(options.key),
      ALPNProtocols: ['http/1.1'],
      ...(options.requireClientCa ? { ca: readFileSync(options.requireClientCa), requestCert: true, rejectUnauthorized: true } : {}),
      keepAliveTimeout: 60_000,
    },
    (req, res) => {
      stats.requests++;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    },
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    stats.secureConnections++;
    if (socket.isSessionReused()) stats.reused++;
    const alpn = socket.alpnProtocol || 'none';
    stats.alpn[alpn] = (stats.alpn[alpn] ?? 0) + 1;
    const name = (socket as TLSSocket & { servername?: string | false }).servername || '';
    stats.servername[name] = (stats.servername[name] ?? 0) + 1;
    if (options.requireClientCa && socket.authorized) stats.clientCerts++;
  });
  server.on('tlsClientError', () => {});
  const host = options.host ?? '127.0.0.1';
  if (options.unixPath !== undefined) {
    await new Promise<void>((resolve) => server.listen(options.unixPath, resolve));
  } else {
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
  }
  const port = options.unixPath !== undefined ? 0 : (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `https://${urlHost}:${port}/`,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
