// prometheus.ts: the run's figures as Prometheus metrics (prom-client, on a registry of its own),
// refreshed from the engine's once-a-second cumulative snapshots and from the final result, never
// from the hot path. Served live by --metrics-port (metrics-server.ts) and written at the end by
// --prom-file (node-exporter textfile-collector style).
//
// Counters carry the engine's cumulative values (set at collection: the engine counts, not us).
// The latency histogram is the corrected HdrHistogram folded into Prometheus buckets, exact at
// HdrHistogram's resolution: prom-client's own Histogram only counts observe() calls, so it is a
// metric object of the shape prom-client's registry collects.
import { Counter, Gauge, Registry, type MetricObjectWithValues, type MetricValueWithName } from 'prom-client';
import type { RunSnapshot } from '../engine/run.js';

/** Bucket upper bounds in seconds: 100 µs to 10 s, the range load tests live in. */
export const LATENCY_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const ERROR_KINDS = ['connect', 'read', 'write', 'timeout', 'parse'] as const;

/** Cumulative counts at each bucket bound, the count and the sum (seconds) of [valueNs, count] pairs. */
export function foldBuckets(pairs: Float64Array, boundsS: number[] = LATENCY_BUCKETS_S): { cumulative: number[]; count: number; sumS: number } {
  const cumulative = boundsS.map(() => 0);
  let count = 0;
  let sumNs = 0;
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const valueNs = pairs[i]!;
    const n = pairs[i + 1]!;
    count += n;
    sumNs += valueNs * n;
    for (let b = 0; b < boundsS.length; ++b) if (valueNs <= boundsS[b]! * 1e9) cumulative[b]! += n;
  }
  return { cumulative, count, sumS: sumNs / 1e9 };
}

export interface RunMetricsOptions {
  /** -R max: no schedule, so the target rate is 0. */
  closedLoop?: boolean;
}

export class RunMetrics {
  readonly registry = new Registry();
  private latest: RunSnapshot | undefined;
  /** The last two snapshots a second apart, for the rates: the final one, covering only the drain, is not one of them. */
  private rateNow: RunSnapshot | undefined;
  private rateBefore: RunSnapshot | undefined;

  constructor(labels: Record<string, string> = {}, options: RunMetricsOptions = {}) {
    this.registry.setDefaultLabels(labels);
    const self = this;
    const counter = (name: string, help: string, value: (s: RunSnapshot) => number) =>
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          if (self.latest) this.inc(value(self.latest));
        },
      });
    // A gauge set at collection from `value`; undefined (no snapshot yet) leaves it as it is.
    const gauge = (name: string, help: string, value: () => number | undefined) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const v = value();
          if (v !== undefined) this.set(v);
        },
      });
    const current = (figure: (s: RunSnapshot) => number) => () => (self.latest ? figure(self.latest) : undefined);
    const perSecond = (figure: (s: RunSnapshot) => number) => () => {
      const now = self.rateNow;
      if (!now) return undefined;
      const before = self.rateBefore;
      const seconds = (now.elapsedNs - (before?.elapsedNs ?? 0)) / 1e9;
      return seconds > 0 ? (figure(now) - (before ? figure(before) : 0)) / seconds : 0;
    };
    counter('ratetest_requests_sent_total', 'Requests written to a socket.', (s) => s.sent);
    new Counter({
      name: 'ratetest_responses_total',
      help: 'Responses received completely, by status code.',
      labelNames: ['code'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [code, n] of Object.entries(self.latest?.status ?? {})) this.inc({ code }, n);
      },
    });
    new Counter({
      name: 'ratetest_errors_total',
      help: 'Failed requests and connections, by kind (connect, read, write, timeout, parse).',
      labelNames: ['kind'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const kind of ERROR_KINDS) this.inc({ kind }, self.latest?.errors[kind] ?? 0);
      },
    });
    gauge('ratetest_target_rate', 'Requests per second the schedule asked for over the last whole interval (0 in closed loop).', perSecond((s) => (options.closedLoop ? 0 : s.due)));
    gauge('ratetest_achieved_rate', 'Responses completed per second over the last whole interval.', perSecond((s) => s.completed));
    gauge('ratetest_connections_open', 'Connections currently established.', current((s) => s.connectionsOpen));
    gauge('ratetest_in_flight', 'Requests written and not yet answered.', current((s) => s.inFlight));
    gauge('ratetest_elapsed_seconds', 'Time since the schedule started.', current((s) => s.elapsedNs / 1e9));
    this.registry.registerMetric(this.latencyHistogram() as never);
  }

  /** Each cumulative snapshot as it comes (once a second, then the final one). */
  update(snapshot: RunSnapshot, final = false): void {
    this.latest = snapshot;
    if (final && this.rateNow) return;
    this.rateBefore = this.rateNow;
    this.rateNow = snapshot;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  private latencyHistogram() {
    const name = 'ratetest_latency_seconds';
    const help = "Corrected latency (from each request's intended send time), from the run's HdrHistogram.";
    return {
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      reset: () => {},
      get: async (): Promise<MetricObjectWithValues<MetricValueWithName<string>>> => {
        const { cumulative, count, sumS } = foldBuckets(this.latest?.correctedBuckets ?? new Float64Array());
        const values: MetricValueWithName<string>[] = LATENCY_BUCKETS_S.map((le, i) => ({ metricName: `${name}_bucket`, labels: { le }, value: cumulative[i]! }));
        values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: count });
        values.push({ metricName: `${name}_sum`, labels: {}, value: sumS });
        values.push({ metricName: `${name}_count`, labels: {}, value: count });
        return { name, help, type: 'histogram' as never, aggregator: 'sum', collect: () => {}, values };
      },
    };
  }
}
