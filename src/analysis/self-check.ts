// self-check.ts: did the generator keep its schedule, and if not, whose fault was it? A load
// generator that silently falls behind reports a server as fast when it was the tool that slowed.
// Pure: Result in, verdict out (the text report prints it, the JSON report carries it).
import type { Result } from '../result/result.js';
import { availableParallelism } from 'node:os';
import { explainErrno } from '../common/errno-hints.js';

export type SelfCheckCause = 'connect-errors' | 'connections' | 'generator-cpu' | 'script' | 'unknown';

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
  /** Each pump thread's CPU time over the run's duration, percent of one core. */
  threadCpuPercent: number[];
  /** Achieved rate as a percentage of the requested one. */
  achievedPercent: number;
}

/** What the advice depends on beyond the Result: the machine the generator ran on. */
export interface SelfCheckEnv {
  cores: number;
}

/** A send window below this still wakes the pump often enough that raising it saves CPU. */
export const BATCH_ADVICE_BELOW_NS = 1_000_000;
/** Connections per pump above this cost it noticeably in polling and bookkeeping. */
export const CONNECTIONS_PER_THREAD_ADVICE = 1000;
/** Achieved below this share of the requested rate, with the schedule kept, is the server's doing: say so. */
export const ACHIEVED_NOTE_BELOW = 0.9;

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
  const shares = result.threads.map((t) => (durationNs > 0 ? t.cpuNs / durationNs : 0));
  const maxCpu = Math.max(0, ...shares);
  return {
    sendLagP99Ns: result.sendLag.totalCount > 0 ? result.sendLag.getValueAtPercentile(99) : 0,
    notSentPercent: percent(result.scheduled > 0 ? result.notSent / result.scheduled : 0),
    queuedPercent: percent(result.scheduled > 0 ? result.queued / result.scheduled : 0),
    maxThreadCpuPercent: percent(maxCpu),
    threadCpuPercent: shares.map(percent),
    achievedPercent: percent(result.config.rate > 0 ? result.achievedRate / result.config.rate : 0),
  };
}

/** What to change when the pumps ran out of CPU, most effective first, from what this run used. */
export function cpuAdvice(result: Result, env: SelfCheckEnv): string {
  const { threads, connections, batchNs } = result.config;
  const advice: string[] = [];
  if (threads < env.cores) advice.push(`raise -t (now ${threads}; this machine has ${env.cores} cores)`);
  if (batchNs < BATCH_ADVICE_BELOW_NS) advice.push(`raise --batch (now ${batchNs / 1000}us, e.g. --batch 1ms) so each wake-up sends more requests`);
  if (connections / Math.max(1, threads) > CONNECTIONS_PER_THREAD_ADVICE) {
    advice.push(`use fewer connections (-c ${connections} is ${Math.round(connections / threads)} per thread, each one a socket the pump must serve)`);
  }
  advice.push('run the generator on its own cores or machine, away from the server');
  return `${advice.join('; ')}.`;
}

/** Little's law: connections to carry the rate at the latency the server showed, with room for bursts. */
function connectionsNeeded(result: Result): number | undefined {
  const meanNs = result.uncorrected.totalCount > 0 ? result.uncorrected.mean : 0;
  return meanNs > 0 ? Math.ceil(2 * result.config.rate * (meanNs / 1e9)) : undefined;
}

export function selfCheck(result: Result, env: SelfCheckEnv = { cores: availableParallelism() }): SelfCheck {
  const figures = figuresOf(result);
  // Decisions use the exact ratios; the figures are rounded for people.
  const notSentShare = result.scheduled > 0 ? result.notSent / result.scheduled : 0;
  const queuedShare = result.scheduled > 0 ? result.queued / result.scheduled : 0;
  const cpuBound = result.threads.some((t) => result.durationNs > 0 && t.cpuNs >= CPU_LIMIT * result.durationNs);
  const cpu = figures.maxThreadCpuPercent;

  const lagging = figures.sendLagP99Ns > LAG_P99_LIMIT_NS || notSentShare > NOT_SENT_LIMIT;
  if (!lagging) {
    const messages = cpuBound ? [`a pump thread used ${cpu}% of a core: close to its limit; add threads (-t) before raising the rate.`] : [];
    // Sent on time but answered short: the server (or errors) limited the rate, not ratetest.
    if (result.config.rate > 0 && result.achievedRate < ACHIEVED_NOTE_BELOW * result.config.rate && !result.interrupted) {
      messages.push(`requests went out on schedule but the server completed only ${figures.achievedPercent}% of the requested rate: the server, not the generator, limited this run.`);
    }
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
  // A -s script whose request() fell behind: the pumps had nothing to send. First, because the
  // burst that follows a refill finds the connections busy and would blame them instead.
  if (result.script && result.script.starved > 0) {
    return {
      ok: false,
      cause: 'script',
      ...figures,
      messages: [
        `the script fell behind the rate (${lagText}): its requests ran out ${result.script.starved} times with a request due (request() had not made the next one yet); it achieved ${figures.achievedPercent}% of the requested rate.`,
        'request() runs on one JavaScript thread for all pumps: make it cheaper (build the requests in init() and pick one in request()), or use templates (-H/-b with {{...}}), which the pumps expand natively.',
      ],
    };
  }
  if (queuedShare > QUEUED_LIMIT) {
    const c = result.config.connections;
    const needed = connectionsNeeded(result);
    const raise = needed !== undefined && needed > c ? `raise -c (to about ${needed} at this latency)` : 'raise -c';
    return {
      ok: false,
      cause: 'connections',
      ...figures,
      messages: [
        `the schedule slipped (${lagText}): ${figures.queuedPercent}% of requests found all ${c} connections busy.`,
        `The server answered too slowly for ${c} connections to carry ${result.config.rate} req/s; ${raise}, or accept that the server is the bottleneck (the corrected latencies include this wait).`,
      ],
    };
  }
  if (cpuBound) {
    const busy = figures.threadCpuPercent.flatMap((p, i) => (p >= CPU_LIMIT * 100 ? [`${i + 1}`] : []));
    const which = busy.length === 1 ? `pump thread ${busy[0]} of ${result.threads.length}` : `pump threads ${busy.join(', ')} of ${result.threads.length}`;
    return {
      ok: false,
      cause: 'generator-cpu',
      ...figures,
      messages: [
        `the generator could not keep its schedule (${lagText}): ${which} used up to ${cpu}% of a core, and it achieved ${figures.achievedPercent}% of the requested rate.`,
        `The generator, not the server, limited this run and these latencies include its own delay. To fix: ${cpuAdvice(result, env)}`,
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
