import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/errors.js';
import { checkMonitorPid, cpuPercent, parseStatCpuTicks, parseStatusRssBytes, startMonitor, type ProcReader } from '../../src/engine/monitor.js';
import { formatMonitor, summarizeMonitor } from '../../src/result/monitor-series.js';

// A real /proc/<pid>/stat line, with a command name holding a space and a parenthesis.
const STAT = '4242 (my (srv) x) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 75 0 0 20 0 4 0 12345 1000000 2000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0';
const STATUS = 'Name:\tnode\nState:\tS (sleeping)\nVmPeak:\t  900000 kB\nVmRSS:\t   51200 kB\nThreads:\t11\n';

describe('/proc parsers', () => {
  it('reads utime + stime, counting fields from the last ")"', () => {
    expect(parseStatCpuTicks(STAT)).toBe(325);
  });
  it('rejects text that is not a stat line', () => {
    expect(() => parseStatCpuTicks('nothing here')).toThrow();
  });
  it('reads VmRSS in bytes, 0 when absent', () => {
    expect(parseStatusRssBytes(STATUS)).toBe(51200 * 1024);
    expect(parseStatusRssBytes('Name:\tzombie\n')).toBe(0);
  });
  it('turns tick deltas into percent of one core', () => {
    expect(cpuPercent(100, 150, 1e9, 100)).toBe(50);
    expect(cpuPercent(100, 300, 1e9, 100)).toBe(200);
    expect(cpuPercent(0, 10, 0, 100)).toBe(0);
  });
});

/** A fake /proc: ticks grow by `ticksPerRead` each stat read; RSS and fds from lists. */
function fakeProc(statLines: (string | Error)[], rss: number[], fds: number[]): ProcReader {
  let i = 0;
  let j = 0;
  let k = 0;
  return {
    stat: () => {
      const s = statLines[Math.min(i++, statLines.length - 1)]!;
      if (s instanceof Error) throw s;
      return s;
    },
    status: () => `VmRSS:\t${rss[Math.min(j++, rss.length - 1)]} kB\n`,
    fdCount: () => fds[Math.min(k++, fds.length - 1)]!,
  };
}
const statWith = (utime: number) => `1 (srv) S 1 1 1 0 -1 0 0 0 0 0 ${utime} 0 0 0 20 0 1 0 1 1 1`;

describe('the monitor', () => {
  it('refuses a pid with no process, naming it', () => {
    const gone = fakeProc([new Error('ENOENT')], [0], [0]);
    expect(() => checkMonitorPid(999999, gone)).toThrow(UsageError);
    expect(() => checkMonitorPid(999999, gone)).toThrow(/--monitor-pid 999999: no such process/);
    expect(() => checkMonitorPid(process.pid)).not.toThrow();
  });

  it('samples at start, each interval and at stop; notes a process that went away', async () => {
    const reader = fakeProc([statWith(0), statWith(5), new Error('ENOENT')], [1000, 2000], [10, 12]);
    const monitor = startMonitor(1, 60_000, reader);
    await new Promise((r) => setTimeout(r, 20));
    const series = monitor.stop(); // second sample (ticks 5); a third read would fail
    expect(series.samples).toHaveLength(2);
    expect(series.samples[0]).toMatchObject({ cpuPercent: 0, rssBytes: 1000 * 1024, fds: 10 });
    expect(series.samples[1]!.cpuPercent).toBeGreaterThan(0);
    expect(series.exitedAtNs).toBeUndefined();
  });

  it('summarizes CPU over intervals and RSS/fds start -> end, and prints it', () => {
    const series = {
      pid: 7,
      samples: [
        { elapsedNs: 0, cpuPercent: 0, rssBytes: 10 * 1048576, fds: 8 },
        { elapsedNs: 1e9, cpuPercent: 40, rssBytes: 30 * 1048576, fds: 20 },
        { elapsedNs: 2e9, cpuPercent: 60, rssBytes: 20 * 1048576, fds: 12 },
      ],
      exitedAtNs: 2.5e9,
    };
    expect(summarizeMonitor(series)).toEqual({
      cpuPercent: { min: 40, avg: 50, max: 60 },
      rssBytes: { start: 10 * 1048576, end: 20 * 1048576, max: 30 * 1048576 },
      fds: { start: 8, end: 12, max: 20 },
    });
    expect(formatMonitor(series)).toEqual([
      '  Process 7 (--monitor-pid, 3 samples):',
      '    CPU: min 40.0%, avg 50.0%, max 60.0%',
      '    RSS: 10.0MiB -> 20.0MiB, max 30.0MiB',
      '    Open fds: 8 -> 12, max 20',
      '    The process exited 2.5s into the run; sampling stopped there.',
    ]);
  });
});
