// truth.ts: `ratetest truth <truth.json> -R <rate> | --stages <list>`: the true corrected
// latency percentiles of a saved /__truth log, for comparing any tool that numbered its
// requests (/t/<k>) with what the server saw. The computation is src/analysis/truth.ts.
import { Command, Option } from 'commander';
import { EXIT_OK, UsageError } from '../common/errors.js';
import { parseRate } from '../common/units.js';
import { checkTruthJson, computeTruth, truthPercentiles, type Truth, type TruthSchedule } from '../analysis/truth.js';
import { parseStages, rampsOf } from '../config/stages.js';
import { formatTruthPercentiles } from '../report/truth-check.js';
import { checkOutputPath, writeOutput } from './output-file.js';
import { readFileText } from './read-result.js';
import { subcommandFailed } from './subcommand.js';

export const TRUTH_RESULT_SCHEMA_ID = 'ratetest/truth-percentiles/v1';

interface TruthFlags {
  rate?: string;
  stages?: string;
  json?: string;
}

export interface TruthRequest {
  file: string;
  schedule: TruthSchedule;
  /** How the schedule was given, for the report's first line. */
  scheduleText: string;
  json?: string;
}

export function parseTruthArgs(argv: string[]): TruthRequest {
  const program = new Command('ratetest truth')
    .description("Compute the true corrected latency percentiles from a target's saved log (GET /__truth), given the schedule the requests were sent on.")
    .argument('<truth.json>', 'the log, as GET /__truth returned it')
    .addOption(new Option('-R, --rate <rate>', 'the constant rate the requests were sent at, per second, e.g. 2000 or 2k'))
    .addOption(new Option('--stages <list>', "the stages they were sent on, e.g. '10s:1k,30s:1k'"))
    .addOption(new Option('--json <file>', 'also write the percentiles as JSON (- for stdout)'))
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  program.parse(argv);
  if (program.args.length > 1) throw new UsageError(`unexpected argument "${program.args[1]}" after the log file`);
  const flags = program.opts<TruthFlags>();
  if ((flags.rate === undefined) === (flags.stages === undefined)) {
    throw new UsageError("give the schedule the requests were sent on: -R <rate> or --stages <list> (one of them)");
  }
  let request: TruthRequest;
  if (flags.rate !== undefined) {
    const rate = parseRate(flags.rate, '-R/--rate');
    if (!(rate > 0)) throw new UsageError(`-R/--rate must be > 0, got "${flags.rate}"`);
    request = { file: program.args[0]!, schedule: { rate }, scheduleText: `-R ${flags.rate}` };
  } else {
    request = { file: program.args[0]!, schedule: { ramps: rampsOf(parseStages(flags.stages!)) }, scheduleText: `--stages ${flags.stages}` };
  }
  if (flags.json !== undefined) request.json = flags.json;
  return request;
}

export function readTruth(file: string, schedule: TruthSchedule): Truth {
  const text = readFileText(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  try {
    return computeTruth(checkTruthJson(json), schedule);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${file}: ${err.message}`);
    throw err;
  }
}

export function formatTruth(truth: Truth, request: TruthRequest): string {
  const pending = truth.unanswered > 0 ? `; ${truth.unanswered} not yet answered, left out` : '';
  const full = truth.notRecorded > 0 ? `  The log was full: ${truth.notRecorded} later requests were answered but not logged, so these figures cover only the logged ones (raise the target's --truth-limit).\n` : '';
  return (
    `Truth of ${request.file} at ${request.scheduleText}: ${truth.answered} requests answered (k ${truth.firstK}..${truth.lastK}${pending})\n` +
    `  True corrected latency (ms): answered_k - (T0 + intended(k)), T0 = min_k(arrival_k - intended(k))\n` +
    full +
    formatTruthPercentiles(truth.latency)
  );
}

export function truthJson(truth: Truth) {
  return {
    schema: TRUTH_RESULT_SCHEMA_ID,
    answered: truth.answered,
    unanswered: truth.unanswered,
    notRecorded: truth.notRecorded,
    firstK: truth.firstK,
    lastK: truth.lastK,
    percentilesNs: truthPercentiles(truth.latency),
    maxNs: truth.latency.maxValue,
  };
}

export function truthMain(argv: string[]): number {
  try {
    const request = parseTruthArgs(argv);
    const toStdout = request.json === '-';
    if (request.json !== undefined) checkOutputPath(request.json, '--json', { allowStdout: true });
    const truth = readTruth(request.file, request.schedule);
    (toStdout ? process.stderr : process.stdout).write(formatTruth(truth, request));
    if (request.json !== undefined) writeOutput(request.json, JSON.stringify(truthJson(truth), null, 2) + '\n', '--json', { allowStdout: true });
    return EXIT_OK;
  } catch (err) {
    return subcommandFailed('truth', err);
  }
}
