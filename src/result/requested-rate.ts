// requested-rate.ts: the rate one run was asked for. A shard (--shard I/N) carries the fleet's
// rate in its config, since every shard must share it, but sends only its N-th of the schedule:
// judged against the fleet's rate, a shard that kept pace would look like a server at 1/N.
import type { Result } from './result.js';

/** Requests per second this run was asked to send: config.rate, or a shard's share of it. */
export function requestedRate(result: Pick<Result, 'config' | 'shard'>): number {
  return result.config.rate / (result.shard?.count ?? 1);
}
