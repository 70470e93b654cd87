// A raw server whose status line is malformed: every such response is a parse error, the run
// goes on (reconnecting), and the process neither crashes nor prints a stack.
import { afterAll, describe, expect, it } from 'vitest';
import { expectAccounted } from './pace.js';
import { ENGINE_BUILT, STACK_FRAME, runJson } from './run-cli.js';
import { malformed, type TestServer } from './servers.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe.skipIf(!ENGINE_BUILT)('a malformed status line', () => {
  it.each([
    ['letters for digits', 'HTTP/1.1 2OO OK'],
    ['a two-digit status', 'HTTP/1.1 20 OK'],
    ['a four-digit status', 'HTTP/1.1 2000 OK'],
    ['a foreign protocol', 'ICY 200 OK'],
    ['no version', '200 OK'],
  ])('counts %s (%j) as one parse error per request and exits 0', async (_name, statusLine) => {
    const server = await malformed(statusLine);
    servers.push(server);
    const run = await runJson(['-R', '100', '-d', '1s', '-c', '4', '-t', '1', server.url]);
    const { json } = run;
    expect(run.code, run.stderr).toBe(0);
    expect(run.signal).toBeNull();
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expectAccounted(json, 100, false);
    expect(json.sent).toBeGreaterThan(0);
    expect(json.completed).toBe(0);
    expect(json.errors.parse).toBe(json.sent);
    expect(json.errors.connect + json.errors.read + json.errors.write + json.errors.timeout).toBe(0);
    expect(json.status).toEqual({});
    expect(server.stats.requests).toBe(json.sent);
    expect(run.stderr).toContain(`\n  Parse errors: ${json.sent}\n`);
  });
});
