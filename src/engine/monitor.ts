// monitor.ts: --monitor-pid: the server process's CPU%, RSS and open file descriptors, sampled
// once a second from /proc while a run goes on (the soak-test checklist: does memory or the fd
// count only grow?). Linux only; the parsers are pure so tests feed them fixture text.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { UsageError } from '../common/errors.js';
import type { MonitorSample, MonitorSeries } from '../result/monitor-series.js';

/** utime + stime, in clock ticks, from /proc/<pid>/stat. The command name may hold spaces and parentheses, so fields count from the last ")". */
export function parseStatCpuTicks(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/<pid>/stat line');
  // After ")": state(3) ppid(4) ... utime(14) stime(15); index 0 here is field 3.
  const fields = stat.slice(close + 2).trim().split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('no utime/stime in /proc/<pid>/stat');
  return utime + stime;
}

/** VmRSS from /proc/<pid>/status, in bytes (0 when absent, as for a zombie). */
export function parseStatusRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** CPU percent of one core between two tick readings `intervalNs` apart. */
export function cpuPercent(ticksBefore: number, ticksAfter: number, intervalNs: number, ticksPerSecond: number): number {
  if (intervalNs <= 0) return 0;
  return (100 * ((ticksAfter - ticksBefore) / ticksPerSecond) * 1e9) / intervalNs;
}

let clockTicks: number | undefined;
/** USER_HZ: 100 on every mainstream Linux; asked once of getconf in case this one differs. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface ProcReader {
  stat(pid: number): string;
  status(pid: number): string;
  fdCount(pid: number): number;
}

export const procfs: ProcReader = {
  stat: (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8'),
  status: (pid) => readFileSync(`/proc/${pid}/status`, 'utf8'),
  fdCount: (pid) => readdirSync(`/proc/${pid}/fd`).length,
};

/** Fails before the run, naming the pid, when there is no such process to watch. */
export function checkMonitorPid(pid: number, reader: ProcReader = procfs): void {
  try {
    parseStatCpuTicks(reader.stat(pid));
  } catch {
    throw new UsageError(`--monitor-pid ${pid}: no such process (or /proc is not readable); give the pid of a running process on this machine`);
  }
  try {
    reader.fdCount(pid);
  } catch (err) {
    throw new UsageError(`--monitor-pid ${pid}: cannot read /proc/${pid}/fd (${(err as NodeJS.ErrnoException).code ?? 'error'}); run as the process's user`);
  }
}

export interface Monitor {
  /** Takes a last sample and returns the series. */
  stop(): MonitorSeries;
}

/** Starts sampling now (a first sample at 0) and then every intervalMs. */
export function startMonitor(pid: number, intervalMs = 1000, reader: ProcReader = procfs): Monitor {
  const series: MonitorSeries = { pid, samples: [] };
  const t0 = process.hrtime.bigint();
  let lastTicks: number | undefined;
  let lastNs = 0;
  const sample = () => {
    if (series.exitedAtNs !== undefined) return;
    const elapsedNs = Number(process.hrtime.bigint() - t0);
    try {
      const ticks = parseStatCpuTicks(reader.stat(pid));
      const s: MonitorSample = {
        elapsedNs,
        cpuPercent: lastTicks === undefined ? 0 : cpuPercent(lastTicks, ticks, elapsedNs - lastNs, ticksPerSecond()),
        rssBytes: parseStatusRssBytes(reader.status(pid)),
        fds: reader.fdCount(pid),
      };
      // The first sample has no interval behind it: it gives the starting RSS and fds only.
      series.samples.push(s);
      lastTicks = ticks;
      lastNs = elapsedNs;
    } catch {
      series.exitedAtNs = elapsedNs;
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return series;
    },
  };
}
