// commands/find-max.ts: `ratetest find-max --slo 'p99<50ms' --from 1k --to 100k URL`: the run
// flags of a plain run (shared with cli.ts's program), plus the search's own; prints a table row
// per step as it finishes, then the answer and how sure it is.
import { CommanderError, Option } from 'commander';
import { findMaxHtml } from '../report/find-max-html.js';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLD, EXIT_USAGE, UsageError } from '../common/errors.js';
import { findMax, SEARCH_DEFAULTS, type Search, type SearchOptions, type Step } from '../analysis/find-max.js';
import { toJson } from '../report/json.js';
import { run } from '../engine/run.js';
import { failedRequests, formatMeasured, isLatencyMetric, parseCriterion, requestsOf, type CriterionVerdict } from '../analysis/criteria.js';
import { formatDurationShort, parseDuration, parseRate } from '../common/units.js';
import { buildProgram, requestFromFlags, usageMessage, type RawFlags } from './flags.js';
import { fail } from './fail.js';
import { checkOutputPath, writeOutput } from './output-file.js';
import type { RunOptions } from '../config/options.js';

export const FIND_MAX_SCHEMA_ID = 'ratetest/find-max/v1';

interface FindMaxFlags extends RawFlags {
  slo?: string[];
  from?: string;
  to?: string;
  stepDuration?: string;
  cooldown?: string;
  precision?: string;
  html?: string;
}

export interface FindMaxRequest {
  search: SearchOptions;
  /** Options of every step; each step sets its own rate. */
  options: RunOptions;
  stepDurationMs: number;
  cooldownMs: number;
  json?: string;
  html?: string;
}

const DEFAULT_STEP_MS = 5_000;
const DEFAULT_COOLDOWN_MS = 1_000;

/** Flags of a plain run that find-max sets itself, per step. */
const CHOSEN_BY_SEARCH = ['rate', 'duration', 'latency', 'u_latency'];
/** Flags of a plain run that mean nothing for a search of many runs. */
const SINGLE_RUN_ONLY = ['threshold', 'hgrm', 'hdrLog', 'stages', 'requests', 'warmup', 'script', 'metricsPort', 'metricsHost', 'promFile', 'dashboard'];

export function parseFindMaxArgs(argv: string[]): FindMaxRequest {
  const program = buildProgram()
    .name('ratetest find-max')
    .description('Search for the highest request rate that meets every SLO: geometric steps up, then bisection around the knee.')
    .addOption(new Option('--slo <slo>', "objective every step must meet, e.g. 'p99<50ms', 'errors<0.1%', 'rate>=95%' (repeatable, required; docs/criteria.md)").argParser((v: string, prev: string[] = []) => [...prev, v]))
    .addOption(new Option('--from <rate>', 'first rate tried, e.g. 1k (required)'))
    .addOption(new Option('--to <rate>', 'highest rate tried, e.g. 100k (required)'))
    .addOption(new Option('--step-duration <duration>', `length of each step (default ${formatDurationShort(DEFAULT_STEP_MS * 1e6)})`))
    .addOption(new Option('--cooldown <duration>', `pause between steps so the server drains its queues (default ${formatDurationShort(DEFAULT_COOLDOWN_MS * 1e6)})`))
    .addOption(new Option('--precision <percent>', `stop refining when the bracket is this narrow (default ${SEARCH_DEFAULTS.precision * 100}%)`));
  // --html comes from the run's flags; for a search it writes the latency-against-rate page.
  program.options.find((o) => o.long === '--html')!.description = 'write an HTML page plotting latency against rate';
  for (const option of program.options) if ([...CHOSEN_BY_SEARCH, ...SINGLE_RUN_ONLY].includes(option.attributeName())) option.hideHelp();
  program.parse(argv);
  const flags = program.opts<FindMaxFlags>();
  for (const name of CHOSEN_BY_SEARCH) {
    if (flags[name as keyof FindMaxFlags] !== undefined) throw new UsageError(`find-max chooses the rate and step length itself; use --from/--to/--step-duration instead of --${name.replace('_', '-')}`);
  }
  for (const name of SINGLE_RUN_ONLY) {
    if (flags[name as keyof FindMaxFlags] !== undefined) {
      throw new UsageError(`--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to a single run, not to find-max: judge the steps with --slo`);
    }
  }
  if (program.args.length > 1) throw new UsageError(`unexpected argument "${program.args[1]}" after the URL`);
  if (!flags.slo?.length) throw new UsageError("find-max needs at least one --slo, e.g. --slo 'p99<50ms'");
  if (flags.from === undefined || flags.to === undefined) throw new UsageError('find-max needs --from and --to, e.g. --from 1k --to 100k');
  const from = parseRate(flags.from, '--from');
  const to = parseRate(flags.to, '--to');
  if (from < 1 || to < from) throw new UsageError(`--from must be at least 1 and --to at least --from, got --from ${flags.from} --to ${flags.to}`);
  let precision: number = SEARCH_DEFAULTS.precision;
  if (flags.precision !== undefined) {
    const match = /^(\d+(?:\.\d+)?)%$/.exec(flags.precision.trim());
    if (!match || Number(match[1]) <= 0 || Number(match[1]) >= 100) throw new UsageError(`--precision must be a percentage between 0 and 100 like 5%, got "${flags.precision}"`);
    precision = Number(match[1]) / 100;
  }
  const stepDurationMs = flags.stepDuration !== undefined ? parseDuration(flags.stepDuration, '--step-duration') / 1e6 : DEFAULT_STEP_MS;
  if (stepDurationMs < 1000) throw new UsageError(`--step-duration must be at least 1s so a step has percentiles worth judging, got "${flags.stepDuration}"`);
  const cooldownMs = flags.cooldown !== undefined ? parseDuration(flags.cooldown, '--cooldown') / 1e6 : DEFAULT_COOLDOWN_MS;
  const base = requestFromFlags(program.args[0]!, flags, from);
  const request: FindMaxRequest = {
    search: { ...SEARCH_DEFAULTS, slos: flags.slo.map((s) => parseCriterion(s, '--slo')), from, to, precision },
    options: { ...base.options, durationMs: stepDurationMs },
    stepDurationMs,
    cooldownMs,
  };
  if (base.json !== undefined) request.json = base.json;
  if (flags.html !== undefined) request.html = flags.html;
  return request;
}

// ---- the table --------------------------------------------------------------------------------

const ms = (ns: number) => (ns / 1e6).toFixed(2);
const COLUMNS: [string, number][] = [['step', 8], ['rate', 9], ['achieved', 10], ['p50 ms', 9], ['p99 ms', 9], ['p99.9 ms', 9], ['errors', 8], ['result', 0]];

export function tableHeader(): string {
  return COLUMNS.map(([name, width]) => name.padStart(width)).join(' ').trimEnd() + '\n';
}

/** "p99 62.10ms", "errors 0.52%": a failed SLO's figure at the table's two decimals. */
function stepFigure(v: CriterionVerdict): string {
  const { metric, percent } = v.criterion;
  if (v.measured === undefined) return `${metric}: ${formatMeasured(v)}`;
  if (isLatencyMetric(metric)) return `${metric} ${(v.measured / 1e6).toFixed(2)}ms`;
  return `${metric} ${percent ? `${v.measured.toFixed(2)}%` : formatMeasured(v)}`;
}

function outcomeText(step: Step): string {
  if (step.outcome === 'pass') return 'pass';
  if (step.outcome === 'generator') return `generator-limited (${step.selfCheck.verdict}): not counted against the server`;
  if (step.result.completed === 0) {
    const connect = step.result.errors.connect;
    return `FAIL no responses${connect > 0 ? ` (${connect} connect errors${step.result.errorCodes.connect ? `, ${step.result.errorCodes.connect}` : ''})` : ''}`;
  }
  return `FAIL ${step.verdicts.filter((v) => !v.passed).map((v) => `${stepFigure(v)} (${v.criterion.text})`).join(', ')}`;
}

export function tableRow(step: Step): string {
  const r = step.result;
  const at = (p: number) => (r.corrected.totalCount > 0 ? ms(r.corrected.getValueAtPercentile(p)) : '-');
  const errors = requestsOf(r) > 0 ? `${((100 * failedRequests(r)) / requestsOf(r)).toFixed(2)}%` : '-';
  const cells = [step.kind, String(step.rate), r.achievedRate.toFixed(1), at(50), at(99), at(99.9), errors, outcomeText(step)];
  const row = cells.map((cell, i) => cell.padStart(COLUMNS[i]![1])).join(' ') + '\n';
  // A generator-limited step says why and what to change, under its row.
  return step.outcome === 'generator' ? row + step.selfCheck.messages.map((m) => `         ${m}\n`).join('') : row;
}

/** The answer and how sure it is, in words. */
export function formatAnswer(search: Search, options: SearchOptions): string {
  const a = search.answer;
  const slos = options.slos.map((s) => s.text).join(', ');
  const lines: string[] = [''];
  if (a.maxRate === undefined) {
    lines.push(`No rate met ${slos}: even --from ${options.from}/s failed${a.generatorLimitedAt !== undefined ? ' (limited by the generator, not the server)' : ''}. Try a lower --from.`);
  } else {
    lines.push(`Highest rate meeting ${slos}: ${a.maxRate} req/s`);
    if (a.lowestFail !== undefined) {
      lines.push(`  Confidence: the knee lies between ${a.maxRate}/s (passed) and ${a.lowestFail}/s (failed), a bracket of ${((a.bracket ?? 0) * 100).toFixed(1)}%.`);
    } else if (a.generatorLimitedAt !== undefined) {
      lines.push(`  The generator could not produce ${a.generatorLimitedAt}/s on this machine: the server may sustain more. See the self-check advice for that step (more -t, or a separate load machine).`);
    } else if (a.reachedTo) {
      lines.push(`  Every step up to --to ${options.to}/s passed: the server's limit is higher; raise --to.`);
    }
    if (a.confirmed === true) lines.push(`  Re-run at ${a.maxRate}/s: passed again (confirmed).`);
    else if (a.confirmed === false) lines.push(`  Re-run at ${a.maxRate}/s: FAILED this time: the server is at its edge here or noisy; treat the answer as an upper bound and run longer steps (--step-duration).`);
  }
  if (a.interrupted) lines.push('  Search interrupted: the answer covers the steps that ran.');
  return lines.join('\n') + '\n';
}

// ---- JSON and HTML ------------------------------------------------------------------------------

export function searchJson(search: Search, request: FindMaxRequest) {
  return {
    schema: FIND_MAX_SCHEMA_ID,
    slos: request.search.slos.map((s) => s.text),
    from: request.search.from,
    to: request.search.to,
    stepDurationNs: request.stepDurationMs * 1e6,
    precision: request.search.precision,
    answer: search.answer,
    steps: search.steps.map((s) => ({
      kind: s.kind,
      rate: s.rate,
      outcome: s.outcome,
      slos: s.verdicts.map((v) => ({ slo: v.criterion.text, pass: v.passed, actual: v.measured ?? null })),
      result: toJson(s.result),
    })),
  };
}

// ---- the command ------------------------------------------------------------------------------

const sleep = (delayMs: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, delayMs);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export async function findMaxMain(argv: string[]): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  try {
    const request = parseFindMaxArgs(argv);
    const out = request.json === '-' ? process.stderr : process.stdout;
    if (request.json !== undefined) checkOutputPath(request.json, '--json', { allowStdout: true });
    if (request.html !== undefined) checkOutputPath(request.html, '--html');
    process.on('SIGINT', onSigint);
    const { search } = request;
    out.write(
      `Searching ${request.options.url} for the highest rate meeting ${search.slos.map((s) => s.text).join(', ')}: ` +
        `${search.from}/s to ${search.to}/s, steps of ${formatDurationShort(request.stepDurationMs * 1e6)}\n` + tableHeader(),
    );
    let first = true;
    const result = await findMax(search, {
      probe: async (rate) => {
        if (!first) await sleep(request.cooldownMs, controller.signal);
        first = false;
        return run({ ...request.options, rate }, { signal: controller.signal });
      },
      onStep: (step) => out.write(tableRow(step)),
      stopped: () => controller.signal.aborted,
    });
    out.write(formatAnswer(result, search));
    if (request.json !== undefined) writeOutput(request.json, JSON.stringify(searchJson(result, request), null, 2) + '\n', '--json', { allowStdout: true });
    if (request.html !== undefined) writeOutput(request.html, findMaxHtml(result, request), '--html');
    if (result.answer.interrupted) return EXIT_INTERRUPTED;
    return result.answer.maxRate === undefined ? EXIT_THRESHOLD : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      process.stderr.write(`ratetest find-max: ${usageMessage(err)} (see ratetest find-max --help)\n`);
      return EXIT_USAGE;
    }
    return fail(err);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
