// https through the pump's own TLS (Node's OpenSSL): certificates made at test time; the server
// counts handshakes, resumed sessions, ALPN and SNI, and the CLI's figures are checked against it.
import { spawn, type ChildProcess } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import net, { type AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccounted } from './pace.js';
import { ENGINE_BUILT, SANITIZED, STACK_FRAME, accountedFor, runCli, runJson } from './run-cli.js';
import { makeTlsFiles, startHttpsServer, type HttpsServer, type TlsFiles } from './tls-fixtures.js';

const NO_ERRORS = { connect: 0, read: 0, write: 0, timeout: 0, parse: 0 };

/** A port nothing listens on right now (127.0.0.1). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listening on 127.0.0.1:${port}`);
}

describe.skipIf(!ENGINE_BUILT)('https', () => {
  let files: TlsFiles;
  beforeAll(() => {
    files = makeTlsFiles();
  });
  afterAll(() => files?.remove());

  describe('verified against --ca (-R 200 -d 1s -c 4 -t 2), by name', () => {
    let server: HttpsServer;
    let run: Awaited<ReturnType<typeof runJson>>;
    beforeAll(async () => {
      // "localhost" as this machine resolves it, so the certificate is checked by name and SNI is sent.
      const { address } = await lookup('localhost');
      server = await startHttpsServer({ cert: files.leaf, key: files.leafKey, host: address });
      run = await runJson(['-R', '200', '-d', '1s', '-c', '4', '-t', '2', '--ca', files.ca, `https://localhost:${server.port}/`]);
    });
    afterAll(() => server?.close());

    it('completes every request with 200 and no errors, and the server saw each one', () => {
      const { json } = run;
      expect(run.code, run.stderr).toBe(0);
      expect(json.errors).toEqual(NO_ERRORS);
      expectAccounted(json, 200);
      expect(json.status).toEqual({ '200': json.completed });
      expect(server.stats.requests).toBe(json.sent);
      expect(accountedFor(json)).toBe(json.sent);
    });

    it('does one handshake per connection, recorded in the handshake histogram', () => {
      const tls = run.json.tls!;
      expect(tls.handshakes).toBe(4);
      expect(server.stats.secureConnections).toBe(4);
      expect(tls.handshake.count).toBe(tls.handshakes);
      expect(tls.handshake.maxNs).toBeGreaterThan(0);
      expect(tls.errors).toEqual({ handshake: 0, verify: 0 });
      expect(tls.firstError).toBeUndefined();
    });

    it('offers ALPN http/1.1 and sends the URL host as SNI', () => {
      expect(server.stats.alpn).toEqual({ 'http/1.1': 4 });
      expect(server.stats.servername).toEqual({ localhost: 4 });
    });

    it('prints the handshake line in the text report', () => {
      expect(run.stderr).toMatch(/^ {2}TLS handshakes: 4 \(0 resumed\), p50 \S+, p99 \S+, p99\.9 \S+, max \S+$/m);
      expect(run.stderr).not.toMatch(/TLS errors/);
    });

    it('counts bytes as HTTP bytes (before encryption)', () => {
      expect(run.json.bytesRead % run.json.completed).toBe(0);
      expect(run.json.bytesWritten % run.json.sent).toBe(0);
    });
  });

  describe('certificate failures', () => {
    let good: HttpsServer;
    let expired: HttpsServer;
    beforeAll(async () => {
      good = await startHttpsServer({ cert: files.leaf, key: files.leafKey });
      expired = await startHttpsServer({ cert: files.expired, key: files.leafKey });
    });
    afterAll(async () => {
      await good?.close();
      await expired?.close();
    });

    async function failing(args: string[]) {
      const run = await runJson(['-R', '50', '-d', '1s', '-c', '2', '-t', '1', '--timeout', '500ms', ...args]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(STACK_FRAME);
      expect(run.json.completed).toBe(0);
      expect(run.json.sent).toBe(0);
      return run;
    }

    it('rejects a certificate from a CA the system store does not hold (verification is on by default)', async () => {
      const run = await failing([good.url]);
      const tls = run.json.tls!;
      expect(tls.errors.verify).toBeGreaterThanOrEqual(2);
      expect(tls.errors.handshake).toBe(0);
      expect(tls.handshakes).toBe(0);
      expect(tls.firstError).toBe('certificate verify failed: unable to get local issuer certificate');
      expect(run.stderr).toMatch(/^ {2}TLS errors: handshake 0, verify \d+$/m);
      expect(run.stderr).toContain('  First TLS error: certificate verify failed: unable to get local issuer certificate\n');
      expect(good.stats.requests).toBe(0);
    });

    // Under the sanitizers, the first test's failed verification stands for these: one native path.
    it.skipIf(SANITIZED)('rejects it with the wrong --ca', async () => {
      const run = await failing(['--ca', files.wrongCa, good.url]);
      expect(run.json.tls!.errors.verify).toBeGreaterThanOrEqual(2);
      expect(run.json.tls!.firstError).toBe('certificate verify failed: unable to get local issuer certificate');
    });

    it.skipIf(SANITIZED)('rejects an expired certificate, saying it has expired', async () => {
      const run = await failing(['--ca', files.ca, expired.url]);
      expect(run.json.tls!.errors.verify).toBeGreaterThanOrEqual(2);
      expect(run.json.tls!.firstError).toBe('certificate verify failed: certificate has expired');
    });

    // A verified run's native path, less the check (the sanitizer pass runs the verified ones).
    it.skipIf(SANITIZED)('--insecure skips verification: every request completes', async () => {
      const before = good.stats.requests;
      const run = await runJson(['-R', '100', '-d', '1s', '-c', '2', '-t', '1', '--insecure', good.url]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.errors).toEqual(NO_ERRORS);
      expectAccounted(run.json, 100);
      expect(good.stats.requests - before).toBe(run.json.sent);
      expect(run.json.tls!.errors).toEqual({ handshake: 0, verify: 0 });
    });
  });

  describe('mutual TLS (a server that requires a client certificate from the test CA)', () => {
    let server: HttpsServer;
    beforeAll(async () => {
      server = await startHttpsServer({ cert: files.leaf, key: files.leafKey, requireClientCa: files.ca });
    });
    afterAll(() => server?.close());

    it('--cert/--key: every request completes and the server accepted the certificate on each connection', async () => {
      const run = await runJson(['-R', '100', '-d', '1s', '-c', '2', '-t', '1', '--ca', files.ca, '--cert', files.client, '--key', files.clientKey, server.url]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.errors).toEqual(NO_ERRORS);
      expectAccounted(run.json, 100);
      expect(server.stats.clientCerts).toBe(2);
      expect(run.json.tls!.handshakes).toBe(2);
    });

    it('without a client certificate: counted as TLS handshake errors with the server\'s alert', async () => {
      const run = await runJson(['-R', '50', '-d', '1s', '-c', '2', '-t', '1', '--timeout', '500ms', '--ca', files.ca, server.url]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.completed).toBe(0);
      expect(run.json.tls!.errors.handshake).toBeGreaterThanOrEqual(2);
      expect(run.json.tls!.firstError).toMatch(/alert certificate required|alert handshake failure/);
      expect(accountedFor(run.json)).toBe(run.json.sent);
    });
  });

  describe('session resumption (Connection: close, so every request is a new connection)', () => {
    let server: HttpsServer;
    let run: Awaited<ReturnType<typeof runJson>>;
    beforeAll(async () => {
      server = await startHttpsServer({ cert: files.leaf, key: files.leafKey });
      run = await runJson(['-R', '100', '-d', '1s', '-c', '2', '-t', '1', '--ca', files.ca, '-H', 'Connection: close', server.url]);
    });
    afterAll(() => server?.close());

    it('completes every request, one handshake each (plus the connections left open at the end)', () => {
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.errors).toEqual(NO_ERRORS);
      // Exact accounting; how many went out depends on the machine's pace (a handshake each).
      expect(run.json.sent + run.json.notSent).toBe(100);
      expect(run.json.sent).toBeGreaterThan(0);
      expect(run.json.completed).toBe(run.json.sent);
      const tls = run.json.tls!;
      expect(tls.handshakes).toBeGreaterThanOrEqual(run.json.completed);
      expect(tls.handshakes).toBeLessThanOrEqual(run.json.completed + 2);
      expect(tls.handshake.count).toBe(tls.handshakes);
    });

    it('resumes saved sessions on reconnects, and the server agrees which ones', () => {
      const tls = run.json.tls!;
      // Node's server honours every other ticket here (a resumed connection's new ticket is not
      // accepted again), so about half resume; against OpenSSL's own server every one does (below).
      expect(tls.resumed).toBeGreaterThanOrEqual(Math.floor(tls.handshakes * 0.4));
      expect(server.stats.reused).toBeGreaterThanOrEqual(tls.resumed - 2);
      expect(server.stats.reused).toBeLessThanOrEqual(tls.resumed);
    });
  });

  // Under the sanitizers, resumption against Node's server (above) drives the same native path.
  describe.skipIf(SANITIZED)('session resumption against openssl s_server (-www: one response, then close)', () => {
    let server: ChildProcess | undefined;
    let port = 0;
    beforeAll(async () => {
      port = await freePort();
      server = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', files.leaf, '-key', files.leafKey, '-www', '-quiet'], { stdio: 'ignore' });
      await waitForPort(port);
    });
    afterAll(() => {
      server?.kill();
    });

    it('resumes on every reconnect after each slot\'s first handshake', async () => {
      const run = await runJson(['-R', '50', '-d', '1s', '-c', '1', '-t', '1', '--ca', files.ca, `https://localhost:${port}/`]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.errors).toEqual(NO_ERRORS);
      expectAccounted(run.json, 50);
      const tls = run.json.tls!;
      expect(tls.handshakes).toBeGreaterThanOrEqual(run.json.completed);
      expect(tls.resumed).toBe(tls.handshakes - 1);
    });
  });

  describe('over a Unix domain socket: the URL names the host the certificate must match', () => {
    let server: HttpsServer;
    let path: string;
    beforeAll(async () => {
      path = join(files.dir, 'https.sock');
      server = await startHttpsServer({ cert: files.leaf, key: files.leafKey, unixPath: path });
    });
    afterAll(() => server?.close());

    it('https://localhost/ with --unix-socket: verified, SNI localhost, every request answered', async () => {
      const run = await runJson(['-R', '100', '-d', '1s', '-c', '2', '-t', '1', '--ca', files.ca, '--unix-socket', path, 'https://localhost/']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.errors).toEqual(NO_ERRORS);
      expectAccounted(run.json, 100);
      expect(server.stats.servername).toEqual({ localhost: 2 });
    });

    // A failed verification, as "certificate failures" has under the sanitizers.
    it.skipIf(SANITIZED)('a host name the certificate does not carry fails verification: "Hostname mismatch"', async () => {
      const run = await runJson(['-R', '50', '-d', '1s', '-c', '1', '-t', '1', '--ca', files.ca, '--unix-socket', path, 'https://wrong.example/']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.completed).toBe(0);
      expect(run.json.tls!.errors.verify).toBeGreaterThanOrEqual(1);
      expect(run.json.tls!.firstError).toBe('certificate verify failed: hostname mismatch');
    });
  });

  describe('pipelining over https', () => {
    let server: HttpsServer;
    beforeAll(async () => {
      server = await startHttpsServer({ cert: files.leaf, key: files.leafKey });
    });
    afterAll(() => server?.close());

    it('--pipeline 4 on one connection: exact counts through Node\'s https server', async () => {
      const run = await runJson(['-R', '500', '-d', '1s', '-c', '1', '-t', '1', '--pipeline', '4', '--ca', files.ca, server.url]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.errors).toEqual(NO_ERRORS);
      // Exact accounting; how many went out depends on the machine's pace (one connection, 4 deep).
      expect(run.json.sent + run.json.notSent).toBe(500);
      expect(run.json.sent).toBeGreaterThan(0);
      expect(run.json.completed).toBe(run.json.sent);
      expect(server.stats.requests).toBe(run.json.sent);
      expect(run.json.tls!.handshakes).toBe(1);
    });
  });

  // The first two are found by the addon (OpenSSL loads the files); the rest end before it starts,
  // so they skip themselves under the sanitizers.
  describe('bad TLS input: one line, exit 2', () => {
    it('a --ca file that is not PEM', async () => {
      const notPem = join(files.dir, 'not-pem.txt');
      writeFileSync(notPem, 'hello\n');
      const run = await runCli(['-R', '10', '-d', '1s', '--ca', notPem, 'https://127.0.0.1:9/']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^ratetest: --ca cannot load ".*not-pem\.txt" as PEM certificates: .+\n$/);
    });

    it('a --key that does not match --cert', async () => {
      const run = await runCli(['-R', '10', '-d', '1s', '--cert', files.client, '--key', files.leafKey, 'https://127.0.0.1:9/']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^ratetest: --(key|cert) .+\n$/);
    });

    it.skipIf(SANITIZED)('--cert without --key', async () => {
      const run = await runCli(['-R', '10', '--cert', files.client, 'https://127.0.0.1:9/']);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe('ratetest: --cert and --key go together: the client certificate and its private key, both PEM files\n');
    });

    it.skipIf(SANITIZED)('a --ca file that does not exist', async () => {
      const run = await runCli(['-R', '10', '--ca', '/nonexistent/ca.pem', 'https://127.0.0.1:9/']);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe('ratetest: --ca cannot read "/nonexistent/ca.pem": ENOENT\n');
    });

    it.skipIf(SANITIZED)('--insecure with an http:// URL', async () => {
      const run = await runCli(['-R', '10', '--insecure', 'http://127.0.0.1:9/']);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe('ratetest: --insecure applies to https:// URLs only, got "http://127.0.0.1:9/"\n');
    });
  });
});
