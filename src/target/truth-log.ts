// truth-log.ts: the target's own record of each numbered request (/t/<k>): when it arrived and
// when it was answered, on the monotonic clock, in memory and bounded. No I/O here; the server
// serves it as JSON (TruthJson) and the truth computation (src/analysis/truth.ts) reads that.

/** Requests kept by default: 1M entries is ~24 MB of numbers, about 8 minutes at 2000 req/s. */
export const DEFAULT_TRUTH_LIMIT = 1_000_000;
/** Stalls kept: far more than any run meets (a stall every 100 ms for 15 minutes). */
export const STALL_RECORD_LIMIT = 10_000;

export const TRUTH_SCHEMA_ID = 'ratetest/truth/v1';

/**
 * The log as GET /__truth returns it. Times are integer nanoseconds since the log's origin
 * (the target's start, or the last DELETE /__truth).
 *
 *   requests: [[k, arrivalNs, answeredNs], ...]   answeredNs is null while the answer is pending
 *   stalls:   [[startNs, releasedNs, held], ...]  one per stall that held at least one answer
 */
export interface TruthJson {
  schema: typeof TRUTH_SCHEMA_ID;
  /** Most requests the log keeps. */
  limit: number;
  /** True once the log holds `limit` requests: later requests are answered but not recorded. */
  full: boolean;
  /** Numbered requests answered but not recorded because the log was full. */
  notRecorded: number;
  /** Fixed delay added to every answer, ns (0 for none). */
  delayNs: number;
  /** The stall schedule, from the first numbered request after the origin; null for none. */
  stall: { lengthNs: number; everyNs: number; firstAtNs: number; originNs: number | null } | null;
  /**
   * The longest the target's own event loop was held up since the origin (other processes on
   * the machine, garbage collection), ns: its answers and stall releases can be this late.
   */
  eventLoopDelayMaxNs: number;
  requests: [k: number, arrivalNs: number, answeredNs: number | null][];
  stalls: [startNs: number, releasedNs: number, held: number][];
}

export class TruthLog {
  private ks: number[] = [];
  private arrivals: number[] = [];
  private answers: (number | null)[] = [];
  private stallRecords: [number, number, number][] = [];
  private dropped = 0;

  constructor(readonly limit: number) {}

  get full(): boolean {
    return this.ks.length >= this.limit;
  }

  /** Numbered requests not recorded because the log was full. */
  get notRecorded(): number {
    return this.dropped;
  }

  get size(): number {
    return this.ks.length;
  }

  /** Records request k's arrival; returns its slot for answered(), or -1 when the log is full. */
  arrived(k: number, arrivalNs: number): number {
    if (this.full) {
      this.dropped++;
      return -1;
    }
    this.ks.push(k);
    this.arrivals.push(arrivalNs);
    this.answers.push(null);
    return this.ks.length - 1;
  }

  answered(slot: number, answeredNs: number): void {
    if (slot >= 0 && slot < this.answers.length) this.answers[slot] = answeredNs;
  }

  stalled(startNs: number, releasedNs: number, held: number): void {
    if (this.stallRecords.length < STALL_RECORD_LIMIT) this.stallRecords.push([startNs, releasedNs, held]);
  }

  clear(): void {
    this.ks = [];
    this.arrivals = [];
    this.answers = [];
    this.stallRecords = [];
    this.dropped = 0;
  }

  toJson(settings: Pick<TruthJson, 'delayNs' | 'stall' | 'eventLoopDelayMaxNs'>): TruthJson {
    return {
      schema: TRUTH_SCHEMA_ID,
      limit: this.limit,
      full: this.full,
      notRecorded: this.dropped,
      ...settings,
      requests: this.ks.map((k, i) => [k, this.arrivals[i]!, this.answers[i]!]),
      stalls: this.stallRecords.map((s) => [...s]),
    };
  }
}
