// dashboard-window.ts: what the terminal dashboard shows, from the run's cumulative snapshots:
// each snapshot closes a short interval (its rates and corrected latency), and the last seconds
// give a live self-check verdict through the same decision the final report makes. Pure: no
// terminal, no timers; the snapshots come from the engine's live timer.
//
//   snapshots:  s0 ──── s1 ──── s2 ──── … ──── sN      (every ~250 ms, cumulative counts)
//   intervals:     i1      i2      …      iN           (differences: target, achieved, p50/p99/max)
//   verdict:           [ s(N-k) ─────────── sN ]        (the last ~2 s as one span)
import { availableParallelism } from 'node:os';
import { CPU_LIMIT, RUN_DELAY_LIMIT, decideVerdict, keptSchedule, type SelfCheckVerdict, type VerdictFacts } from '../analysis/self-check.js';
import type { RunConfig } from '../config/options.js';
import type { RunSnapshot } from '../engine/run.js';
import { targetRateBetween } from '../engine/schedule.js';
import { percentileOfBuckets, subtractBuckets } from '../result/histogram.js';

/** One interval between two snapshots. Latency figures are 0 when no response completed in it. */
export interface LiveInterval {
  endNs: number;
  /** Requests per second the schedule had due (0 in closed loop). */
  targetRate: number;
  /** Responses completed per second. */
  achievedRate: number;
  p50Ns: number;
  p99Ns: number;
  maxNs: number;
  sendLagP99Ns: number;
}

/** The live verdict: its name (as the final report's self-check) and the words the dashboard shows. */
export interface LiveVerdict {
  verdict: SelfCheckVerdict;
  ok: boolean;
  words: string;
}

/** The verdict judges this much of the run: long enough to hold a few thread CPU readings, short enough to follow a stall. */
export const VERDICT_SPAN_NS = 2e9;
/** Intervals kept for the sparklines: a minute at 4 a second, wider than any terminal's columns. */
const HISTORY = 240;

/** A verdict's name as a few words for a person watching the run, with what to do when it is the generator's fault. */
export function liveWords(verdict: SelfCheckVerdict, threads: number, cores: number): string {
  switch (verdict) {
    case 'kept-schedule':
      return 'generator keeping up';
    case 'small-send-lag':
      return 'generator keeping up, within a few ms';
    case 'slow-server':
      return 'generator keeping up; the server is below the target';
    case 'dead-server':
      return 'no connection opens: is the server up?';
    case 'connect-errors':
      return 'connections failing: requests go unsent';
    case 'script-fell-behind':
      return 'script falling behind: make request() cheaper';
    case 'connection-resets':
      return 'server closing connections under requests';
    case 'too-few-connections':
      return 'requests waiting for a free connection: raise -c';
    case 'generator-cpu-bound':
      return threads < cores ? 'CPU-bound: raise -t' : 'CPU-bound: give ratetest more cores';
    case 'machine-stalled':
      return 'the machine is stalling the generator';
  }
}

function errorsOf(s: RunSnapshot, kinds: (keyof RunSnapshot['errors'])[]): number {
  return kinds.reduce((sum, kind) => sum + s.errors[kind], 0);
}

export class DashboardWindow {
  readonly intervals: LiveInterval[] = [];
  /** The newest snapshot (cumulative figures). */
  latest: RunSnapshot | undefined;
  private recent: RunSnapshot[] = [];

  constructor(
    private readonly config: RunConfig,
    private readonly cores = availableParallelism(),
  ) {}

  /** Closes the interval since the previous snapshot (nothing before the warm-up's end). */
  add(now: RunSnapshot): void {
    const before = this.latest;
    this.latest = now;
    if (before && now.elapsedNs <= before.elapsedNs) return;
    if (before && now.elapsedNs > this.config.warmupMs * 1e6) {
      const seconds = (now.elapsedNs - before.elapsedNs) / 1e9;
      const corrected = subtractBuckets(now.correctedBuckets, before.correctedBuckets);
      this.intervals.push({
        endNs: now.elapsedNs,
        targetRate: targetRateBetween(this.config, before.elapsedNs, now.elapsedNs),
        achievedRate: (now.completed - before.completed) / seconds,
        p50Ns: percentileOfBuckets(corrected, 50),
        p99Ns: percentileOfBuckets(corrected, 99),
        maxNs: percentileOfBuckets(corrected, 100),
        sendLagP99Ns: percentileOfBuckets(subtractBuckets(now.sendLagBuckets, before.sendLagBuckets), 99),
      });
      if (this.intervals.length > HISTORY) this.intervals.shift();
    }
    this.recent.push(now);
    while (this.recent.length > 2 && now.elapsedNs - this.recent[1]!.elapsedNs >= VERDICT_SPAN_NS) this.recent.shift();
  }

  /** Each pump thread's share of a core over the last VERDICT_SPAN_NS (empty where the OS does not say). */
  threadCpuShares(): number[] {
    const from = this.recent[0];
    return from && this.latest ? threadShares(from, this.latest, 'cpu') : [];
  }

  /** The self-check over the last VERDICT_SPAN_NS, or undefined until a span after the warm-up has passed. */
  verdict(): LiveVerdict | undefined {
    const from = this.recent[0];
    const to = this.latest;
    const warmupNs = this.config.warmupMs * 1e6;
    if (!from || !to || from.elapsedNs < warmupNs || to.elapsedNs - from.elapsedNs < VERDICT_SPAN_NS / 2) return undefined;
    const verdict = decideVerdict(liveFacts(this.config, from, to));
    return { verdict, ok: keptSchedule(verdict), words: liveWords(verdict, this.config.threads, this.cores) };
  }
}

/** Each pump thread's CPU time (or time waiting for a CPU) between two snapshots, as a share of the wall time between them. */
export function threadShares(from: RunSnapshot, to: RunSnapshot, what: 'cpu' | 'runDelay'): number[] {
  const spanNs = to.elapsedNs - from.elapsedNs;
  const shares: number[] = [];
  if (spanNs <= 0 || from.threadCpu.length !== to.threadCpu.length) return shares;
  for (let i = what === 'cpu' ? 0 : 1; i < to.threadCpu.length; i += 2) shares.push((to.threadCpu[i]! - from.threadCpu[i]!) / spanNs);
  return shares;
}

/**
 * The facts of the span between two snapshots, as the final self-check reads a whole run. Not
 * sent: requests due by the schedule's clock and not yet written (the backlog at the span's end).
 */
export function liveFacts(config: RunConfig, from: RunSnapshot, to: RunSnapshot): VerdictFacts {
  const spanNs = to.elapsedNs - from.elapsedNs;
  const rate = targetRateBetween(config, from.elapsedNs, to.elapsedNs);
  const scheduled = config.closedLoop ? to.sent - from.sent : Math.round((rate * spanNs) / 1e9);
  return {
    rate,
    achievedRate: ((to.completed - from.completed) * 1e9) / spanNs,
    interrupted: false,
    scheduled,
    sent: to.sent - from.sent,
    notSent: config.closedLoop ? 0 : Math.max(0, to.due - to.sent),
    queued: to.queued - from.queued,
    connectErrors: errorsOf(to, ['connect']) - errorsOf(from, ['connect']),
    resets: errorsOf(to, ['read', 'write']) - errorsOf(from, ['read', 'write']),
    sendLagP99Ns: percentileOfBuckets(subtractBuckets(to.sendLagBuckets, from.sendLagBuckets), 99),
    correctedP99Ns: percentileOfBuckets(subtractBuckets(to.correctedBuckets, from.correctedBuckets), 99),
    cpuBound: Math.max(0, ...threadShares(from, to, 'cpu')) >= CPU_LIMIT,
    waitedForCpu: Math.max(0, ...threadShares(from, to, 'runDelay')) >= RUN_DELAY_LIMIT,
    scriptStarved: to.scriptStarved - from.scriptStarved,
  };
}
