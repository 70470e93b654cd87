// run-command.ts: a plain run from the command line: the checked request -> run() with live progress
// -> the text report, output files, criteria -> exit code. Loaded only once the flags have parsed,
// so --help, --version and usage errors do not pay for the engine and the reports.
import type { CliRequest } from './flags.js';
import { fail } from './fail.js';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLD, EXIT_USAGE, UsageError } from '../common/errors.js';
import type { RunConfig, RunOptions } from '../config/options.js';
import type { HdrLogWriter } from '../report/hdr-log.js';
import type { Interval, IntervalHistogramPair } from '../result/series.js';
import { formatText } from '../report/text.js';
import { run, type Progress, type RunSnapshot } from '../engine/run.js';
import type { RunMetrics } from '../live/prometheus.js';
import type { MetricsServer } from '../live/metrics-server.js';
import type { Dashboard } from '../live/dashboard.js';
import { ProgressLine } from '../live/progress-line.js';
import type { Result, ShardInfo } from '../result/result.js';
import { ScriptLoadError, type LoadedScript, type ScriptRunError } from '../script/types.js';
import { formatCriteriaFailures, judgeCriteria } from '../analysis/criteria.js';
import { checkOutputPath, openStreamingOutput, writeOutput, type StreamingOutput } from './output-file.js';
import { withoutCredentials } from '../common/url-display.js';
import { banner } from './banner.js';



/**
 * After the report, as wrk does: the script's notes, then done(). Returns the exit code a script
 * error or os.exit() in a hook decides (1 for an error), or undefined when the script ran clean.
 */
async function finishScript(script: LoadedScript, result: Result, out: NodeJS.WritableStream): Promise<number | undefined> {
  const info = result.script!;
  const lines: string[] = [];
  if (info.responsesDropped > 0) lines.push(`  Script: ${info.responsesDropped} responses were not passed to response() (it fell behind; the run did not wait for it)`);
  if (info.responsesTruncated > 0) lines.push(`  Script: ${info.responsesTruncated} responses were passed to response() cut short at 256 KiB`);
  for (const note of info.notes) lines.push(`  Script: ${note}`);
  if (info.error !== undefined) {
    lines.push(`ratetest: script error: ${info.error} (the run stopped there; the results above are what it gathered)`);
    out.write(lines.join('\n') + '\n');
    return info.exitCode ?? EXIT_THRESHOLD;
  }
  if (lines.length > 0) out.write(lines.join('\n') + '\n');
  try {
    (await import('../script/done.js')).scriptDone(script, result);
  } catch (err) {
    out.write(`ratetest: script error in done(): ${(err as Error).message}\n`);
    return (err as ScriptRunError).exitCode ?? EXIT_THRESHOLD;
  }
  return undefined;
}

/** Runs the request; returns the process exit code. */
export async function runCommand(request: CliRequest): Promise<number> {
  // With --json - stdout carries only JSON, so the text goes to stderr.
  const report = request.json === '-' ? process.stderr : process.stdout;
  const controller = new AbortController();
  // First Ctrl-C: stop and report what was gathered. Second: the user means it, leave now.
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const stdoutOk = { allowStdout: true };
    if (request.json !== undefined) checkOutputPath(request.json, '--json', stdoutOk);
    if (request.hgrm !== undefined) checkOutputPath(request.hgrm, '--hgrm');
    if (request.hdrLog !== undefined) checkOutputPath(request.hdrLog, '--hdr-log');
    if (request.html !== undefined) checkOutputPath(request.html, '--html');
    if (request.promFile !== undefined) checkOutputPath(request.promFile, '--prom-file');
    let progress: ProgressLine | undefined;
    // The dashboard's and the outputs' code loads only for the runs that ask for them.
    const dashboardModule = request.dashboard ? await import('../live/dashboard.js') : undefined;
    const hdrLogModule = request.hdrLog !== undefined ? await import('../report/hdr-log.js') : undefined;
    let dashboard: Dashboard | undefined;
    let hdrLog: { file: StreamingOutput; log: HdrLogWriter } | undefined;
    const onStart = (config: RunConfig, _address: string, startedAt: Date, shard?: ShardInfo) => {
      report.write(banner(config, request.options.url));
      if (request.hdrLog !== undefined && hdrLogModule) {
        const file = openStreamingOutput(request.hdrLog, '--hdr-log');
        hdrLog = { file, log: new hdrLogModule.HdrLogWriter((text) => file.write(text), { method: config.method, url: request.options.url, rate: config.rate }, startedAt, shard) };
      }
      // A live line only for a person watching: stdout a terminal, and never into --json - output.
      const stream = request.json === '-' ? process.stderr : process.stdout;
      const live = !request.quiet && process.stdout.isTTY && stream.isTTY;
      if (dashboardModule) {
        const unfit = dashboardModule.dashboardUnfit(stream) ?? dashboardModule.dashboardUnfit(process.stdout);
        if (unfit === undefined) {
          dashboard = new dashboardModule.Dashboard(stream as typeof process.stdout, config, `${config.method} ${request.options.url.includes('@') ? withoutCredentials(request.options.url) : request.options.url}`);
          dashboard.start();
          return;
        }
        process.stderr.write(`ratetest: --dashboard ${unfit}; ${live ? 'showing the progress line instead' : 'no live view'}\n`);
      }
      if (live) progress = new ProgressLine(stream, config);
    };
    // A script's print() and io.write() go with the text report (stderr under --json -).
    if (request.options.script) request.options.script.output = (text) => void report.write(text);
    let script: LoadedScript | undefined;
    const onProgress = (p: Progress) => progress?.update(p);
    // prom-client, wasmoon and the HTML report's chart library load only for the runs that use
    // them: together they would add ~25 MB to every run's RSS.
    const prometheus = request.metricsPort !== undefined || request.promFile !== undefined ? await import('../live/prometheus.js') : undefined;
    const metrics: RunMetrics | undefined = prometheus && new prometheus.RunMetrics({ url: withoutCredentials(request.options.url), ...shardLabel(request.options.shard) }, { closedLoop: request.options.rate === 'max' });
    const onSnapshot = metrics || dashboardModule ? (s: RunSnapshot, final: boolean) => {
      metrics?.update(s, final);
      if (final) dashboard?.finish(s);
    } : undefined;
    const live = dashboardModule && { periodMs: dashboardModule.DASHBOARD_PERIOD_MS, onSnapshot: (s: RunSnapshot) => dashboard?.update(s) };
    let metricsServer: MetricsServer | undefined;
    if (metrics && request.metricsPort !== undefined) {
      const { startMetricsServer } = await import('../live/metrics-server.js');
      metricsServer = await startMetricsServer(metrics, request.metricsPort, request.metricsHost);
      const host = request.metricsHost ?? '127.0.0.1';
      process.stderr.write(`Metrics at http://${host.includes(':') ? `[${host}]` : host}:${metricsServer.port}/metrics\n`);
    }
    const onInterval = request.hdrLog !== undefined ? (interval: Interval, histograms: IntervalHistogramPair) => hdrLog?.log.interval(interval, histograms) : undefined;
    const result = await run(request.options, { signal: controller.signal, onStart, onProgress, onSnapshot, onInterval, onScript: (s) => (script = s), ...(live && { live }) })
      .catch((err: unknown) => {
        hdrLog?.file.discard();
        throw err;
      })
      .finally(() => {
        progress?.clear();
        dashboard?.close();
        return metricsServer?.close();
      });
    report.write(formatText(result, { latency: request.latency, uLatency: request.uLatency }));
    const scriptExit = script ? await finishScript(script, result, report) : undefined;
    // Every output is attempted, and the thresholds still judged, when one of them cannot be written.
    const outputs: [flag: string, path: string | undefined, text: () => string | Promise<string> | StreamingOutput][] = [
      ['--json', request.json, async () => JSON.stringify((await import('../report/json.js')).toJson(result), null, 2) + '\n'],
      ['--hgrm', request.hgrm, async () => (await import('../report/hgrm.js')).formatHgrm(result)],
      ['--hdr-log', request.hdrLog, () => hdrLog!.file],
      ['--prom-file', request.promFile, () => metrics!.text()],
      ['--html', request.html, async () => (await import('../report/html.js')).formatHtml(result, { headers: request.options.headers ?? [] })],
    ];
    let outputFailed = false;
    for (const [flag, path, text] of outputs) {
      if (path === undefined) continue;
      try {
        const output = await text();
        if (typeof output === 'string') writeOutput(path, output, flag, flag === '--json' ? stdoutOk : {});
        else output.commit();
      } catch (err) {
        fail(err);
        outputFailed = true;
      }
    }
    const failures = formatCriteriaFailures(judgeCriteria(result, request.thresholds));
    report.write(failures);
    if (scriptExit !== undefined) return scriptExit;
    if (result.interrupted) return EXIT_INTERRUPTED;
    if (outputFailed) return EXIT_USAGE;
    return failures ? EXIT_THRESHOLD : EXIT_OK;
  } catch (err) {
    const code = fail(err);
    // os.exit(n) in a script's setup() or init() ends ratetest with the script's own code.
    if (err instanceof ScriptLoadError && err.exitCode !== undefined) return err.exitCode;
    // Ctrl-C before the pumps started (e.g. during DNS) leaves nothing to report; it is still an interrupt.
    return controller.signal.aborted && !(err instanceof UsageError) ? EXIT_INTERRUPTED : code;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** --metrics-port samples of a fleet carry the shard's index, so PromQL can sum the fleet or split it. */
function shardLabel(shard: RunOptions['shard']): Record<string, string> {
  return shard ? { shard: String(shard.index) } : {};
}
