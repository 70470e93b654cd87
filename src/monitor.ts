// monitor.ts: --monitor-pid: the server process's CPU%, RSS and open file descriptors, sampled
// once a second from /proc while a run goes on (the soak-test checklist: does memory or the fd
// count only grow?). Linux only; the parsers are pure so tests feed them fixture text.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { UsageError } from './errors.js';

export interface MonitorSample {
  /** Since the monitor started, nanoseconds. */
  elapsedNs: number;
  /** CPU used over the last interval, percent of one core (200 = two cores busy). */
  cpuPercent: number;
  rssBytes: number;
  fds: number;
}

export interface MonitorSeries {
  pid: number;
  samples: MonitorSample[];
  /** Set when the process went away during the run: since when, nanoseconds after the start. */
  exitedAtNs?: number;
}

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

export interface MonitorSummary {
  cpuPercent: { min: number; avg: number; max: number };
  rssBytes: { start: number; end: number; max: number };
  fds: { start: number; end: number; max: number };
}

/** CPU over the intervals (the first sample has none); RSS and fds from first to last sample. */
export function summarizeMonitor(series: MonitorSeries): MonitorSummary | undefined {
  const samples = series.samples;
  if (samples.length === 0) return undefined;
  const cpu = samples.slice(1).map((s) => s.cpuPercent);
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  return {
    cpuPercent: {
      min: cpu.length ? Math.min(...cpu) : 0,
      avg: cpu.length ? cpu.reduce((a, b) => a + b, 0) / cpu.length : 0,
      max: cpu.length ? Math.max(...cpu) : 0,
    },
    rssBytes: { start: first.rssBytes, end: last.rssBytes, max: Math.max(...samples.map((s) => s.rssBytes)) },
    fds: { start: first.fds, end: last.fds, max: Math.max(...samples.map((s) => s.fds)) },
  };
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)}MiB`;

/** The text report's block. */
export function formatMonitor(series: MonitorSeries): string[] {
  const lines = [`  Process ${series.pid} (--monitor-pid, ${series.samples.length} samples):`];
  const s = summarizeMonitor(series);
  if (!s) lines.push('    no samples');
  else {
    const c = s.cpuPercent;
    lines.push(`    CPU: min ${c.min.toFixed(1)}%, avg ${c.avg.toFixed(1)}%, max ${c.max.toFixed(1)}%`);
    lines.push(`    RSS: ${mib(s.rssBytes.start)} -> ${mib(s.rssBytes.end)}, max ${mib(s.rssBytes.max)}`);
    lines.push(`    Open fds: ${s.fds.start} -> ${s.fds.end}, max ${s.fds.max}`);
  }
  if (series.exitedAtNs !== undefined) lines.push(`    The process exited ${(series.exitedAtNs / 1e9).toFixed(1)}s into the run; sampling stopped there.`);
  return lines;
}
