// monitor-series.ts: what --monitor-pid recorded about the server process, its summary and the text
// report's block. Pure: the sampler that fills it is live/monitor.ts.

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
