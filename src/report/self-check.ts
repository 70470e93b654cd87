// self-check.ts: did the generator keep its schedule, and if not, whose fault was it? A load
// generator that silently falls behind reports a server as fast when it was the tool that slowed.
import type { Result } from '../result.js';
import { explainErrno } from './errno-hints.js';

export type SelfCheckCause = 'connect-errors' | 'connections' | 'generator-cpu' | 'unknown';

export interface SelfCheck {
  /** True when the schedule was kept: the latencies measure the server, not the generator. */
  ok: boolean;
  cause?: SelfCheckCause;
  /** One sentence each: what was seen and what to change. */
  messages: string[];
  /** The busiest pump thread's CPU use over the run, percent of one core. */
  maxThreadCpuPercent: number;
}

/** Send lag p99 above this means requests went out late enough to matter. */
export const LAG_P99_LIMIT_NS = 1_000_000;
/** Requests never sent above this share of those scheduled. */
export const NOT_SENT_LIMIT = 0.005;
/** A pump busier than this was short of CPU. */
export const CPU_LIMIT = 0.9;
/** Requests that had to wait for a connection above this share of those sent. */
export const QUEUED_LIMIT = 0.1;

export function selfCheck(result: Result): SelfCheck {
  const lagP99 = result.sendLag.totalCount > 0 ? result.sendLag.getValueAtPercentile(99) : 0;
  const notSentShare = result.scheduled > 0 ? result.notSent / result.scheduled : 0;
  const queuedShare = result.sent > 0 ? result.queued / result.sent : 0;
  const maxCpu = Math.max(0, ...result.threads.map((t) => (result.durationNs > 0 ? t.cpuNs / result.durationNs : 0)));
  const maxThreadCpuPercent = Math.round(maxCpu * 1000) / 10;
  const lagging = lagP99 > LAG_P99_LIMIT_NS || notSentShare > NOT_SENT_LIMIT;
  if (!lagging) {
    const messages =
      maxCpu >= CPU_LIMIT
        ? [`a pump thread used ${maxThreadCpuPercent}% of a core: close to its limit; add threads (-t) before raising the rate`]
        : [];
    return { ok: true, messages, maxThreadCpuPercent };
  }
  if (result.notSent > 0 && result.errors.connect > 0 && notSentShare > NOT_SENT_LIMIT) {
    const code = result.errorCodes.connect ? `: ${explainErrno(result.errorCodes.connect)}` : '';
    return {
      ok: false,
      cause: 'connect-errors',
      maxThreadCpuPercent,
      messages: [
        `${result.notSent} of ${result.scheduled} requests were never sent: ${result.errors.connect} connection attempts failed${code}.`,
        'Check that the server is up and accepting connections at this rate (its listen backlog, its file descriptor limit).',
      ],
    };
  }
  const lagText = `send lag p99 ${(lagP99 / 1e6).toFixed(2)}ms` + (result.notSent > 0 ? `, ${result.notSent} requests never sent` : '');
  if (queuedShare > QUEUED_LIMIT) {
    return {
      ok: false,
      cause: 'connections',
      maxThreadCpuPercent,
      messages: [
        `the schedule slipped (${lagText}): ${(queuedShare * 100).toFixed(1)}% of requests found all ${result.config.connections} connections busy.`,
        `The server answered too slowly for ${result.config.connections} connections to carry ${result.config.rate} req/s; raise -c, or accept that the server is the bottleneck (the corrected latencies include this wait).`,
      ],
    };
  }
  if (maxCpu >= CPU_LIMIT) {
    return {
      ok: false,
      cause: 'generator-cpu',
      maxThreadCpuPercent,
      messages: [
        `the generator could not keep its schedule (${lagText}): a pump thread used ${maxThreadCpuPercent}% of a core.`,
        'These latencies include the generator\'s own delay; raise -t, or run ratetest on cores the server does not use.',
      ],
    };
  }
  return {
    ok: false,
    cause: 'unknown',
    maxThreadCpuPercent,
    messages: [
      `the schedule slipped (${lagText}) with connections free and CPU to spare; the machine may be overloaded or the process was paused.`,
    ],
  };
}
