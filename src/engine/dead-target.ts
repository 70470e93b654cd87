// dead-target.ts: a run bounded only by -n has no deadline; against a target that accepts no
// connection it would wait for ever. This gives up once no connection has been open and no
// response has arrived for a while, so every run ends by itself.
import type { NativeSnapshot } from '../addon/native.js';

export class DeadTargetWatch {
  private lastCompleted = 0;
  private quietSinceMs: number | undefined;

  constructor(private readonly limitMs: number) {}

  /** Called with each snapshot; returns why to give up, or undefined to go on. */
  check(snapshot: Pick<NativeSnapshot, 'connectionsOpen' | 'completed'>, nowMs: number): string | undefined {
    if (snapshot.connectionsOpen > 0 || snapshot.completed > this.lastCompleted) {
      this.lastCompleted = snapshot.completed;
      this.quietSinceMs = nowMs;
      return undefined;
    }
    this.quietSinceMs ??= nowMs;
    if (nowMs - this.quietSinceMs < this.limitMs) return undefined;
    return `no connection to the target for ${(this.limitMs / 1000).toFixed(1)}s, so the requests left (-n) could never be sent`;
  }
}
