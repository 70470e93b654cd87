// self-check.ts: did the generator keep its schedule, and if not, whose fault was it? A load
// generator that silently falls behind reports a server as fast when it was the tool that slowed.
// Pure: Result in, verdict out (the text report prints it, the JSON report carries it).
import type { Result } from '../result.js';
import { explainErrno } from './errno-hints.js';

export type SelfCheckCause = 'connect-errors' | 'connections' | 'generator-cpu' | 'unknown';

/** The verdict, with the figures it was drawn from. */
export interface SelfCheck extends SelfCheckFigures {
  /** True when the schedule was kept: the latencies measure the server, not the generator. */
  ok: boolean;
  /** Why the schedule slipped (absent when ok). */
  cause?: SelfCheckCause;
  /** One sentence each: what was seen and what to change. */
  messages: string[];
}

export interface SelfCheckFigures {
  /** Send lag p99 as HdrHistogram reports it (the highest value of its bucket), nanoseconds. */
  sendLagP99Ns: number;
  /** notSent / scheduled, percent. */
  notSentPercent: number;
  /** queued / scheduled, percent: requests that found every connection busy when due. */
  queuedPercent: number;
  /** The busiest pump thread's CPU time over the run's duration, percent of one core. */
  maxThreadCpuPercent: number;
}

/**
 * Send lag p99 above this means requests went out late enough to matter. Compared at bucket
 * resolution: a p99 in the bucket holding 1 ms (999,936-1,000,447 ns) already counts as late.
 */
export const LAG_P99_LIMIT_NS = 1_000_000;
/** Requests never sent above this share of those scheduled (0.5%). */
export const NOT_SENT_LIMIT = 0.005;
/** A pump at or above this share of one core over the run was short of CPU. */
export const CPU_LIMIT = 0.9;
/**
 * Requests that had to wait for a connection above this share of those scheduled (not of those
 * sent: a request still waiting when the run ended was queued and never sent). A p99 lag over the
 * limit means at least 1% were late; a starved pump also reads responses late and so makes
 * connections look busy, so blaming the connections takes more than that: one request in ten.
 */
export const QUEUED_LIMIT = 0.1;

const percent = (share: number) => Math.round(share * 10_000) / 100;

export function figuresOf(result: Result): SelfCheckFigures {
  const durationNs = result.durationNs;
  const maxCpu = Math.max(0, ...result.threads.map((t) => (durationNs > 0 ? t.cpuNs / durationNs : 0)));
  return {
    sendLagP99Ns: result.sendLag.totalCount > 0 ? result.sendLag.getValueAtPercentile(99) : 0,
    notSentPercent: percent(result.scheduled > 0 ? result.notSent / result.scheduled : 0),
    queuedPercent: percent(result.scheduled > 0 ? result.queued / result.scheduled : 0),
    maxThreadCpuPercent: percent(maxCpu),
  };
}

export function selfCheck(result: Result): SelfCheck {
  const figures = figuresOf(result);
  // Decisions use the exact ratios; the figures are rounded for people.
  const notSentShare = result.scheduled > 0 ? result.notSent / result.scheduled : 0;
  const queuedShare = result.scheduled > 0 ? result.queued / result.scheduled : 0;
  const cpuBound = result.threads.some((t) => result.durationNs > 0 && t.cpuNs >= CPU_LIMIT * result.durationNs);
  const cpu = figures.maxThreadCpuPercent;

  const lagging = figures.sendLagP99Ns > LAG_P99_LIMIT_NS || notSentShare > NOT_SENT_LIMIT;
  if (!lagging) {
    const messages = cpuBound ? [`a pump thread used ${cpu}% of a core: close to its limit; add threads (-t) before raising the rate.`] : [];
    return { ok: true, messages, ...figures };
  }

  // Connections that never opened leave requests unsent whatever -c is; say that, not "raise -c".
  if (result.notSent > 0 && result.errors.connect > 0 && notSentShare > NOT_SENT_LIMIT) {
    const code = result.errorCodes.connect ? `: ${explainErrno(result.errorCodes.connect)}` : '';
    return {
      ok: false,
      cause: 'connect-errors',
      ...figures,
      messages: [
        `${result.notSent} of ${result.scheduled} requests were never sent: ${result.errors.connect} connection attempts failed${code}.`,
        'Check that the server is up and accepting connections at this rate (its listen backlog, its file descriptor limit).',
      ],
    };
  }
  const lagText =
    `send lag p99 ${(figures.sendLagP99Ns / 1e6).toFixed(2)}ms` + (result.notSent > 0 ? `, ${result.notSent} requests never sent` : '');
  if (queuedShare > QUEUED_LIMIT) {
    const c = result.config.connections;
    return {
      ok: false,
      cause: 'connections',
      ...figures,
      messages: [
        `the schedule slipped (${lagText}): ${figures.queuedPercent}% of requests found all ${c} connections busy.`,
        `The server answered too slowly for ${c} connections to carry ${result.config.rate} req/s; raise -c, or accept that the server is the bottleneck (the corrected latencies include this wait).`,
      ],
    };
  }
  if (cpuBound) {
    return {
      ok: false,
      cause: 'generator-cpu',
      ...figures,
      messages: [
        `the generator could not keep its schedule (${lagText}): a pump thread used ${cpu}% of a core.`,
        "These latencies include the generator's own delay; raise -t, or move the generator to its own cores (away from the server).",
      ],
    };
  }
  return {
    ok: false,
    cause: 'unknown',
    ...figures,
    messages: [
      `the schedule slipped (${lagText}) with connections free and CPU to spare; the machine may be overloaded or the process was paused.`,
    ],
  };
}
