// Bad command lines: exit 2, exactly one line on stderr that starts "ratetest: " and names the
// problem, nothing on stdout, no stack trace, and no load sent anywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BUILT, STACK_FRAME, runCli } from './run-cli.js';
import { plain, type TestServer } from './servers.js';

describe.skipIf(!CLI_BUILT)('usage errors', () => {
  // A live server behind every otherwise-valid URL: a usage error must not send it anything.
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await plain();
    url = server.url;
  });
  afterAll(() => server?.close());

  const cases: [string, () => string[], string][] = [
    ['missing -R', () => [url], '-R/--rate is required: the total requests per second, e.g. -R 2000, -R 20k or -R max (or give --stages)'],
    ['-R 0', () => ['-R', '0', url], '--rate must be > 0, got 0'],
    ['-R that is not a number', () => ['-R', 'fast', url], '--rate must be a number like 2000, 20k or 1.5m, got "fast"'],
    ['a URL that is not a URL', () => ['-R', '10', 'not a url'], 'URL must look like http://host[:port]/path, got "not a url"'],
    ['a URL with another scheme', () => ['-R', '10', 'ftp://127.0.0.1/'], 'URL must start with http:// or https://, got "ftp://127.0.0.1/"'],
    ['no URL', () => ['-R', '10'], "missing required argument 'url' (see ratetest --help)"],
    ['-c below -t', () => ['-R', '10', '-c', '1', '-t', '2', url], '--connections (1) must be >= --threads (2): each thread needs a connection'],
    ['-t 0', () => ['-R', '10', '-t', '0', url], '--threads must be a whole number from 1 to 256, got 0'],
    ['an unknown flag', () => ['-R', '10', '--nope', url], "unknown option '--nope' (see ratetest --help)"],
    ['a bad duration', () => ['-R', '10', '-d', 'soon', url], '--duration must be a duration like 30s, 2m or 500ms, got "soon"'],
    ['a bad header', () => ['-R', '10', '-H', 'no colon', url], '--header must look like "Name: value", got "no colon"'],
    ['both -b and --body-file', () => ['-R', '10', '-b', 'x', '--body-file', '/dev/null', url], 'use either --body or --body-file, not both'],
    ['an unwritable --json path', () => ['-R', '10', '-d', '1s', '--json', '/nonexistent/dir/result.json', url], '--json cannot write "/nonexistent/dir/result.json": ENOENT'],
    ['a missing --body-file', () => ['-R', '10', '--body-file', '/nonexistent/body.json', url], '--body-file cannot read "/nonexistent/body.json": ENOENT'],
  ];

  it.each(cases)('%s: exit 2 and one line', async (_name, args, message) => {
    const run = await runCli(args());
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`ratetest: ${message}\n`);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stdout).toBe('');
    expect(server.stats.connections).toBe(0);
  });
});
