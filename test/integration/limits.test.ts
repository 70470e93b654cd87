// Resource limits: file descriptors and ephemeral ports. These drive the binary through bash so
// the limits can be set for it alone; the port test runs in a private network namespace.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultJson } from '../../src/report/json.js';
import { expectAccounted } from './pace.js';
import { BIN } from './run-cli.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const isRoot = process.getuid?.() === 0;
const has = (tool: string) => ['/usr/bin/', '/bin/', '/usr/sbin/', '/sbin/'].some((dir) => existsSync(dir + tool));

/** Async, so a server in this process can answer while the child runs. */
function bash(script: string, timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { env: { ...process.env, BIN, NODE: process.execPath } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('file descriptor limits', () => {
  const server = http.createServer((_req, res) => res.end('ok'));
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('raises a low soft limit to fit -c 1000', async () => {
    const run = await bash(`ulimit -Sn 200; "$NODE" "$BIN" -R 100 -d 1s -c 1000 -t 2 --json - ${url}`);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as ResultJson;
    expectAccounted(json, 100);
    expect(json.errors.connect).toBe(0);
  });

  it.skipIf(!isRoot || !has('setpriv'))('fails before starting, naming the ulimit needed, when the hard limit is too low', async () => {
    // Without CAP_SYS_RESOURCE even root cannot raise its hard limit.
    const run = await bash(`exec setpriv --inh-caps=-all --bounding-set=-sys_resource bash -c 'ulimit -n 300; exec "$NODE" "$BIN" -R 10 -d 1s -c 1000 ${url}'`);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'ratetest: the connections need 1064 file descriptors but the limit is 300 (hard limit 300); lower -c or raise the limit with `ulimit -n 1064`\n',
    );
  });
});

describe.skipIf(!isRoot || !has('unshare') || !has('ip'))('ephemeral port exhaustion', () => {
  it('keeps running on the ports it has and names the cause', async () => {
    // A private network namespace with 10 ephemeral ports, and 50 connections asked for.
    const run = await bash(`exec unshare -n bash -c '
      ip link set lo up
      echo "40000 40009" > /proc/sys/net/ipv4/ip_local_port_range
      "$NODE" -e "require(\\"http\\").createServer((q, s) => s.end(\\"ok\\")).listen(8080, \\"127.0.0.1\\")" &
      sleep 0.5
      "$NODE" "$BIN" -R 100 -d 1s -c 50 -t 1 http://127.0.0.1:8080/
      code=$?; kill %1; exit $code'`);
    expect(run.code).toBe(0);
    // It ran on the ports it had (how many of the 100 completed in the second is pace).
    expect(Number(/ {2}(\d+) requests in 1\.00s/.exec(run.stdout)?.[1])).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/  Socket errors: connect \d+, read 0, write 0, timeout 0\n/);
    expect(run.stdout).toContain('  First connect error: EADDRNOTAVAIL (no free local port: the ephemeral port range is exhausted;');
  });
});
