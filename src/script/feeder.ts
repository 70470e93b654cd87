// feeder.ts: keeps each pump's request ring topped up from the script's request() and hands
// tapped responses to response(), on the JavaScript thread, a few milliseconds at a time. The
// pumps never wait for it: a ring that runs dry shows as send lag in the results.
import type { ScriptChannelsHandle } from '../addon/native.js';
import { splitResponse } from './http-messages.js';
import { ScriptRunError, type LoadedScript, type ScriptThread } from './types.js';

/** How often the feeder wakes; the ring holds several times this much of each thread's rate. */
const TICK_MS = 2;

interface Pending {
  bytes: Buffer;
  lengths: Uint32Array;
  /** Requests of this batch already in the ring, and the byte offset of the next. */
  fed: number;
  offset: number;
}

export interface FeederOptions {
  /** Requests to keep queued per thread. */
  depth: number;
  /** Requests each thread's schedule can use in the whole run; no more are generated. */
  limits: number[];
  /** Requests each request() call returns (wrk's pipeline.lua returns 3); split before feeding. */
  perCall: number;
  /** Splits one request() result into its requests' lengths. */
  split: (bytes: Buffer) => number[] | null;
  /** Requests already generated (the probe), fed first, per thread. */
  primed: (Buffer | undefined)[];
}

export class ScriptFeeder {
  /** The first error a hook raised; the run is stopped when it is set. */
  error: ScriptRunError | undefined;
  private readonly pending: (Pending | undefined)[];
  private readonly stopped: boolean[];
  /** Requests generated per thread so far (in the ring, sent, or pending). */
  private readonly generated: number[];
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private statics: Buffer[] = [];

  private native!: ScriptChannelsHandle;
  private onError: () => void = () => {};

  /**
   * Generates each thread's first queue before the pumps start (throws ScriptRunError), so the
   * schedule never starts on an empty ring while request() catches up.
   */
  constructor(
    private readonly script: LoadedScript,
    private readonly options: FeederOptions,
  ) {
    this.pending = script.threads.map((_, i) => {
      const first = options.primed[i];
      return first ? this.batch(first, 1) : undefined;
    });
    this.stopped = script.threads.map(() => false);
    this.generated = this.pending.map((p) => p?.lengths.length ?? 0);
    script.threads.forEach((thread, i) => {
      const want = Math.min(options.depth, options.limits[i] ?? Infinity) - this.generated[i]!;
      if (want <= 0) return;
      const more = this.generate(thread, i, Math.ceil(want / options.perCall));
      this.generated[i] = this.generated[i]! + more.lengths.length;
      const first = this.pending[i];
      this.pending[i] = first ? { bytes: Buffer.concat([first.bytes, more.bytes]), lengths: Uint32Array.from([...first.lengths, ...more.lengths]), fed: 0, offset: 0 } : more;
    });
  }

  /** The largest request in the first queues (about 0.1 s of each thread's rate): what the request rings are sized for. */
  get largestFirstRequest(): number {
    let largest = 0;
    for (const pending of this.pending) for (const length of pending?.lengths ?? []) largest = Math.max(largest, length);
    return largest;
  }

  /** Feeds the rings of a started run from now on; onError stops the run. */
  start(native: ScriptChannelsHandle, onError: () => void): void {
    this.native = native;
    this.onError = onError;
    this.tick();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** After the run: the responses still in the rings go to response() too. Once; later calls do nothing. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.script.threads.forEach((thread, i) => this.guard(() => this.deliver(thread, i)));
  }

  private tick(): void {
    this.script.threads.forEach((thread, i) => {
      this.guard(() => {
        this.deliver(thread, i);
        if (thread.stopRequested && !this.stopped[i]) {
          this.stopped[i] = true;
          this.native.stopThread(i);
        }
        if (!this.stopped[i]) this.topUp(thread, i);
      });
    });
  }

  private guard(work: () => void): void {
    if (this.error) return;
    try {
      work();
    } catch (err) {
      this.error = err instanceof ScriptRunError ? err : new ScriptRunError((err as Error).message);
      if (this.timer) clearInterval(this.timer);
      this.onError();
    }
  }

  private deliver(thread: ScriptThread, i: number): void {
    if (!thread.hasResponse) return;
    const records = this.native.takeResponses(i);
    if (!records) return;
    for (let at = 0; at + 8 <= records.length; ) {
      const size = records.readUInt32LE(at);
      const status = records.readUInt32LE(at + 4);
      const { headers, body } = splitResponse(records.subarray(at + 8, at + 4 + size));
      thread.response(status, headers, body);
      at += 4 + size;
    }
  }

  private topUp(thread: ScriptThread, i: number): void {
    for (let rounds = 0; rounds < 4; ++rounds) {
      let pending = this.pending[i];
      if (!pending) {
        const want = Math.min(this.options.depth - this.native.queued(i), (this.options.limits[i] ?? Infinity) - this.generated[i]!);
        if (want <= 0) return;
        pending = this.pending[i] = this.generate(thread, i, Math.ceil(want / this.options.perCall));
        this.generated[i] = this.generated[i]! + pending.lengths.length;
      }
      while (pending.fed < pending.lengths.length) {
        const accepted = this.native.feed(i, pending.bytes.subarray(pending.offset), pending.lengths.subarray(pending.fed));
        if (accepted === 0) {
          // Refused: the ring is full (the pump will drain it: come back next tick), or the request
          // can never fit, which only its size against the ring's largest record can tell.
          const size = pending.lengths[pending.fed]!;
          const largest = this.native.largestRequest(i);
          if (size > largest) throw new ScriptRunError(`${this.script.file}: request() returned a request of ${size} bytes, more than the ${largest} bytes the request ring takes (sized from the first requests: make them as large as the largest)`);
          return;
        }
        for (let k = 0; k < accepted; ++k) pending.offset += pending.lengths[pending.fed + k]!;
        pending.fed += accepted;
      }
      this.pending[i] = undefined;
    }
  }

  private generate(thread: ScriptThread, i: number, calls: number): Pending {
    if (!thread.hasRequest) {
      // Only response() is scripted: the thread's own static request, over and over.
      this.statics[i] ??= thread.staticRequest();
      const one = this.statics[i]!;
      return { bytes: Buffer.concat(Array(calls).fill(one)), lengths: new Uint32Array(calls).fill(one.length), fed: 0, offset: 0 };
    }
    const { bytes, lengths } = thread.generate(calls);
    return this.options.perCall > 1 ? this.batch(bytes, calls) : { bytes, lengths, fed: 0, offset: 0 };
  }

  /** Several requests per request() call: one ring record per request. */
  private batch(bytes: Buffer, calls: number): Pending {
    if (this.options.perCall === 1 && calls === 1) return { bytes, lengths: Uint32Array.of(bytes.length), fed: 0, offset: 0 };
    const lengths = this.options.split(bytes);
    if (!lengths) throw new ScriptRunError(`${this.script.file}: request() returned something that is not HTTP requests`);
    return { bytes, lengths: Uint32Array.from(lengths), fed: 0, offset: 0 };
  }
}
