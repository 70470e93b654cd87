// --monitor-pid against a server in its own process: the samples must see that process's
// connections (open fds) and work (CPU); a pid with no process is refused before any load; a
// process that exits mid-run is noted and the run still reports.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINE_BUILT, runCli, runJson, sleep, startCli, STACK_FRAME } from './run-cli.js';

// Prints its port, then "served" once, at its first request.
const SERVER = `let n = 0; require('http').createServer((q, s) => { if (n++ === 0) console.log('served'); s.end('ok'); }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;

/** A keep-alive HTTP server in a child process; resolves with its pid, its URL, and when it served its first request. */
async function spawnServer(): Promise<{ child: ChildProcess; pid: number; url: string; served: Promise<void> }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const out = child.stdout!.setEncoding('utf8');
  const [line] = (await once(out, 'data')) as [string];
  const served = new Promise<void>((resolve) => {
    const onData = (d: string) => {
      if (d.includes('served')) resolve();
      else out.once('data', onData);
    };
    if (line.includes('served')) resolve();
    else out.once('data', onData);
  });
  return { child, pid: child.pid!, url: `http://127.0.0.1:${line.trim().split('\n')[0]}/`, served };
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe.skipIf(!ENGINE_BUILT)('--monitor-pid', () => {
  it("samples the server process's CPU, RSS and fds each second into the JSON and the text report", async () => {
    const server = await spawnServer();
    children.push(server.child);
    const run = await runJson(['-R', '500', '-d', '3s', '-c', '20', '-t', '1', '--monitor-pid', String(server.pid), server.url]);
    expect(run.code, run.stderr).toBe(0);
    const monitor = run.json.monitor!;
    expect(monitor.pid).toBe(server.pid);
    expect(monitor.exitedAtNs).toBeUndefined();
    // One at the start, one a second for 3 s (and the drain), one at the end.
    expect(monitor.samples.length).toBeGreaterThanOrEqual(4);
    expect(monitor.samples.length).toBeLessThanOrEqual(7);
    // 20 connections accepted: at least 20 sockets open in the server while the run went on.
    expect(Math.max(...monitor.samples.map((s) => s.fds))).toBeGreaterThanOrEqual(20);
    // 500 req/s costs a Node server some CPU; an idle one would read ~0.
    expect(Math.max(...monitor.samples.map((s) => s.cpuPercent))).toBeGreaterThan(1);
    expect(monitor.samples[0]!.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(run.stderr).toMatch(new RegExp(`^  Process ${server.pid} \\(--monitor-pid, \\d+ samples\\):$`, 'm'));
    expect(run.stderr).toMatch(/^    CPU: min [\d.]+%, avg [\d.]+%, max [\d.]+%$/m);
    expect(run.stderr).toMatch(/^    RSS: [\d.]+MiB -> [\d.]+MiB, max [\d.]+MiB$/m);
    expect(run.stderr).toMatch(/^    Open fds: \d+ -> \d+, max \d+$/m);
  });

  it('refuses a pid with no process before sending anything: one line, exit 2', async () => {
    const run = await runCli(['-R', '10', '-d', '1s', '--monitor-pid', '999999999', 'http://127.0.0.1:9/']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('ratetest: --monitor-pid 999999999: no such process (or /proc is not readable); give the pid of a running process on this machine\n');
    expect(run.stdout).not.toMatch(/Running/);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  it('notes a process that exits mid-run and finishes the run', async () => {
    const server = await spawnServer();
    children.push(server.child);
    const cli = startCli(['-R', '200', '-d', '4s', '-c', '10', '-t', '1', '--timeout', '500ms', '--monitor-pid', String(server.pid), server.url, '--json', '-']);
    // Killed 2 s after its first request, not after a fixed time from the spawn: a busy machine
    // can take longer than that just to start the CLI, which then refuses a pid already gone.
    await server.served;
    await sleep(2000);
    server.child.kill('SIGKILL');
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as { monitor: { exitedAtNs?: number; samples: unknown[] } };
    expect(json.monitor.exitedAtNs).toBeGreaterThan(1e9);
    expect(json.monitor.samples.length).toBeGreaterThanOrEqual(2);
    expect(run.stderr).toMatch(/^    The process exited [\d.]+s into the run; sampling stopped there\.$/m);
  });
});
