// self-check.ts: did the generator keep its schedule, and if not, whose fault was it? A load
// generator that silently falls behind reports a server as fast when it was the tool that slowed.
// Pure: Result in, verdict out (the text report prints it, the JSON report carries it).
import type { Result } from '../result/result.js';
import { requestedRate } from '../result/requested-rate.js';
import { availableParallelism } from 'node:os';
import { explainErrno } from '../common/errno-hints.js';

/**
 * What happened, one name per run. The first three kept the schedule (the latencies are the
 * server's); the rest did not, each naming whose doing it was.
 */
export type SelfCheckVerdict =
  | 'kept-schedule'
  | 'small-send-lag'
  | 'slow-server'
  | 'dead-server'
  | 'connect-errors'
  | 'script-fell-behind'
  | 'connection-resets'
  | 'too-few-connections'
  | 'generator-cpu-bound'
  | 'machine-stalled';

/** The verdict, with the figures it was drawn from. */
export interface SelfCheck extends SelfCheckFigures {
  /** True when the schedule was kept: the latencies measure the server, not the generator. */
  ok: boolean;
  /** What happened, by name. */
  verdict: SelfCheckVerdict;
  /** One line that says what happened, the verdict's name in it (the text report's first WARNING line). */
  summary: string;
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
  /** The longest a pump thread waited for a CPU while ready to run, percent of the run's duration. */
  maxThreadRunDelayPercent: number;
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
 * Send lag p99 above this means requests went out late enough to mention. Compared at bucket
 * resolution: a p99 in the bucket holding 1 ms (999,936-1,000,447 ns) already counts as late.
 */
export const LAG_P99_LIMIT_NS = 1_000_000;
/**
 * A late p99 with no cause to name (connections free, CPU to spare) is a note, not a WARNING, while
 * it stays within this or within LAG_NOTE_SHARE of the corrected p99, whichever is larger: the
 * corrected figures are then off by at most that much, which does not change what they say. Why
 * 2 ms: on a machine shared with the server and other work, Linux hands runnable threads slices of
 * a few ms (sched_latency 6 ms split among them), so a pump that competes for its core now and
 * then starts a ms or two late; a 5-minute soak at 20k req/s that completed every request with a
 * lag p99 of 1.14 ms kept its schedule as well as any timer-driven peer (wrk2's 1 ms timers add up
 * to 1 ms to every request). Past that, or with requests left unsent, the machine stalled the run.
 */
export const LAG_NOTE_MAX_NS = 2_000_000;
/** ...or this share of the corrected p99: 1.5 ms of lag against a 40 ms p99 moves it by 4%. */
export const LAG_NOTE_SHARE = 0.1;
/**
 * A pump that waited this share of the run for a CPU while ready to run was held up by other work
 * on the machine. On a quiet machine a pump waits microseconds per wake-up: at 1000 wake-ups a
 * second, well under 1% of the run. On a 2-core machine with two CPU hogs, each pump of a
 * 1000 req/s run waited 20-30% of it.
 */
export const RUN_DELAY_LIMIT = 0.1;
/** Requests never sent above this share of those scheduled (0.5%). */
export const NOT_SENT_LIMIT = 0.005;
/** A pump at or above this share of one core over the run was short of CPU. */
export const CPU_LIMIT = 0.9;
/**
 * Requests that had to wait for a connection above this share of those scheduled (not of those
 * sent: a request still waiting when the run ended was queued and never sent) are what made a
 * p99 lag: at least 1% were late. A server that stalls 500 ms in a 6 s run at 2000 req/s over 50
 * connections queues ~950 of 12,000 (8%), and that is the server's doing.
 */
export const QUEUED_LIMIT = 0.01;
/**
 * ...unless a pump was short of CPU (at its limit, or waiting for a core): it then reads responses
 * late and so makes connections look busy, so blaming the connections takes one request in ten.
 */
export const QUEUED_LIMIT_STARVED = 0.1;
/**
 * Read and write errors (the server closed or reset a connection under a request) above this
 * share of the requests sent: each one sends its connection through a reconnect, during which
 * requests due on it wait. One in a hundred is enough to make the p99 lag theirs.
 */
export const RESET_LIMIT = 0.01;

const percent = (share: number) => Math.round(share * 10_000) / 100;

export function figuresOf(result: Result): SelfCheckFigures {
  const durationNs = result.durationNs;
  const shares = result.threads.map((t) => (durationNs > 0 ? t.cpuNs / durationNs : 0));
  const maxCpu = Math.max(0, ...shares);
  const requested = requestedRate(result);
  return {
    sendLagP99Ns: result.sendLag.totalCount > 0 ? result.sendLag.getValueAtPercentile(99) : 0,
    notSentPercent: percent(result.scheduled > 0 ? result.notSent / result.scheduled : 0),
    queuedPercent: percent(result.scheduled > 0 ? result.queued / result.scheduled : 0),
    maxThreadCpuPercent: percent(maxCpu),
    threadCpuPercent: shares.map(percent),
    maxThreadRunDelayPercent: percent(Math.max(0, ...result.threads.map((t) => (durationNs > 0 ? (t.runDelayNs ?? 0) / durationNs : 0)))),
    achievedPercent: percent(requested > 0 ? result.achievedRate / requested : 0),
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
  return meanNs > 0 ? Math.ceil(2 * requestedRate(result) * (meanNs / 1e9)) : undefined;
}

/** The verdicts that kept the schedule: the latencies measure the server. */
const KEPT: ReadonlySet<SelfCheckVerdict> = new Set(['kept-schedule', 'small-send-lag', 'slow-server']);

/**
 * What a verdict is decided from: a whole run's figures, or a live window of the last seconds
 * (src/live/). Counts are over the span judged; rates are per second.
 */
export interface VerdictFacts {
  /** Requested rate, requests per second (0 in closed loop). */
  rate: number;
  /** Completed responses per second. */
  achievedRate: number;
  /** Ctrl-C ended the run: a short achieved rate is then no one's fault. */
  interrupted: boolean;
  scheduled: number;
  sent: number;
  /** Requests due and not written. */
  notSent: number;
  /** Requests that found every connection busy when due. */
  queued: number;
  connectErrors: number;
  /** Read and write errors: connections the server closed or reset under a request. */
  resets: number;
  sendLagP99Ns: number;
  correctedP99Ns: number;
  /** A pump thread used CPU_LIMIT of a core or more. */
  cpuBound: boolean;
  /** A pump thread waited RUN_DELAY_LIMIT of the time or more for a CPU. */
  waitedForCpu: boolean;
  /** Times a -s script's request() had no request ready when one was due. */
  scriptStarved: number;
}

/** The verdict's name from the facts alone: the one decision, for the report and the live view. */
export function decideVerdict(f: VerdictFacts): SelfCheckVerdict {
  // Decisions use the exact ratios; the figures are rounded for people.
  const notSentShare = f.scheduled > 0 ? f.notSent / f.scheduled : 0;
  const queuedShare = f.scheduled > 0 ? f.queued / f.scheduled : 0;
  const lagging = f.sendLagP99Ns > LAG_P99_LIMIT_NS || notSentShare > NOT_SENT_LIMIT;
  // Named even when the schedule held: the latencies are then of requests that kept failing.
  const resetting = f.sent > 0 && f.resets > RESET_LIMIT * f.sent;
  // Sent on time but answered short: the server (or errors) limited the rate, not ratetest.
  const serverShort = f.rate > 0 && f.achievedRate < ACHIEVED_NOTE_BELOW * f.rate && !f.interrupted;
  if (!lagging && !resetting) return serverShort ? 'slow-server' : 'kept-schedule';
  // No connection ever opened: nothing was measured, and nothing about the generator is in doubt.
  if (f.sent === 0 && f.connectErrors > 0) return 'dead-server';
  // Connections that never opened leave requests unsent whatever -c is; say that, not "raise -c".
  if (f.notSent > 0 && f.connectErrors > 0 && notSentShare > NOT_SENT_LIMIT) return 'connect-errors';
  // A -s script whose request() fell behind: the pumps had nothing to send. First, because the
  // burst that follows a refill finds the connections busy and would blame them instead.
  if (f.scriptStarved > 0) return 'script-fell-behind';
  // Before the connections: a connection being replaced is busy, so resets also show as queueing.
  if (resetting) return 'connection-resets';
  if (queuedShare > (f.cpuBound || f.waitedForCpu ? QUEUED_LIMIT_STARVED : QUEUED_LIMIT)) return 'too-few-connections';
  if (f.cpuBound) return 'generator-cpu-bound';
  const noteMaxNs = Math.max(LAG_NOTE_MAX_NS, LAG_NOTE_SHARE * f.correctedP99Ns);
  // A lag small enough to be a note leaves the server's shortfall the thing to say: with few
  // requests, one late wake-up on a shared core is already the p99.
  if (notSentShare <= NOT_SENT_LIMIT && f.sendLagP99Ns <= noteMaxNs) return serverShort ? 'slow-server' : 'small-send-lag';
  return 'machine-stalled';
}

/** Whether a verdict kept the schedule (the latencies are the server's). */
export function keptSchedule(verdict: SelfCheckVerdict): boolean {
  return KEPT.has(verdict);
}

function factsOf(result: Result, figures: SelfCheckFigures): VerdictFacts {
  return {
    rate: requestedRate(result),
    achievedRate: result.achievedRate,
    interrupted: result.interrupted,
    scheduled: result.scheduled,
    sent: result.sent,
    notSent: result.notSent,
    queued: result.queued,
    connectErrors: result.errors.connect,
    resets: result.errors.read + result.errors.write,
    sendLagP99Ns: figures.sendLagP99Ns,
    correctedP99Ns: result.corrected.totalCount > 0 ? result.corrected.getValueAtPercentile(99) : 0,
    cpuBound: result.threads.some((t) => result.durationNs > 0 && t.cpuNs >= CPU_LIMIT * result.durationNs),
    waitedForCpu: figures.maxThreadRunDelayPercent >= RUN_DELAY_LIMIT * 100,
    scriptStarved: result.script?.starved ?? 0,
  };
}

export function selfCheck(result: Result, env: SelfCheckEnv = { cores: availableParallelism() }): SelfCheck {
  const figures = figuresOf(result);
  const facts = factsOf(result, figures);
  const name = decideVerdict(facts);
  const cpu = figures.maxThreadCpuPercent;
  const waitedText = `a pump thread waited ${figures.maxThreadRunDelayPercent}% of the run for a CPU that other work held`;
  // "what happened (self-check: name); what it means for the figures above"
  const verdict = (what: string, meaning: string | undefined, messages: string[]): SelfCheck => ({
    ok: KEPT.has(name),
    verdict: name,
    summary: `${what} (self-check: ${name})${meaning ? `; ${meaning}` : ''}`,
    messages,
    ...figures,
  });
  const cpuNote = facts.cpuBound ? [`a pump thread used ${cpu}% of a core: close to its limit; add threads (-t) before raising the rate.`] : [];
  const lagMs = (figures.sendLagP99Ns / 1e6).toFixed(2);
  const lagText = `send lag p99 ${lagMs}ms` + (result.notSent > 0 ? `, ${result.notSent} requests never sent` : '');
  const lagging = facts.sendLagP99Ns > LAG_P99_LIMIT_NS || (facts.scheduled > 0 && facts.notSent / facts.scheduled > NOT_SENT_LIMIT);
  const connectCode = result.errorCodes.connect ? `: ${explainErrno(result.errorCodes.connect)}` : '';

  switch (name) {
    case 'slow-server':
      return verdict('ratetest kept its schedule', 'the server did not keep up with it', [
        ...cpuNote,
        `requests went out on schedule but the server completed only ${figures.achievedPercent}% of the requested rate: the server, not the generator, limited this run.`,
        ...(lagging ? [`send lag p99 ${lagMs}ms: 1% of requests went out over 1 ms late, the pump waiting for a core it shares.`] : []),
      ]);
    case 'kept-schedule':
      return verdict('ratetest kept its schedule', undefined, cpuNote);
    case 'dead-server':
      return verdict('no connection to the server opened', 'nothing was measured', [
        `all ${result.errors.connect} connection attempts failed${connectCode}; none of the ${result.scheduled} scheduled requests was sent.`,
        'Check the URL and that the server is up.',
      ]);
    case 'connect-errors':
      return verdict('connections to the server failed and requests went unsent', 'the latencies above are of those that were sent', [
        `${result.notSent} of ${result.scheduled} requests were never sent: ${result.errors.connect} connection attempts failed${connectCode}.`,
        'Check that the server is up and accepting connections at this rate (its listen backlog, its file descriptor limit).',
      ]);
    case 'script-fell-behind':
      return verdict('the -s script could not make requests as fast as the schedule asked', 'the latencies above include that wait', [
        `the script fell behind the rate (${lagText}): its requests ran out ${facts.scriptStarved} times with a request due (request() had not made the next one yet); it achieved ${figures.achievedPercent}% of the requested rate.`,
        'request() runs on one JavaScript thread for all pumps: make it cheaper (build the requests in init() and pick one in request()), or use templates (-H/-b with {{...}}), which the pumps expand natively.',
      ]);
    case 'connection-resets': {
      const code = result.errorCodes.read ?? result.errorCodes.write;
      return verdict('the server closed or reset connections under requests, and requests waited for new ones', 'the latencies above include that wait', [
        `${lagging ? `the schedule slipped (${lagText}): ` : ''}${facts.resets} of ${result.sent} requests sent ended in a read or write error${code ? ` (first: ${explainErrno(code)})` : ''}, each one a connection the server dropped and ratetest had to reopen.`,
        'Find out why the server drops connections (its keep-alive limit, a crash, a proxy in between); the rate was not the generator\'s to keep.',
      ]);
    }
    case 'too-few-connections': {
      const c = result.config.connections;
      const needed = connectionsNeeded(result);
      const raise = needed !== undefined && needed > c ? `raise -c (to about ${needed} at this latency)` : 'raise -c';
      return verdict('requests waited for a free connection, the server slow to free one', 'the latencies above include that wait', [
        `the schedule slipped (${lagText}): ${figures.queuedPercent}% of requests found all ${c} connections busy.`,
        `The server answered too slowly for ${c} connections to carry ${facts.rate} req/s; ${raise}, or accept that the server is the bottleneck (the corrected latencies include this wait).`,
        ...(facts.waitedForCpu ? [`The machine was busy too (${waitedText}): a server on this machine is slowed by that as well.`] : []),
      ]);
    }
    case 'generator-cpu-bound': {
      const busy = figures.threadCpuPercent.flatMap((p, i) => (p >= CPU_LIMIT * 100 ? [`${i + 1}`] : []));
      const which = busy.length === 1 ? `pump thread ${busy[0]} of ${result.threads.length}` : `pump threads ${busy.join(', ')} of ${result.threads.length}`;
      return verdict('ratetest ran out of CPU and fell behind its schedule', 'the latencies above are not the server\'s alone', [
        `the generator could not keep its schedule (${lagText}): ${which} used up to ${cpu}% of a core, and it achieved ${figures.achievedPercent}% of the requested rate.`,
        `The generator, not the server, limited this run and these latencies include its own delay. To fix: ${cpuAdvice(result, env)}`,
      ]);
    }
    case 'small-send-lag': {
      const p99 = facts.correctedP99Ns;
      const share = p99 > 0 ? ` (${Math.round((100 * figures.sendLagP99Ns) / p99)}% of the corrected p99, ${(p99 / 1e6).toFixed(2)}ms)` : '';
      return verdict('ratetest kept its schedule within a few milliseconds', undefined, [
        ...cpuNote,
        `send lag p99 ${lagMs}ms: 1% of requests went out over 1 ms late, the pump waiting for a core it shares; the corrected latencies include up to that much of the generator's own delay${share}.`,
      ]);
    }
    case 'machine-stalled': {
      // A small share of a run can still be far longer than the lag: a pump that waited 50 ms in
      // all for a core over a 3 s run explains a p99 lag of 3 ms without any pause.
      const waitedNs = Math.max(0, ...result.threads.map((t) => t.runDelayNs ?? 0));
      const spare = `every pump used under ${CPU_LIMIT * 100}% of a core (at most ${cpu}%)`;
      const why = facts.waitedForCpu
        ? `${waitedText}, though no pump used more than ${cpu}% of a core`
        : waitedNs >= figures.sendLagP99Ns && waitedNs > 0
          ? `${spare}, but one waited ${(waitedNs / 1e6).toFixed(1)} ms in all (${figures.maxThreadRunDelayPercent}% of the run) for a CPU that other work held, longer than the lag: short waits for a busy core`
          : `${spare} and none waited long for one (at most ${figures.maxThreadRunDelayPercent}% of the run): the process was stopped or paused (a paused VM or container, SIGSTOP)`;
      return verdict('ratetest fell behind its schedule with connections free and CPU to spare: the machine stalled it', 'the latencies above are not the server\'s alone', [
        `the schedule slipped (${lagText}): ${why}.`,
        'Run again on a quieter machine, or give ratetest its own cores (taskset), away from the server.',
      ]);
    }
  }
}
