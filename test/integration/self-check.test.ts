// The self-check's verdicts against real runs that produce them cheaply: a server that never
// answers (slow-server), and the ratetest process stopped mid-run (machine-stalled). The other
// verdicts have their real runs elsewhere: dead-server (refused-port), connection-resets
// (hostile), too-few-connections (too-few-connections, stall), script-fell-behind (scripts).
import { afterAll, describe, expect, it } from 'vitest';
import { skipIfBusy } from './pace.js';
import { ENGINE_BUILT, accountedFor, mustHaveExited, parseJson, runJson, sleep, startCli, waitFor } from './run-cli.js';
import { plain, silent, type TestServer } from './servers.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe.skipIf(!ENGINE_BUILT)('self-check verdicts from real runs', () => {
  it('slow-server: sent on schedule to a server that answers nothing (-R 50 -c 100 --timeout 300ms)', async (ctx) => {
    const server = await silent();
    servers.push(server);
    // 50/s, each holding a connection 300 ms: 15 busy at a time, so 100 connections never run out.
    const run = await runJson(['-R', '50', '-d', '1s', '-c', '100', '-t', '1', '--timeout', '300ms', server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.errors.timeout).toBe(run.json.sent);
    // On schedule is pace: judged when the machine let it.
    skipIfBusy(ctx, run);
    expect(run.json.selfCheck).toMatchObject({ ok: true, verdict: 'slow-server', achievedPercent: 0 });
    expect(run.stderr).toContain('  Note (self-check: slow-server): requests went out on schedule but the server completed only 0% of the requested rate');
    expect(run.stderr).not.toContain('WARNING');
  });

  it('machine-stalled: the ratetest process stopped for 500 ms mid-run (-R 200 -c 200)', async () => {
    const server = await plain();
    servers.push(server);
    // 200 connections: the ~100 requests due in the stop all find one free when it ends, so the
    // lateness is the stop's alone, not a queue for connections.
    const started = startCli(['-R', '200', '-d', '2s', '-c', '200', '-t', '1', server.url, '--json', '-']);
    await waitFor(() => server.stats.requests > 0, 'the first request');
    await sleep(300);
    started.child.kill('SIGSTOP');
    await sleep(500);
    started.child.kill('SIGCONT');
    const run = mustHaveExited(await started.done);
    const json = parseJson(run);
    expect(run.code, run.stderr).toBe(0);
    expect(accountedFor(json)).toBe(json.sent);
    expect(json.selfCheck).toMatchObject({ ok: false, verdict: 'machine-stalled' });
    // A stop is not a wait for a CPU, so the figures cannot tell a busy machine from a pause: they
    // name one or the other, never the server or the connections.
    expect(json.selfCheck.messages[0]).toMatch(/waited .*% of the run for a CPU|waited .* ms in all|stopped or paused/);
    expect(run.stderr).toContain(
      "\nWARNING: ratetest fell behind its schedule with connections free and CPU to spare: the machine stalled it (self-check: machine-stalled); the latencies above are not the server's alone.\n",
    );
  });
});
