// banner.ts: wrk2's opening lines ("Running 10s test @ url"), printed before a run starts.
import type { RunConfig } from '../config/options.js';
import { UNLIMITED_MS } from '../config/shape.js';
import { formatTimeS } from '../report/wrk-format.js';

/** wrk2's opening lines, so scripts that read wrk2's output read ours. */
export function banner(config: RunConfig, url: string): string {
  const length = config.durationMs >= UNLIMITED_MS ? `${config.requestCount} requests` : formatTimeS(config.durationMs / 1000);
  const warmup = config.warmupMs > 0 ? ` after ${formatTimeS(config.warmupMs / 1000)} warm-up` : '';
  return `Running ${length} test${warmup} @ ${url}\n  ${config.threads} threads and ${config.connections} connections\n`;
}
