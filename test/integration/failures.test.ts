import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runJson, startCli } from './run-cli.js';
import { plain, refusedPort, silent, type TestServer } from './servers.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('a target that fails', () => {
  it('reports connect errors for a refused port and still completes the run', async () => {
    const port = await refusedPort();
    const { json, code, stderr } = await runJson(['-R', '50', '-d', '1s', '-c', '2', '-t', '1', `http://127.0.0.1:${port}/`]);
    expect(code).toBe(0);
    expect(json.errors.connect).toBeGreaterThan(0);
    expect(json.errorCodes.connect).toBe('ECONNREFUSED');
    expect(json.completed).toBe(0);
    expect(json.notSent).toBe(50);
    expect(stderr).toMatch(/  Socket errors: connect \d+, read 0, write 0, timeout 0\n/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('times out requests to a server that never answers, and ends on time', async () => {
    const server = await silent();
    servers.push(server);
    const { json, elapsedMs } = await runJson(['-R', '20', '-d', '2s', '-c', '4', '-t', '1', '--timeout', '500ms', server.url]);
    expect(json.errors.timeout).toBeGreaterThan(0);
    expect(json.completed).toBe(0);
    // 2 s of schedule + at most 0.5 s waiting for answers + process start-up and exit.
    expect(elapsedMs).toBeLessThan(8000);
    expect(server.requests).toBeGreaterThan(0);
  });

  it('stops on SIGINT, prints what it gathered and exits 130', async () => {
    const server = await plain();
    servers.push(server);
    const { child, done } = startCli(['-R', '200', '-d', '30s', '-c', '4', '-t', '1', server.url]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    child.kill('SIGINT');
    const result = await done(15_000);
    expect(result.code).toBe(130);
    const match = /  (\d+) requests in ([\d.]+)s, /.exec(result.stdout);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThan(0);
    expect(Number(match![2])).toBeLessThan(25);
    expect(result.stdout).toContain('Run interrupted after');
  });
});

describe('usage errors', () => {
  it.each([
    [['http://127.0.0.1:1/'], 'ratetest: -R/--rate is required: the total requests per second, e.g. -R 2000 or -R 20k'],
    [['-R', '0', 'http://127.0.0.1:1/'], 'ratetest: --rate must be > 0, got 0'],
    [['-R', '10', 'ftp://127.0.0.1/'], 'ratetest: URL must start with http://, got "ftp://127.0.0.1/"'],
    [['-R', '10', '-c', '1', '-t', '2', 'http://127.0.0.1:1/'], 'ratetest: --connections (1) must be >= --threads (2): each thread needs a connection'],
    [['-R', '10', '--nope', 'http://127.0.0.1:1/'], "ratetest: unknown option '--nope' (see ratetest --help)"],
    [['-R', '10', '-d', 'soon', 'http://127.0.0.1:1/'], 'ratetest: --duration must be a duration like 30s, 2m or 500ms, got "soon"'],
  ])('%j exits 2 with one line: %s', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${message}\n`);
    expect(result.stdout).toBe('');
  });
});
