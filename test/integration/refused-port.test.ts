// A port nothing listens on: every connect is refused. The run still ends on time, counts the
// connect errors with their errno, says nothing was sent, and exits 0 without a stack trace.
import { beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, SANITIZED, STACK_FRAME, runJson, textFigures } from './run-cli.js';
import { refusedPort } from './servers.js';

describe.skipIf(!ENGINE_BUILT)('a refused port (-R 50 -d 1s -c 2)', () => {
  let run: Awaited<ReturnType<typeof runJson>>;
  beforeAll(async () => {
    const port = await refusedPort();
    run = await runJson(['-R', '50', '-d', '1s', '-c', '2', '-t', '1', `http://127.0.0.1:${port}/`]);
  });

  it('completes the run and exits 0 with no stack trace', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.signal).toBeNull();
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stderr).not.toContain('internal error');
    expect(run.json.interrupted).toBe(false);
    expect(run.json.durationNs).toBe(1e9);
  });

  it('counts connect errors as ECONNREFUSED, and nothing else', () => {
    const { errors, errorCodes } = run.json;
    expect(errors.connect).toBeGreaterThan(0);
    expect(errorCodes.connect).toBe('ECONNREFUSED');
    expect({ ...errors, connect: 0 }).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });
  });

  it('reports every scheduled request as not sent', () => {
    expect(run.json.scheduled).toBe(50);
    expect(run.json.sent).toBe(0);
    expect(run.json.notSent).toBe(50);
    expect(run.json.completed).toBe(0);
    expect(run.json.bytesWritten).toBe(0);
  });

  it('prints wrk2\'s socket-error line with the same counts', () => {
    expect(textFigures(run.stderr).socketErrors).toEqual({ connect: run.json.errors.connect, read: 0, write: 0, timeout: 0 });
    expect(textFigures(run.stderr).requests).toBe(0);
  });

  it('calls the server dead (no connection ever opened), not slow: dead-server', () => {
    expect(run.json.selfCheck).toMatchObject({ ok: false, verdict: 'dead-server' });
    expect(run.stderr).toContain('\nWARNING: no connection to the server opened (self-check: dead-server); nothing was measured.\n');
  });
});

// Giving up is decided in JavaScript (src/engine/dead-target.ts): nothing for the sanitizer pass.
describe.skipIf(!ENGINE_BUILT || SANITIZED)('a refused port with only -n to end the run', () => {
  it('gives up after twice (connect timeout + timeout) without a connection, says why, and exits 0', async () => {
    const port = await refusedPort();
    const run = await runJson(['-R', '100', '-n', '100', '-c', '2', '-t', '1', '--timeout', '500ms', '--connect-timeout', '500ms', `http://127.0.0.1:${port}/`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.endedEarly).toMatch(/no connection to the target for 2\.0s/);
    expect(run.json.interrupted).toBe(false);
    expect(run.json.sent).toBe(0);
    expect(run.json.errors.connect).toBeGreaterThan(0);
    expect(run.stderr).toContain('Run ended after');
    // Gave up by itself (endedEarly above), well before the hang guard.
    expect(run.elapsedMs).toBeLessThan(60_000);
  });
});
