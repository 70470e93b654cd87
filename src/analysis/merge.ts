// merge.ts: several runs (a fleet's shards, or independent runs) added into one Result: histograms
// bucket by bucket (so the merged p99.9 is the exact p99.9 of every request), counts, errors,
// status codes and bytes summed, per-second series aligned on absolute time. And the check that a
// fleet is whole. Pure: Results in, a Result out; reading files and writing reports is the CLI's.
import type { Histogram } from 'hdr-histogram-js';
import { UsageError } from '../common/errors.js';
import { emptyHistogram } from '../result/histogram.js';
import type { Interval } from '../result/series.js';
import type { ErrorCounts, MergedInput, RequestResult, Result, ResultConfig, ShardInfo, ShardsSummary } from '../result/result.js';

/** One input as the merge sees it: where it came from (for messages) and what it holds. */
export interface Source<T> {
  source: string;
  value: T;
}

/** What the shard check needs of an input: a whole result, or an interval log's header. */
export interface ShardClaim {
  source: string;
  shard?: ShardInfo;
}

/** The fingerprint most shards share (shard 0's on a tie), to name the odd ones out against. */
function referenceFingerprint(claims: (ShardClaim & { shard: ShardInfo })[]): string {
  const votes = new Map<string, number>();
  for (const c of claims) votes.set(c.shard.fingerprint, (votes.get(c.shard.fingerprint) ?? 0) + 1);
  const top = Math.max(...votes.values());
  const first = claims.find((c) => c.shard.index === 0 && votes.get(c.shard.fingerprint) === top);
  return first?.shard.fingerprint ?? [...votes.entries()].find(([, n]) => n === top)![0];
}

/**
 * Every shard 0..expected-1 present exactly once, all with one fingerprint; otherwise a UsageError
 * naming each problem (one line, problems separated by "; ").
 */
export function checkShards(claims: ShardClaim[], expected: number): void {
  const problems: string[] = [];
  const sharded: (ShardClaim & { shard: ShardInfo })[] = [];
  for (const claim of claims) {
    if (!claim.shard) problems.push(`${claim.source} is not a shard's result (it was run without --shard)`);
    else if (claim.shard.count !== expected) problems.push(`${claim.source} is shard ${claim.shard.index}/${claim.shard.count}, not one of ${expected}`);
    else sharded.push(claim as ShardClaim & { shard: ShardInfo });
  }
  for (let index = 0; index < expected; index++) {
    const holders = sharded.filter((c) => c.shard.index === index);
    if (holders.length === 0) problems.push(`shard ${index}/${expected} is missing`);
    else if (holders.length > 1) {
      const times = holders.length === 2 ? 'twice' : `${holders.length} times`;
      problems.push(`shard ${index}/${expected} appears ${times} (${holders.map((c) => c.source).join(', ')})`);
    }
  }
  if (sharded.length > 1) {
    const reference = referenceFingerprint(sharded);
    for (const c of sharded) {
      if (c.shard.fingerprint === reference) continue;
      problems.push(`shard ${c.shard.index}/${expected} (${c.source}) has fingerprint ${c.shard.fingerprint}, the others ${reference} (settings differ: check -R, --stages, --arrival, --seed, -d, -n, the URL and the request mix)`);
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join('; '));
}

function addHistograms(histograms: Histogram[]): Histogram {
  const total = emptyHistogram();
  // add() re-buckets value by value when a histogram has another layout (a log from another tool).
  for (const h of histograms) total.add(h);
  return total;
}

const sum = <T>(items: T[], figure: (item: T) => number) => items.reduce((total, item) => total + figure(item), 0);

function addStatus(records: Record<number, number>[]): Record<number, number> {
  const total: Record<number, number> = {};
  for (const record of records) for (const [code, n] of Object.entries(record)) total[Number(code)] = (total[Number(code)] ?? 0) + n;
  return total;
}

const ERROR_KINDS = ['connect', 'read', 'write', 'timeout', 'parse'] as const;
const errorTotal = (e: ErrorCounts) => e.connect + e.read + e.write + e.timeout + e.parse;

/** Adds `values` into `into` from position `shift` on (a run whose second 0 is the merge's second `shift`). */
function addShifted(into: number[], values: number[], shift: number): void {
  values.forEach((v, i) => {
    const at = i + shift;
    if (at < 0) return;
    while (into.length <= at) into.push(0);
    into[at]! += v;
  });
}

/**
 * The inputs' intervals on one clock: each moves by its run's start offset from the earliest and
 * lands in the whole second of the merged run nearest its start; intervals in one second add. Counts
 * add exactly. A second's maxNs is exact; its p50Ns and p99Ns are the highest of the inputs' (an
 * upper bound: a mixture's percentile never exceeds its parts' largest; the exact per-second
 * percentiles need the shards' --hdr-log).
 */
export function alignSeries(inputs: { offsetNs: number; intervals: Interval[] }[]): Interval[] {
  const bins = new Map<number, Interval>();
  for (const { offsetNs, intervals } of inputs) {
    for (const interval of intervals) {
      const startNs = interval.startNs + offsetNs;
      const endNs = interval.endNs + offsetNs;
      const second = Math.max(0, Math.round(startNs / 1e9));
      const bin = bins.get(second);
      if (!bin) {
        bins.set(second, { startNs, endNs, due: interval.due, sent: interval.sent, completed: interval.completed, errors: interval.errors, status: { ...interval.status }, p50Ns: interval.p50Ns, p99Ns: interval.p99Ns, maxNs: interval.maxNs });
        continue;
      }
      bin.startNs = Math.min(bin.startNs, startNs);
      bin.endNs = Math.max(bin.endNs, endNs);
      bin.due += interval.due;
      bin.sent += interval.sent;
      bin.completed += interval.completed;
      bin.errors += interval.errors;
      for (const [code, n] of Object.entries(interval.status)) bin.status[code] = (bin.status[code] ?? 0) + n;
      bin.p50Ns = Math.max(bin.p50Ns, interval.p50Ns);
      bin.p99Ns = Math.max(bin.p99Ns, interval.p99Ns);
      bin.maxNs = Math.max(bin.maxNs, interval.maxNs);
    }
  }
  return [...bins.entries()].sort(([a], [b]) => a - b).map(([, interval]) => interval);
}

/** Stages of one shape (same count and durations) add rate by rate; otherwise the first input's stand. */
function mergeStages(configs: ResultConfig[]): ResultConfig['stages'] {
  const first = configs[0]!.stages;
  if (!first) return undefined;
  const same = configs.every((c) => c.stages?.length === first.length && c.stages.every((s, i) => s.durationNs === first[i]!.durationNs));
  if (!same) return first;
  return first.map((stage, i) => ({ durationNs: stage.durationNs, fromRate: sum(configs, (c) => c.stages![i]!.fromRate), toRate: sum(configs, (c) => c.stages![i]!.toRate) }));
}

/**
 * The fleet's settings: the first input's, with what the inputs shared out summed. A shard's
 * config.rate is its share of the fleet's -R, so the shares add up to the fleet's rate (and
 * `--threshold 'rate>=99%'` compares the fleet's achieved rate with it).
 */
/**
 * Shards of one fleet (`--shard I/N`, one fingerprint) each record the fleet's own -R, --stages
 * and -n, since they share one global schedule: those stay as they are. Separate runs each had
 * their own, which add.
 */
function mergeConfig(configs: ResultConfig[], oneFleet: boolean): ResultConfig {
  if (oneFleet) return { ...configs[0]!, threads: sum(configs, (c) => c.threads), connections: sum(configs, (c) => c.connections), durationNs: Math.max(...configs.map((c) => c.durationNs)) };
  const config: ResultConfig = { ...configs[0]!, rate: sum(configs, (c) => c.rate), threads: sum(configs, (c) => c.threads), connections: sum(configs, (c) => c.connections) };
  config.durationNs = Math.max(...configs.map((c) => c.durationNs));
  const stages = mergeStages(configs);
  if (stages) config.stages = stages;
  if (configs.every((c) => c.requestCount !== undefined)) config.requestCount = sum(configs, (c) => c.requestCount!);
  if (configs.every((c) => c.maxConnections !== undefined)) config.maxConnections = sum(configs, (c) => c.maxConnections!);
  return config;
}

function mergeRequests(results: Result[]): RequestResult[] | undefined {
  if (!results.some((r) => r.requests)) return undefined;
  const byName = new Map<string, RequestResult[]>();
  for (const r of results) for (const request of r.requests ?? []) byName.set(request.name, [...(byName.get(request.name) ?? []), request]);
  return [...byName.values()].map((parts) => ({
    name: parts[0]!.name,
    weight: parts[0]!.weight,
    sent: sum(parts, (p) => p.sent),
    completed: sum(parts, (p) => p.completed),
    errors: sum(parts, (p) => p.errors),
    status: addStatus(parts.map((p) => p.status)),
    non2xx3xx: sum(parts, (p) => p.non2xx3xx),
    corrected: addHistograms(parts.map((p) => p.corrected)),
  }));
}

function mergeTls(results: Result[]): Result['tls'] {
  const parts = results.flatMap((r) => (r.tls ? [r.tls] : []));
  if (parts.length === 0) return undefined;
  const firstError = parts.find((t) => t.firstError !== undefined)?.firstError;
  return {
    handshakes: sum(parts, (t) => t.handshakes),
    resumed: sum(parts, (t) => t.resumed),
    errors: { handshake: sum(parts, (t) => t.errors.handshake), verify: sum(parts, (t) => t.errors.verify) },
    ...(firstError !== undefined ? { firstError } : {}),
    handshake: addHistograms(parts.map((t) => t.handshake)),
  };
}

/** gRPC shards: calls by status added code by code, so errors over the fleet count every non-OK call. */
function mergeGrpc(results: Result[]): Result['grpc'] {
  const parts = results.flatMap((r) => (r.grpc ? [r.grpc] : []));
  if (parts.length === 0) return undefined;
  const status: Record<string, number> = {};
  for (const part of parts) for (const [name, count] of Object.entries(part.status)) status[name] = (status[name] ?? 0) + count;
  const firstError = parts.find((g) => g.firstError !== undefined)?.firstError;
  return {
    status,
    httpErrors: sum(parts, (g) => g.httpErrors),
    malformed: sum(parts, (g) => g.malformed),
    ...(firstError !== undefined ? { firstError } : {}),
  };
}

function mergeWarmup(results: Result[]): Result['warmup'] {
  const parts = results.flatMap((r) => (r.warmup ? [r.warmup] : []));
  if (parts.length === 0) return undefined;
  return {
    durationNs: Math.max(...parts.map((w) => w.durationNs)),
    scheduled: sum(parts, (w) => w.scheduled),
    sent: sum(parts, (w) => w.sent),
    completed: sum(parts, (w) => w.completed),
    queued: sum(parts, (w) => w.queued),
  };
}

function summarize(inputs: Source<Result>[], startsMs: number[]): ShardsSummary {
  const fingerprints = new Set(inputs.map((i) => i.value.shard?.fingerprint));
  const fingerprint = fingerprints.size === 1 ? [...fingerprints][0] : undefined;
  return {
    count: inputs.length,
    ...(fingerprint !== undefined ? { fingerprint } : {}),
    startSkewNs: (Math.max(...startsMs) - Math.min(...startsMs)) * 1e6,
    inputs: inputs.map(({ source, value: r }): MergedInput => ({
      source,
      startedAt: r.startedAt,
      ...(r.shard ? { shard: r.shard } : {}),
      sent: r.sent,
      completed: r.completed,
      errors: errorTotal(r.errors),
      achievedRate: r.achievedRate,
      p99Ns: r.corrected.totalCount > 0 ? r.corrected.getValueAtPercentile(99) : 0,
    })),
  };
}

/** Every input a shard of the same fleet run: one shard count and one fingerprint. */
function oneFleet(results: Result[]): boolean {
  const first = results[0]!.shard;
  return first !== undefined && first.count > 1 && results.every((r) => r.shard?.count === first.count && r.shard.fingerprint === first.fingerprint);
}

/** Adds whole results. Inputs in shard order read best, but any order gives the same totals. */
export function mergeResults(inputs: Source<Result>[]): Result {
  if (inputs.length === 0) throw new UsageError('merge: no results to merge');
  const results = inputs.map((i) => i.value);
  const startsMs = results.map((r) => Date.parse(r.startedAt));
  const t0Ms = Math.min(...startsMs);
  const offsetsNs = startsMs.map((ms) => (ms - t0Ms) * 1e6);
  const shiftOf = (i: number) => Math.round(offsetsNs[i]! / 1e9);

  const errors = Object.fromEntries(ERROR_KINDS.map((kind) => [kind, sum(results, (r) => r.errors[kind])])) as unknown as ErrorCounts;
  const errorCodes: Result['errorCodes'] = {};
  for (const kind of ERROR_KINDS) {
    const code = results.find((r) => r.errorCodes[kind] !== undefined)?.errorCodes[kind];
    if (code !== undefined) errorCodes[kind] = code;
  }
  const openedPerSecond: number[] = [];
  results.forEach((r, i) => addShifted(openedPerSecond, r.openedPerSecond, shiftOf(i)));

  const merged: Result = {
    config: mergeConfig(results.map((r) => r.config), oneFleet(results)),
    startedAt: new Date(t0Ms).toISOString(),
    durationNs: Math.max(...results.map((r) => r.durationNs)),
    scheduled: sum(results, (r) => r.scheduled),
    sent: sum(results, (r) => r.sent),
    completed: sum(results, (r) => r.completed),
    notSent: sum(results, (r) => r.notSent),
    inFlight: sum(results, (r) => r.inFlight),
    queued: sum(results, (r) => r.queued),
    bytesRead: sum(results, (r) => r.bytesRead),
    bytesWritten: sum(results, (r) => r.bytesWritten),
    errors,
    errorCodes,
    status: addStatus(results.map((r) => r.status)),
    non2xx3xx: sum(results, (r) => r.non2xx3xx),
    // Each input's responses over its own measured run: side by side, their rates add.
    achievedRate: sum(results, (r) => r.achievedRate),
    corrected: addHistograms(results.map((r) => r.corrected)),
    uncorrected: addHistograms(results.map((r) => r.uncorrected)),
    sendLag: addHistograms(results.map((r) => r.sendLag)),
    threads: results.flatMap((r) => r.threads),
    connectionsOpened: sum(results, (r) => r.connectionsOpened),
    openedPerSecond,
    interrupted: results.some((r) => r.interrupted),
    shards: summarize(inputs, startsMs),
  };
  if (results.every((r) => r.targetPerSecond)) {
    const target: number[] = [];
    results.forEach((r, i) => addShifted(target, r.targetPerSecond!, shiftOf(i)));
    merged.targetPerSecond = target;
  }
  if (results.every((r) => r.intervals)) merged.intervals = alignSeries(results.map((r, i) => ({ offsetNs: offsetsNs[i]!, intervals: r.intervals! })));
  const tls = mergeTls(results);
  if (tls) merged.tls = tls;
  const grpc = mergeGrpc(results);
  if (grpc) merged.grpc = grpc;
  const warmup = mergeWarmup(results);
  if (warmup) merged.warmup = warmup;
  const requests = mergeRequests(results);
  if (requests) merged.requests = requests;
  const endedEarly = inputs.filter((i) => i.value.endedEarly !== undefined).map((i) => `${i.source}: ${i.value.endedEarly}`);
  if (endedEarly.length > 0) merged.endedEarly = endedEarly.join('; ');
  return merged;
}

/** Histograms alone (interval logs, or logs and results mixed): corrected and uncorrected added. */
export interface MergedHistograms {
  corrected: Histogram;
  uncorrected: Histogram;
}

export function emptyMerge(): MergedHistograms {
  return { corrected: emptyHistogram(), uncorrected: emptyHistogram() };
}

/** Adds one histogram into the running totals as it is read: a 100-shard, 1 h merge never holds more than one interval at a time. */
export function addInto(total: MergedHistograms, tag: string | undefined, histogram: Histogram): void {
  (tag === 'uncorrected' ? total.uncorrected : total.corrected).add(histogram);
}
