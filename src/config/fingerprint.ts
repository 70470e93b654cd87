// fingerprint.ts: the short hash of the settings every shard of a fleet must share, so a merge
// can refuse results that do not belong together. Pure: a config in, 16 hex digits out.
import { createHash } from 'node:crypto';
import type { NativeTemplates } from '../addon/native.js';
import type { RunConfig } from './options.js';

/** What the requests are, beyond the config: the compiled template program, or a script's source. */
export interface RequestMix {
  templates?: NativeTemplates;
  /** -s: the script file's bytes and its arguments. */
  script?: { source: Buffer; args: string[] };
}

/** JSON with object keys sorted at every level, so equal settings give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sha256(...parts: (string | Uint8Array)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

/** The requests as a hash: the program's bytes and steps (its random seed only when --seed fixed it), or the script, or the one request. */
function mixHash(config: RunConfig, mix: RequestMix): string {
  if (mix.script) return sha256('script', mix.script.source, canonical(mix.script.args));
  const t = mix.templates;
  if (!t) return sha256('request', config.request);
  const f64 = (a: Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return sha256(
    'templates',
    t.pool,
    f64(t.steps),
    f64(t.choices),
    f64(t.mix),
    canonical({ requests: t.requests, named: t.named, seed: config.seedGiven ? t.seed : undefined, csvRandom: t.csv?.random }),
    t.csv ? t.csv.bytes : '',
  );
}

/**
 * sha256 (first 16 hex digits) of the canonical JSON of what the fleet must agree on: URL, rate
 * or stages, arrival and seed, duration and warm-up, -n, the request mix, the protocol, and the
 * shard count. Threads, connections and timeouts may differ from shard to shard.
 */
export function fingerprintOf(config: RunConfig, mix: RequestMix = {}): string {
  const settings = {
    url: config.url.href,
    protocol: `${config.url.protocol.replace(/:$/, '')}/http1.1${config.unixSocket !== undefined ? '+unix' : ''}`,
    rate: config.ramps || config.closedLoop ? undefined : config.rate,
    closedLoop: config.closedLoop || undefined,
    stages: config.ramps,
    arrival: config.arrival,
    seed: config.arrival === 'poisson' || config.seedGiven ? config.seed : undefined,
    durationNs: Math.round(config.durationMs * 1e6),
    warmupNs: Math.round(config.warmupMs * 1e6),
    requestCount: config.requestCount,
    shardCount: config.shard?.count ?? 1,
    requests: mixHash(config, mix),
  };
  return sha256(canonical(settings)).slice(0, 16);
}
