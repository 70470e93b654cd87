// cli.test.ts: flags -> options, and every usage failure as one line with exit code 2. Nothing here
// starts the engine: parseArgs is pure, and main() fails validation before it resolves or loads the addon.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { banner } from '../../src/cli/banner.js';
import { parseArgs } from '../../src/cli/flags.js';
import { DEFAULTS, validate, version } from '../../src/config/options.js';

const URL_ = 'http://127.0.0.1:8080/';
const argv = (...args: string[]) => ['node', 'ratetest', ...args];

/** Runs main() and captures what it writes. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(argv(...args));
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('parseArgs: flags to options', () => {
  it('maps the short wrk2 flags', () => {
    const request = parseArgs(
      argv('-R', '20k', '-d', '60s', '-c', '100', '-t', '4', '-H', 'A: 1', '-H', 'B: 2', '-L', '-U', '-m', 'PUT', '-b', 'x', URL_),
    );
    expect(request).toEqual({
      options: {
        url: URL_,
        rate: 20_000,
        durationMs: 60_000,
        connections: 100,
        threads: 4,
        headers: ['A: 1', 'B: 2'],
        method: 'PUT',
        body: 'x',
      },
      latency: true,
      uLatency: true,
      thresholds: [],
      quiet: false,
    });
  });

  it('maps the long flags, --timeout and --batch', () => {
    const request = parseArgs(
      argv('--rate', '1.5k', '--duration', '2m', '--connections', '10k', '--threads', '8', '--header', 'X: y', '--latency', '--u_latency', '--timeout', '500ms', '--batch', '0', URL_),
    );
    expect(request.options).toEqual({
      url: URL_,
      rate: 1500,
      durationMs: 120_000,
      connections: 10_000,
      threads: 8,
      headers: ['X: y'],
      timeoutMs: 500,
      batchUs: 0,
    });
    expect(request).toMatchObject({ latency: true, uLatency: true });
  });

  it('leaves unset options to the defaults of validate()', () => {
    const request = parseArgs(argv('-R', '100', URL_));
    expect(request).toEqual({ options: { url: URL_, rate: 100, headers: [] }, latency: false, uLatency: false, thresholds: [], quiet: false });
    expect(parseArgs(argv('-R', '100', '-q', URL_)).quiet).toBe(true);
    expect(parseArgs(argv('-R', '100', '-s', 'x.lua', URL_, 'a', 'b')).options.script).toEqual({ file: 'x.lua', args: ['a', 'b'] });
    expect(validate(request.options)).toMatchObject({ durationMs: DEFAULTS.durationMs, threads: DEFAULTS.threads, method: 'GET' });
  });

  it('takes a bare number as seconds, as wrk does: -d 10', () => {
    expect(parseArgs(argv('-R', '1', '-d', '10', URL_)).options.durationMs).toBe(10_000);
  });

  it('accepts --json - (stdout) and --json <file>', () => {
    expect(parseArgs(argv('-R', '1', '--json', '-', URL_)).json).toBe('-');
    expect(parseArgs(argv('-R', '1', '--json', 'out.json', URL_)).json).toBe('out.json');
  });

  it('takes --html <file> for the run report', () => {
    expect(parseArgs(argv('-R', '1', '--html', 'run.html', URL_)).html).toBe('run.html');
    expect(parseArgs(argv('-R', '1', URL_)).html).toBeUndefined();
  });

  it('reads --body-file as bytes', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ratetest-')), 'body.bin');
    writeFileSync(path, Buffer.from([1, 2, 3]));
    expect(parseArgs(argv('-R', '1', '--body-file', path, URL_)).options.body).toEqual(Buffer.from([1, 2, 3]));
  });

  it('rejects an unreadable --body-file, naming the path: --body-file cannot read "/nonexistent/x": ENOENT', () => {
    expect(() => parseArgs(argv('-R', '1', '--body-file', '/nonexistent/x', URL_))).toThrow('--body-file cannot read "/nonexistent/x": ENOENT');
  });

  it('rejects -b with --body-file: "use either --body or --body-file, not both"', () => {
    expect(() => parseArgs(argv('-R', '1', '-b', 'x', '--body-file', '/nonexistent/x', URL_))).toThrow('use either --body or --body-file, not both');
  });

  it('requires -R: "-R/--rate is required: ..."', () => {
    expect(() => parseArgs(argv(URL_))).toThrow('-R/--rate is required: the total requests per second, e.g. -R 2000, -R 20k or -R max (or give --stages)');
  });
});

describe('main: usage errors print one line and return 2', () => {
  it.each([
    [[URL_], 'ratetest: -R/--rate is required: the total requests per second, e.g. -R 2000, -R 20k or -R max (or give --stages)'],
    [['-R', '1k'], "ratetest: missing required argument 'url' (see ratetest --help)"],
    [['-R', '1k', '--bogus', URL_], "ratetest: unknown option '--bogus' (see ratetest --help)"],
    [['-R', '1k', '--latenc', URL_], "ratetest: unknown option '--latenc' (Did you mean --latency?) (see ratetest --help)"],
    [['-R', '1k', URL_, 'extra'], 'ratetest: unexpected argument "extra" after the URL (arguments after the URL go to a script\'s init(); give -s <script>)'],
    [['-R'], "ratetest: option '-R, --rate <rate>' argument missing (see ratetest --help)"],
    [['-R', 'fast', URL_], 'ratetest: --rate must be a number like 2000, 20k or 1.5m, got "fast"'],
    [['-R', '0', URL_], 'ratetest: --rate must be > 0, got 0'],
    [['-R', '1', '-d', 'abc', URL_], 'ratetest: --duration must be a duration like 30s, 2m or 500ms, got "abc"'],
    [['-R', '1', '--timeout', '0', URL_], 'ratetest: --timeout must be > 0, got 0ms'],
    [['-R', '1', '-c', '1.5', URL_], 'ratetest: --connections must be a whole number like 100 or 10k, got "1.5"'],
    [['-R', '1', '-c', '20', '-t', '40', URL_], 'ratetest: --connections (20) must be >= --threads (40): each thread needs a connection'],
    [['-R', '1', '-H', 'nocolon', URL_], 'ratetest: --header must look like "Name: value", got "nocolon"'],
    [['-R', '1', 'ftp://x/'], 'ratetest: URL must start with http:// or https://, got "ftp://x/"'],
    [['-R', '1', '--pipeline', '2.5', URL_], 'ratetest: --pipeline must be a whole number like 100 or 10k, got "2.5"'],
    [['-R', '1', '--connect-timeout', 'soon', URL_], 'ratetest: --connect-timeout must be a duration like 30s, 2m or 500ms, got "soon"'],
    [['-R', '1', '--ca', '/nonexistent/ca.pem', 'https://x/'], 'ratetest: --ca cannot read "/nonexistent/ca.pem": ENOENT'],
  ])('%j: %s', async (args, line) => {
    const { code, stdout, stderr } = await cli(...args);
    expect(stderr).toBe(`${line}\n`);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});

describe('main: help and version', () => {
  it('--help prints usage to stdout and returns 0', async () => {
    const { code, stdout, stderr } = await cli('--help');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Usage: ratetest \[options\] <url> \[script-args\.\.\.\]\n/);
  });

  it('--help states the defaults from DEFAULTS', async () => {
    const help = (await cli('--help')).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('(default 10s)');
    expect(help).toContain('(default 2s)');
    expect(help).toContain('(default 100us;');
    expect(help).toContain(`(default ${DEFAULTS.threads})`);
    expect(help).toContain(`(default ${DEFAULTS.connections}, or one per thread if more)`);
  });

  it('-v prints the version from package.json and returns 0', async () => {
    const { code, stdout } = await cli('-v');
    expect(code).toBe(0);
    expect(stdout).toBe(`${version()}\n`);
  });
});

describe('banner', () => {
  it("prints wrk2's two opening lines", () => {
    const config = validate({ url: URL_, rate: 1000, connections: 100 });
    expect(banner(config, URL_)).toBe('Running 10s test @ http://127.0.0.1:8080/\n  2 threads and 100 connections\n');
  });

  it('names minutes as wrk2 does: -d 2m is "Running 2m test"', () => {
    const config = validate({ url: URL_, rate: 1000, durationMs: 120_000 });
    expect(banner(config, URL_)).toMatch(/^Running 2m test @ /);
  });
});
