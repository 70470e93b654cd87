// progress-line.ts: the live line a run shows on a terminal, rewritten once a second from the
// engine's snapshots (never from the hot path) and wiped before the report:
//
//   [  12s / 60s]  20,000/s of 20,000/s  p50 104.00us  p99 1.21ms  errors 0  conns 100
//   [warm-up 3s / 10s]  conns 100
import type { RunConfig } from '../config/options.js';
import type { Progress } from '../engine/run.js';
import { UNLIMITED_MS } from '../config/shape.js';
import { formatTimeUs } from '../report/wrk-format.js';

const CLEAR_LINE = '\r\x1b[K';

const count = (n: number) => Math.round(n).toLocaleString('en-US');

export function formatProgress(p: Progress, config: RunConfig): string {
  // During a warm-up nothing is measured yet: say so, and count the measured time from its end.
  const warmupNs = config.warmupMs * 1e6;
  if (p.elapsedNs < warmupNs) {
    return `[warm-up ${Math.round(p.elapsedNs / 1e9)}s / ${Math.round(config.warmupMs / 1000)}s]  conns ${count(p.connectionsOpen)}`;
  }
  const elapsedS = Math.round((p.elapsedNs - warmupNs) / 1e9);
  const total = config.durationMs >= UNLIMITED_MS ? `${count(p.sent)} of ${count(config.requestCount)} sent` : `${Math.round(config.durationMs / 1000)}s`;
  const target = config.closedLoop ? 'max' : `${count(p.targetRate)}/s`;
  const latency = p.p50Ns !== undefined && p.p99Ns !== undefined ? `p50 ${formatTimeUs(p.p50Ns / 1e3)}  p99 ${formatTimeUs(p.p99Ns / 1e3)}` : 'p50 -  p99 -';
  return `[${String(elapsedS).padStart(4)}s / ${total}]  ${count(p.rate)}/s of ${target}  ${latency}  errors ${count(p.errors)}  conns ${count(p.connectionsOpen)}`;
}

/** Writes the line in place on a terminal stream; clear() before anything else is printed. */
export class ProgressLine {
  private shown = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { columns?: number },
    private readonly config: RunConfig,
  ) {}

  update(p: Progress): void {
    const line = formatProgress(p, this.config);
    // Never wrap: a wrapped line cannot be rewritten in place.
    const width = this.out.columns || 120;
    this.out.write(CLEAR_LINE + line.slice(0, Math.max(0, width - 1)));
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.out.write(CLEAR_LINE);
    this.shown = false;
  }
}
