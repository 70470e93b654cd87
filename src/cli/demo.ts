// demo.ts: `ratetest demo`: a first run that needs no server. Starts the built-in target on a
// free loopback port with a 200 ms stall every 2 s, runs -R 2000 -d 6s -c 50 against /t/{{seq}},
// prints the normal report, then checks ratetest's corrected percentiles against the target's own
// log (the truth) and exits 0 when they agree, 1 with the reason when not.
import { Command, Option } from 'commander';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLD } from '../common/errors.js';
import type { RunConfig, RunOptions } from '../config/options.js';
import { run } from '../engine/run.js';
import { ProgressLine } from '../live/progress-line.js';
import { formatText } from '../report/text.js';
import { formatTruthCheck } from '../report/truth-check.js';
import { computeTruth } from '../analysis/truth.js';
import { checkAgainstTruth } from '../analysis/truth-check.js';
import { selfCheck } from '../analysis/self-check.js';
import { disagreementCause } from '../analysis/truth-disagreement.js';
import type { Result } from '../result/result.js';
import { startTarget, type TargetOptions } from '../target/server.js';
import { DEFAULT_TRUTH_LIMIT } from '../target/truth-log.js';
import { banner } from './banner.js';
import { fail } from './fail.js';
import { checkOutputPath, writeOutput } from './output-file.js';
import { subcommandFailed } from './subcommand.js';
import { TARGET_DEFAULTS } from './target.js';

export const DEMO_RATE = 2000;
const DEMO_DURATION_MS = 6000;
const DEMO_CONNECTIONS = 50;

/**
 * 200 ms every 2 s, the first 1 s after the first request: stalls at 1 s, 3 s and 5 s, each over
 * well before the 6 s run ends, so no request is still held when the run stops. 600 ms of 6 s
 * stalled at 2000 req/s: ~1200 of 12,000 requests wait, so p99 lands inside the stalls.
 */
export const DEMO_TARGET: TargetOptions = {
  host: '127.0.0.1',
  port: 0,
  delayNs: 0,
  stall: { lengthNs: 200e6, everyNs: 2e9, firstAtNs: 1e9 },
  bodySize: TARGET_DEFAULTS.bodySize,
  truthLimit: DEFAULT_TRUTH_LIMIT,
};

function disagreementText(result: Result, loopDelayMaxNs: number): string {
  const cause = disagreementCause(result, loopDelayMaxNs);
  const verdict = selfCheck(result);
  const lines = ["Truth check failed: ratetest's corrected figures differ from the target's own log."];
  lines.push(cause ? `  Cause: ${cause}` : '  No cause found: the generator had CPU to spare, sent every request, and the process was not held up. Please report this with the output above.');
  if (!verdict.ok) lines.push(`  Self-check (${verdict.cause}): ${verdict.messages.join(' ')}`);
  return lines.join('\n') + '\n';
}

export async function demoMain(argv: string[]): Promise<number> {
  let html: string | undefined;
  try {
    const program = new Command('ratetest demo')
      .description(`Run ratetest against a built-in target that stalls 200 ms every 2 s, then check its figures against the target's own log.`)
      .addOption(new Option('--html <file>', 'also write the HTML report of the run'))
      .allowExcessArguments()
      .exitOverride()
      .configureOutput({ writeErr: () => {} });
    program.parse(argv);
    if (program.args.length > 0) throw new Error(`unexpected argument "${program.args[0]}" (ratetest demo takes only --html)`);
    html = program.opts<{ html?: string }>().html;
    if (html !== undefined) checkOutputPath(html, '--html');
  } catch (err) {
    return subcommandFailed('demo', err);
  }

  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const target = await startTarget(DEMO_TARGET);
  try {
    const out = process.stdout;
    const options: RunOptions = { url: `${target.url}t/{{seq}}`, rate: DEMO_RATE, durationMs: DEMO_DURATION_MS, connections: DEMO_CONNECTIONS };
    out.write(
      `ratetest demo: a built-in target at ${target.url} answers at once, except that it stalls for 200 ms every 2 s and logs every request.\n` +
        `ratetest sends it ${DEMO_RATE} req/s for ${DEMO_DURATION_MS / 1000} s over ${DEMO_CONNECTIONS} connections, then checks its own figures against the target's log.\n` +
        `(A 200 ms stall at ${DEMO_RATE} req/s holds 400 requests; ${DEMO_CONNECTIONS} connections cannot carry them, so the self-check will warn that requests waited for a connection. The corrected figures include that wait, as a user's would.)\n\n`,
    );
    let progress: ProgressLine | undefined;
    const onStart = (config: RunConfig) => {
      out.write(banner(config, options.url));
      if (out.isTTY) progress = new ProgressLine(out, config);
    };
    const result = await run(options, { signal: controller.signal, onStart, onProgress: (p) => progress?.update(p) }).finally(() => progress?.clear());
    out.write(formatText(result, { latency: false, uLatency: false }));
    const truthLog = target.truth();
    const truth = computeTruth(truthLog, { rate: DEMO_RATE });
    const check = checkAgainstTruth(truth.latency, result.corrected, result.uncorrected);
    out.write(formatTruthCheck(check));
    if (html !== undefined) {
      try {
        writeOutput(html, (await import('../report/html.js')).formatHtml(result), '--html');
      } catch (err) {
        fail(err);
      }
    }
    if (result.interrupted) return EXIT_INTERRUPTED;
    if (check.agrees) return EXIT_OK;
    out.write(disagreementText(result, truthLog.eventLoopDelayMaxNs));
    return EXIT_THRESHOLD;
  } catch (err) {
    return fail(err);
  } finally {
    process.off('SIGINT', onSigint);
    await target.close();
  }
}
